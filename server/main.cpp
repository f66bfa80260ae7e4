// hostflowd: the hostflow server. Parses the command line and the config,
// then hands over to run_daemon.

#include <cstdio>

#include <CLI/CLI.hpp>

#include "server/cli_options.hpp"
#include "server/daemon.hpp"

int main(int argc, char** argv) {
  CLI::App app{"hostflowd: flow analysis server for NetFlow v5/v9 and IPFIX exporters"};
  app.set_version_flag("--version", HOSTFLOW_VERSION);
  hostflow::cli_overrides overrides;
  hostflow::add_cli_options(app, overrides);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  auto config = hostflow::resolve_config(overrides);
  if (!config) {
    std::fprintf(stderr, "hostflowd: %s\n", config.error.c_str());
    return 2;
  }
  hostflow::daemon_options options;
  options.reload_config = [overrides] { return hostflow::resolve_config(overrides); };
  options.demo = overrides.demo;
  return hostflow::run_daemon(*config.config, options);
}
