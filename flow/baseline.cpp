#include "flow/baseline.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "flow/event_time.hpp"

namespace hostflow {

const char* to_string(baseline_metric m) noexcept {
  switch (m) {
    case baseline_metric::bytes:
      return "bytes";
    case baseline_metric::packets:
      return "packets";
    case baseline_metric::flows:
      return "flows";
    case baseline_metric::distinct_peers:
      return "distinct_peers";
  }
  return "unknown";
}

double metric_value(const window_summary& w, baseline_metric m) noexcept {
  switch (m) {
    case baseline_metric::bytes:
      return static_cast<double>(w.counters.bytes);
    case baseline_metric::packets:
      return static_cast<double>(w.counters.packets);
    case baseline_metric::flows:
      return static_cast<double>(w.counters.flows);
    case baseline_metric::distinct_peers:
      return static_cast<double>(w.distinct_peers);
  }
  return 0;
}

void ewma_stat::update(double x, double alpha) noexcept {
  if (samples == 0) {
    mean = x;
    variance = 0;
  } else {
    // West's incremental form of the exponentially weighted variance.
    double diff = x - mean;
    double incr = alpha * diff;
    mean += incr;
    variance = (1 - alpha) * (variance + diff * incr);
  }
  if (samples < UINT32_MAX)
    ++samples;
}

double ewma_stat::stddev(const baseline_settings& s) const noexcept {
  double floor = s.min_relative_stddev * std::abs(mean) + 1.0;
  return std::max(std::sqrt(std::max(variance, 0.0)), floor);
}

double ewma_stat::zscore(double x, const baseline_settings& s) const noexcept {
  return (x - mean) / stddev(s);
}

void host_baseline::observe(const window_summary& w, const baseline_settings& s) noexcept {
  if (w.start_ms > latest_window_ms) {
    latest_window_ms = w.start_ms;
    deviation.fill(0);
  }
  for (size_t m = 0; m < baseline_metric_count; ++m) {
    auto metric = static_cast<baseline_metric>(m);
    auto& stat = current.at(w.direction, metric);
    double x = metric_value(w, metric);
    size_t i = static_cast<size_t>(w.direction) * baseline_metric_count + m;
    deviation[i] = stat.samples >= s.min_samples ? stat.zscore(x, s) : 0.0;
    stat.update(x, s.alpha);
  }
}

double host_baseline::max_abs_deviation() const noexcept {
  double best = 0;
  for (double z : deviation)
    best = std::max(best, std::abs(z));
  return best;
}

double host_baseline::max_abs_deviation(host_direction d) const noexcept {
  double best = 0;
  size_t first = static_cast<size_t>(d) * baseline_metric_count;
  for (size_t i = first; i < first + baseline_metric_count; ++i)
    best = std::max(best, std::abs(deviation[i]));
  return best;
}

uint8_t hour_of_day(int64_t epoch_ms) noexcept {
  return static_cast<uint8_t>(floor_div(epoch_ms, 3'600'000) % 24 + 24) % 24;
}

namespace {

constexpr uint8_t baseline_format = 1;

} // namespace

void encode_hour_baseline(const hour_baseline& b, std::string& out) {
  out.clear();
  out.push_back(static_cast<char>(baseline_format));
  out.push_back(static_cast<char>(b.stats.size()));
  for (const auto& s : b.stats) {
    char buf[20];
    std::memcpy(buf, &s.mean, 8);
    std::memcpy(buf + 8, &s.variance, 8);
    std::memcpy(buf + 16, &s.samples, 4);
    out.append(buf, sizeof(buf));
  }
}

std::optional<hour_baseline> decode_hour_baseline(std::string_view in) {
  hour_baseline b;
  if (in.size() != 2 + b.stats.size() * 20 || static_cast<uint8_t>(in[0]) != baseline_format ||
      static_cast<uint8_t>(in[1]) != b.stats.size())
    return std::nullopt;
  const char* p = in.data() + 2;
  for (auto& s : b.stats) {
    std::memcpy(&s.mean, p, 8);
    std::memcpy(&s.variance, p + 8, 8);
    std::memcpy(&s.samples, p + 16, 4);
    if (!std::isfinite(s.mean) || !std::isfinite(s.variance) || s.variance < 0)
      return std::nullopt;
    p += 20;
  }
  return b;
}

} // namespace hostflow
