#pragma once

// Event time: 10 s buckets aligned to the epoch, the window granularities
// built from them, and the watermark that decides when a bucket closes.

#include <array>
#include <cstdint>
#include <limits>
#include <vector>

#include "flow/ip_address.hpp"

namespace hostflow {

// -- buckets and granularities ------------------------------------------------------

/// Width of the finest window: every other granularity is a multiple.
inline constexpr int64_t bucket_ms = 10'000;

/// Window granularities in seconds, finest first.
inline constexpr std::array<uint32_t, 4> granularities = {10, 30, 60, 300};

/// Index of a granularity in `granularities`, or -1 when it is not one.
int granularity_index(uint32_t seconds) noexcept;

/// Floor division for possibly negative times.
constexpr int64_t floor_div(int64_t a, int64_t b) noexcept {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/// The bucket that holds the instant `ms` (epoch milliseconds).
constexpr int64_t bucket_of(int64_t ms) noexcept {
  return floor_div(ms, bucket_ms);
}

/// Buckets per window of a granularity (1, 3, 6, 30).
constexpr int64_t buckets_per(uint32_t granularity_s) noexcept {
  return granularity_s / (bucket_ms / 1000);
}

/// The window (index in units of the granularity) that holds bucket `b`.
constexpr int64_t window_of_bucket(int64_t b, uint32_t granularity_s) noexcept {
  return floor_div(b, buckets_per(granularity_s));
}

/// The last bucket of window `w` of a granularity.
constexpr int64_t last_bucket_of(int64_t w, uint32_t granularity_s) noexcept {
  return (w + 1) * buckets_per(granularity_s) - 1;
}

// -- watermark -------------------------------------------------------------------------

/// How event time is judged.
struct event_time_settings {
  /// How far behind an exporter's newest event time its records may still
  /// arrive and land in their own bucket.
  int64_t allowed_lateness_ms = 120'000;
  /// Records ending this far before the watermark are dropped.
  int64_t hard_limit_ms = 3'600'000;
  /// Event times further ahead of the wall clock are clamped to it.
  int64_t max_future_ms = 300'000;
  /// Wall-clock time without records after which the watermark follows the
  /// wall clock, and after which a silent source stops holding it back.
  int64_t idle_advance_ms = 120'000;
};

/// A source of event time: one exporter's observation domain.
struct time_source {
  endpoint exporter;
  uint32_t observation_domain = 0;

  friend bool operator==(const time_source& a, const time_source& b) noexcept {
    return a.exporter == b.exporter && a.observation_domain == b.observation_domain;
  }
};

/// The event-time watermark over several sources: per source its newest
/// event time minus the allowed lateness, and the minimum over the sources
/// still active. Never moves backwards.
class watermark_tracker {
public:
  /// The watermark before any record.
  static constexpr int64_t none = std::numeric_limits<int64_t>::min();

  explicit watermark_tracker(event_time_settings settings = {});

  /// Notes one record's event time (its end) from `source`, arriving at
  /// wall-clock time `wall_ms`; `source_newest_ms` is the newest event time
  /// of all the source's records up to and including this one, as the
  /// receiver saw them (so every shard judges a record by the same
  /// watermark, whichever of the source's records it was sent). Returns the
  /// event time to use: clamped to the wall clock plus max_future_ms when
  /// it lies beyond that.
  int64_t observe(const time_source& source, int64_t event_ms, int64_t source_newest_ms,
                  int64_t wall_ms);

  /// Moves the watermark to at least `event_ms` (the end of a replay: what
  /// is still open may close now).
  void advance_to(int64_t event_ms) noexcept {
    if (event_ms > watermark_)
      watermark_ = event_ms;
  }

  /// Lets the watermark follow the wall clock once no record has arrived
  /// for idle_advance_ms, and retires sources silent that long.
  void tick(int64_t wall_ms);

  /// Everything before this instant is closed; `none` before any record.
  int64_t watermark() const noexcept { return watermark_; }

  /// Records whose event time was clamped to the wall clock.
  uint64_t clamped() const noexcept { return clamped_; }

  /// Sources currently holding the watermark back.
  size_t active_sources() const noexcept { return sources_.size(); }

  const event_time_settings& settings() const noexcept { return settings_; }

  /// The state a checkpoint keeps: the watermark and each source's newest
  /// event time.
  struct snapshot {
    int64_t watermark = none;
    uint64_t clamped = 0;
    std::vector<std::pair<time_source, int64_t>> sources;
  };
  snapshot save() const;
  /// Restores a saved state; sources count as active from `wall_ms`.
  void restore(const snapshot& s, int64_t wall_ms);

private:
  struct source_state {
    time_source source;
    int64_t newest_ms;
    int64_t last_wall_ms;
  };

  void recompute();

  event_time_settings settings_;
  std::vector<source_state> sources_;
  size_t min_index_ = 0;         ///< the source that sets the minimum
  int64_t watermark_ = none;
  int64_t last_record_wall_ms_ = none;
  int64_t last_tick_wall_ms_ = none;
  uint64_t clamped_ = 0;
};

} // namespace hostflow
