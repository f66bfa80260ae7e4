#pragma once

// Requests of the API read into the parameters of the profile queries. Every
// field is checked here, and a bad one is refused with its name, its value
// and what would be accepted, before any shard is asked.

#include <cstdint>
#include <optional>
#include <vector>

#include "actors/profile_queries.hpp"
#include "server/proto_values.hpp"

#include "hostflow/v1/hostflow.pb.h"

namespace hostflow {

// -- defaults ------------------------------------------------------------------------

/// How far before the watermark a host profile starts when the request
/// gives no range: one hour.
inline constexpr int64_t default_lookback_ms = 3'600'000;

/// How far past the later of the watermark and the wall clock an open-ended
/// range reaches. Event times are clamped to at most
/// profiles.max_future_seconds (one day at most) past the wall clock, so no
/// window starts later than this.
inline constexpr int64_t open_end_margin_ms = 2 * 86'400'000;

/// Hosts a ranking returns when the request leaves `limit` at 0.
inline constexpr uint32_t default_top_limit = 10;

// -- GetHostProfile -------------------------------------------------------------------

/// A GetHostProfile request, checked.
struct host_profile_params {
  ip_address host;
  std::vector<uint32_t> granularities_s; ///< finest first, no repeats, never empty
  std::optional<int64_t> from_ms;        ///< unset: `lookback_ms` before the watermark
  std::optional<int64_t> to_ms;          ///< unset: open-ended
  int64_t lookback_ms = default_lookback_ms;
};

/// Reads and checks `request`; an invalid_argument error names the field.
query_error read_request(const v1::GetHostProfileRequest& request, host_profile_params& out);

/// The range a host profile covers: the request's, with what it leaves out
/// counted from `watermark_ms` (or, before any record, from `wall_ms`).
time_span resolve_range(const host_profile_params& p, std::optional<int64_t> watermark_ms,
                        int64_t wall_ms);

// -- TopHosts ----------------------------------------------------------------------------

/// A TopHosts request, checked.
struct top_hosts_params {
  window_selector selector;
  uint32_t limit = default_top_limit;
};

/// Reads and checks `request`; an invalid_argument error names the field.
query_error read_request(const v1::TopHostsRequest& request, top_hosts_params& out);

// -- GetNetworkMap -----------------------------------------------------------------------

/// A GetNetworkMap request, checked.
struct network_map_params {
  cidr network;
  uint8_t cell_length = 0; ///< as written for the network's family
  window_selector selector;
};

/// Reads and checks `request`, the number of cells included; an
/// invalid_argument error names the field.
query_error read_request(const v1::GetNetworkMapRequest& request, network_map_params& out);

// -- StreamProfiles ----------------------------------------------------------------------

/// Most addresses a StreamProfiles request may list; a larger set is better
/// followed by its prefix.
inline constexpr size_t max_stream_hosts = 1024;

/// A StreamProfiles request, checked: which hosts, which granularity.
struct stream_profiles_params {
  uint32_t granularity_s = 60;
  std::vector<ip_address> hosts; ///< sorted, no repeats
  std::optional<cidr> network;

  /// True when `host` is listed or lies in the network.
  bool matches(const ip_address& host) const noexcept;
};

/// Reads and checks `request`: hosts, a network or both are required; an
/// invalid_argument error names the field.
query_error read_request(const v1::StreamProfilesRequest& request, stream_profiles_params& out);

} // namespace hostflow
