#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "flow/flow_record.hpp"

namespace hostflow {

static_assert(std::is_trivially_copyable_v<flow_record>, "reset() zeroes flow_record bytewise");

/// The raw values of one data or options record while its fields are read.
/// Field handlers fill it in any order; finishing it (record_decoder) picks
/// the preferred source for each normalised value (absolute times over
/// uptime-relative ones, delta counters over totals, IPv4 over IPv6 ...).
struct record_fields {
  /// Bits of `present`: which raw values the record carried.
  enum presence : uint32_t {
    src_v4 = 1u << 0,
    dst_v4 = 1u << 1,
    src_v6 = 1u << 2,
    dst_v6 = 1u << 3,
    start_abs = 1u << 4,    ///< flowStart{Seconds,Milli,Micro,Nano}seconds
    end_abs = 1u << 5,      ///< flowEnd{Seconds,Milli,Micro,Nano}seconds
    start_uptime = 1u << 6, ///< flowStartSysUpTime / FIRST_SWITCHED
    end_uptime = 1u << 7,   ///< flowEndSysUpTime / LAST_SWITCHED
    start_delta = 1u << 8,  ///< flowStartDeltaMicroseconds
    end_delta = 1u << 9,    ///< flowEndDeltaMicroseconds
    duration = 1u << 10,    ///< flowDurationMilli/Microseconds
    sampler_id = 1u << 11,  ///< samplerId / flowSamplerId / selectorId
    sampling_interval = 1u << 12,
    packet_interval = 1u << 13, ///< samplingPacketInterval
    packet_space = 1u << 14,    ///< samplingPacketSpace
    sampling_size = 1u << 15,
    sampling_population = 1u << 16,
    sampling_probability = 1u << 17,
    system_init = 1u << 18, ///< systemInitTimeMilliseconds
    icmp_type_code = 1u << 19,
    icmp_type = 1u << 20,
    icmp_code = 1u << 21,
    next_hop_v4 = 1u << 22,
    reverse = 1u << 23, ///< RFC 5103 reverse-direction counters (biflow)
  };

  flow_record record;          ///< fields that map one to one
  ip_address src6, dst6;       ///< IPv6 addresses, used when no non-zero IPv4 one came
  uint32_t present = 0;        ///< presence bits
  uint8_t packets_rank = 0;    ///< which packet counter filled record.packets (lower wins)
  uint8_t bytes_rank = 0;      ///< which octet counter filled record.bytes (lower wins)
  uint8_t if_rank = 0;         ///< logical (1) or physical (2) interface ids
  int64_t start_abs_ms = 0;    ///< absolute start, epoch ms
  int64_t end_abs_ms = 0;      ///< absolute end, epoch ms
  uint32_t start_uptime_ms = 0;
  uint32_t end_uptime_ms = 0;
  uint64_t start_delta_us = 0;
  uint64_t end_delta_us = 0;
  uint64_t duration_ms = 0;
  uint64_t sampler = 0;        ///< sampler or selector id
  uint64_t interval = 0;       ///< samplingInterval / samplerRandomInterval
  uint64_t systematic_interval = 0; ///< samplingPacketInterval value
  uint64_t systematic_space = 0;    ///< samplingPacketSpace value
  uint64_t size = 0;           ///< samplingSize (n of N)
  uint64_t population = 0;     ///< samplingPopulation (N)
  double probability = 0;      ///< samplingProbability
  int64_t system_init_ms = 0;  ///< systemInitTimeMilliseconds
  uint16_t icmp = 0;           ///< icmpTypeCode (type << 8 | code)
  uint64_t reverse_packets = 0; ///< biflow: packets from destination to source
  uint64_t reverse_bytes = 0;   ///< biflow: bytes from destination to source
  uint8_t reverse_tcp_flags = 0;

  /// Readies the fields for the next record. Raw values are read only when
  /// their presence bit is set, so only the record, the bits and the ranks
  /// need clearing: much cheaper per record than assigning a fresh object.
  void reset() noexcept {
    // flow_record is trivially copyable; zeroing it whole and setting the
    // two non-zero defaults is far cheaper than member-wise initialisation.
    std::memset(static_cast<void*>(&record), 0, sizeof(record));
    record.sampling_interval = 1;
    record.protocol_version = export_protocol::ipfix;
    present = 0;
    packets_rank = 0;
    bytes_rank = 0;
    if_rank = 0;
    reverse_packets = 0; // read when either reverse counter was present
    reverse_bytes = 0;
    reverse_tcp_flags = 0;
  }
};

} // namespace hostflow
