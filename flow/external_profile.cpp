#include "flow/external_profile.hpp"

#include "flow/hash32.hpp"
#include "flow/window_stats.hpp"

namespace hostflow {

void external_window::add(const flow_record& r, uint64_t scale) {
  flows += scale;
  packets += r.packets * scale;
  bytes += r.bytes * scale;
  if (r.protocol == 6 && (r.tcp_flags & 0x3f) == tcp_flag::syn)
    syn_only_flows += scale;
  destinations.add(hash_address(r.dst_addr));
  if (has_ports(r.protocol))
    ports.add(hash_port(r.dst_port));
}

external_window& external_profile::window_at(int64_t index, bool& created) {
  auto it = windows.end();
  while (it != windows.begin() && std::prev(it)->index > index)
    --it;
  if (it != windows.begin() && std::prev(it)->index == index) {
    created = false;
    return *std::prev(it);
  }
  created = true;
  external_window w;
  w.index = index;
  return *windows.insert(it, std::move(w));
}

size_t external_profile::memory_bytes() const noexcept {
  size_t n = sizeof(external_profile) + windows.capacity() * sizeof(external_window);
  for (const auto& w : windows)
    n += w.destinations.memory_bytes() + w.ports.memory_bytes() - 2 * sizeof(distinct_counter);
  return n;
}

} // namespace hostflow
