#include "flow/record_finisher.hpp"

#include <utility>

namespace hostflow {

namespace {

using rf = record_fields;

constexpr int64_t two_pow_32 = int64_t{1} << 32;

// IPFIX sysUpTime fields are 32-bit milliseconds since systemInit: after
// 49.7 days they wrap, and exporters whose flows began before their own init
// time send values just below 2^32. Pick the wrap count that puts the time
// nearest the export time.
int64_t uptime_since_init(int64_t init_ms, uint32_t uptime, int64_t export_ms) {
  int64_t t = init_ms + uptime;
  int64_t off = export_ms - t;
  if (off > -two_pow_32 / 2 && off <= two_pow_32 / 2)
    return t; // the usual case; spares a division per record
  int64_t wraps = (off >= 0 ? off + two_pow_32 / 2 : off - two_pow_32 / 2 + 1) / two_pow_32;
  return t + wraps * two_pow_32;
}

} // namespace

bool finish_record(record_fields& f, const message_clock& clock) {
  flow_record& out = f.record;
  if ((f.present & rf::src_v6) && (!(f.present & rf::src_v4) || out.src_addr.is_unspecified()))
    out.src_addr = f.src6;
  if ((f.present & rf::dst_v6) && (!(f.present & rf::dst_v4) || out.dst_addr.is_unspecified()))
    out.dst_addr = f.dst6;

  if (f.present & rf::icmp_type_code) {
    out.icmp_type = static_cast<uint8_t>(f.icmp >> 8);
    out.icmp_code = static_cast<uint8_t>(f.icmp);
  } else if (!(f.present & (rf::icmp_type | rf::icmp_code)) &&
             (out.protocol == 1 || out.protocol == 58)) {
    // v5 and most v9 exporters put ICMP type << 8 | code in the destination port.
    out.icmp_type = static_cast<uint8_t>(out.dst_port >> 8);
    out.icmp_code = static_cast<uint8_t>(out.dst_port);
  }

  // -- times: absolute fields, then deltas to export time, then uptimes --
  bool exact = true;
  std::optional<int64_t> init = clock.system_init_ms;
  if (f.present & rf::system_init)
    init = f.system_init_ms;
  auto from_uptime = [&](uint32_t uptime) -> std::optional<int64_t> {
    if (clock.has_uptime) // signed distance handles the 2^32 wrap and slight clock skew
      return clock.export_ms - static_cast<int32_t>(clock.sys_uptime_ms - uptime);
    if (init)
      return uptime_since_init(*init, uptime, clock.export_ms);
    return std::nullopt;
  };
  std::optional<int64_t> start, end;
  if (f.present & rf::start_abs)
    start = f.start_abs_ms;
  if (f.present & rf::end_abs)
    end = f.end_abs_ms;
  if (!start && (f.present & rf::start_delta))
    start = clock.export_ms - static_cast<int64_t>(f.start_delta_us / 1000);
  if (!end && (f.present & rf::end_delta))
    end = clock.export_ms - static_cast<int64_t>(f.end_delta_us / 1000);
  if (!start && (f.present & rf::start_uptime))
    start = from_uptime(f.start_uptime_ms);
  if (!end && (f.present & rf::end_uptime))
    end = from_uptime(f.end_uptime_ms);
  if (!start && !end && (f.present & (rf::start_uptime | rf::end_uptime))) {
    // IPFIX uptimes without a known boot time: keep the duration, end at export.
    exact = false;
    end = clock.export_ms;
    if ((f.present & rf::start_uptime) && (f.present & rf::end_uptime))
      start = *end - static_cast<int32_t>(f.end_uptime_ms - f.start_uptime_ms);
  }
  if (f.present & rf::duration) {
    if (start && !end)
      end = *start + static_cast<int64_t>(f.duration_ms);
    else if (end && !start)
      start = *end - static_cast<int64_t>(f.duration_ms);
  }
  if (!start && !end) {
    start = end = clock.export_ms;
  } else if (!start) {
    start = end;
  } else if (!end) {
    end = start;
  }
  out.start_ms = *start;
  out.end_ms = *end;
  return exact;
}

flow_record reverse_of(const flow_record& forward, const record_fields& f) {
  flow_record r = forward;
  std::swap(r.src_addr, r.dst_addr);
  std::swap(r.src_port, r.dst_port);
  std::swap(r.input_if, r.output_if);
  std::swap(r.src_as, r.dst_as);
  std::swap(r.src_mask, r.dst_mask);
  r.packets = f.reverse_packets;
  r.bytes = f.reverse_bytes;
  r.tcp_flags = f.reverse_tcp_flags;
  r.reverse_half = true;
  if (r.direction == flow_direction::ingress)
    r.direction = flow_direction::egress;
  else if (r.direction == flow_direction::egress)
    r.direction = flow_direction::ingress;
  return r;
}

} // namespace hostflow
