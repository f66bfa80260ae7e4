#pragma once

// Stored form of closed windows. A value holds both directions of one host
// window (the key says granularity, host and start); a leading version byte
// lets the format evolve.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "flow/rank_metric.hpp"
#include "flow/window_summary.hpp"

namespace hostflow {

/// Both directions of one host's closed window, as stored.
struct stored_window {
  uint32_t granularity_s = 0;
  int64_t start_ms = 0;
  std::optional<window_summary> out;
  std::optional<window_summary> in;

  std::optional<window_summary>& at(host_direction d) { return d == host_direction::out ? out : in; }
};

/// Encodes the directions present; keeps the value within `byte_budget`
/// by shortening the top lists (longest first) when needed. Returns
/// whether anything was cut.
bool encode_window_value(const stored_window& w, size_t byte_budget, std::string& out);

/// Decodes a value written by encode_window_value for the window at
/// `granularity_s` / `start_ms` (from its key); nullopt when malformed.
std::optional<stored_window> decode_window_value(std::string_view value, uint32_t granularity_s,
                                                 int64_t start_ms);

/// The metrics of one host window that rankings and network maps read,
/// stored under granularity | start | host so one window's hosts are one
/// range.
struct ranking_metrics {
  uint64_t bytes = 0;
  uint64_t packets = 0;
  uint64_t flows = 0;
  uint64_t distinct_peers = 0;
  uint64_t distinct_ports = 0; ///< peer ports out, local ports in
  uint64_t syn_only_flows = 0;
  double deviation = 0; ///< largest |z-score| against the baseline (5 min windows)
};

/// A metric's value in ranking metrics.
double metric_value(const ranking_metrics& m, rank_metric metric) noexcept;

/// Ranking metrics per direction.
struct ranking_value {
  ranking_metrics out;
  ranking_metrics in;
};

/// The metrics of a window summary.
ranking_metrics ranking_of(const window_summary& w);

void encode_ranking_value(const ranking_value& v, std::string& out);
std::optional<ranking_value> decode_ranking_value(std::string_view value);

} // namespace hostflow
