#pragma once

#include <iosfwd>
#include <string>

#include "client/command.hpp"
#include "client/grpc_connection.hpp"

namespace CLI {
class App;
} // namespace CLI

namespace hostflow::client {

/// Options of `hostflow host`, as typed.
struct host_options {
  connection_options connection;
  std::string host;               ///< the host's address
  std::string granularity = "1m"; ///< window length
  std::string since;              ///< lookback before the server's watermark
  std::string from;               ///< start of the range (RFC 3339 or epoch)
  std::string to;                 ///< end of the range, exclusive
  bool json = false;              ///< JSON lines, one per window
};

/// Registers `hostflow host` on `app`.
void add_host_command(CLI::App& app, command_runner& run);

/// Asks the server for the host's windows and prints them to `out`; errors
/// go to `err`. Returns the exit status.
int run_host(const host_options& opts, std::ostream& out, std::ostream& err);

} // namespace hostflow::client
