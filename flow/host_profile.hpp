#pragma once

// The open (not yet closed) windows of one monitored host: 10 s buckets
// that still accept records, and the coarser windows they roll up into.

#include <cstdint>
#include <memory>
#include <vector>

#include "flow/baseline.hpp"
#include "flow/event_time.hpp"
#include "flow/presence_set.hpp"
#include "flow/window_stats.hpp"
#include "flow/window_summary.hpp"

namespace hostflow {

/// A window that has closed, ready to publish and store.
struct closed_window {
  uint32_t granularity_s = 0;
  int64_t start_ms = 0;
  host_direction direction = host_direction::out;
  window_totals stats;
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
/// bucket), so at most three rolled windows exist. Peers and ports are kept
/// once per direction in presence sets, with a bit per open bucket (bits 0
/// to 60, handed out as buckets open) and one per rolled window (61 to 63).
/// Heavy hitters are kept apart, per open 1 min and 5 min window, because
/// records feed them directly rather than through the buckets.
///
/// At most `max_open_buckets` buckets are open at once. Past that (only when
/// exporters' clocks disagree by minutes, or with a lateness near the
/// maximum) the oldest buckets close early, and records for buckets up to
/// the last one closed fold into the oldest open bucket, so nothing closes
/// twice.
class direction_profile {
public:
  /// Buckets open at once, at most.
  static constexpr unsigned max_open_buckets = 61;

  /// An open 10 s bucket.
  struct bucket {
    int64_t index;
    uint8_t bit; ///< its presence bit
    packed_counters counters;
  };

  /// The closed buckets of a partly closed 30 s, 1 min or 5 min window.
  struct rolled_window {
    int64_t index;            ///< window number in units of its granularity
    uint8_t granularity_slot; ///< 1, 2 or 3: index into `granularities`
    packed_counters counters;
  };

  /// The heavy hitters of an open 1 min or 5 min window.
  struct top_window {
    int64_t index;
    uint8_t granularity_slot; ///< 2 or 3
    heavy_hitters top;
  };

  /// The distinct keys of the open windows.
  struct key_sets {
    presence_set peers;
    presence_set peer_ports;
    presence_set local_ports;
  };

  /// The presence bit of a rolled window of a granularity slot (1..3).
  static constexpr unsigned rolled_bit(uint8_t slot) noexcept { return 60u + slot; }

  /// The first bucket a record may still land in: the one after the last
  /// bucket closed early, or none.
  int64_t first_open_allowed() const noexcept { return closed_early_through_ + 1; }

  /// Makes room for the buckets [first, last] to be open together, closing
  /// the oldest open buckets early (into `early`) when the bits run out.
  /// Requires last - first < max_open_buckets. Returns the buckets closed.
  size_t make_room(int64_t first, int64_t last, host_direction d,
                   std::vector<closed_window>& early);

  /// The bucket with this index, created when missing (make_room must have
  /// made room). Returns whether it was created.
  bucket& bucket_at(int64_t index, bool& created);

  /// Notes the record's peer and ports as present in the buckets of `bits`.
  void add_keys(const record_view& v, presence_set::mask bits);

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

  /// The totals so far of an open window: its rolled-up part plus its open
  /// buckets.
  window_totals open_window(uint32_t granularity_s, int64_t window_index) const;

  bool empty() const noexcept { return buckets_.empty() && rolled_.empty() && tops_.empty(); }

  /// Open buckets, oldest first.
  const std::vector<bucket>& buckets() const noexcept { return buckets_; }
  /// Rolled windows, at most one per coarse granularity, in no order.
  const std::vector<rolled_window>& rolled() const noexcept { return rolled_; }
  /// Heavy hitters of open 1 min and 5 min windows, in no order.
  const std::vector<top_window>& tops() const noexcept { return tops_; }
  std::vector<top_window>& tops() noexcept { return tops_; }
  /// Peers and ports of the open windows.
  const key_sets& keys() const noexcept { return keys_; }

  // -- restoring a checkpoint -------------------------------------------------------

  /// Adds an open bucket (ascending index) with its counters; its keys come
  /// through keys(). Returns false when out of order or no bit is left.
  bool restore_bucket(int64_t index, packed_counters counters);
  /// Adds a rolled window; false when its granularity has one already.
  bool restore_rolled(int64_t index, uint8_t slot, packed_counters counters);
  /// The key sets, to restore.
  key_sets& keys() noexcept { return keys_; }

  /// Heap and inline bytes held.
  size_t memory_bytes() const noexcept;

private:
  /// The rolled window of a granularity, moved to `window_index`; a window
  /// it held before has ended and goes to `coarse_closed`.
  rolled_window& rolled_at(int64_t window_index, uint8_t slot, host_direction d,
                           std::vector<closed_window>& coarse_closed);
  top_window& top_at(int64_t window_index, uint8_t slot);
  /// Appends a closed window with the distinct counts of `bits`.
  void emit(uint32_t granularity_s, int64_t index, host_direction d,
            const packed_counters& counters, presence_set::mask bits,
            std::vector<closed_window>& out) const;
  void emit_rolled(rolled_window& w, host_direction d, std::vector<closed_window>& out);
  /// Forgets the keys of `bits`.
  void clear_keys(presence_set::mask bits);

  std::vector<bucket> buckets_;       ///< sorted by index
  std::vector<rolled_window> rolled_; ///< at most three
  std::vector<top_window> tops_;      ///< a handful at most
  key_sets keys_;
  uint64_t used_bits_ = 0;            ///< bucket bits in use
  /// The last bucket closed early; records for it and before fold forward.
  int64_t closed_early_through_ = watermark_tracker::none;
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
