#pragma once

// The published and stored form of a closed window: counters, distinct
// counts (not the sketches behind them) and the top lists.

#include <cstdint>
#include <vector>

#include "flow/window_stats.hpp"

namespace hostflow {

/// One entry of a top list: a peer or port and its weight (an upper bound;
/// `error` is how much of it may belong to keys it displaced).
template <class Key>
struct top_entry {
  Key key{};
  uint64_t count = 0;
  uint64_t error = 0;

  friend bool operator==(const top_entry& a, const top_entry& b) noexcept {
    return a.key == b.key && a.count == b.count && a.error == b.error;
  }
};

/// A closed window of one host in one direction.
struct window_summary {
  uint32_t granularity_s = 0;
  int64_t start_ms = 0;
  host_direction direction = host_direction::out;
  window_counters counters;
  uint64_t distinct_peers = 0;
  uint64_t distinct_peer_ports = 0;
  uint64_t distinct_local_ports = 0;
  // Heavy hitters (1 min and 5 min windows only), heaviest first.
  std::vector<top_entry<ip_address>> top_peers_by_bytes;
  std::vector<top_entry<ip_address>> top_peers_by_flows;
  std::vector<top_entry<uint16_t>> top_peer_ports_by_bytes;
  std::vector<top_entry<uint16_t>> top_peer_ports_by_flows;
  /// Largest |z-score| of this direction's baseline metrics against the
  /// host's baseline (5 min windows whose hour slot has enough samples;
  /// otherwise 0).
  double deviation = 0;

  int64_t end_ms() const noexcept { return start_ms + int64_t{granularity_s} * 1000; }

  friend bool operator==(const window_summary& a, const window_summary& b) noexcept;
};

/// A host's closed window, as published to subscribers.
struct host_window {
  ip_address host;
  window_summary window;
};

/// Summarizes a window's totals (and heavy hitters, when given).
window_summary summarize(uint32_t granularity_s, int64_t start_ms, host_direction d,
                         const window_totals& totals, const heavy_hitters* top);

} // namespace hostflow
