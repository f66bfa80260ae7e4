#pragma once

// Stored form of what a checkpoint keeps: each host's open windows (with
// their sketches, so they can go on filling after a restart) and the
// shard's event-time state.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "flow/event_time.hpp"
#include "flow/host_profile.hpp"
#include "flow/profile_table.hpp"

namespace hostflow {

/// Appends a host's open windows, both directions.
void encode_host_checkpoint(const host_profile& host, std::string& out);

/// Reads a host written by encode_host_checkpoint; nullopt when malformed.
std::optional<host_profile> decode_host_checkpoint(std::string_view value);

/// A shard's event-time state: the watermark, its sources and the
/// per-exporter counters.
struct time_checkpoint {
  watermark_tracker::snapshot watermark;
  std::vector<std::pair<endpoint, event_time_counters>> exporters;
};

void encode_time_checkpoint(const time_checkpoint& t, std::string& out);
std::optional<time_checkpoint> decode_time_checkpoint(std::string_view value);

} // namespace hostflow
