#pragma once

// Synthetic traffic of a small network for the demo mode: a /24 with
// servers and workstations, their everyday flows, and a cycle of attacks
// that the profiles (and the detectors built on them) should show. The
// records are made per second of event time from a seeded generator, so a
// time range gives the same records however it is cut.

#include <cstdint>
#include <string>
#include <vector>

#include "flow/flow_record.hpp"

namespace hostflow {

/// The attacks of one cycle, by their offset in it.
struct demo_attack {
  const char* name;        ///< "horizontal scan"
  const char* description; ///< "203.0.113.66 probes every host of 10.20.0.0/24 on port 23"
  int64_t from_s;          ///< first second of the cycle it runs in
  int64_t to_s;            ///< second of the cycle it stops at (exclusive)
};

/// Generates the demo network's flows.
class demo_traffic {
public:
  /// The length of the attack cycle: every attack runs once per cycle.
  static constexpr int64_t cycle_seconds = 300;

  /// Traffic whose attack cycle starts at `start_ms` (epoch ms, so the first
  /// attack shows within a minute of it), drawn from `seed`.
  explicit demo_traffic(int64_t start_ms, uint64_t seed = 1);

  /// The records of flows that end in [from_ms, to_ms), by end time.
  std::vector<flow_record> generate(int64_t from_ms, int64_t to_ms) const;

  /// The monitored network the demo's hosts live in: "10.20.0.0/24".
  static const char* network() noexcept { return "10.20.0.0/24"; }

  /// The attacks, in cycle order.
  static const std::vector<demo_attack>& attacks();

private:
  /// The records of one second of event time, [second_ms, second_ms + 1000).
  void second(int64_t second_ms, std::vector<flow_record>& out) const;

  int64_t start_ms_;
  uint64_t seed_;
};

} // namespace hostflow
