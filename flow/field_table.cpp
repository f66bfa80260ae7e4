#include "flow/field_table.hpp"

#include <array>
#include <cstring>

#include "flow/byte_view.hpp"
#include "flow/sampled_packet_fields.hpp"

namespace hostflow {

namespace {

using rf = record_fields;

// Seconds between the NTP era (1900) and the Unix epoch (1970).
constexpr int64_t ntp_unix_offset_s = 2208988800LL;

// -- value readers ---------------------------------------------------------------

uint64_t uint_of(const uint8_t* p, uint16_t len) { return load_be_uint(p, len); }

// NTP 64-bit timestamp (RFC 7011 dateTimeMicro/Nanoseconds) to epoch ms.
int64_t ntp_to_epoch_ms(const uint8_t* p, uint16_t len) {
  if (len < 8)
    return 0;
  auto secs = static_cast<int64_t>(load_be32(p)) - ntp_unix_offset_s;
  auto frac = static_cast<uint64_t>(load_be32(p + 4));
  return secs * 1000 + static_cast<int64_t>((frac * 1000) >> 32);
}

// -- handlers ----------------------------------------------------------------------

// Counters: delta counts win over totals, totals over post-/initiator counts.
template <uint8_t Rank>
void packets(rf& f, const uint8_t* p, uint16_t len) {
  if (f.packets_rank == 0 || Rank < f.packets_rank) {
    f.record.packets = uint_of(p, len);
    f.packets_rank = Rank;
  }
}

template <uint8_t Rank>
void bytes(rf& f, const uint8_t* p, uint16_t len) {
  if (f.bytes_rank == 0 || Rank < f.bytes_rank) {
    f.record.bytes = uint_of(p, len);
    f.bytes_rank = Rank;
  }
}

void src_v4(rf& f, const uint8_t* p, uint16_t len) {
  if (len == 4 && !(f.present & rf::src_v4)) {
    f.record.src_addr = ip_address::from_v4_bytes(p);
    f.present |= rf::src_v4;
  }
}

void dst_v4(rf& f, const uint8_t* p, uint16_t len) {
  if (len == 4 && !(f.present & rf::dst_v4)) {
    f.record.dst_addr = ip_address::from_v4_bytes(p);
    f.present |= rf::dst_v4;
  }
}

void src_v6(rf& f, const uint8_t* p, uint16_t len) {
  if (len == 16 && !(f.present & rf::src_v6)) {
    f.src6 = ip_address::from_v6_bytes(p);
    f.present |= rf::src_v6;
  }
}

void dst_v6(rf& f, const uint8_t* p, uint16_t len) {
  if (len == 16 && !(f.present & rf::dst_v6)) {
    f.dst6 = ip_address::from_v6_bytes(p);
    f.present |= rf::dst_v6;
  }
}

void next_hop_v4(rf& f, const uint8_t* p, uint16_t len) {
  if (len == 4 && !(f.present & rf::next_hop_v4)) {
    f.record.next_hop = ip_address::from_v4_bytes(p);
    f.present |= rf::next_hop_v4;
  }
}

void next_hop_v6(rf& f, const uint8_t* p, uint16_t len) {
  // IPv4 next hop wins when both are present and it is set.
  if (len == 16 && !((f.present & rf::next_hop_v4) && !f.record.next_hop.is_unspecified()))
    f.record.next_hop = ip_address::from_v6_bytes(p);
}

void src_port(rf& f, const uint8_t* p, uint16_t len) {
  f.record.src_port = static_cast<uint16_t>(uint_of(p, len));
}
void dst_port(rf& f, const uint8_t* p, uint16_t len) {
  f.record.dst_port = static_cast<uint16_t>(uint_of(p, len));
}
void protocol(rf& f, const uint8_t* p, uint16_t len) {
  f.record.protocol = static_cast<uint8_t>(uint_of(p, len));
}
void tos(rf& f, const uint8_t* p, uint16_t len) {
  f.record.tos = static_cast<uint8_t>(uint_of(p, len));
}
void tcp_flags(rf& f, const uint8_t* p, uint16_t len) {
  f.record.tcp_flags = static_cast<uint8_t>(uint_of(p, len));
}
void src_mask(rf& f, const uint8_t* p, uint16_t len) {
  f.record.src_mask = static_cast<uint8_t>(uint_of(p, len));
}
void dst_mask(rf& f, const uint8_t* p, uint16_t len) {
  f.record.dst_mask = static_cast<uint8_t>(uint_of(p, len));
}
void src_as(rf& f, const uint8_t* p, uint16_t len) {
  f.record.src_as = static_cast<uint32_t>(uint_of(p, len));
}
void dst_as(rf& f, const uint8_t* p, uint16_t len) {
  f.record.dst_as = static_cast<uint32_t>(uint_of(p, len));
}

// Logical interface ids (IE 10/14) win over physical ones (IE 252/253).
template <uint8_t Rank>
void input_if(rf& f, const uint8_t* p, uint16_t len) {
  if (f.if_rank == 0 || Rank <= f.if_rank) {
    f.record.input_if = static_cast<uint32_t>(uint_of(p, len));
    f.if_rank = Rank;
  }
}
template <uint8_t Rank>
void output_if(rf& f, const uint8_t* p, uint16_t len) {
  if (f.if_rank == 0 || Rank <= f.if_rank)
    f.record.output_if = static_cast<uint32_t>(uint_of(p, len));
}

void direction(rf& f, const uint8_t* p, uint16_t len) {
  auto v = uint_of(p, len);
  f.record.direction = v == 0   ? flow_direction::ingress
                       : v == 1 ? flow_direction::egress
                                : flow_direction::unknown;
}

void icmp_type_code(rf& f, const uint8_t* p, uint16_t len) {
  f.icmp = static_cast<uint16_t>(uint_of(p, len));
  f.present |= rf::icmp_type_code;
}
void icmp_type(rf& f, const uint8_t* p, uint16_t len) {
  f.record.icmp_type = static_cast<uint8_t>(uint_of(p, len));
  f.present |= rf::icmp_type;
}
void icmp_code(rf& f, const uint8_t* p, uint16_t len) {
  f.record.icmp_code = static_cast<uint8_t>(uint_of(p, len));
  f.present |= rf::icmp_code;
}

// -- times ---------------------------------------------------------------------------

void start_uptime(rf& f, const uint8_t* p, uint16_t len) {
  f.start_uptime_ms = static_cast<uint32_t>(uint_of(p, len));
  f.present |= rf::start_uptime;
}
void end_uptime(rf& f, const uint8_t* p, uint16_t len) {
  f.end_uptime_ms = static_cast<uint32_t>(uint_of(p, len));
  f.present |= rf::end_uptime;
}
void start_seconds(rf& f, const uint8_t* p, uint16_t len) {
  f.start_abs_ms = static_cast<int64_t>(uint_of(p, len)) * 1000;
  f.present |= rf::start_abs;
}
void end_seconds(rf& f, const uint8_t* p, uint16_t len) {
  f.end_abs_ms = static_cast<int64_t>(uint_of(p, len)) * 1000;
  f.present |= rf::end_abs;
}
void start_millis(rf& f, const uint8_t* p, uint16_t len) {
  f.start_abs_ms = static_cast<int64_t>(uint_of(p, len));
  f.present |= rf::start_abs;
}
void end_millis(rf& f, const uint8_t* p, uint16_t len) {
  f.end_abs_ms = static_cast<int64_t>(uint_of(p, len));
  f.present |= rf::end_abs;
}
void start_ntp(rf& f, const uint8_t* p, uint16_t len) {
  if (len == 8) {
    f.start_abs_ms = ntp_to_epoch_ms(p, len);
    f.present |= rf::start_abs;
  }
}
void end_ntp(rf& f, const uint8_t* p, uint16_t len) {
  if (len == 8) {
    f.end_abs_ms = ntp_to_epoch_ms(p, len);
    f.present |= rf::end_abs;
  }
}
void start_delta_us(rf& f, const uint8_t* p, uint16_t len) {
  f.start_delta_us = uint_of(p, len);
  f.present |= rf::start_delta;
}
void end_delta_us(rf& f, const uint8_t* p, uint16_t len) {
  f.end_delta_us = uint_of(p, len);
  f.present |= rf::end_delta;
}
void duration_ms(rf& f, const uint8_t* p, uint16_t len) {
  f.duration_ms = uint_of(p, len);
  f.present |= rf::duration;
}
void duration_us(rf& f, const uint8_t* p, uint16_t len) {
  f.duration_ms = uint_of(p, len) / 1000;
  f.present |= rf::duration;
}
void system_init(rf& f, const uint8_t* p, uint16_t len) {
  f.system_init_ms = static_cast<int64_t>(uint_of(p, len));
  f.present |= rf::system_init;
}

// -- sampling --------------------------------------------------------------------------

void sampler_id(rf& f, const uint8_t* p, uint16_t len) {
  f.sampler = uint_of(p, len);
  f.present |= rf::sampler_id;
}
void sampling_interval(rf& f, const uint8_t* p, uint16_t len) {
  f.interval = uint_of(p, len);
  f.present |= rf::sampling_interval;
}
void packet_interval(rf& f, const uint8_t* p, uint16_t len) {
  f.systematic_interval = uint_of(p, len);
  f.present |= rf::packet_interval;
}
void packet_space(rf& f, const uint8_t* p, uint16_t len) {
  f.systematic_space = uint_of(p, len);
  f.present |= rf::packet_space;
}
void sampling_size(rf& f, const uint8_t* p, uint16_t len) {
  f.size = uint_of(p, len);
  f.present |= rf::sampling_size;
}
void sampling_population(rf& f, const uint8_t* p, uint16_t len) {
  f.population = uint_of(p, len);
  f.present |= rf::sampling_population;
}
void sampling_probability(rf& f, const uint8_t* p, uint16_t len) {
  if (len == 8) {
    uint64_t bits = load_be64(p);
    std::memcpy(&f.probability, &bits, 8);
  } else if (len == 4) {
    uint32_t bits = load_be32(p);
    float v;
    std::memcpy(&v, &bits, 4);
    f.probability = v;
  } else {
    return;
  }
  f.present |= rf::sampling_probability;
}

// -- the table -------------------------------------------------------------------------

constexpr size_t table_size = 512;

struct entry {
  uint16_t id;
  field_handler fn;
};

// IANA "IPFIX Information Elements" numbers (NetFlow v9 uses the same below 128).
constexpr entry entries[] = {
  {1, bytes<1>},             // octetDeltaCount / IN_BYTES
  {2, packets<1>},           // packetDeltaCount / IN_PKTS
  {4, protocol},             // protocolIdentifier
  {5, tos},                  // ipClassOfService
  {6, tcp_flags},            // tcpControlBits
  {7, src_port},             // sourceTransportPort
  {8, src_v4},               // sourceIPv4Address
  {9, src_mask},             // sourceIPv4PrefixLength
  {10, input_if<1>},         // ingressInterface
  {11, dst_port},            // destinationTransportPort
  {12, dst_v4},              // destinationIPv4Address
  {13, dst_mask},            // destinationIPv4PrefixLength
  {14, output_if<1>},        // egressInterface
  {15, next_hop_v4},         // ipNextHopIPv4Address
  {16, src_as},              // bgpSourceAsNumber
  {17, dst_as},              // bgpDestinationAsNumber
  {21, end_uptime},          // flowEndSysUpTime / LAST_SWITCHED
  {22, start_uptime},        // flowStartSysUpTime / FIRST_SWITCHED
  {23, bytes<3>},            // postOctetDeltaCount / OUT_BYTES
  {24, packets<3>},          // postPacketDeltaCount / OUT_PKTS
  {27, src_v6},              // sourceIPv6Address
  {28, dst_v6},              // destinationIPv6Address
  {29, src_mask},            // sourceIPv6PrefixLength
  {30, dst_mask},            // destinationIPv6PrefixLength
  {32, icmp_type_code},      // icmpTypeCodeIPv4
  {34, sampling_interval},   // samplingInterval
  {48, sampler_id},          // samplerId / FLOW_SAMPLER_ID
  {50, sampling_interval},   // samplerRandomInterval / FLOW_SAMPLER_RANDOM_INTERVAL
  {61, direction},           // flowDirection
  {62, next_hop_v6},         // ipNextHopIPv6Address
  {85, bytes<2>},            // octetTotalCount
  {86, packets<2>},          // packetTotalCount
  {139, icmp_type_code},     // icmpTypeCodeIPv6
  {150, start_seconds},      // flowStartSeconds
  {151, end_seconds},        // flowEndSeconds
  {152, start_millis},       // flowStartMilliseconds
  {153, end_millis},         // flowEndMilliseconds
  {154, start_ntp},          // flowStartMicroseconds
  {155, end_ntp},            // flowEndMicroseconds
  {156, start_ntp},          // flowStartNanoseconds
  {157, end_ntp},            // flowEndNanoseconds
  {158, start_delta_us},     // flowStartDeltaMicroseconds
  {159, end_delta_us},       // flowEndDeltaMicroseconds
  {160, system_init},        // systemInitTimeMilliseconds
  {161, duration_ms},        // flowDurationMilliseconds
  {162, duration_us},        // flowDurationMicroseconds
  {176, icmp_type},          // icmpTypeIPv4
  {177, icmp_code},          // icmpCodeIPv4
  {178, icmp_type},          // icmpTypeIPv6
  {179, icmp_code},          // icmpCodeIPv6
  {231, bytes<4>},           // initiatorOctets (Cisco NSEL)
  {252, input_if<2>},        // ingressPhysicalInterface
  {253, output_if<2>},       // egressPhysicalInterface
  {298, packets<4>},         // initiatorPackets
  {302, sampler_id},         // selectorId
  {305, packet_interval},    // samplingPacketInterval
  {306, packet_space},       // samplingPacketSpace
  {309, sampling_size},      // samplingSize
  {310, sampling_population},  // samplingPopulation
  {311, sampling_probability}, // samplingProbability
  {313, ip_header_section},    // ipHeaderPacketSection
  {315, data_link_section},    // dataLinkFrameSection
};

std::array<field_handler, table_size> build_table() {
  std::array<field_handler, table_size> t{};
  for (const auto& e : entries)
    t[e.id] = e.fn;
  return t;
}

const std::array<field_handler, table_size> table = build_table();

} // namespace

field_handler handler_for(uint16_t element_id) noexcept {
  return element_id < table_size ? table[element_id] : nullptr;
}

} // namespace hostflow
