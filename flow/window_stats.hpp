#pragma once

// What hostflow knows about one host in one direction over one window of
// event time: additive counters, distinct counts and heavy hitters.

#include <array>
#include <cstdint>

#include "flow/distinct_counter.hpp"
#include "flow/flow_record.hpp"
#include "flow/space_saving.hpp"

namespace hostflow {

// -- host-relative view of a record ------------------------------------------------

/// Which end of a record a profile describes: out = the host is the source,
/// in = the host is the destination (not the exporter's flowDirection).
enum class host_direction : uint8_t { out = 0, in = 1 };

/// "out" or "in".
const char* to_string(host_direction d) noexcept;

/// A record as one of its ends sees it.
struct record_view {
  const flow_record* record = nullptr;
  host_direction direction = host_direction::out;

  const ip_address& host() const noexcept {
    return direction == host_direction::out ? record->src_addr : record->dst_addr;
  }
  const ip_address& peer() const noexcept {
    return direction == host_direction::out ? record->dst_addr : record->src_addr;
  }
  uint16_t local_port() const noexcept {
    return direction == host_direction::out ? record->src_port : record->dst_port;
  }
  uint16_t peer_port() const noexcept {
    return direction == host_direction::out ? record->dst_port : record->src_port;
  }
};

/// True for the protocols whose port fields are ports (TCP, UDP, DCCP,
/// SCTP, UDP-Lite); ICMP "ports" carry type and code and are not counted.
bool has_ports(uint8_t protocol) noexcept;

/// TCP flag bits as they appear in flow records.
namespace tcp_flag {
inline constexpr uint8_t fin = 0x01;
inline constexpr uint8_t syn = 0x02;
inline constexpr uint8_t rst = 0x04;
inline constexpr uint8_t psh = 0x08;
inline constexpr uint8_t ack = 0x10;
inline constexpr uint8_t urg = 0x20;
} // namespace tcp_flag

// -- counters -------------------------------------------------------------------------

/// The additive part of a window. Packets, bytes, flows and flag counts are
/// multiplied by each record's sampling interval; a flow counts (with its
/// duration, flags and protocol) once, in the bucket of its end, while its
/// packets and bytes are spread over the buckets it spans.
struct window_counters {
  uint64_t flows = 0;
  uint64_t packets = 0;
  uint64_t bytes = 0;
  uint64_t duration_ms = 0; ///< summed flow durations (divide by flows for the mean)
  // Flows that carried each TCP flag, and flows whose only flag was SYN.
  uint64_t syn_flows = 0;
  uint64_t ack_flows = 0;
  uint64_t fin_flows = 0;
  uint64_t rst_flows = 0;
  uint64_t psh_flows = 0;
  uint64_t urg_flows = 0;
  uint64_t syn_only_flows = 0;
  // Protocol mix: flows and bytes of TCP, UDP, ICMP (v4 and v6) and the rest.
  uint64_t tcp_flows = 0;
  uint64_t udp_flows = 0;
  uint64_t icmp_flows = 0;
  uint64_t other_flows = 0;
  uint64_t tcp_bytes = 0;
  uint64_t udp_bytes = 0;
  uint64_t icmp_bytes = 0;
  uint64_t other_bytes = 0;

  /// Counts one flow (scaled by `scale`): flows, duration, flags, protocol.
  void add_flow(const flow_record& r, uint64_t scale) noexcept;

  /// Adds a share of a record's (already scaled) packets and bytes.
  void add_volume(uint8_t protocol, uint64_t packets, uint64_t bytes) noexcept;

  /// Adds another window's counters (roll-up).
  void merge(const window_counters& other) noexcept;

  bool empty() const noexcept { return flows == 0 && packets == 0 && bytes == 0; }

  /// Number of counters.
  static constexpr size_t field_count = 19;

  /// Every counter in a fixed order; stored formats use this order, so new
  /// counters go at the end.
  std::array<uint64_t*, field_count> fields() noexcept {
    return {&flows,          &packets,   &bytes,     &duration_ms, &syn_flows,
            &ack_flows,      &fin_flows, &rst_flows, &psh_flows,   &urg_flows,
            &syn_only_flows, &tcp_flows, &udp_flows, &icmp_flows,  &other_flows,
            &tcp_bytes,      &udp_bytes, &icmp_bytes, &other_bytes};
  }
  std::array<uint64_t, field_count> values() const noexcept {
    return {flows,          packets,   bytes,     duration_ms, syn_flows,
            ack_flows,      fin_flows, rst_flows, psh_flows,   urg_flows,
            syn_only_flows, tcp_flows, udp_flows, icmp_flows,  other_flows,
            tcp_bytes,      udp_bytes, icmp_bytes, other_bytes};
  }

  friend bool operator==(const window_counters& a, const window_counters& b) noexcept;
  friend bool operator!=(const window_counters& a, const window_counters& b) noexcept {
    return !(a == b);
  }
};

// -- distinct counts ------------------------------------------------------------------

/// Distinct peers, peer ports and local ports of a window; exact while
/// small, then HyperLogLog (see distinct_counter).
struct window_distinct {
  distinct_counter peers;
  distinct_counter peer_ports;
  distinct_counter local_ports;

  /// Notes the peer and ports of one record.
  void add(const record_view& v);

  /// Union with another window's sets (roll-up).
  void merge(const window_distinct& other);

  size_t memory_bytes() const noexcept;
};

// -- heavy hitters --------------------------------------------------------------------

/// Entries kept by each heavy-hitter sketch.
inline constexpr size_t heavy_hitter_capacity = 8;

/// Top peers and peer ports by bytes and by flows (Space-Saving sketches);
/// kept for the 1 min and 5 min windows only. Not scaled by sampling.
struct heavy_hitters {
  space_saving<ip_address, heavy_hitter_capacity> peers_by_bytes;
  space_saving<ip_address, heavy_hitter_capacity> peers_by_flows;
  space_saving<uint16_t, heavy_hitter_capacity> peer_ports_by_bytes;
  space_saving<uint16_t, heavy_hitter_capacity> peer_ports_by_flows;

  /// Adds a share of a record's (unscaled) bytes.
  void add_bytes(const record_view& v, uint64_t bytes);
  /// Counts one flow.
  void add_flow(const record_view& v);

  void merge(const heavy_hitters& other);
};

/// A window's full statistics.
struct window_stats {
  window_counters counters;
  window_distinct distinct;

  void merge(const window_stats& other) {
    counters.merge(other.counters);
    distinct.merge(other.distinct);
  }
};

} // namespace hostflow
