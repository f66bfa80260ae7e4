#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "hostflow/v1/hostflow.pb.h"

namespace CLI {
class App;
} // namespace CLI

namespace hostflow::client {

// -- one window, one metric: what `top` and `map` share ----------------------------------

/// The options that choose a window and what it is measured by, as typed.
struct window_options {
  std::string by = "bytes";       ///< the metric
  std::string direction = "out";  ///< whose flows count
  std::string granularity = "1m"; ///< the window length
  std::string window;             ///< its start (RFC 3339 or epoch); empty: latest closed
};

/// The same, checked.
struct window_choice {
  v1::Metric metric = v1::METRIC_UNSPECIFIED;
  v1::Direction direction = v1::DIRECTION_UNSPECIFIED;
  v1::Granularity granularity = v1::GRANULARITY_UNSPECIFIED;
  std::optional<int64_t> window_start_ms; ///< unset: the latest closed window
};

/// Registers --by, --direction, --granularity and --window on `cmd`.
void add_window_options(CLI::App& cmd, window_options& opts);

/// Checks `opts`; nullopt with `error` naming the option otherwise.
std::optional<window_choice> check_window_options(const window_options& opts, std::string& error);

/// A value of `metric` for a table: bytes with a unit, counts with k/M/G,
/// deviations with two decimals.
std::string format_metric_value(v1::Metric metric, double value);

/// "bytes out, 1m window from 2024-03-04T09:01:00.000Z (closed)": the
/// heading of a ranking or map.
std::string describe_window(v1::Metric metric, v1::Direction direction, v1::Granularity granularity,
                            const google::protobuf::Timestamp& start, bool open);

} // namespace hostflow::client
