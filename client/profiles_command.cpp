#include "client/profiles_command.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>

#include <CLI/CLI.hpp>

#include "client/human_units.hpp"
#include "client/query_json.hpp"
#include "client/query_names.hpp"
#include "client/time_args.hpp"
#include "flow/cidr.hpp"
#include "flow/ip_address.hpp"

namespace hostflow::client {

namespace {

// Set by SIGINT; a watcher thread turns it into a cancel of the call (a
// signal handler may do no more than store to an atomic).
std::atomic<bool> interrupted{false};

extern "C" void on_interrupt(int) {
  interrupted.store(true);
}

/// The request the options describe, or nullopt with `error` set.
std::optional<v1::StreamProfilesRequest> make_request(const profiles_options& opts,
                                                      std::string& error) {
  if (!opts.follow) {
    error = "profiles streams windows as they close: add --follow (for past windows use "
            "'hostflow host IP')";
    return std::nullopt;
  }
  v1::StreamProfilesRequest req;
  for (const auto& target : opts.targets) {
    if (target.find('/') != std::string::npos) {
      std::string why;
      if (!cidr::parse(target, why)) {
        error = "\"" + target + "\" is not a network: " + why;
        return std::nullopt;
      }
      if (!req.network().empty()) {
        error = "one network at a time: \"" + req.network() + "\" and \"" + target + "\"";
        return std::nullopt;
      }
      req.set_network(target);
    } else if (ip_address::parse(target)) {
      req.add_hosts(target);
    } else {
      error = "\"" + target + "\" is neither an IP address nor a network (10.0.0.0/8)";
      return std::nullopt;
    }
  }
  std::string why;
  auto granularity = parse_granularity(opts.granularity, why);
  if (!granularity) {
    error = "--granularity: " + why;
    return std::nullopt;
  }
  req.set_granularity(*granularity);
  if (!opts.direction.empty() && !parse_direction(opts.direction, why)) {
    error = "--direction: " + why;
    return std::nullopt;
  }
  return req;
}

// Rows are printed as windows arrive, so the columns have fixed widths
// instead of being fitted to the widest value.
constexpr const char* row_format = "%-24s  %-15s  %-3s  %-3s  %8s  %8s  %9s  %6s  %10s  %8s\n";

void print_header(std::ostream& out) {
  char line[256];
  std::snprintf(line, sizeof(line), row_format, "window start", "host", "dir", "len", "flows",
                "packets", "bytes", "peers", "peer ports", "syn-only");
  out << line;
}

void print_row(std::ostream& out, const v1::StreamProfilesResponse& m) {
  const auto& w = m.window();
  char line[512];
  std::snprintf(line, sizeof(line), row_format, format_time(epoch_ms_of(w.start())).c_str(),
                m.host().c_str(), to_name(w.direction()).c_str(), to_name(w.granularity()).c_str(),
                format_count(w.flows()).c_str(), format_count(w.packets()).c_str(),
                format_bytes(w.bytes()).c_str(), format_count(w.distinct_peers()).c_str(),
                format_count(w.distinct_peer_ports()).c_str(),
                format_count(w.tcp_flags().syn_only_flows()).c_str());
  out << line;
}

} // namespace

int run_profiles(const profiles_options& opts, std::ostream& out, std::ostream& err) {
  std::string error;
  auto request = make_request(opts, error);
  if (!request)
    return report_error(err, exit_usage, error);
  auto connection = open_connection(opts.connection, error);
  if (!connection)
    return report_error(err, exit_usage, error);
  std::optional<v1::Direction> only;
  if (!opts.direction.empty())
    only = parse_direction(opts.direction, error);

  auto context = connection->stream_context();
  // Fail fast when the server is not there, as the other commands do,
  // rather than wait for it for ever.
  context->set_wait_for_ready(false);
  interrupted.store(false);
  auto previous = std::signal(SIGINT, on_interrupt);
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    while (!done.load()) {
      if (interrupted.load()) {
        context->TryCancel();
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });

  auto reader = connection->stub().StreamProfiles(context.get(), *request);
  if (!opts.json)
    print_header(out);
  out.flush();
  v1::StreamProfilesResponse message;
  while (reader->Read(&message)) {
    if (only && message.window().direction() != *only)
      continue;
    if (opts.json)
      out << window_to_json(message.host(), message.window(), false).dump() << '\n';
    else
      print_row(out, message);
    // Each window as it comes: the output is read live, often through a pipe.
    out.flush();
  }
  grpc::Status status = reader->Finish();
  done.store(true);
  watcher.join();
  std::signal(SIGINT, previous);
  if (interrupted.load())
    return exit_ok;
  if (status.ok())
    return exit_ok;
  return report_error(err, exit_failure, connection->describe(status));
}

void add_profiles_command(CLI::App& app, command_runner& run) {
  auto opts = std::make_shared<profiles_options>();
  auto* cmd = app.add_subcommand(
      "profiles", "Follow the windows of hosts or a network as they close (StreamProfiles)");
  cmd->add_option("TARGET", opts->targets,
                  "Hosts (10.0.0.1, 2001:db8::1) and at most one network (10.0.0.0/8) to follow")
      ->required()
      ->type_name("");
  cmd->add_flag("--follow", opts->follow, "Stream windows as they close, until Ctrl-C (required)");
  cmd->add_option("--granularity", opts->granularity, "Window length: 10s, 30s, 1m or 5m")
      ->type_name("LEN")
      ->capture_default_str();
  cmd->add_option("--direction", opts->direction, "Only windows of this direction: in or out")
      ->type_name("DIR");
  add_connection_options(*cmd, opts->connection);
  cmd->add_flag("--json", opts->json,
                "Print JSON lines, one per window, in the schema of 'hostflow host --json'");
  cmd->footer("The server ends the stream with UNAVAILABLE when it stops, and with "
              "RESOURCE_EXHAUSTED when this client reads too slowly; the message names the end "
              "of the last window sent, so 'hostflow host IP --from TIME' fills the gap.\n"
              "Examples:\n"
              "  hostflow profiles --follow 10.20.0.0/24 --granularity 10s\n"
              "  hostflow profiles --follow 10.0.0.1 10.0.0.2 --json | jq .bytes\n"
              "Exit status: 0 interrupted (Ctrl-C), 1 the server ended the stream or is "
              "unreachable, 2 usage error.");
  cmd->callback(
      [&run, opts] { run = [opts] { return run_profiles(*opts, std::cout, std::cerr); }; });
}

} // namespace hostflow::client
