#include "flow/window_stats.hpp"

#include "flow/hash32.hpp"

namespace hostflow {

const char* to_string(host_direction d) noexcept {
  return d == host_direction::out ? "out" : "in";
}

bool has_ports(uint8_t protocol) noexcept {
  switch (protocol) {
    case 6:   // TCP
    case 17:  // UDP
    case 33:  // DCCP
    case 132: // SCTP
    case 136: // UDP-Lite
      return true;
    default:
      return false;
  }
}

// -- window_counters -------------------------------------------------------------------

void window_counters::add_flow(const flow_record& r, uint64_t scale) noexcept {
  flows += scale;
  if (r.end_ms > r.start_ms)
    duration_ms += static_cast<uint64_t>(r.end_ms - r.start_ms) * scale;
  switch (r.protocol) {
    case 6: {
      tcp_flows += scale;
      uint8_t f = r.tcp_flags;
      if (f & tcp_flag::syn)
        syn_flows += scale;
      if (f & tcp_flag::ack)
        ack_flows += scale;
      if (f & tcp_flag::fin)
        fin_flows += scale;
      if (f & tcp_flag::rst)
        rst_flows += scale;
      if (f & tcp_flag::psh)
        psh_flows += scale;
      if (f & tcp_flag::urg)
        urg_flows += scale;
      // ECE/CWR (0x40/0x80) may accompany a bare SYN; they do not make it a
      // handshake.
      if ((f & 0x3f) == tcp_flag::syn)
        syn_only_flows += scale;
      break;
    }
    case 17:
      udp_flows += scale;
      break;
    case 1:
    case 58:
      icmp_flows += scale;
      break;
    default:
      other_flows += scale;
      break;
  }
}

void window_counters::add_volume(uint8_t protocol, uint64_t p, uint64_t b) noexcept {
  packets += p;
  bytes += b;
  switch (protocol) {
    case 6:
      tcp_bytes += b;
      break;
    case 17:
      udp_bytes += b;
      break;
    case 1:
    case 58:
      icmp_bytes += b;
      break;
    default:
      other_bytes += b;
      break;
  }
}

void window_counters::merge(const window_counters& o) noexcept {
  auto mine = fields();
  auto theirs = o.values();
  for (size_t i = 0; i < field_count; ++i)
    *mine[i] += theirs[i];
}

bool operator==(const window_counters& a, const window_counters& b) noexcept {
  return a.values() == b.values();
}

// -- window_distinct ---------------------------------------------------------------------

void window_distinct::add(const record_view& v) {
  peers.add(hash_address(v.peer()));
  if (has_ports(v.record->protocol)) {
    peer_ports.add(hash_port(v.peer_port()));
    local_ports.add(hash_port(v.local_port()));
  }
}

void window_distinct::merge(const window_distinct& o) {
  peers.merge(o.peers);
  peer_ports.merge(o.peer_ports);
  local_ports.merge(o.local_ports);
}

size_t window_distinct::memory_bytes() const noexcept {
  return peers.memory_bytes() + peer_ports.memory_bytes() + local_ports.memory_bytes();
}

// -- heavy_hitters -------------------------------------------------------------------------

void heavy_hitters::add_bytes(const record_view& v, uint64_t bytes) {
  peers_by_bytes.add(v.peer(), bytes);
  if (has_ports(v.record->protocol))
    peer_ports_by_bytes.add(v.peer_port(), bytes);
}

void heavy_hitters::add_flow(const record_view& v) {
  peers_by_flows.add(v.peer(), 1);
  if (has_ports(v.record->protocol))
    peer_ports_by_flows.add(v.peer_port(), 1);
}

void heavy_hitters::merge(const heavy_hitters& o) {
  peers_by_bytes.merge(o.peers_by_bytes);
  peers_by_flows.merge(o.peers_by_flows);
  peer_ports_by_bytes.merge(o.peer_ports_by_bytes);
  peer_ports_by_flows.merge(o.peer_ports_by_flows);
}

} // namespace hostflow
