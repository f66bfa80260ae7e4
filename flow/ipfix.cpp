#include "flow/decode_context.hpp"

namespace hostflow {

namespace {

constexpr size_t header_size = 16;
// A backwards sequence jump larger than this many records is a restart.
constexpr uint32_t restart_window = 1'000'000;

} // namespace

sequence_tracker ipfix_sequence() {
  // RFC 7011 counts data records sent before this message; softflowd counts
  // them including it, and only flow records, not options records.
  using seq = sequence_tracker;
  return seq{{{seq::convention::before, seq::unit::all},
              {seq::convention::before, seq::unit::flows},
              {seq::convention::including, seq::unit::all},
              {seq::convention::including, seq::unit::flows}},
             restart_window};
}

void decode_ipfix(decode_context& ctx, byte_view msg) {
  if (msg.size < header_size) {
    ctx.fail(decode_error::short_header);
    return;
  }
  const uint8_t* h = msg.data;
  uint16_t length = load_be16(h + 2);
  if (length < header_size) {
    ctx.fail(decode_error::length_mismatch);
    return;
  }
  if (length != msg.size) {
    // Truncated in transit, or trailing bytes: decode what the header covers
    // and the datagram holds.
    ctx.fail(decode_error::length_mismatch);
    if (length < msg.size)
      msg.size = length;
  }
  message_clock clock;
  clock.export_ms = int64_t{load_be32(h + 4)} * 1000;
  uint32_t sequence = load_be32(h + 8);
  uint32_t domain_id = load_be32(h + 12);

  uint64_t key = exporter_state::domain_key(10, domain_id);
  domain_state* domain = find_domain(ctx, key, ipfix_sequence());
  if (domain == nullptr)
    return;
  clock.system_init_ms = domain->system_init_ms;
  auto& c = ctx.exporter.counters;
  uint64_t flows_before = c.data_records;
  uint64_t options_before = c.options_data_records;
  size_t undecoded =
    walk_sets(ctx, *domain, key, msg.sub(header_size, msg.size - header_size), clock, true);
  resolve_times(ctx, *domain, key, clock);
  if (undecoded > 0) {
    // Records in sets we could not read are uncountable: resynchronise on the next message.
    domain->sequence.reset();
    return;
  }
  auto flows = static_cast<uint32_t>(c.data_records - flows_before);
  auto options = static_cast<uint32_t>(c.options_data_records - options_before);
  account_sequence(ctx, domain->sequence.observe(sequence, {flows + options, flows}), false);
}

} // namespace hostflow
