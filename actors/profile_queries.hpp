#pragma once

// The questions users ask about host profiles, answered from the shards
// (open windows, baselines) and the store (closed windows). Called from
// threads outside the actor system (the gRPC front end): each call asks the
// shards with a deadline and reads the store in the calling thread, so no
// actor ever waits on I/O.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "actors/profile_pipeline.hpp"
#include "state/profile_store.hpp"

namespace hostflow {

/// Why a query has no answer.
enum class query_errc : uint8_t {
  ok,
  invalid_argument,  ///< a bad field; the message names it and its value
  not_found,
  deadline_exceeded, ///< a shard did not answer in time
  unavailable,       ///< shutting down
  internal,          ///< the store failed
};

/// "ok", "invalid_argument", ...
const char* to_string(query_errc code) noexcept;

/// A query's error: code and a message a person can act on.
struct query_error {
  query_errc code = query_errc::ok;
  std::string message;

  explicit operator bool() const noexcept { return code != query_errc::ok; }
};

/// What queries read: the running pipeline and its store.
struct profile_source {
  caf::actor_system* sys = nullptr;
  const profile_pipeline* pipeline = nullptr;
  std::chrono::milliseconds deadline{2000};
};

// -- host profile -----------------------------------------------------------------

/// The profile of one host.
struct host_profile_answer {
  ip_address host;
  int64_t watermark_ms = 0;                 ///< event time up to which windows are closed
  std::vector<window_summary> closed;       ///< from the store, by granularity then time
  open_profile open;                        ///< open windows and baseline, from its shard
};

/// Closed windows of `granularities` (seconds) that start in [from_ms,
/// to_ms), the open windows and the baseline of `host`.
query_error query_host_profile(const profile_source& src, const ip_address& host,
                               const std::vector<uint32_t>& granularities_s, int64_t from_ms,
                               int64_t to_ms, host_profile_answer& out);

// -- rankings and maps ---------------------------------------------------------------

/// Which window a ranking or map is about.
struct window_selector {
  uint32_t granularity_s = 60;
  host_direction direction = host_direction::out;
  rank_metric metric = rank_metric::bytes;
  /// Start of the window (epoch ms, aligned to the granularity); nullopt:
  /// the latest closed window.
  std::optional<int64_t> window_start_ms;
  std::optional<cidr> within;
};

/// Hosts ranked by a metric in one window.
struct top_hosts_answer {
  int64_t window_start_ms = 0;
  bool window_open = false; ///< the window has not closed yet: values may still grow
  std::vector<ranked_host> hosts; ///< largest first
};

/// Most hosts a ranking returns.
inline constexpr uint32_t max_top_limit = 10'000;

/// The `limit` hosts with the largest values: from the store for a closed
/// window, from every shard's local top `limit`, merged, for an open one.
query_error query_top_hosts(const profile_source& src, const window_selector& sel,
                            uint32_t limit, top_hosts_answer& out);

/// One cell of a network map.
struct map_cell {
  cidr cell;
  double value = 0;   ///< the metric summed over the cell's hosts
  uint64_t hosts = 0; ///< hosts with traffic in the window
};

/// A network map: a prefix cut into cells of one length.
struct network_map_answer {
  int64_t window_start_ms = 0;
  bool window_open = false;
  std::vector<map_cell> cells; ///< cells with traffic only, in address order
};

/// Most cells a map may have (2^16: a /16 in /32s, or a /8 in /24s).
inline constexpr uint32_t max_map_cells = 65'536;

/// The metric per cell of `network` cut into prefixes of `cell_length`
/// (as written: /24 of IPv4 is 24). Too fine a cut is invalid_argument.
query_error query_network_map(const profile_source& src, const cidr& network,
                              uint8_t cell_length, const window_selector& sel,
                              network_map_answer& out);

/// The newest watermark over the shards: event time up to which windows
/// have closed (relative times such as "the last hour" count from it).
std::optional<int64_t> current_watermark(const profile_source& src, query_error& error);

// -- status -----------------------------------------------------------------------------

/// Every shard's counters, in shard order. Unlike profile_pipeline_status,
/// which waits long and leaves out a shard that fails, a shard that does not
/// answer within the source's deadline fails the query.
query_error query_shard_status(const profile_source& src, std::vector<shard_status>& out);

/// The latest report of every receiver, from the ingest monitor; none when
/// `monitor` is null (a pipeline fed without receivers).
query_error query_ingest_reports(const profile_source& src, const ingest_monitor_actor& monitor,
                                 std::vector<receiver_report>& out);

} // namespace hostflow
