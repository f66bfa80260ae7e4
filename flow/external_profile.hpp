#pragma once

// The light profile of a source outside the monitored networks: enough to
// see an external scanner, small enough that a spoofed flood's tens of
// thousands of sources cost little. Kept in memory only, per 1 min window.

#include <cstdint>
#include <vector>

#include "flow/distinct_counter.hpp"
#include "flow/flow_record.hpp"

namespace hostflow {

/// Width of an external source's windows.
inline constexpr uint32_t external_granularity_s = 60;

/// Counters of one external source over one window.
struct external_window {
  int64_t index = 0; ///< window number in units of external_granularity_s
  uint64_t flows = 0;   ///< scaled by sampling, like all counts
  uint64_t packets = 0;
  uint64_t bytes = 0;
  uint64_t syn_only_flows = 0;
  distinct_counter destinations; ///< monitored hosts it reached
  distinct_counter ports;        ///< destination ports it reached

  /// Counts one record of the source (the whole record, in this window).
  void add(const flow_record& r, uint64_t scale);
};

/// An external source's open windows.
struct external_profile {
  ip_address address;
  int64_t last_seen_ms = 0;
  std::vector<external_window> windows; ///< open windows, sorted by index

  /// The open window with this index, created when missing.
  external_window& window_at(int64_t index, bool& created);
  size_t memory_bytes() const noexcept;
};

/// A closed window of an external source, as published.
struct closed_external_window {
  ip_address source;
  int64_t start_ms = 0;
  uint64_t flows = 0;
  uint64_t packets = 0;
  uint64_t bytes = 0;
  uint64_t syn_only_flows = 0;
  uint64_t destinations = 0; ///< distinct destinations (estimate above the exact limit)
  uint64_t ports = 0;        ///< distinct destination ports
};

} // namespace hostflow
