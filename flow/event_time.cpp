#include "flow/event_time.hpp"

#include <algorithm>

namespace hostflow {

int granularity_index(uint32_t seconds) noexcept {
  for (size_t i = 0; i < granularities.size(); ++i)
    if (granularities[i] == seconds)
      return static_cast<int>(i);
  return -1;
}

watermark_tracker::watermark_tracker(event_time_settings settings) : settings_(settings) {}

int64_t watermark_tracker::observe(const time_source& source, int64_t event_ms,
                                   int64_t source_newest_ms, int64_t wall_ms) {
  int64_t limit = wall_ms + settings_.max_future_ms;
  if (event_ms > limit) {
    event_ms = limit;
    ++clamped_;
  }
  int64_t newest = std::max(event_ms, std::min(source_newest_ms, limit));
  last_record_wall_ms_ = wall_ms;
  // Records come in runs from one source: check the minimum's holder first.
  size_t i = min_index_;
  if (i >= sources_.size() || !(sources_[i].source == source)) {
    i = 0;
    while (i < sources_.size() && !(sources_[i].source == source))
      ++i;
    if (i == sources_.size()) {
      sources_.push_back(source_state{source, newest, wall_ms});
      recompute();
      return event_ms;
    }
  }
  auto& s = sources_[i];
  s.last_wall_ms = wall_ms;
  if (newest > s.newest_ms) {
    s.newest_ms = newest;
    if (i == min_index_)
      recompute();
  }
  return event_ms;
}

void watermark_tracker::recompute() {
  if (sources_.empty())
    return;
  min_index_ = 0;
  for (size_t i = 1; i < sources_.size(); ++i)
    if (sources_[i].newest_ms < sources_[min_index_].newest_ms)
      min_index_ = i;
  int64_t candidate = sources_[min_index_].newest_ms - settings_.allowed_lateness_ms;
  watermark_ = std::max(watermark_, candidate);
}

void watermark_tracker::tick(int64_t wall_ms) {
  int64_t previous_tick = last_tick_wall_ms_;
  last_tick_wall_ms_ = wall_ms;
  auto silent = [&](const source_state& s) {
    return wall_ms - s.last_wall_ms >= settings_.idle_advance_ms;
  };
  size_t before = sources_.size();
  sources_.erase(std::remove_if(sources_.begin(), sources_.end(), silent), sources_.end());
  if (sources_.size() != before) {
    min_index_ = 0;
    recompute();
  }
  bool idle = last_record_wall_ms_ != none &&
              wall_ms - last_record_wall_ms_ >= settings_.idle_advance_ms;
  if (idle && watermark_ != none && previous_tick != none && wall_ms > previous_tick)
    watermark_ += wall_ms - previous_tick;
}

watermark_tracker::snapshot watermark_tracker::save() const {
  snapshot s;
  s.watermark = watermark_;
  s.clamped = clamped_;
  for (const auto& src : sources_)
    s.sources.emplace_back(src.source, src.newest_ms);
  return s;
}

void watermark_tracker::restore(const snapshot& s, int64_t wall_ms) {
  watermark_ = s.watermark;
  clamped_ = s.clamped;
  sources_.clear();
  for (const auto& [source, newest] : s.sources)
    sources_.push_back(source_state{source, newest, wall_ms});
  last_record_wall_ms_ = wall_ms;
  last_tick_wall_ms_ = none;
  min_index_ = 0;
  recompute();
}

} // namespace hostflow
