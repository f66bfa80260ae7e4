#include "flow/host_profile.hpp"

#include <algorithm>

namespace hostflow {

open_stats& direction_profile::bucket_at(int64_t index, bool& created) {
  // New data lands mostly in the newest buckets: search from the back.
  auto it = buckets_.end();
  while (it != buckets_.begin() && std::prev(it)->index > index)
    --it;
  if (it != buckets_.begin() && std::prev(it)->index == index) {
    created = false;
    return std::prev(it)->stats;
  }
  created = true;
  if (buckets_.size() == buckets_.capacity()) {
    // Grow by two rather than double: a busy host settles at about 13 open
    // buckets (the default lateness), which doubling would hold in 16.
    auto at = it - buckets_.begin();
    buckets_.reserve(buckets_.size() + 2);
    it = buckets_.begin() + at;
  }
  return buckets_.insert(it, bucket{index, {}})->stats;
}

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

} // namespace

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

direction_profile::rolled_window& direction_profile::rolled_at(
  int64_t window_index, uint8_t slot, host_direction d, std::vector<closed_window>& coarse_closed) {
  for (auto& w : rolled_) {
    if (w.granularity_slot != slot)
      continue;
    if (w.index != window_index) {
      // Buckets close in order, so the window this one held has ended.
      emit_rolled(std::move(w), d, coarse_closed);
      w.index = window_index;
      w.stats = {};
    }
    return w;
  }
  if (rolled_.capacity() == 0)
    rolled_.reserve(granularities.size() - 1); // one per coarse granularity at most
  rolled_.push_back(rolled_window{window_index, slot, {}});
  return rolled_.back();
}

void direction_profile::emit_rolled(rolled_window&& w, host_direction d,
                                    std::vector<closed_window>& out) {
  uint32_t g = granularity_of(w.granularity_slot);
  out.push_back(closed_window{g, w.index * int64_t{g} * 1000, d, std::move(w.stats).release(),
                              nullptr});
}

void direction_profile::close_through(int64_t last_closed, host_direction d,
                                      std::vector<closed_window>& out) {
  std::vector<closed_window> coarse;
  size_t n = 0;
  for (; n < buckets_.size() && buckets_[n].index <= last_closed; ++n) {
    auto& b = buckets_[n];
    for (uint8_t slot = 1; slot < granularities.size(); ++slot)
      rolled_at(window_of_bucket(b.index, granularity_of(slot)), slot, d, coarse)
        .stats.merge(b.stats);
    out.push_back(closed_window{granularities[0], b.index * bucket_ms, d,
                                std::move(b.stats).release(), nullptr});
  }
  buckets_.erase(buckets_.begin(), buckets_.begin() + static_cast<ptrdiff_t>(n));

  auto done = [&](int64_t index, uint8_t slot) {
    return last_bucket_of(index, granularity_of(slot)) <= last_closed;
  };
  for (size_t i = 0; i < rolled_.size();) {
    if (done(rolled_[i].index, rolled_[i].granularity_slot)) {
      emit_rolled(std::move(rolled_[i]), d, coarse);
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

window_stats direction_profile::open_window(uint32_t granularity_s, int64_t window_index) const {
  window_stats result;
  int slot = granularity_index(granularity_s);
  if (slot < 0)
    return result;
  for (const auto& w : rolled_)
    if (w.granularity_slot == slot && w.index == window_index)
      w.stats.add_to(result);
  for (const auto& b : buckets_)
    if (window_of_bucket(b.index, granularity_s) == window_index)
      b.stats.add_to(result);
  return result;
}

size_t direction_profile::memory_bytes() const noexcept {
  size_t n = buckets_.capacity() * sizeof(bucket) + rolled_.capacity() * sizeof(rolled_window) +
             tops_.capacity() * sizeof(top_window);
  auto heap_of = [](const open_stats& s) {
    return s.distinct.memory_bytes() - 3 * sizeof(distinct_counter) + s.counters.heap_bytes();
  };
  for (const auto& b : buckets_)
    n += heap_of(b.stats);
  for (const auto& w : rolled_)
    n += heap_of(w.stats);
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
