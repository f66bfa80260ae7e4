#pragma once

// Answers of the profile queries and the server's counters written as
// messages of the API.

#include <cstdint>
#include <string>
#include <vector>

#include "actors/profile_queries.hpp"
#include "server/proto_values.hpp"

#include "hostflow/v1/hostflow.pb.h"

namespace hostflow {

/// A window, open or closed.
void to_proto(const window_summary& w, v1::Window& out);

/// A host's profile over `range` (the range the windows were taken from).
void to_proto(const host_profile_answer& answer, const time_span& range,
              v1::GetHostProfileResponse& out);

/// A ranking of windows of `granularity_s` seconds.
void to_proto(const top_hosts_answer& answer, uint32_t granularity_s, v1::TopHostsResponse& out);

/// A map of windows of `granularity_s` seconds.
void to_proto(const network_map_answer& answer, uint32_t granularity_s,
              v1::GetNetworkMapResponse& out);

/// What GetStatus reports, gathered from the shards and the ingest monitor.
struct server_status {
  std::string version;
  int64_t start_wall_ms = 0; ///< when the server started (epoch ms)
  int64_t uptime_ms = 0;
  std::vector<shard_status> shards;
  std::vector<receiver_report> receivers;
  uint64_t profile_streams = 0; ///< StreamProfiles calls open
  std::string node_name;        ///< this node's name
};

/// The name this node reports: the machine's host name ("localhost" when
/// it has none).
std::string local_node_name();

/// The status: totals over shards and receivers, and each of them.
void to_proto(const server_status& status, v1::GetStatusResponse& out);

} // namespace hostflow
