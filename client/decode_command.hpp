#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "client/command.hpp"

namespace CLI {
class App;
} // namespace CLI

namespace hostflow::client {

/// Options of `hostflow decode`.
struct decode_options {
  std::vector<std::string> files; ///< captures or raw datagram files, decoded in this order
  bool json = false;              ///< JSON lines instead of text
  bool summary = false;           ///< per-file counts instead of records
};

/// Registers `hostflow decode` on `app`; when the command line chooses it,
/// `run` becomes the function that executes it.
void add_decode_command(CLI::App& app, command_runner& run);

/// Decodes `opts.files` in order through one flow decoder, so templates from
/// an earlier file apply to data in a later one. Writes records or per-file
/// summaries to `out` and one line per unusable file to `err`; returns
/// exit_failure if any file could not be read (the others are still decoded).
int run_decode(const decode_options& opts, std::ostream& out, std::ostream& err);

} // namespace hostflow::client
