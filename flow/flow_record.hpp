#pragma once

#include <cstdint>
#include <string>

#include "flow/ip_address.hpp"

namespace hostflow {

/// Direction of a flow relative to the exporter's interface, as the exporter
/// reported it (IE 61 flowDirection); not the host-relative direction.
enum class flow_direction : uint8_t {
  unknown = 0, ///< the exporter did not say
  ingress = 1, ///< observed on the way into the interface
  egress = 2,  ///< observed on the way out of the interface
};

/// Short lower-case name: "unknown", "ingress", "egress".
const char* to_string(flow_direction d) noexcept;

/// Which NetFlow/IPFIX dialect a record was decoded from.
enum class export_protocol : uint8_t {
  netflow_v5 = 5,
  netflow_v9 = 9,
  ipfix = 10,
};

/// One flow record, normalised from NetFlow v5, v9 or IPFIX.
///
/// Counters are as exported (not multiplied by the sampling interval); the
/// interval that applies is carried beside them so consumers scale once.
struct flow_record {
  ip_address src_addr;         ///< source address (IPv4 mapped into IPv6)
  ip_address dst_addr;         ///< destination address
  ip_address next_hop;         ///< IP next hop (IE 15 / 62); :: when not exported
  endpoint exporter;           ///< exporter transport address the record came from
  uint64_t packets = 0;        ///< packets as exported (IE 2 / 86 / 24 ...)
  uint64_t bytes = 0;          ///< octets as exported (IE 1 / 85 / 23 ...)
  int64_t start_ms = 0;        ///< flow start, epoch milliseconds
  int64_t end_ms = 0;          ///< flow end, epoch milliseconds
  uint32_t observation_domain = 0; ///< v9 source id / IPFIX observation domain
  uint32_t input_if = 0;       ///< ingress interface index (IE 10 / 252)
  uint32_t output_if = 0;      ///< egress interface index (IE 14 / 253)
  uint32_t src_as = 0;         ///< source BGP AS (IE 16)
  uint32_t dst_as = 0;         ///< destination BGP AS (IE 17)
  uint32_t sampling_interval = 1; ///< 1 in N packets sampled; 1 = unsampled
  uint16_t src_port = 0;       ///< transport source port
  uint16_t dst_port = 0;       ///< transport destination port
  uint8_t protocol = 0;        ///< IP protocol number
  uint8_t tcp_flags = 0;       ///< cumulative TCP flags (low 8 bits)
  uint8_t tos = 0;             ///< IP ToS / traffic class byte
  uint8_t src_mask = 0;        ///< source prefix length
  uint8_t dst_mask = 0;        ///< destination prefix length
  uint8_t icmp_type = 0;       ///< ICMP(v6) type, when protocol is 1 or 58
  uint8_t icmp_code = 0;       ///< ICMP(v6) code
  flow_direction direction = flow_direction::unknown; ///< exporter-reported direction
  export_protocol protocol_version = export_protocol::ipfix; ///< wire format it came from
  bool reverse_half = false; ///< made from the reverse counters of a biflow record (RFC 5103)
};

/// One line for people: "2024-03-04T09:00:01.250Z 10.0.0.1:443 -> ... tcp 3 pkts 180 B".
std::string to_string(const flow_record& r);

/// RFC 3339 UTC text with milliseconds for epoch milliseconds.
std::string format_epoch_ms(int64_t epoch_ms);

} // namespace hostflow
