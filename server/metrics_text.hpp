#pragma once

// hostflowd's operational counters in the Prometheus text exposition format
// (version 0.0.4): what the /metrics endpoint serves. Pure: a snapshot in,
// text out.

#include <string>
#include <vector>

#include "actors/message_types.hpp"
#include "server/profile_stream_limits.hpp"

namespace hostflow {

/// Everything one scrape reports, gathered from the receivers (through the
/// ingest monitor), the host shards and the stream hub.
struct metrics_snapshot {
  std::string version;
  double uptime_seconds = 0;
  std::vector<receiver_report> receivers;
  std::vector<shard_status> shards;
  profile_stream_counters streams;
};

/// The snapshot as exposition text: each family once, with `# HELP` and
/// `# TYPE` before its samples, names prefixed `hostflow_`, counters ending
/// in `_total`. docs/METRICS.md lists them.
std::string render_metrics(const metrics_snapshot& snapshot);

/// `value` escaped for a label: backslash, double quote and newline.
std::string escape_label_value(const std::string& value);

} // namespace hostflow
