#include "flow/host_profile.hpp"

#include <algorithm>

#include "flow/hash32.hpp"

namespace hostflow {

namespace {

// Frees a vector's block once it is empty: a host keeps its profile for the
// idle-eviction time after its windows close, and most hosts are idle.
template <class T>
void release_if_empty(std::vector<T>& v) {
  if (v.empty() && v.capacity() > 0)
    std::vector<T>().swap(v);
}

uint32_t granularity_of(uint8_t slot) noexcept {
  return granularities[slot];
}

constexpr presence_set::mask bit_mask(unsigned bit) noexcept {
  return presence_set::mask{1} << bit;
}

/// The bits of the three rolled windows.
constexpr presence_set::mask rolled_bits = bit_mask(61) | bit_mask(62) | bit_mask(63);

/// The bits buckets may use.
constexpr presence_set::mask bucket_bits = ~rolled_bits;

} // namespace

// -- adding ------------------------------------------------------------------------

size_t direction_profile::make_room(int64_t first, int64_t last, host_direction d,
                                    std::vector<closed_window>& early) {
  // Nearly always the range fits beside what is open.
  if (buckets_.size() + static_cast<size_t>(last - first + 1) <= max_open_buckets)
    return 0;
  size_t closed = 0;
  for (;;) {
    size_t missing = 0;
    auto it = std::lower_bound(buckets_.begin(), buckets_.end(), first,
                               [](const bucket& b, int64_t i) { return b.index < i; });
    for (int64_t b = first; b <= last; ++b) {
      if (it != buckets_.end() && it->index == b)
        ++it;
      else
        ++missing;
    }
    size_t open = buckets_.size();
    if (open + missing <= max_open_buckets || buckets_.empty())
      return closed;
    // The oldest open bucket lies before `first`: the range itself fits.
    int64_t oldest = buckets_.front().index;
    close_through(oldest, d, early);
    closed_early_through_ = oldest;
    ++closed;
  }
}

direction_profile::bucket& direction_profile::bucket_at(int64_t index, bool& created) {
  // New data lands mostly in the newest buckets: search from the back.
  auto it = buckets_.end();
  while (it != buckets_.begin() && std::prev(it)->index > index)
    --it;
  if (it != buckets_.begin() && std::prev(it)->index == index) {
    created = false;
    return *std::prev(it);
  }
  created = true;
  if (buckets_.size() == buckets_.capacity()) {
    // Grow by two rather than double: a busy host settles at about 13 open
    // buckets (the default lateness), which doubling would hold in 16.
    auto at = it - buckets_.begin();
    buckets_.reserve(buckets_.size() + 2);
    it = buckets_.begin() + at;
  }
  auto bit = static_cast<uint8_t>(__builtin_ctzll(~used_bits_ & bucket_bits));
  used_bits_ |= bit_mask(bit);
  return *buckets_.insert(it, bucket{index, bit, {}});
}

void direction_profile::add_keys(const record_view& v, presence_set::mask bits) {
  keys_.peers.add(hash_address(v.peer()), bits);
  if (has_ports(v.record->protocol)) {
    keys_.peer_ports.add(hash_port(v.peer_port()), bits);
    keys_.local_ports.add(hash_port(v.local_port()), bits);
  }
}

direction_profile::top_window& direction_profile::top_at(int64_t window_index, uint8_t slot) {
  for (auto& w : tops_)
    if (w.index == window_index && w.granularity_slot == slot)
      return w;
  if (tops_.capacity() == 0)
    tops_.reserve(5); // at the default lateness: three or four open 1 min windows, one 5 min
  tops_.push_back(top_window{window_index, slot, {}});
  return tops_.back();
}

void direction_profile::add_top(int64_t b, const record_view& v, uint64_t bytes,
                                bool count_flow) {
  constexpr uint8_t minute_slot = 2;
  auto& minute = top_at(window_of_bucket(b, 60), minute_slot);
  minute.top.add_bytes(v, bytes);
  if (count_flow)
    minute.top.add_flow(v);
}

// -- closing -------------------------------------------------------------------------

void direction_profile::emit(uint32_t granularity_s, int64_t index, host_direction d,
                             const packed_counters& counters, presence_set::mask bits,
                             std::vector<closed_window>& out) const {
  closed_window w;
  w.granularity_s = granularity_s;
  w.start_ms = index * int64_t{granularity_s} * 1000;
  w.direction = d;
  w.stats.counters = counters.unpacked();
  w.stats.distinct_peers = keys_.peers.count(bits);
  w.stats.distinct_peer_ports = keys_.peer_ports.count(bits);
  w.stats.distinct_local_ports = keys_.local_ports.count(bits);
  out.push_back(std::move(w));
}

void direction_profile::clear_keys(presence_set::mask bits) {
  keys_.peers.clear(bits);
  keys_.peer_ports.clear(bits);
  keys_.local_ports.clear(bits);
}

void direction_profile::emit_rolled(rolled_window& w, host_direction d,
                                    std::vector<closed_window>& out) {
  auto bit = bit_mask(rolled_bit(w.granularity_slot));
  emit(granularity_of(w.granularity_slot), w.index, d, w.counters, bit, out);
  clear_keys(bit);
}

direction_profile::rolled_window& direction_profile::rolled_at(
  int64_t window_index, uint8_t slot, host_direction d, std::vector<closed_window>& coarse_closed) {
  for (auto& w : rolled_) {
    if (w.granularity_slot != slot)
      continue;
    if (w.index != window_index) {
      // Buckets close in order, so the window this one held has ended.
      emit_rolled(w, d, coarse_closed);
      w.index = window_index;
      w.counters = {};
    }
    return w;
  }
  if (rolled_.capacity() == 0)
    rolled_.reserve(granularities.size() - 1); // one per coarse granularity at most
  rolled_.push_back(rolled_window{window_index, slot, {}});
  return rolled_.back();
}

void direction_profile::close_through(int64_t last_closed, host_direction d,
                                      std::vector<closed_window>& out) {
  std::vector<closed_window> coarse;
  size_t n = 0;
  for (; n < buckets_.size() && buckets_[n].index <= last_closed; ++n) {
    auto& b = buckets_[n];
    for (uint8_t slot = 1; slot < granularities.size(); ++slot)
      rolled_at(window_of_bucket(b.index, granularity_of(slot)), slot, d, coarse)
        .counters.merge(b.counters);
    emit(granularities[0], b.index, d, b.counters, bit_mask(b.bit), out);
    keys_.peers.move_bit(b.bit, rolled_bits);
    keys_.peer_ports.move_bit(b.bit, rolled_bits);
    keys_.local_ports.move_bit(b.bit, rolled_bits);
    used_bits_ &= ~bit_mask(b.bit);
  }
  buckets_.erase(buckets_.begin(), buckets_.begin() + static_cast<ptrdiff_t>(n));

  auto done = [&](int64_t index, uint8_t slot) {
    return last_bucket_of(index, granularity_of(slot)) <= last_closed;
  };
  for (size_t i = 0; i < rolled_.size();) {
    if (done(rolled_[i].index, rolled_[i].granularity_slot)) {
      emit_rolled(rolled_[i], d, coarse);
      rolled_[i] = std::move(rolled_.back());
      rolled_.pop_back();
    } else {
      ++i;
    }
  }

  // Closed 1 min heavy hitters go into their 5 min window before that one
  // is looked at.
  std::sort(tops_.begin(), tops_.end(), [](const top_window& a, const top_window& b) {
    return a.granularity_slot < b.granularity_slot ||
           (a.granularity_slot == b.granularity_slot && a.index < b.index);
  });
  constexpr uint8_t minute_slot = 2, five_minute_slot = 3;
  for (size_t i = 0; i < tops_.size(); ++i) {
    if (tops_[i].granularity_slot != minute_slot || !done(tops_[i].index, minute_slot))
      continue;
    auto parent_index = window_of_bucket(last_bucket_of(tops_[i].index, 60), 300);
    auto minute = std::move(tops_[i].top);
    tops_[i].top = {};
    top_at(parent_index, five_minute_slot).top.merge(minute); // may grow tops_
    tops_[i].top = std::move(minute);
  }
  for (size_t i = 0; i < tops_.size();) {
    auto& t = tops_[i];
    if (!done(t.index, t.granularity_slot)) {
      ++i;
      continue;
    }
    int64_t start = t.index * int64_t{granularity_of(t.granularity_slot)} * 1000;
    for (auto& w : coarse)
      if (w.granularity_s == granularity_of(t.granularity_slot) && w.start_ms == start) {
        w.top = std::make_unique<heavy_hitters>(std::move(t.top));
        break;
      }
    t = std::move(tops_.back());
    tops_.pop_back();
  }

  std::sort(coarse.begin(), coarse.end(), [](const closed_window& a, const closed_window& b) {
    return a.granularity_s < b.granularity_s ||
           (a.granularity_s == b.granularity_s && a.start_ms < b.start_ms);
  });
  for (auto& w : coarse)
    out.push_back(std::move(w));
  release_if_empty(buckets_);
  release_if_empty(rolled_);
  release_if_empty(tops_);
}

// -- reading ---------------------------------------------------------------------------

int64_t direction_profile::next_close() const noexcept {
  int64_t next = watermark_tracker::none;
  auto consider = [&](int64_t b) {
    if (next == watermark_tracker::none || b < next)
      next = b;
  };
  if (!buckets_.empty())
    consider(buckets_.front().index);
  for (const auto& w : rolled_)
    consider(last_bucket_of(w.index, granularity_of(w.granularity_slot)));
  for (const auto& t : tops_)
    consider(last_bucket_of(t.index, granularity_of(t.granularity_slot)));
  return next;
}

window_totals direction_profile::open_window(uint32_t granularity_s, int64_t window_index) const {
  window_totals result;
  int slot = granularity_index(granularity_s);
  if (slot < 0)
    return result;
  presence_set::mask bits = 0;
  for (const auto& w : rolled_)
    if (w.granularity_slot == slot && w.index == window_index) {
      w.counters.add_to(result.counters);
      bits |= bit_mask(rolled_bit(w.granularity_slot));
    }
  for (const auto& b : buckets_)
    if (window_of_bucket(b.index, granularity_s) == window_index) {
      b.counters.add_to(result.counters);
      bits |= bit_mask(b.bit);
    }
  if (bits != 0) {
    result.distinct_peers = keys_.peers.count(bits);
    result.distinct_peer_ports = keys_.peer_ports.count(bits);
    result.distinct_local_ports = keys_.local_ports.count(bits);
  }
  return result;
}

// -- restoring -------------------------------------------------------------------------

bool direction_profile::restore_bucket(int64_t index, packed_counters counters) {
  if ((!buckets_.empty() && buckets_.back().index >= index) ||
      buckets_.size() >= max_open_buckets)
    return false;
  bool created = false;
  bucket_at(index, created).counters = std::move(counters);
  return true;
}

bool direction_profile::restore_rolled(int64_t index, uint8_t slot, packed_counters counters) {
  if (slot < 1 || slot >= granularities.size())
    return false;
  for (const auto& w : rolled_)
    if (w.granularity_slot == slot)
      return false;
  rolled_.push_back(rolled_window{index, slot, std::move(counters)});
  return true;
}

size_t direction_profile::memory_bytes() const noexcept {
  size_t n = buckets_.capacity() * sizeof(bucket) + rolled_.capacity() * sizeof(rolled_window) +
             tops_.capacity() * sizeof(top_window);
  n += keys_.peers.memory_bytes() + keys_.peer_ports.memory_bytes() +
       keys_.local_ports.memory_bytes() - 3 * sizeof(presence_set);
  for (const auto& b : buckets_)
    n += b.counters.heap_bytes();
  for (const auto& w : rolled_)
    n += w.counters.heap_bytes();
  for (const auto& t : tops_)
    n += t.top.heap_bytes();
  return n;
}

int64_t host_profile::next_close() const noexcept {
  int64_t a = directions[0].next_close(), b = directions[1].next_close();
  if (a == watermark_tracker::none)
    return b;
  if (b == watermark_tracker::none)
    return a;
  return std::min(a, b);
}

size_t host_profile::memory_bytes() const noexcept {
  return sizeof(host_profile) + directions[0].memory_bytes() + directions[1].memory_bytes() +
         (baseline ? sizeof(host_baseline) : 0);
}

} // namespace hostflow
