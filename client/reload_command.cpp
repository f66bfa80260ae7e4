#include "client/reload_command.hpp"

#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

namespace hostflow::client {

namespace {

template <class Keys>
std::string joined(const Keys& keys) {
  std::string text;
  for (const auto& key : keys)
    text += (text.empty() ? "" : ", ") + key;
  return text;
}

} // namespace

int run_reload(const reload_options& opts, std::ostream& out, std::ostream& err) {
  v1::ReloadConfigResponse response;
  int code = call_server(opts.connection, err, response, [&](auto& stub, auto* context, auto* r) {
    return stub.ReloadConfig(context, v1::ReloadConfigRequest{}, r);
  });
  if (code != exit_ok)
    return code;
  const auto& applied = response.applied_keys();
  const auto& restart = response.restart_required_keys();
  if (opts.json) {
    nlohmann::json line;
    line["applied_keys"] = std::vector<std::string>(applied.begin(), applied.end());
    line["restart_required_keys"] = std::vector<std::string>(restart.begin(), restart.end());
    out << line.dump() << '\n';
  } else if (applied.empty() && restart.empty()) {
    out << "reloaded: nothing changed\n";
  } else {
    if (!applied.empty())
      out << "reloaded, now in force: " << joined(applied) << '\n';
    if (!restart.empty())
      out << "changed but waiting for a restart: " << joined(restart) << '\n';
  }
  out.flush();
  return exit_ok;
}

void add_reload_command(CLI::App& app, command_runner& run) {
  auto opts = std::make_shared<reload_options>();
  auto* cmd = app.add_subcommand(
      "reload", "Make the server read its configuration file again (as SIGHUP does) and apply "
                "monitored networks, exporter selection and log level without a restart");
  add_connection_options(*cmd, opts->connection);
  cmd->add_flag("--json", opts->json,
                "Print one JSON line with applied_keys and restart_required_keys");
  cmd->footer("A configuration that does not load is refused with the reason; the running one "
              "stays in force.\n"
              "Examples:\n"
              "  hostflow reload\n"
              "  hostflow reload --server 10.0.0.5:50051 --token-file /etc/hostflow/token\n"
              "Exit status: 0 reloaded, 1 refused, server error or unreachable, 2 usage error.");
  cmd->callback([&run, opts] { run = [opts] { return run_reload(*opts, std::cout, std::cerr); }; });
}

} // namespace hostflow::client
