#include "flow/sequence_tracker.hpp"

#include <cstddef>

namespace hostflow {

namespace {

// Consecutive failures of the locked reading, while the other one explains
// every message, before the tracker switches conventions.
constexpr uint32_t relock_after = 4;

} // namespace

sequence_tracker::sequence_tracker(convention first, convention second, uint32_t restart_window)
  : candidates_{candidate{first}, candidate{second}}, restart_window_(restart_window) {
}

uint32_t sequence_tracker::start_of(convention c, uint32_t sequence, uint32_t units) noexcept {
  return c == convention::including ? sequence - units : sequence;
}

uint32_t sequence_tracker::end_of(convention c, uint32_t sequence, uint32_t units) noexcept {
  switch (c) {
    case convention::including:
      return sequence;
    case convention::per_datagram:
      return sequence + 1;
    default:
      return sequence + units;
  }
}

void sequence_tracker::reset() noexcept {
  started_ = false;
  unchanged_ = 0;
  recent_count_ = 0;
  recent_pos_ = 0;
  for (auto& c : candidates_) {
    c.mismatches = 0;
    c.matches = 0;
  }
  // The learned convention survives a restart: the exporter's software did not change.
}

bool sequence_tracker::seen_recently(uint32_t start) const noexcept {
  for (uint8_t i = 0; i < recent_count_; ++i)
    if (recent_starts_[i] == start)
      return true;
  return false;
}

void sequence_tracker::remember(uint32_t start) noexcept {
  recent_starts_[recent_pos_] = start;
  recent_pos_ = static_cast<uint8_t>((recent_pos_ + 1) % recent_starts_.size());
  if (recent_count_ < recent_starts_.size())
    ++recent_count_;
}

sequence_result sequence_tracker::observe(uint32_t sequence, uint32_t units) {
  sequence_result result;
  // Some exporters never advance the sequence (always 0): nothing to learn.
  if (started_ && sequence == last_sequence_ && units > 0) {
    if (unchanged_ < frozen_after)
      ++unchanged_;
  } else {
    unchanged_ = 0;
  }
  last_sequence_ = sequence;
  if (frozen())
    return result;
  if (!started_) {
    for (auto& c : candidates_)
      c.next = end_of(c.kind, sequence, units);
    started_ = true;
    remember(start_of(candidates_[active_].kind, sequence, units));
    return result;
  }
  // Signed distance of this message's start from where each reading expected it.
  int64_t gap[2];
  for (size_t i = 0; i < 2; ++i) {
    auto& c = candidates_[i];
    gap[i] = static_cast<int32_t>(start_of(c.kind, sequence, units) - c.next);
    if (gap[i] == 0) {
      ++c.matches;
      c.mismatches = 0;
    } else {
      c.matches = 0;
      ++c.mismatches;
    }
  }
  if (!locked_) {
    if (gap[0] == 0 && gap[1] != 0) {
      locked_ = true;
      active_ = 0;
    } else if (gap[1] == 0 && gap[0] != 0) {
      locked_ = true;
      active_ = 1;
    }
  } else {
    auto other = static_cast<uint8_t>(1 - active_);
    if (candidates_[active_].mismatches >= relock_after &&
        candidates_[other].matches >= relock_after)
      active_ = other;
  }
  // Before a convention is locked, count only what both readings agree on.
  int64_t d = gap[active_];
  bool certain = locked_ || gap[0] == gap[1];
  auto& act = candidates_[active_];
  uint32_t start = start_of(act.kind, sequence, units);
  if (d < 0 && -d > static_cast<int64_t>(restart_window_)) {
    result.restart = true;
    reset();
    started_ = true;
    for (auto& c : candidates_)
      c.next = end_of(c.kind, sequence, units);
    remember(start);
    return result;
  }
  if (d < 0) {
    if (seen_recently(start)) {
      result.duplicate = true;
    } else {
      result.reordered = true;
      uint32_t filled = act.kind == convention::per_datagram ? 1 : units;
      result.recovered = filled;
      remember(start);
    }
    return result; // a late message does not move the expectation back
  }
  if (d > 0 && certain)
    result.lost = static_cast<uint64_t>(d);
  for (auto& c : candidates_)
    c.next = end_of(c.kind, sequence, units);
  remember(start);
  return result;
}

} // namespace hostflow
