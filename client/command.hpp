#pragma once

#include <functional>
#include <ostream>
#include <string>

namespace hostflow::client {

// -- what every command shares -------------------------------------------------------

/// Exit status of the `hostflow` client.
enum exit_status : int {
  exit_ok = 0,      ///< the command did what was asked
  exit_failure = 1, ///< an input or the server could not be used (the reason is on stderr)
  exit_usage = 2,   ///< the command line was wrong
};

/// The command chosen on the command line, bound to its parsed options;
/// returns the exit status. Commands register themselves on the CLI11 app
/// and set the runner from their parse callback, so `main` runs it only
/// after the whole command line was accepted.
using command_runner = std::function<int()>;

/// Writes "hostflow: MESSAGE" as one line to `err` and returns `status`:
/// every error a command reports reads the same way.
inline int report_error(std::ostream& err, exit_status status, const std::string& message) {
  err << "hostflow: " << message << '\n';
  return status;
}

} // namespace hostflow::client
