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
///
/// Records land in 10 s buckets. When a bucket closes it is rolled into the
/// 30 s, 1 min and 5 min windows that hold it; of each granularity only one
/// window can be partly closed at a time (the one holding the newest closed
/// bucket), so at most three rolled windows exist. Heavy hitters are kept
/// apart, per open 1 min and 5 min window, because records feed them
/// directly rather than through the buckets.
class direction_profile {
public:
  /// An open 10 s bucket.
  struct bucket {
    int64_t index;
    open_stats stats;
  };

  /// The closed buckets of a partly closed 30 s, 1 min or 5 min window.
  struct rolled_window {
    int64_t index;            ///< window number in units of its granularity
    uint8_t granularity_slot; ///< 1, 2 or 3: index into `granularities`
    open_stats stats;
  };

  /// The heavy hitters of an open 1 min or 5 min window.
  struct top_window {
    int64_t index;
    uint8_t granularity_slot; ///< 2 or 3
    heavy_hitters top;
  };

  /// The bucket with this index, created when missing. Returns whether it
  /// was created.
  open_stats& bucket_at(int64_t index, bool& created);

  /// Feeds the heavy hitters of the 1 min window holding bucket `b` (the
  /// 5 min window gets them merged when the 1 min window closes: Space-Saving
  /// sketches merge with their bounds intact, and it halves the work per
  /// record).
  void add_top(int64_t b, const record_view& v, uint64_t bytes, bool count_flow);

  /// Closes every bucket with index <= `last_closed` and the coarse windows
  /// they complete, appending them to `out`: buckets first, then coarse
  /// windows by granularity and start.
  void close_through(int64_t last_closed, host_direction d, std::vector<closed_window>& out);

  /// The last bucket of the first window to close: the oldest open bucket or
  /// the end of a rolled window; watermark_tracker::none when nothing is open.
  int64_t next_close() const noexcept;

  /// The open statistics of a window: its rolled-up part plus its open
  /// buckets.
  window_stats open_window(uint32_t granularity_s, int64_t window_index) const;

  bool empty() const noexcept { return buckets_.empty() && rolled_.empty() && tops_.empty(); }

  /// Open buckets, oldest first.
  const std::vector<bucket>& buckets() const noexcept { return buckets_; }
  /// Rolled windows, at most one per coarse granularity, in no order.
  const std::vector<rolled_window>& rolled() const noexcept { return rolled_; }
  /// Heavy hitters of open 1 min and 5 min windows, in no order.
  const std::vector<top_window>& tops() const noexcept { return tops_; }
  std::vector<bucket>& buckets() noexcept { return buckets_; }
  std::vector<rolled_window>& rolled() noexcept { return rolled_; }
  std::vector<top_window>& tops() noexcept { return tops_; }

  /// Heap and inline bytes held.
  size_t memory_bytes() const noexcept;

private:
  /// The rolled window of a granularity, moved to `window_index`; a window
  /// it held before has ended and goes to `coarse_closed`.
  rolled_window& rolled_at(int64_t window_index, uint8_t slot, host_direction d,
                           std::vector<closed_window>& coarse_closed);
  top_window& top_at(int64_t window_index, uint8_t slot);
  void emit_rolled(rolled_window&& w, host_direction d, std::vector<closed_window>& out);

  std::vector<bucket> buckets_;       ///< sorted by index
  std::vector<rolled_window> rolled_; ///< at most three
  std::vector<top_window> tops_;      ///< a handful at most
};

/// Everything held in memory about one monitored host.
struct host_profile {
  ip_address address;
  int64_t last_seen_ms = 0;        ///< newest event time of its records
  /// The bucket at whose close the host is due (its entry in the close
  /// schedule), or watermark_tracker::none when none is scheduled.
  int64_t scheduled_close = watermark_tracker::none;
  direction_profile directions[2]; ///< indexed by host_direction
  /// Baseline of the current hour of day; made when its first 5 min window
  /// closes (other hours live in the store).
  std::unique_ptr<host_baseline> baseline;

  direction_profile& at(host_direction d) noexcept { return directions[static_cast<int>(d)]; }
  const direction_profile& at(host_direction d) const noexcept {
    return directions[static_cast<int>(d)];
  }
  bool empty() const noexcept { return directions[0].empty() && directions[1].empty(); }
  /// The earlier next_close() of the two directions.
  int64_t next_close() const noexcept;
  size_t memory_bytes() const noexcept;
};

} // namespace hostflow
