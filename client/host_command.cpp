#include "client/host_command.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <vector>

#include <CLI/CLI.hpp>

#include "client/human_units.hpp"
#include "client/query_json.hpp"
#include "client/query_names.hpp"
#include "client/text_table.hpp"
#include "client/time_args.hpp"
#include "flow/ip_address.hpp"

namespace hostflow::client {

namespace {

/// The request the options describe, or nullopt with `error` set.
std::optional<v1::GetHostProfileRequest> make_request(const host_options& opts,
                                                      std::string& error) {
  v1::GetHostProfileRequest req;
  if (!ip_address::parse(opts.host)) {
    error = "host: \"" + opts.host + "\" is not an IP address";
    return std::nullopt;
  }
  req.set_host(opts.host);
  std::string why;
  auto granularity = parse_granularity(opts.granularity, why);
  if (!granularity) {
    error = "--granularity: " + why;
    return std::nullopt;
  }
  req.add_granularities(*granularity);
  if (!opts.since.empty() && !opts.from.empty()) {
    error = "--since and --from exclude each other: give a lookback or a start";
    return std::nullopt;
  }
  if (!opts.to.empty() && opts.from.empty()) {
    error = "--to needs --from: the range must have a start";
    return std::nullopt;
  }
  if (!opts.since.empty()) {
    auto ms = parse_duration(opts.since, why);
    if (!ms) {
      error = "--since: " + why;
      return std::nullopt;
    }
    // Counted back from the server's watermark, not the local clock: a
    // replayed capture is queried like live traffic.
    req.mutable_lookback()->set_seconds(*ms / 1000);
    req.mutable_lookback()->set_nanos(static_cast<int32_t>(*ms % 1000) * 1'000'000);
  }
  if (!opts.from.empty()) {
    auto start = parse_time(opts.from, why);
    if (!start) {
      error = "--from: " + why;
      return std::nullopt;
    }
    set_epoch_ms(*req.mutable_time_range()->mutable_start(), *start);
    if (!opts.to.empty()) {
      auto end = parse_time(opts.to, why);
      if (!end) {
        error = "--to: " + why;
        return std::nullopt;
      }
      if (*end <= *start) {
        error = "--to: " + opts.to + " is not after --from " + opts.from;
        return std::nullopt;
      }
      set_epoch_ms(*req.mutable_time_range()->mutable_end(), *end);
    }
  }
  return req;
}

struct window_row {
  const v1::Window* window;
  bool open;
};

/// Closed and open windows together, outgoing first, then by start: the
/// order a person reads a host's history in.
std::vector<window_row> rows_of(const v1::GetHostProfileResponse& r) {
  std::vector<window_row> rows;
  for (const auto& w : r.closed_windows())
    rows.push_back({&w, false});
  for (const auto& w : r.open_windows())
    rows.push_back({&w, true});
  std::stable_sort(rows.begin(), rows.end(), [](const window_row& a, const window_row& b) {
    if (a.window->direction() != b.window->direction())
      return a.window->direction() < b.window->direction();
    if (a.window->granularity() != b.window->granularity())
      return a.window->granularity() < b.window->granularity();
    return epoch_ms_of(a.window->start()) < epoch_ms_of(b.window->start());
  });
  return rows;
}

std::string two_decimals(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f", v);
  return buf;
}

void print_host_text(std::ostream& out, const v1::GetHostProfileResponse& r) {
  out << "host " << r.host() << (r.in_memory() ? " (in memory)" : " (stored windows only)");
  if (r.has_last_seen())
    out << ", last seen " << format_time(epoch_ms_of(r.last_seen()));
  out << '\n';
  if (r.has_watermark())
    out << "watermark " << format_time(epoch_ms_of(r.watermark())) << '\n';
  const auto& range = r.time_range();
  // The server ends a range without an end far in the future, to take in
  // every open window: that end says nothing to a reader.
  auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  bool open_ended = !range.has_end() || epoch_ms_of(range.end()) > now_ms;
  out << "windows from " << (range.has_start() ? format_time(epoch_ms_of(range.start())) : "-")
      << (open_ended ? " on" : " to " + format_time(epoch_ms_of(range.end()))) << '\n';
  auto rows = rows_of(r);
  if (rows.empty()) {
    out << "no windows in this range\n";
  } else {
    out << '\n';
    text_table table{{"window start", "dir", "len", "flows", "packets", "bytes", "avg dur", "peers",
                      "peer ports", "local ports", "syn-only", "state"}};
    for (const auto& row : rows) {
      const auto& w = *row.window;
      int64_t total_ms = ms_of(w.total_flow_duration());
      int64_t mean_ms = w.flows() == 0 ? 0 : total_ms / static_cast<int64_t>(w.flows());
      table.add_row({format_time(epoch_ms_of(w.start())), to_name(w.direction()),
                     to_name(w.granularity()), format_count(w.flows()), format_count(w.packets()),
                     format_bytes(w.bytes()), format_duration(mean_ms),
                     format_count(w.distinct_peers()), format_count(w.distinct_peer_ports()),
                     format_count(w.distinct_local_ports()),
                     format_count(w.tcp_flags().syn_only_flows()), row.open ? "open" : "closed"});
    }
    table.print(out);
  }
  if (r.has_baseline()) {
    const auto& b = r.baseline();
    out << "\nbaseline, hour " << b.hour_of_day() << " UTC; deviation of the latest 5m window "
        << two_decimals(r.deviation()) << '\n';
    text_table table{{"dir", "metric", "mean", "stddev", "samples", "z"}};
    for (const auto& m : b.metrics())
      table.add_row({to_name(m.direction()), to_name(m.metric()), two_decimals(m.mean()),
                     two_decimals(m.stddev()), std::to_string(m.samples()),
                     two_decimals(m.deviation())});
    table.print(out, "  ");
  }
}

} // namespace

int run_host(const host_options& opts, std::ostream& out, std::ostream& err) {
  std::string error;
  auto request = make_request(opts, error);
  if (!request)
    return report_error(err, exit_usage, error);
  v1::GetHostProfileResponse response;
  int code = call_server(opts.connection, err, response, [&](auto& stub, auto* context, auto* r) {
    return stub.GetHostProfile(context, *request, r);
  });
  if (code != exit_ok)
    return code;
  if (opts.json) {
    for (const auto& row : rows_of(response))
      out << window_to_json(response.host(), *row.window, row.open).dump() << '\n';
  } else {
    print_host_text(out, response);
  }
  out.flush();
  return exit_ok;
}

void add_host_command(CLI::App& app, command_runner& run) {
  auto opts = std::make_shared<host_options>();
  auto* cmd = app.add_subcommand("host", "Show one host's windows (closed and open) and baseline");
  cmd->add_option("IP", opts->host, "The host's address (IPv4 or IPv6)")->required()->type_name("");
  cmd->add_option("--granularity", opts->granularity, "Window length: 10s, 30s, 1m or 5m")
      ->type_name("LEN")
      ->capture_default_str();
  cmd->add_option("--since", opts->since,
                  "Windows from this long before the server's watermark (90s, 15m, 1h, 2d); "
                  "the server's default is 1h")
      ->type_name("DURATION");
  cmd->add_option("--from", opts->from, "Windows starting at or after TIME (RFC 3339 or epoch s)")
      ->type_name("TIME");
  cmd->add_option("--to", opts->to, "Windows starting before TIME; needs --from")
      ->type_name("TIME");
  add_connection_options(*cmd, opts->connection);
  cmd->add_flag("--json", opts->json,
                "Print JSON lines, one per window, open ones marked \"open\": true");
  cmd->footer("Examples:\n"
              "  hostflow host 10.10.1.10\n"
              "  hostflow host 10.10.10.77 --granularity 5m --since 3h --json\n"
              "  hostflow host 2001:db8::1 --from 2024-03-04T09:00:00Z --to 2024-03-04T10:00:00Z\n"
              "Exit status: 0 ok, 1 server error or unreachable, 2 usage error.");
  cmd->callback([&run, opts] { run = [opts] { return run_host(*opts, std::cout, std::cerr); }; });
}

} // namespace hostflow::client
