#pragma once

#include "server/config.hpp"

namespace hostflow {

/// Runs hostflowd with `config` until SIGINT or SIGTERM: opens the UDP
/// sockets, starts the actors and the gRPC API, logs a status line
/// periodically and stops cleanly. Returns the process exit code (0 after a
/// clean stop, 1 when a UDP socket or the gRPC address cannot be opened).
/// Call from the main thread before any other thread exists: it blocks the
/// shutdown signals for all threads it creates.
int run_daemon(const server_config& config);

} // namespace hostflow
