#include "flow/window_summary.hpp"

namespace hostflow {

namespace {

template <class Sketch, class Key>
void copy_top(const Sketch& sketch, std::vector<top_entry<Key>>& out) {
  for (const auto& e : sketch.top())
    out.push_back(top_entry<Key>{e.key, e.count, e.error});
}

} // namespace

window_summary summarize(uint32_t granularity_s, int64_t start_ms, host_direction d,
                         const window_totals& totals, const heavy_hitters* top) {
  window_summary s;
  s.granularity_s = granularity_s;
  s.start_ms = start_ms;
  s.direction = d;
  s.counters = totals.counters;
  s.distinct_peers = totals.distinct_peers;
  s.distinct_peer_ports = totals.distinct_peer_ports;
  s.distinct_local_ports = totals.distinct_local_ports;
  if (top != nullptr) {
    copy_top(top->peers_by_bytes, s.top_peers_by_bytes);
    copy_top(top->peers_by_flows, s.top_peers_by_flows);
    copy_top(top->peer_ports_by_bytes, s.top_peer_ports_by_bytes);
    copy_top(top->peer_ports_by_flows, s.top_peer_ports_by_flows);
  }
  return s;
}

bool operator==(const window_summary& a, const window_summary& b) noexcept {
  return a.granularity_s == b.granularity_s && a.start_ms == b.start_ms &&
         a.direction == b.direction && a.counters == b.counters &&
         a.distinct_peers == b.distinct_peers && a.distinct_peer_ports == b.distinct_peer_ports &&
         a.distinct_local_ports == b.distinct_local_ports &&
         a.top_peers_by_bytes == b.top_peers_by_bytes &&
         a.top_peers_by_flows == b.top_peers_by_flows &&
         a.top_peer_ports_by_bytes == b.top_peer_ports_by_bytes &&
         a.top_peer_ports_by_flows == b.top_peer_ports_by_flows && a.deviation == b.deviation;
}

} // namespace hostflow
