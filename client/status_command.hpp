#pragma once

#include <iosfwd>

#include "client/command.hpp"
#include "client/grpc_connection.hpp"

namespace CLI {
class App;
} // namespace CLI

namespace hostflow::client {

/// Options of `hostflow status`.
struct status_options {
  connection_options connection;
  bool json = false; ///< JSON lines (one per server, ingest, shard, receiver, exporter)
};

/// Registers `hostflow status` on `app`.
void add_status_command(CLI::App& app, command_runner& run);

/// Asks the server for its status and prints it to `out`; errors go to
/// `err`. Returns the exit status.
int run_status(const status_options& opts, std::ostream& out, std::ostream& err);

} // namespace hostflow::client
