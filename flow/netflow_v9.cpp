#include "flow/decode_context.hpp"

namespace hostflow {

namespace {

constexpr size_t header_size = 20;
// A backwards sequence jump larger than this is an exporter restart.
constexpr uint32_t restart_window = 100'000;

} // namespace

sequence_tracker netflow_v9_sequence() {
  // RFC 3954 counts export datagrams; some exporters count records, with or
  // without options records.
  using seq = sequence_tracker;
  return seq{{{seq::convention::per_datagram},
              {seq::convention::before, seq::unit::all},
              {seq::convention::before, seq::unit::flows}},
             restart_window};
}

void decode_netflow_v9(decode_context& ctx, byte_view dg) {
  if (dg.size < header_size) {
    ctx.fail(decode_error::short_header);
    return;
  }
  const uint8_t* h = dg.data;
  // The header count is not used: exporters get it wrong (softflowd counts
  // only templates on datagrams that carry them); FlowSet lengths are reliable.
  message_clock clock;
  clock.sys_uptime_ms = load_be32(h + 4);
  clock.export_ms = int64_t{load_be32(h + 8)} * 1000;
  clock.has_uptime = true;
  uint32_t sequence = load_be32(h + 12);
  uint32_t source_id = load_be32(h + 16);

  uint64_t key = exporter_state::domain_key(9, source_id);
  using seq = sequence_tracker;
  domain_state* domain = find_domain(ctx, key, netflow_v9_sequence());
  if (domain == nullptr)
    return;
  track_uptime(ctx, *domain, clock);
  auto& c = ctx.exporter.counters;
  uint64_t flows_before = c.data_records;
  uint64_t options_before = c.options_data_records;
  size_t undecoded = walk_sets(ctx, *domain, key, dg.sub(header_size, dg.size - header_size),
                               clock, false);
  auto flows = static_cast<uint32_t>(c.data_records - flows_before);
  auto options = static_cast<uint32_t>(c.options_data_records - options_before);
  bool per_datagram = domain->sequence.reading().kind == seq::convention::per_datagram;
  if (undecoded > 0 && !per_datagram) {
    // Records we could not count make a record-counting sequence unusable: resynchronise.
    domain->sequence.reset();
    return;
  }
  auto result = domain->sequence.observe(sequence, {flows + options, flows});
  account_sequence(ctx, result,
                   domain->sequence.reading().kind == seq::convention::per_datagram);
}

} // namespace hostflow
