#pragma once

// The metrics hosts are ranked and mapped by.

#include <cstdint>
#include <optional>
#include <string_view>

#include "flow/window_summary.hpp"

namespace hostflow {

/// What TopHosts and network maps measure a host's window by.
enum class rank_metric : uint8_t {
  bytes,
  packets,
  flows,
  distinct_peers,
  distinct_ports, ///< peer ports of outgoing windows, local ports of incoming ones
  syn_only_flows,
  deviation,      ///< largest |z-score| against the baseline (5 min windows)
};

/// "bytes", "packets", "flows", "distinct_peers", "distinct_ports",
/// "syn_only_flows", "deviation".
const char* to_string(rank_metric m) noexcept;

/// Parses a name of to_string; nullopt for anything else.
std::optional<rank_metric> parse_rank_metric(std::string_view text) noexcept;

/// The metric's value in a window.
double metric_value(const window_summary& w, rank_metric m) noexcept;

} // namespace hostflow
