#pragma once

#include <functional>

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

} // namespace hostflow::client
