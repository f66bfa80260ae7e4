#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "client/command.hpp"
#include "client/grpc_connection.hpp"

namespace CLI {
class App;
} // namespace CLI

namespace hostflow::client {

/// Options of `hostflow profiles`.
struct profiles_options {
  connection_options connection;
  std::vector<std::string> targets; ///< IPs and at most one CIDR to follow
  bool follow = false;              ///< required: the command is a stream
  std::string granularity = "1m";   ///< the window length streamed
  std::string direction;            ///< "in" or "out"; empty: both
  bool json = false;                ///< JSON lines in the schema of `host --json`
};

/// Registers `hostflow profiles` on `app`.
void add_profiles_command(CLI::App& app, command_runner& run);

/// Follows the windows of the targets as they close, printing each to
/// `out` until the user interrupts (SIGINT: exit 0) or the server ends the
/// stream (exit 1, its reason on `err`).
int run_profiles(const profiles_options& opts, std::ostream& out, std::ostream& err);

} // namespace hostflow::client
