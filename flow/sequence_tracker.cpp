#include "flow/sequence_tracker.hpp"

#include <algorithm>
#include <cstddef>
#include <optional>

namespace hostflow {

sequence_tracker::sequence_tracker(std::initializer_list<candidate_spec> candidates,
                                   uint32_t restart_window)
  : restart_window_(restart_window) {
  for (const auto& c : candidates)
    if (count_ < max_candidates)
      candidates_[count_++].spec = c;
}

uint32_t sequence_tracker::start_of(const candidate_spec& c, uint32_t sequence,
                                    uint32_t units) noexcept {
  return c.kind == convention::including ? sequence - units : sequence;
}

uint32_t sequence_tracker::end_of(const candidate_spec& c, uint32_t sequence,
                                  uint32_t units) noexcept {
  switch (c.kind) {
    case convention::including:
      return sequence;
    case convention::per_datagram:
      return sequence + 1;
    default:
      return sequence + units;
  }
}

uint8_t sequence_tracker::best(bool viable_only) const noexcept {
  uint8_t pick = 0;
  bool found = false;
  for (uint8_t i = 0; i < count_; ++i) {
    if (viable_only && !candidates_[i].viable)
      continue;
    if (!found || candidates_[i].explained > candidates_[pick].explained)
      pick = i;
    found = true;
  }
  return found || !viable_only ? pick : best(false);
}

sequence_tracker::candidate_spec sequence_tracker::reading() const noexcept {
  return candidates_[best(true)].spec;
}

void sequence_tracker::reset() noexcept {
  started_ = false;
  unchanged_ = 0;
  recent_count_ = 0;
  recent_pos_ = 0;
  for (auto& c : candidates_)
    c.viable = true;
  // What each reading explained survives: the exporter's software did not change.
}

void sequence_tracker::restart_at(uint32_t sequence, const std::array<uint32_t, 2>& units) noexcept {
  reset();
  started_ = true;
  last_sequence_ = sequence;
  for (uint8_t i = 0; i < count_; ++i) {
    auto& c = candidates_[i];
    c.next = end_of(c.spec, sequence, units[static_cast<size_t>(c.spec.counts)]);
  }
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

sequence_result sequence_tracker::observe(uint32_t sequence, std::array<uint32_t, 2> units) {
  sequence_result result;
  // Some exporters never advance the sequence (always 0): nothing to learn.
  bool any_units = units[0] > 0 || units[1] > 0;
  if (started_ && sequence == last_sequence_ && any_units) {
    if (unchanged_ < frozen_after)
      ++unchanged_;
  } else {
    unchanged_ = 0;
  }
  last_sequence_ = sequence;
  if (frozen())
    return result;
  auto units_of = [&](const candidate& c) { return units[static_cast<size_t>(c.spec.counts)]; };
  if (!started_) {
    restart_at(sequence, units);
    const auto& c = candidates_[best(true)];
    remember(start_of(c.spec, sequence, units_of(c)));
    return result;
  }

  // Signed distance of this message's start from where each reading expected
  // it; the viable readings (they explained the previous message) decide.
  std::array<int64_t, max_candidates> gap{};
  bool any_viable = false;
  for (uint8_t i = 0; i < count_; ++i) {
    auto& c = candidates_[i];
    gap[i] = static_cast<int32_t>(start_of(c.spec, sequence, units_of(c)) - c.next);
    any_viable = any_viable || c.viable;
  }
  bool agree = true;
  bool one_exact = false;
  std::optional<int64_t> d;
  int64_t lowest = 0, highest = 0; // range of the deciding readings' gaps
  uint8_t decider = best(true);
  for (uint8_t i = 0; i < count_; ++i) {
    if (any_viable && !candidates_[i].viable)
      continue;
    if (!any_viable && i != decider)
      continue; // after a real gap no reading explained the message: trust the best one
    if (gap[i] == 0 && !one_exact) {
      one_exact = true;
      decider = i;
    }
    if (!d) {
      d = gap[i];
      lowest = highest = gap[i];
    } else if (*d != gap[i]) {
      agree = false;
      lowest = std::min(lowest, gap[i]);
      highest = std::max(highest, gap[i]);
    }
  }
  for (uint8_t i = 0; i < count_; ++i) {
    candidates_[i].viable = gap[i] == 0;
    candidates_[i].explained += gap[i] == 0 ? 1 : 0;
  }
  if (one_exact || !d) {
    d = 0;
  } else if (!agree) {
    // The viable readings disagree and none explains the message. If they
    // agree on the direction, act on what all of them imply: a restart when
    // every one sees a jump back beyond the window, else the smallest gap.
    if (highest < -static_cast<int64_t>(restart_window_))
      d = highest;
    else if (lowest > 0)
      d = lowest;
    else
      d.reset(); // the gap is uncertain: count nothing
  }
  const auto& act = candidates_[decider];
  uint32_t start = start_of(act.spec, sequence, units_of(act));
  if (d && *d < 0 && -*d > static_cast<int64_t>(restart_window_)) {
    result.restart = true;
    restart_at(sequence, units);
    remember(start);
    return result;
  }
  if (d && *d < 0) {
    for (uint8_t i = 0; i < count_; ++i) // a late message leaves the readings as they were
      candidates_[i].viable = candidates_[i].viable || gap[i] < 0;
    if (seen_recently(start)) {
      result.duplicate = true;
    } else {
      result.reordered = true;
      result.recovered = act.spec.kind == convention::per_datagram ? 1 : units_of(act);
      remember(start);
    }
    return result; // and does not move the expectation back
  }
  if (d && *d > 0)
    result.lost = static_cast<uint64_t>(*d);
  for (uint8_t i = 0; i < count_; ++i) {
    auto& c = candidates_[i];
    c.next = end_of(c.spec, sequence, units_of(c));
  }
  remember(start);
  return result;
}

} // namespace hostflow
