#pragma once

// A host's long-term baseline: per metric an exponentially weighted mean
// and variance, kept separately for each hour of the day (traffic at 03:00
// is not traffic at 14:00), and the deviation of the latest 5 min window
// from it.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "flow/window_summary.hpp"

namespace hostflow {

/// The metrics a baseline follows, for each direction.
enum class baseline_metric : uint8_t { bytes = 0, packets = 1, flows = 2, distinct_peers = 3 };

inline constexpr size_t baseline_metric_count = 4;

/// "bytes", "packets", "flows", "distinct_peers".
const char* to_string(baseline_metric m) noexcept;

/// The value of a metric in a window.
double metric_value(const window_summary& w, baseline_metric m) noexcept;

/// How baselines learn.
struct baseline_settings {
  /// Weight of the newest window in the mean and variance (EWMA alpha).
  double alpha = 0.1;
  /// Windows an hour-of-day slot must have seen before its deviation counts.
  uint32_t min_samples = 3;
  /// Smallest standard deviation used for z-scores, as a fraction of the
  /// mean (plus one unit): a perfectly steady host would otherwise make
  /// any change an infinite deviation.
  double min_relative_stddev = 0.1;
};

/// Exponentially weighted mean and variance of one metric.
struct ewma_stat {
  double mean = 0;
  double variance = 0;
  uint32_t samples = 0;

  /// Folds in a new observation.
  void update(double x, double alpha) noexcept;

  /// Standard deviation (never below the floor of the settings).
  double stddev(const baseline_settings& s) const noexcept;

  /// How many standard deviations `x` lies above (positive) or below the mean.
  double zscore(double x, const baseline_settings& s) const noexcept;
};

/// One hour-of-day slot of a host's baseline: per direction and metric.
struct hour_baseline {
  std::array<ewma_stat, 2 * baseline_metric_count> stats{};

  ewma_stat& at(host_direction d, baseline_metric m) noexcept {
    return stats[static_cast<size_t>(d) * baseline_metric_count + static_cast<size_t>(m)];
  }
  const ewma_stat& at(host_direction d, baseline_metric m) const noexcept {
    return stats[static_cast<size_t>(d) * baseline_metric_count + static_cast<size_t>(m)];
  }
};

/// A host's baseline as held in memory: the slot of the current hour of
/// day, and the deviation of the latest 5 min window.
struct host_baseline {
  uint8_t hour = 0;                  ///< hour of day (UTC) of `current`
  hour_baseline current;
  int64_t latest_window_ms = 0;      ///< start of the window `deviation` describes
  /// z-score of the latest window per direction and metric; 0 while the
  /// slot has seen fewer than min_samples windows.
  std::array<double, 2 * baseline_metric_count> deviation{};

  /// Scores `w` against the slot, then learns from it.
  void observe(const window_summary& w, const baseline_settings& s) noexcept;

  /// The largest |z| of the latest window.
  double max_abs_deviation() const noexcept;

  /// The largest |z| of the latest window in one direction.
  double max_abs_deviation(host_direction d) const noexcept;
};

/// Hour of day (UTC, 0..23) of an epoch-millisecond instant.
uint8_t hour_of_day(int64_t epoch_ms) noexcept;

/// Stored form of an hour slot (version byte, then the stats).
void encode_hour_baseline(const hour_baseline& b, std::string& out);
std::optional<hour_baseline> decode_hour_baseline(std::string_view in);

} // namespace hostflow
