// hostflow: the command-line client. Each command lives in its own
// <name>_command.cpp and registers itself here.

#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

#include "client/command.hpp"
#include "client/decode_command.hpp"
#include "client/host_command.hpp"
#include "client/map_command.hpp"
#include "client/profiles_command.hpp"
#include "client/reload_command.hpp"
#include "client/status_command.hpp"
#include "client/top_command.hpp"

int main(int argc, char** argv) {
  using namespace hostflow::client;
  CLI::App app{"hostflow: command-line client of the hostflow flow analysis server.", "hostflow"};
  app.require_subcommand(1);
  app.footer("Run 'hostflow COMMAND --help' for the options of a command.");
  command_runner run;
  add_status_command(app, run);
  add_host_command(app, run);
  add_top_command(app, run);
  add_map_command(app, run);
  add_profiles_command(app, run);
  add_reload_command(app, run);
  add_decode_command(app, run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help also ends parsing this way, successfully.
    return app.exit(e) == 0 ? exit_ok : exit_usage;
  }
  try {
    return run();
  } catch (const std::exception& e) {
    std::cerr << "hostflow: " << e.what() << '\n';
    return exit_failure;
  }
}
