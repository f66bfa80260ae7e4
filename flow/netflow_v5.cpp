#include "flow/decode_context.hpp"

namespace hostflow {

namespace {

constexpr size_t header_size = 24;
constexpr size_t record_size = 48;
// A backwards sequence jump larger than this many flows is an exporter restart.
constexpr uint32_t restart_window = 1'000'000;

} // namespace

void decode_netflow_v5(decode_context& ctx, byte_view dg) {
  auto& c = ctx.exporter.counters;
  if (dg.size < header_size) {
    ctx.fail(decode_error::short_header);
    return;
  }
  const uint8_t* h = dg.data;
  uint16_t count = load_be16(h + 2);
  message_clock clock;
  clock.sys_uptime_ms = load_be32(h + 4);
  clock.export_ms = int64_t{load_be32(h + 8)} * 1000 + load_be32(h + 12) / 1'000'000;
  clock.has_uptime = true;
  uint32_t sequence = load_be32(h + 16);
  uint32_t engine = (uint32_t{h[20]} << 8) | h[21];
  uint16_t sampling = load_be16(h + 22);

  size_t available = (dg.size - header_size) / record_size;
  if (available < count) {
    // Decode what is there; the header promised more than the datagram holds.
    ctx.fail(decode_error::length_mismatch);
    count = static_cast<uint16_t>(available);
  }
  uint64_t key = exporter_state::domain_key(5, engine);
  domain_state* domain = find_domain(
    ctx, key,
    sequence_tracker{{{sequence_tracker::convention::before}, {sequence_tracker::convention::including}},
                     restart_window});
  if (domain == nullptr)
    return;
  // Interval in the low 14 bits; the top two bits give the sampling mode.
  uint32_t interval = sampling & 0x3fff;
  domain->sampling.set_default(interval > 1 ? interval : 1);

  const auto version = export_protocol::netflow_v5;
  for (size_t i = 0; i < count; ++i) {
    const uint8_t* p = h + header_size + i * record_size;
    flow_record& r = ctx.out.emplace_back();
    r.src_addr = ip_address::from_v4_bytes(p);
    r.dst_addr = ip_address::from_v4_bytes(p + 4);
    r.next_hop = ip_address::from_v4_bytes(p + 8);
    r.input_if = load_be16(p + 12);
    r.output_if = load_be16(p + 14);
    r.packets = load_be32(p + 16);
    r.bytes = load_be32(p + 20);
    r.start_ms = clock.export_ms - static_cast<int32_t>(clock.sys_uptime_ms - load_be32(p + 24));
    r.end_ms = clock.export_ms - static_cast<int32_t>(clock.sys_uptime_ms - load_be32(p + 28));
    r.src_port = load_be16(p + 32);
    r.dst_port = load_be16(p + 34);
    r.tcp_flags = p[37];
    r.protocol = p[38];
    r.tos = p[39];
    r.src_as = load_be16(p + 40);
    r.dst_as = load_be16(p + 42);
    r.src_mask = p[44];
    r.dst_mask = p[45];
    if (r.protocol == 1 || r.protocol == 58) {
      r.icmp_type = static_cast<uint8_t>(r.dst_port >> 8);
      r.icmp_code = static_cast<uint8_t>(r.dst_port);
    }
    r.exporter = ctx.exporter.address;
    r.observation_domain = engine;
    r.protocol_version = version;
    r.sampling_interval = interval > 1 ? interval : 1;
  }
  c.data_records += count;
  track_uptime(ctx, *domain, clock);
  auto seq = domain->sequence.observe(sequence, {count, count});
  account_sequence(ctx, seq, false);
}

} // namespace hostflow
