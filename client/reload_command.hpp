#pragma once

#include <iosfwd>

#include "client/command.hpp"
#include "client/grpc_connection.hpp"

namespace CLI {
class App;
} // namespace CLI

namespace hostflow::client {

/// Options of `hostflow reload`.
struct reload_options {
  connection_options connection;
  bool json = false; ///< one JSON line instead of text
};

/// Registers `hostflow reload` on `app`.
void add_reload_command(CLI::App& app, command_runner& run);

/// Asks the server to reload its configuration and prints what changed to
/// `out`; errors go to `err`. Returns the exit status.
int run_reload(const reload_options& opts, std::ostream& out, std::ostream& err);

} // namespace hostflow::client
