#pragma once

#include <iosfwd>
#include <string>

#include "client/command.hpp"
#include "client/grpc_connection.hpp"
#include "client/window_options.hpp"

namespace CLI {
class App;
} // namespace CLI

namespace hostflow::client {

/// Options of `hostflow map`, as typed.
struct map_options {
  connection_options connection;
  window_options window;
  std::string network;      ///< the prefix to map
  std::string cell = "/24"; ///< the cells' prefix length, "/24" or "24"
  bool json = false;        ///< JSON lines, one per cell
};

/// Registers `hostflow map` on `app`.
void add_map_command(CLI::App& app, command_runner& run);

/// Asks the server for a network map and prints it to `out`; errors go to
/// `err`. Returns the exit status.
int run_map(const map_options& opts, std::ostream& out, std::ostream& err);

} // namespace hostflow::client
