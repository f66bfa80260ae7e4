#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "server/config.hpp"

namespace CLI {
class App;
} // namespace CLI

namespace hostflow {

/// What hostflowd's command line says about the configuration. A member left
/// unset keeps the file's value (or the default). A new option is a member
/// here, its registration in add_cli_options and its step in apply_overrides.
struct cli_overrides {
  /// --config PATH: the JSON config file. Without it the built-in defaults
  /// apply; no path is assumed, so the daemon never depends on its working
  /// directory.
  std::optional<std::string> config_path;

  /// --udp-listen ADDR:PORT, repeatable: replaces the whole `udp_listen` list.
  std::vector<std::string> udp_listen;

  /// --grpc-listen ADDR:PORT: replaces `grpc.listen`.
  std::optional<std::string> grpc_listen;

  /// --metrics-listen ADDR:PORT: replaces `metrics.listen`; "" turns the
  /// endpoint off.
  std::optional<std::string> metrics_listen;

  /// --log-level LEVEL: replaces `log_level`.
  std::optional<std::string> log_level;

  /// --monitor CIDR, repeatable: replaces the whole `monitored_networks` list.
  std::vector<std::string> monitor;

  /// --monitor-all: sets `monitor_all`; absent keeps the file's value.
  bool monitor_all = false;

  /// --data-dir PATH: replaces `store.path`.
  std::optional<std::string> data_dir;

  /// --demo: run with the demo sender (not a config key: a way to run);
  /// lowers `profiles.allowed_lateness_seconds` to demo_allowed_lateness.
  bool demo = false;
};

/// The allowed lateness in demo mode, whose exporter flushes every second.
inline constexpr std::chrono::seconds demo_allowed_lateness{15};

/// Registers the options on `app`. Parsing `app` fills `out`, which must
/// outlive the parse. Values are checked later, by resolve_config, so that the
/// file and the command line share one set of error messages.
void add_cli_options(CLI::App& app, cli_overrides& out);

/// Applies the overrides to `config`. Empty on success, else the first
/// problem, naming the option ("--udp-listen: 'x' is not a valid ...").
std::string apply_overrides(const cli_overrides& overrides, server_config& config);

/// The daemon's configuration: the --config file (or the defaults), then the
/// overrides, then validate().
config_result resolve_config(const cli_overrides& overrides);

} // namespace hostflow
