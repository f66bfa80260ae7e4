#pragma once

// What hostflow knows about one host in one direction over one window of
// event time: additive counters, distinct counts and heavy hitters.

#include <array>
#include <cstdint>
#include <memory>

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

/// The additive part of a window, in counters of type T. Packets, bytes,
/// flows and flag counts are multiplied by each record's sampling interval;
/// a flow counts (with its duration, flags and protocol) once, in the bucket
/// of its end, while its packets and bytes are spread over the buckets it
/// spans. Closed windows use 64-bit counters (window_counters); open ones
/// hold 32-bit counters while they fit (packed_counters).
template <class T>
struct basic_window_counters {
  T flows = 0;
  T packets = 0;
  T bytes = 0;
  T duration_ms = 0; ///< summed flow durations (divide by flows for the mean)
  // Flows that carried each TCP flag, and flows whose only flag was SYN.
  T syn_flows = 0;
  T ack_flows = 0;
  T fin_flows = 0;
  T rst_flows = 0;
  T psh_flows = 0;
  T urg_flows = 0;
  T syn_only_flows = 0;
  // Protocol mix: flows and bytes of TCP, UDP, ICMP (v4 and v6) and the rest.
  T tcp_flows = 0;
  T udp_flows = 0;
  T icmp_flows = 0;
  T other_flows = 0;
  T tcp_bytes = 0;
  T udp_bytes = 0;
  T icmp_bytes = 0;
  T other_bytes = 0;

  /// Counts one flow (scaled by `scale`): flows, duration, flags, protocol.
  /// `duration_ms` is the record's duration (end - start, 0 if negative).
  void add_flow(const flow_record& r, T scale, T scaled_duration_ms) noexcept;

  /// Adds a share of a record's (already scaled) packets and bytes.
  void add_volume(uint8_t protocol, T packets, T bytes) noexcept;

  /// Adds another window's counters (roll-up).
  template <class U>
  void merge(const basic_window_counters<U>& other) noexcept {
    auto mine = fields();
    auto theirs = other.values();
    for (size_t i = 0; i < field_count; ++i)
      *mine[i] += static_cast<T>(theirs[i]);
  }

  bool empty() const noexcept { return flows == 0 && packets == 0 && bytes == 0; }

  /// Number of counters.
  static constexpr size_t field_count = 19;

  /// Every counter in a fixed order; stored formats use this order, so new
  /// counters go at the end.
  std::array<T*, field_count> fields() noexcept {
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

  friend bool operator==(const basic_window_counters& a, const basic_window_counters& b) noexcept {
    return a.values() == b.values();
  }
  friend bool operator!=(const basic_window_counters& a, const basic_window_counters& b) noexcept {
    return !(a == b);
  }
};

/// Counters of a closed window.
using window_counters = basic_window_counters<uint64_t>;

/// The counters of an open window, in 76 bytes instead of 152 while every
/// field fits 32 bits (nearly always over 10 s to 5 min for one host); an
/// add or merge that would overflow moves them to a heap window_counters.
class packed_counters {
public:
  packed_counters() noexcept = default;
  /// The counters of `c`, narrow when they fit.
  explicit packed_counters(const window_counters& c);
  packed_counters(const packed_counters& other);
  packed_counters(packed_counters&&) noexcept = default;
  packed_counters& operator=(const packed_counters& other);
  packed_counters& operator=(packed_counters&&) noexcept = default;

  /// Counts one flow, as window_counters::add_flow does.
  void add_flow(const flow_record& r, uint64_t scale);
  /// Adds packets and bytes, as window_counters::add_volume does.
  void add_volume(uint8_t protocol, uint64_t packets, uint64_t bytes);
  /// Adds another open window's counters.
  void merge(const packed_counters& other);

  /// The counters at full width.
  window_counters unpacked() const;
  /// Adds these counters to `out`.
  void add_to(window_counters& out) const;

  bool empty() const noexcept { return wide_ ? wide_->empty() : narrow_.empty(); }
  /// True once the counters have moved to 64 bits.
  bool is_wide() const noexcept { return wide_ != nullptr; }
  /// Heap bytes held (the 64-bit counters, once moved there).
  size_t heap_bytes() const noexcept { return wide_ ? sizeof(window_counters) : 0; }

private:
  /// Moves the counters to 64 bits.
  void widen();

  basic_window_counters<uint32_t> narrow_;
  std::unique_ptr<window_counters> wide_;
};

// -- heavy hitters --------------------------------------------------------------------

/// Entries kept by each heavy-hitter sketch.
inline constexpr size_t heavy_hitter_capacity = 8;

/// Top peers and peer ports by bytes and by flows (Space-Saving sketches);
/// kept for the 1 min and 5 min windows only. Not scaled by sampling.
struct heavy_hitters {
  space_saving<ip_address, heavy_hitter_capacity> peers_by_bytes;
  space_saving<ip_address, heavy_hitter_capacity, uint32_t> peers_by_flows;
  space_saving<uint16_t, heavy_hitter_capacity> peer_ports_by_bytes;
  space_saving<uint16_t, heavy_hitter_capacity, uint32_t> peer_ports_by_flows;

  /// Adds a share of a record's (unscaled) bytes.
  void add_bytes(const record_view& v, uint64_t bytes);
  /// Counts one flow.
  void add_flow(const record_view& v);

  void merge(const heavy_hitters& other);

  /// Heap bytes held by the four sketches.
  size_t heap_bytes() const noexcept {
    return peers_by_bytes.heap_bytes() + peers_by_flows.heap_bytes() +
           peer_ports_by_bytes.heap_bytes() + peer_ports_by_flows.heap_bytes();
  }
};

/// What a window amounts to: its counters and its distinct counts (exact
/// up to distinct_counter::exact_limit, then HyperLogLog estimates).
struct window_totals {
  window_counters counters;
  uint64_t distinct_peers = 0;
  uint64_t distinct_peer_ports = 0;
  uint64_t distinct_local_ports = 0;
};

} // namespace hostflow
