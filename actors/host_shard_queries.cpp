// What a host_shard answers about the hosts it holds in memory: a host's
// open windows and baseline, and every host's open window for rankings and
// maps.

#include "actors/host_shard.hpp"

#include <algorithm>

namespace hostflow {

open_profile host_shard_state::profile_of(const ip_address& address) const {
  open_profile p;
  p.host = address;
  p.watermark_ms = table->watermark();
  const auto* host = table->find(address);
  if (host == nullptr)
    return p;
  p.known = true;
  p.last_seen_ms = host->last_seen_ms;
  for (auto d : {host_direction::out, host_direction::in}) {
    const auto& dir = host->at(d);
    for (uint32_t g : granularities) {
      // Every window with an open bucket or a rolled-up part, oldest first.
      std::vector<int64_t> windows;
      for (const auto& b : dir.buckets())
        windows.push_back(window_of_bucket(b.index, g));
      for (const auto& c : dir.rolled())
        if (granularities[c.granularity_slot] == g)
          windows.push_back(c.index);
      std::sort(windows.begin(), windows.end());
      windows.erase(std::unique(windows.begin(), windows.end()), windows.end());
      for (int64_t w : windows) {
        auto stats = dir.open_window(g, w);
        p.open_windows.push_back(summarize(g, w * int64_t{g} * 1000, d, stats, nullptr));
      }
    }
  }
  if (host->baseline) {
    const auto& b = *host->baseline;
    p.has_baseline = true;
    p.baseline_hour = b.hour;
    p.baseline_window_ms = b.latest_window_ms;
    for (auto d : {host_direction::out, host_direction::in})
      for (size_t m = 0; m < baseline_metric_count; ++m) {
        auto metric = static_cast<baseline_metric>(m);
        const auto& stat = b.current.at(d, metric);
        p.baseline.push_back(baseline_view{
          d, metric, stat.mean, stat.stddev(settings.baseline), stat.samples,
          b.deviation[static_cast<size_t>(d) * baseline_metric_count + m]});
      }
  }
  return p;
}

std::vector<ranked_host> host_shard_state::open_windows_matching(const window_query& q) const {
  std::vector<ranked_host> out;
  int slot = granularity_index(q.granularity_s);
  if (slot < 0)
    return out;
  int64_t window = floor_div(q.window_start_ms, int64_t{q.granularity_s} * 1000);
  table->for_each_host([&](const host_profile& host) {
    if (q.has_within && !q.within.contains(host.address))
      return;
    const auto& dir = host.at(q.direction);
    if (dir.empty())
      return;
    auto stats = dir.open_window(q.granularity_s, window);
    if (stats.counters.empty() && stats.distinct_peers == 0)
      return;
    auto summary = summarize(q.granularity_s, window * int64_t{q.granularity_s} * 1000,
                             q.direction, stats, nullptr);
    out.push_back(ranked_host{host.address, metric_value(summary, q.metric)});
  });
  if (q.limit > 0 && out.size() > q.limit) {
    auto by_value = [](const ranked_host& a, const ranked_host& b) {
      return a.value > b.value || (a.value == b.value && a.host < b.host);
    };
    std::partial_sort(out.begin(), out.begin() + q.limit, out.end(), by_value);
    out.resize(q.limit);
  }
  return out;
}

} // namespace hostflow
