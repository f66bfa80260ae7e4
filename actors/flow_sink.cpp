#include "actors/flow_sink.hpp"

namespace hostflow {

void flow_sink_state::add(const flow_batch& batch) {
  ++batches;
  records += batch.records.size();
  // Batches usually hold runs of records from one exporter: look it up once per run.
  sink_exporter_totals* current = nullptr;
  for (const auto& r : batch.records) {
    if (current == nullptr || current->exporter != r.exporter) {
      current = &exporters[r.exporter];
      current->exporter = r.exporter;
    }
    ++current->records;
    current->packets += r.packets;
    current->bytes += r.bytes;
    current->scaled_packets += r.packets * r.sampling_interval;
    current->scaled_bytes += r.bytes * r.sampling_interval;
  }
}

sink_totals flow_sink_state::totals() const {
  sink_totals t;
  t.batches = batches;
  t.records = records;
  for (const auto& [addr, e] : exporters)
    t.exporters.push_back(e);
  return t;
}

flow_sink_actor::behavior_type
flow_sink(flow_sink_actor::stateful_pointer<flow_sink_state> self) {
  return {
    [=](const flow_batch& batch) -> uint64_t {
      self->state.add(batch);
      return batch.records.size();
    },
    [=](get_atom, totals_atom) { return self->state.totals(); },
  };
}

} // namespace hostflow
