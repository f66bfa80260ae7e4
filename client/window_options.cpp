#include "client/window_options.hpp"

#include <cmath>
#include <cstdio>

#include <CLI/CLI.hpp>

#include "client/human_units.hpp"
#include "client/query_json.hpp"
#include "client/query_names.hpp"
#include "client/time_args.hpp"

namespace hostflow::client {

void add_window_options(CLI::App& cmd, window_options& opts) {
  cmd.add_option("--by", opts.by,
                 "Metric: bytes, packets, flows, peers, ports, syn-only or deviation")
      ->type_name("METRIC")
      ->capture_default_str();
  cmd.add_option("--direction", opts.direction, "out (what hosts send) or in (what they receive)")
      ->type_name("DIR")
      ->capture_default_str();
  cmd.add_option("--granularity", opts.granularity, "Window length: 10s, 30s, 1m or 5m")
      ->type_name("LEN")
      ->capture_default_str();
  cmd.add_option("--window", opts.window,
                 "Start of the window (RFC 3339 or epoch seconds, aligned to its length); "
                 "default: the latest closed window")
      ->type_name("TIME");
}

std::optional<window_choice> check_window_options(const window_options& opts, std::string& error) {
  window_choice out;
  std::string why;
  auto metric = parse_metric(opts.by, why);
  if (!metric) {
    error = "--by: " + why;
    return std::nullopt;
  }
  auto direction = parse_direction(opts.direction, why);
  if (!direction) {
    error = "--direction: " + why;
    return std::nullopt;
  }
  auto granularity = parse_granularity(opts.granularity, why);
  if (!granularity) {
    error = "--granularity: " + why;
    return std::nullopt;
  }
  out.metric = *metric;
  out.direction = *direction;
  out.granularity = *granularity;
  if (!opts.window.empty()) {
    auto start = parse_time(opts.window, why);
    if (!start) {
      error = "--window: " + why;
      return std::nullopt;
    }
    out.window_start_ms = *start;
  }
  return out;
}

std::string format_metric_value(v1::Metric metric, double value) {
  if (metric == v1::METRIC_DEVIATION) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.2f", value);
    return buf;
  }
  auto n = value <= 0 ? uint64_t{0} : static_cast<uint64_t>(std::llround(value));
  return metric == v1::METRIC_BYTES ? format_bytes(n) : format_count(n);
}

std::string describe_window(v1::Metric metric, v1::Direction direction, v1::Granularity granularity,
                            const google::protobuf::Timestamp& start, bool open) {
  return to_name(metric) + " " + to_name(direction) + ", " + to_name(granularity) +
         " window from " + format_time(epoch_ms_of(start)) + (open ? " (open)" : " (closed)");
}

} // namespace hostflow::client
