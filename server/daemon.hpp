#pragma once

#include <functional>

#include "server/config.hpp"

namespace hostflow {

/// How hostflowd runs, besides its configuration.
struct daemon_options {
  /// Reads the configuration again (the --config file with the command-line
  /// overrides applied) for SIGHUP and the ReloadConfig RPC; null: reloads
  /// are refused.
  std::function<config_result()> reload_config;
  /// Sends the demo network's synthetic IPFIX to the first IPFIX listener
  /// (--demo).
  bool demo = false;
};

/// Runs hostflowd with `config` until SIGINT or SIGTERM: opens the UDP
/// sockets, starts the actors and the gRPC API, logs a status line
/// periodically, reloads the configuration on SIGHUP and stops cleanly.
/// Returns the process exit code (0 after a clean stop, 1 when a UDP socket
/// or the gRPC address cannot be opened). Call from the main thread before
/// any other thread exists: it blocks the shutdown signals for all threads
/// it creates.
int run_daemon(const server_config& config, const daemon_options& options = {});

} // namespace hostflow
