#include "server/cli_options.hpp"

#include <algorithm>

#include <CLI/CLI.hpp>

#include "server/config_fields.hpp"

namespace hostflow {

void add_cli_options(CLI::App& app, cli_overrides& out) {
  app.add_option("--config", out.config_path,
                 "JSON config file (see docs/CONFIG.md); without it the built-in defaults apply")
      ->type_name("PATH");
  // One value per occurrence: "--udp-listen A B" would otherwise swallow a
  // later positional argument.
  app.add_option("--udp-listen", out.udp_listen,
                 "UDP address to receive flows on, as 0.0.0.0:2055 or [::]:4739; repeatable, "
                 "replaces the config's udp_listen")
      ->type_name("ADDR:PORT")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--grpc-listen", out.grpc_listen,
                 "TCP address the gRPC API listens on, as 127.0.0.1:50051 or [::1]:50051; "
                 "replaces the config's grpc.listen")
      ->type_name("ADDR:PORT");
  app.add_option("--metrics-listen", out.metrics_listen,
                 "TCP address of the Prometheus endpoint (/metrics), as 127.0.0.1:9105; '' "
                 "serves none; replaces the config's metrics.listen")
      ->type_name("ADDR:PORT");
  app.add_option("--log-level", out.log_level,
                 "trace, debug, info, warn, error or off; replaces the config's log_level")
      ->type_name("LEVEL");
  app.add_option("--monitor", out.monitor,
                 "network whose hosts are profiled, as 10.0.0.0/8 or 2001:db8::/32; repeatable, "
                 "replaces the config's monitored_networks")
      ->type_name("CIDR")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_flag("--monitor-all", out.monitor_all,
               "profile every address, not only those of monitored_networks");
  app.add_option("--data-dir", out.data_dir,
                 "directory of the embedded store; replaces the config's store.path")
      ->type_name("PATH");
  app.add_flag("--demo", out.demo,
               "also send synthetic IPFIX of a small network (10.20.0.0/24: background and a "
               "cycle of attacks) to this hostflowd's own UDP listener, to try it without an "
               "exporter (sets profiles.allowed_lateness_seconds to at most 15)");
}

std::string apply_overrides(const cli_overrides& overrides, server_config& config) {
  if (!overrides.udp_listen.empty()) {
    std::vector<endpoint> addresses;
    for (const auto& text : overrides.udp_listen) {
      std::string reason;
      auto address = parse_listen_endpoint(text, reason);
      if (!address)
        return "--udp-listen: " + detail::listen_error(text, reason);
      addresses.push_back(*address);
    }
    config.udp_listen = std::move(addresses);
  }
  if (overrides.grpc_listen) {
    std::string reason;
    auto address = parse_listen_endpoint(*overrides.grpc_listen, reason);
    if (!address)
      return "--grpc-listen: " + detail::listen_error(*overrides.grpc_listen, reason);
    config.grpc.listen = *address;
  }
  if (overrides.metrics_listen) {
    if (overrides.metrics_listen->empty()) {
      config.metrics.listen.reset();
    } else {
      std::string reason;
      auto address = parse_listen_endpoint(*overrides.metrics_listen, reason);
      if (!address)
        return "--metrics-listen: " + detail::listen_error(*overrides.metrics_listen, reason);
      config.metrics.listen = *address;
    }
  }
  if (overrides.log_level) {
    auto level = parse_log_level(*overrides.log_level);
    if (!level)
      return "--log-level: " + detail::log_level_error(*overrides.log_level);
    config.log_level = *level;
  }
  if (!overrides.monitor.empty()) {
    std::vector<cidr> networks;
    for (const auto& text : overrides.monitor) {
      std::string reason;
      auto network = cidr::parse(text, reason);
      if (!network)
        return "--monitor: " + detail::network_error(text, reason);
      networks.push_back(*network);
    }
    config.monitored_networks = std::move(networks);
  }
  if (overrides.monitor_all)
    config.monitor_all = true;
  if (overrides.data_dir) {
    // In the file "" keeps state in memory; on the command line it is more
    // likely an unset shell variable, and silently losing state on restart
    // is the worse outcome.
    if (overrides.data_dir->empty())
      return "--data-dir: '' is empty (leave the option out to keep state in memory)";
    config.store.path = *overrides.data_dir;
  }
  // The demo's exporter sends every second what ended in it: windows need
  // not wait the 2 minutes real exporters take, and a newcomer sees closed
  // windows within half a minute.
  if (overrides.demo)
    config.profiles.allowed_lateness =
      std::min(config.profiles.allowed_lateness, demo_allowed_lateness);
  return {};
}

config_result resolve_config(const cli_overrides& overrides) {
  config_result result;
  if (overrides.config_path) {
    result = load_config_file(*overrides.config_path);
    if (!result)
      return result;
  } else {
    result.config.emplace();
  }
  if (auto problem = apply_overrides(overrides, *result.config); !problem.empty()) {
    result.config.reset();
    result.error = std::move(problem);
    return result;
  }
  // The file alone was valid, so what fails now comes from the command line
  // (a --udp-listen or --monitor given twice).
  if (auto problem = validate(*result.config); !problem.empty()) {
    result.config.reset();
    result.error = problem + " (with the command-line options applied)";
  }
  return result;
}

} // namespace hostflow
