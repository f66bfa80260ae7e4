#pragma once

#include <cstdint>
#include <unordered_map>

#include "actors/actors.hpp"

#include <caf/typed_event_based_actor.hpp>

namespace hostflow {

/// State of the ingest sink: per-exporter totals of the records it received.
/// It stands where the router will: the receivers' downstream.
struct flow_sink_state {
  uint64_t batches = 0;
  uint64_t records = 0;
  std::unordered_map<endpoint, sink_exporter_totals> exporters;

  /// Adds one batch to the totals.
  void add(const flow_batch& batch);

  /// The totals as a message.
  sink_totals totals() const;

  static inline const char* name = "flow_sink";
};

/// Spawns with `sys.spawn(flow_sink)`.
flow_sink_actor::behavior_type
flow_sink(flow_sink_actor::stateful_pointer<flow_sink_state> self);

} // namespace hostflow
