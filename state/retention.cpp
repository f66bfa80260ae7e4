#include "state/retention.hpp"

#include <algorithm>
#include <limits>

#include "state/keys.hpp"

namespace hostflow {

namespace {

/// Marks a cutoff that was never set; no window ends this early.
constexpr int64_t no_cutoff = std::numeric_limits<int64_t>::min();

} // namespace

window_retention::window_retention(std::vector<uint32_t> granularities)
  : granularities_(std::move(granularities)) {
  std::sort(granularities_.begin(), granularities_.end());
  granularities_.erase(std::unique(granularities_.begin(), granularities_.end()),
                       granularities_.end());
  cutoffs_ = std::make_unique<std::atomic<int64_t>[]>(granularities_.size());
  for (size_t i = 0; i < granularities_.size(); ++i)
    cutoffs_[i].store(no_cutoff, std::memory_order_relaxed);
}

bool window_retention::set_cutoff(uint32_t granularity_seconds, int64_t cutoff_seconds) {
  auto i = index_of(granularity_seconds);
  if (!i)
    return false;
  cutoffs_[*i].store(cutoff_seconds, std::memory_order_release);
  return true;
}

std::optional<int64_t> window_retention::cutoff(uint32_t granularity_seconds) const {
  auto i = index_of(granularity_seconds);
  if (!i)
    return std::nullopt;
  auto c = cutoffs_[*i].load(std::memory_order_acquire);
  if (c == no_cutoff)
    return std::nullopt;
  return c;
}

bool window_retention::expired(std::string_view key, std::string_view) const {
  auto parts = parse_window_key(key);
  if (!parts)
    return false;
  auto i = index_of(parts->granularity_seconds);
  if (!i)
    return false;
  auto cutoff = cutoffs_[*i].load(std::memory_order_acquire);
  if (cutoff < 0)
    return false;
  // Unsigned: a start below 2^63 plus a 32-bit granularity cannot overflow.
  auto end = static_cast<uint64_t>(parts->window_start_seconds) + parts->granularity_seconds;
  return end <= static_cast<uint64_t>(cutoff);
}

std::optional<size_t> window_retention::index_of(uint32_t granularity_seconds) const {
  auto it = std::lower_bound(granularities_.begin(), granularities_.end(), granularity_seconds);
  if (it == granularities_.end() || *it != granularity_seconds)
    return std::nullopt;
  return static_cast<size_t>(it - granularities_.begin());
}

} // namespace hostflow
