#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

#include "client/command.hpp"
#include "client/grpc_connection.hpp"
#include "client/window_options.hpp"

namespace CLI {
class App;
} // namespace CLI

namespace hostflow::client {

/// Options of `hostflow top`, as typed.
struct top_options {
  connection_options connection;
  window_options window;
  std::string cidr;    ///< only hosts in this prefix; empty: all
  uint32_t limit = 10; ///< how many hosts, 1..10000
  bool json = false;   ///< JSON lines, one per host
};

/// Registers `hostflow top` on `app`.
void add_top_command(CLI::App& app, command_runner& run);

/// Asks the server for a ranking and prints it to `out`; errors go to `err`.
/// Returns the exit status.
int run_top(const top_options& opts, std::ostream& out, std::ostream& err);

} // namespace hostflow::client
