#pragma once

// The open (not yet closed) windows of one monitored host: 10 s buckets
// that still accept records, and the coarser windows they roll up into.

#include <cstdint>
#include <memory>
#include <vector>

#include "flow/baseline.hpp"
#include "flow/event_time.hpp"
#include "flow/window_stats.hpp"
#include "flow/window_summary.hpp"

namespace hostflow {

/// A window that has closed, ready to publish and store.
struct closed_window {
  uint32_t granularity_s = 0;
  int64_t start_ms = 0;
  host_direction direction = host_direction::out;
  window_stats stats;
  std::unique_ptr<heavy_hitters> top; ///< 1 min and 5 min windows only
};

/// Summarizes a closed window.
inline window_summary summarize(const closed_window& w) {
  return summarize(w.granularity_s, w.start_ms, w.direction, w.stats, w.top.get());
}

/// Open windows of one host in one direction.
class direction_profile {
public:
  /// An open 10 s bucket.
  struct bucket {
    int64_t index;
    window_stats stats;
  };

  /// An open 30 s, 1 min or 5 min window: the closed buckets rolled into it
  /// so far, and (1 min, 5 min) its heavy hitters, fed per record.
  struct coarse_window {
    int64_t index;             ///< window number in units of its granularity
    uint8_t granularity_slot;  ///< 1, 2 or 3: index into `granularities`
    window_stats rolled;
    std::unique_ptr<heavy_hitters> top;
  };

  /// The bucket with this index, created when missing. Returns whether it
  /// was created.
  window_stats& bucket_at(int64_t index, bool& created);

  /// Heavy hitters of the 1 min and 5 min windows holding bucket `b`;
  /// creates the windows when missing and reports the last bucket of each
  /// window created through `created_last_bucket` (for the close schedule).
  void add_top(int64_t b, const record_view& v, uint64_t bytes, bool count_flow,
               std::vector<int64_t>& created_last_bucket);

  /// Closes every bucket with index <= `last_closed` and the coarse windows
  /// they complete, appending them to `out`. Coarse windows that the closed
  /// buckets open and that stay open report their last bucket through
  /// `created_last_bucket`.
  void close_through(int64_t last_closed, host_direction d, std::vector<closed_window>& out,
                     std::vector<int64_t>& created_last_bucket);

  /// The open statistics of the window of a granularity holding bucket
  /// `b`: its rolled-up part plus its open buckets.
  window_stats open_window(uint32_t granularity_s, int64_t window_index) const;

  bool empty() const noexcept { return buckets_.empty() && coarse_.empty(); }

  /// Indices of the open buckets, oldest first.
  const std::vector<bucket>& buckets() const noexcept { return buckets_; }
  const std::vector<coarse_window>& coarse() const noexcept { return coarse_; }
  std::vector<bucket>& buckets() noexcept { return buckets_; }
  std::vector<coarse_window>& coarse() noexcept { return coarse_; }

  /// Heap and inline bytes held.
  size_t memory_bytes() const noexcept;

private:
  coarse_window& coarse_at(int64_t window_index, uint8_t slot, bool& created);

  std::vector<bucket> buckets_;        ///< sorted by index
  std::vector<coarse_window> coarse_;  ///< unsorted; a handful at most
};

/// Everything held in memory about one monitored host.
struct host_profile {
  ip_address address;
  int64_t last_seen_ms = 0;        ///< newest event time of its records
  direction_profile directions[2]; ///< indexed by host_direction
  /// Baseline of the current hour of day; made when its first 5 min window
  /// closes (other hours live in the store).
  std::unique_ptr<host_baseline> baseline;

  direction_profile& at(host_direction d) noexcept { return directions[static_cast<int>(d)]; }
  const direction_profile& at(host_direction d) const noexcept {
    return directions[static_cast<int>(d)];
  }
  bool empty() const noexcept { return directions[0].empty() && directions[1].empty(); }
  size_t memory_bytes() const noexcept;
};

} // namespace hostflow
