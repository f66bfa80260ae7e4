#pragma once

#include <cstdint>
#include <optional>

#include "flow/flow_record.hpp"
#include "flow/record_fields.hpp"

namespace hostflow {

/// The clocks a message gives for turning relative record times absolute.
struct message_clock {
  int64_t export_ms = 0;       ///< header export time, epoch ms
  uint32_t sys_uptime_ms = 0;  ///< v5/v9 header sysUpTime
  bool has_uptime = false;     ///< v5/v9: record uptimes are relative to sys_uptime_ms
  std::optional<int64_t> system_init_ms; ///< IPFIX: exporter boot time, from options data
};

/// Completes the data record in `f.record` from the raw fields, in place:
/// chooses addresses, converts times to epoch ms, splits ICMP type/code.
/// Finishing twice gives the same record (the raw fields are not consumed).
/// Returns false when the times had to be estimated (IPFIX uptime fields
/// before any systemInitTimeMilliseconds): the record then ends at the export
/// time, keeping its exported duration.
bool finish_record(record_fields& f, const message_clock& clock);

/// True when a biflow record (RFC 5103) carried traffic in the reverse direction.
inline bool has_reverse_traffic(const record_fields& f) noexcept {
  return (f.present & record_fields::reverse) && (f.reverse_packets > 0 || f.reverse_bytes > 0);
}

/// The reverse half of a biflow record: endpoints, ports, interfaces and
/// routing fields swapped, the reverse counters and flags as its own.
flow_record reverse_of(const flow_record& forward, const record_fields& f);

} // namespace hostflow
