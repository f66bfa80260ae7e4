#include "flow/host_profile.hpp"

#include <algorithm>

namespace hostflow {

window_stats& direction_profile::bucket_at(int64_t index, bool& created) {
  // New data lands mostly in the newest buckets: search from the back.
  auto it = buckets_.end();
  while (it != buckets_.begin() && std::prev(it)->index > index)
    --it;
  if (it != buckets_.begin() && std::prev(it)->index == index) {
    created = false;
    return std::prev(it)->stats;
  }
  created = true;
  return buckets_.insert(it, bucket{index, {}})->stats;
}

direction_profile::coarse_window& direction_profile::coarse_at(int64_t window_index,
                                                               uint8_t slot, bool& created) {
  for (auto& w : coarse_)
    if (w.index == window_index && w.granularity_slot == slot) {
      created = false;
      return w;
    }
  created = true;
  coarse_window w{window_index, slot, {}, nullptr};
  if (granularities[slot] >= 60)
    w.top = std::make_unique<heavy_hitters>();
  coarse_.push_back(std::move(w));
  return coarse_.back();
}

void direction_profile::add_top(int64_t b, const record_view& v, uint64_t bytes, bool count_flow,
                                std::vector<int64_t>& created_last_bucket) {
  // Records feed the 1 min window's heavy hitters; the 5 min window gets
  // them merged when each 1 min window closes (Space-Saving sketches merge
  // with their bounds intact), which halves the work per record.
  constexpr uint8_t minute_slot = 2, five_minute_slot = 3;
  bool created = false;
  auto* minute = &coarse_at(window_of_bucket(b, 60), minute_slot, created);
  if (created) {
    created_last_bucket.push_back(last_bucket_of(minute->index, 60));
    bool parent_created = false;
    auto& parent = coarse_at(window_of_bucket(b, 300), five_minute_slot, parent_created);
    if (parent_created)
      created_last_bucket.push_back(last_bucket_of(parent.index, 300));
    // coarse_at may have moved the vector.
    minute = &coarse_at(window_of_bucket(b, 60), minute_slot, created);
  }
  minute->top->add_bytes(v, bytes);
  if (count_flow)
    minute->top->add_flow(v);
}

void direction_profile::close_through(int64_t last_closed, host_direction d,
                                      std::vector<closed_window>& out,
                                      std::vector<int64_t>& created_last_bucket) {
  size_t n = 0;
  for (; n < buckets_.size() && buckets_[n].index <= last_closed; ++n) {
    auto& b = buckets_[n];
    for (uint8_t slot = 1; slot < granularities.size(); ++slot) {
      uint32_t g = granularities[slot];
      bool created = false;
      auto& w = coarse_at(window_of_bucket(b.index, g), slot, created);
      if (created && last_bucket_of(w.index, g) > last_closed)
        created_last_bucket.push_back(last_bucket_of(w.index, g));
      w.rolled.merge(b.stats);
    }
    out.push_back(closed_window{granularities[0], b.index * bucket_ms, d, std::move(b.stats), {}});
  }
  buckets_.erase(buckets_.begin(), buckets_.begin() + static_cast<ptrdiff_t>(n));

  auto done = [&](const coarse_window& w) {
    return last_bucket_of(w.index, granularities[w.granularity_slot]) <= last_closed;
  };
  auto first_done = std::stable_partition(coarse_.begin(), coarse_.end(),
                                          [&](const coarse_window& w) { return !done(w); });
  std::sort(first_done, coarse_.end(), [](const coarse_window& a, const coarse_window& b) {
    return a.granularity_slot < b.granularity_slot ||
           (a.granularity_slot == b.granularity_slot && a.index < b.index);
  });
  for (auto it = first_done; it != coarse_.end(); ++it) {
    uint32_t g = granularities[it->granularity_slot];
    if (g == 60 && it->top) {
      auto parent_index = window_of_bucket(last_bucket_of(it->index, 60), 300);
      for (auto& parent : coarse_)
        if (parent.granularity_slot == 3 && parent.index == parent_index && parent.top) {
          parent.top->merge(*it->top);
          break;
        }
    }
    out.push_back(closed_window{g, it->index * int64_t{g} * 1000, d, std::move(it->rolled),
                                std::move(it->top)});
  }
  coarse_.erase(first_done, coarse_.end());
}

window_stats direction_profile::open_window(uint32_t granularity_s, int64_t window_index) const {
  window_stats result;
  int slot = granularity_index(granularity_s);
  if (slot < 0)
    return result;
  if (slot > 0)
    for (const auto& w : coarse_)
      if (w.granularity_slot == slot && w.index == window_index)
        result.merge(w.rolled);
  for (const auto& b : buckets_)
    if (window_of_bucket(b.index, granularity_s) == window_index)
      result.merge(b.stats);
  return result;
}

size_t direction_profile::memory_bytes() const noexcept {
  size_t n = buckets_.capacity() * sizeof(bucket) + coarse_.capacity() * sizeof(coarse_window);
  for (const auto& b : buckets_)
    n += b.stats.distinct.memory_bytes() - 3 * sizeof(distinct_counter);
  for (const auto& w : coarse_) {
    n += w.rolled.distinct.memory_bytes() - 3 * sizeof(distinct_counter);
    if (w.top)
      n += sizeof(heavy_hitters);
  }
  return n;
}

size_t host_profile::memory_bytes() const noexcept {
  return sizeof(host_profile) + directions[0].memory_bytes() + directions[1].memory_bytes() +
         (baseline ? sizeof(host_baseline) : 0);
}

} // namespace hostflow
