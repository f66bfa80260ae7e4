#pragma once

// Reloading the configuration while hostflowd runs (SIGHUP, the
// ReloadConfig RPC): read it again, refuse it whole when it is bad, apply
// what can change in flight, and say what waits for a restart.

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "server/config.hpp"

namespace hostflow {

/// What a reload did.
struct reload_outcome {
  /// Empty when the new configuration was accepted; else why not (the
  /// loader's message, naming the key), and nothing changed.
  std::string error;
  /// Top-level keys whose new values are now in force.
  std::vector<std::string> applied;
  /// Top-level keys whose new values wait for a restart.
  std::vector<std::string> restart_required;

  /// True when the new configuration was accepted.
  bool ok() const noexcept { return error.empty(); }

  /// One line for the log: "configuration reloaded: applied monitored_networks;
  /// restart required for udp_listen" or the refusal.
  std::string to_string() const;
};

/// The top-level config keys a reload applies without a restart.
const std::vector<std::string>& reloadable_keys();

/// Holds the configuration in force and replaces it on reload(). Safe to
/// call from several threads; reloads run one at a time.
class config_reloader {
public:
  /// Reads a configuration (e.g. resolve_config with the command line).
  using loader = std::function<config_result()>;
  /// Puts the reloadable part of a configuration in force.
  using applier = std::function<void(const server_config&)>;

  /// Starts with `running` in force; `load` and `apply` must outlive it.
  config_reloader(server_config running, loader load, applier apply);

  /// Loads the configuration again. A bad one is refused with the reason
  /// and the running one stays. Otherwise the reloadable keys that changed
  /// are applied (once, together) and the others are reported as waiting for
  /// a restart; they keep their running values meanwhile.
  reload_outcome reload();

  /// The configuration in force: reloadable keys as last applied, the
  /// others as at start.
  server_config running() const;

private:
  mutable std::mutex mutex_;
  server_config running_;
  loader load_;
  applier apply_;
};

} // namespace hostflow
