#include "state/window_codec.hpp"

#include <cmath>
#include <cstring>

#include "state/address_codec.hpp"
#include "state/varint.hpp"

namespace hostflow {

namespace {

// 2: top-list addresses in 4 bytes for IPv4 (1 wrote 16); both are read.
constexpr uint8_t window_format = 2;
constexpr uint8_t window_format_full_addresses = 1;
constexpr uint8_t ranking_format = 1;
// A top list longer than a sketch's capacity is not something we wrote.
constexpr uint64_t max_top_entries = 64;

// The counters in their stored order. Appending fields at the end keeps old
// values readable: a reader takes as many as the value's count says.
void append_key(std::string& out, const ip_address& a) {
  append_compact_address(out, a);
}

void append_key(std::string& out, uint16_t port) {
  append_varint(out, port);
}

bool read_key(std::string_view& in, ip_address& a, uint8_t format) {
  return format == window_format_full_addresses ? read_full_address(in, a)
                                                : read_compact_address(in, a);
}

bool read_key(std::string_view& in, uint16_t& port, uint8_t) {
  auto v = read_varint(in);
  if (!v || *v > 0xffff)
    return false;
  port = static_cast<uint16_t>(*v);
  return true;
}

void append_double(std::string& out, double x) {
  char buf[8];
  std::memcpy(buf, &x, 8);
  out.append(buf, 8);
}

bool read_double(std::string_view& in, double& x) {
  if (in.size() < 8)
    return false;
  std::memcpy(&x, in.data(), 8);
  in.remove_prefix(8);
  return std::isfinite(x);
}

template <class Key>
void append_top(std::string& out, const std::vector<top_entry<Key>>& list, size_t limit) {
  size_t n = std::min(list.size(), limit);
  append_varint(out, n);
  for (size_t i = 0; i < n; ++i) {
    append_key(out, list[i].key);
    append_varint(out, list[i].count);
    append_varint(out, list[i].error);
  }
}

template <class Key>
bool read_top(std::string_view& in, std::vector<top_entry<Key>>& list, uint8_t format) {
  auto n = read_varint(in);
  if (!n || *n > max_top_entries)
    return false;
  for (uint64_t i = 0; i < *n; ++i) {
    top_entry<Key> e;
    if (!read_key(in, e.key, format))
      return false;
    auto count = read_varint(in);
    auto error = read_varint(in);
    if (!count || !error)
      return false;
    e.count = *count;
    e.error = *error;
    list.push_back(e);
  }
  return true;
}

void append_summary(std::string& out, const window_summary& w, size_t top_limit) {
  auto values = w.counters.values();
  append_varint(out, values.size());
  for (uint64_t v : values)
    append_varint(out, v);
  append_varint(out, w.distinct_peers);
  append_varint(out, w.distinct_peer_ports);
  append_varint(out, w.distinct_local_ports);
  append_top(out, w.top_peers_by_bytes, top_limit);
  append_top(out, w.top_peers_by_flows, top_limit);
  append_top(out, w.top_peer_ports_by_bytes, top_limit);
  append_top(out, w.top_peer_ports_by_flows, top_limit);
  append_double(out, w.deviation);
}

bool read_summary(std::string_view& in, window_summary& w, uint8_t format) {
  auto n = read_varint(in);
  if (!n || *n > 256)
    return false;
  auto fields = w.counters.fields();
  for (uint64_t i = 0; i < *n; ++i) {
    auto v = read_varint(in);
    if (!v)
      return false;
    if (i < fields.size())
      *fields[i] = *v;
  }
  auto peers = read_varint(in);
  auto peer_ports = read_varint(in);
  auto local_ports = read_varint(in);
  if (!peers || !peer_ports || !local_ports)
    return false;
  w.distinct_peers = *peers;
  w.distinct_peer_ports = *peer_ports;
  w.distinct_local_ports = *local_ports;
  return read_top(in, w.top_peers_by_bytes, format) &&
         read_top(in, w.top_peers_by_flows, format) &&
         read_top(in, w.top_peer_ports_by_bytes, format) &&
         read_top(in, w.top_peer_ports_by_flows, format) && read_double(in, w.deviation);
}

void encode_with_limit(const stored_window& w, size_t top_limit, std::string& out) {
  out.clear();
  out.push_back(static_cast<char>(window_format));
  uint8_t mask = (w.out ? 1 : 0) | (w.in ? 2 : 0);
  out.push_back(static_cast<char>(mask));
  if (w.out)
    append_summary(out, *w.out, top_limit);
  if (w.in)
    append_summary(out, *w.in, top_limit);
}

} // namespace

bool encode_window_value(const stored_window& w, size_t byte_budget, std::string& out) {
  size_t limit = max_top_entries;
  encode_with_limit(w, limit, out);
  if (out.size() <= byte_budget)
    return false;
  // Over budget: shorten every top list until it fits (the heaviest
  // entries stay), down to none.
  for (limit = 8; limit > 0 && out.size() > byte_budget; limit /= 2)
    encode_with_limit(w, limit, out);
  if (out.size() > byte_budget)
    encode_with_limit(w, 0, out);
  return true;
}

std::optional<stored_window> decode_window_value(std::string_view value, uint32_t granularity_s,
                                                 int64_t start_ms) {
  if (value.size() < 2)
    return std::nullopt;
  auto format = static_cast<uint8_t>(value[0]);
  if (format != window_format && format != window_format_full_addresses)
    return std::nullopt;
  auto mask = static_cast<uint8_t>(value[1]);
  if (mask > 3)
    return std::nullopt;
  value.remove_prefix(2);
  stored_window w;
  w.granularity_s = granularity_s;
  w.start_ms = start_ms;
  for (auto d : {host_direction::out, host_direction::in}) {
    if ((mask & (d == host_direction::out ? 1 : 2)) == 0)
      continue;
    window_summary s;
    s.granularity_s = granularity_s;
    s.start_ms = start_ms;
    s.direction = d;
    if (!read_summary(value, s, format))
      return std::nullopt;
    w.at(d) = std::move(s);
  }
  if (!value.empty())
    return std::nullopt;
  return w;
}

ranking_metrics ranking_of(const window_summary& w) {
  ranking_metrics m;
  m.bytes = w.counters.bytes;
  m.packets = w.counters.packets;
  m.flows = w.counters.flows;
  m.distinct_peers = w.distinct_peers;
  m.distinct_ports =
    w.direction == host_direction::out ? w.distinct_peer_ports : w.distinct_local_ports;
  m.syn_only_flows = w.counters.syn_only_flows;
  m.deviation = w.deviation;
  return m;
}

double metric_value(const ranking_metrics& m, rank_metric metric) noexcept {
  switch (metric) {
    case rank_metric::bytes:
      return static_cast<double>(m.bytes);
    case rank_metric::packets:
      return static_cast<double>(m.packets);
    case rank_metric::flows:
      return static_cast<double>(m.flows);
    case rank_metric::distinct_peers:
      return static_cast<double>(m.distinct_peers);
    case rank_metric::distinct_ports:
      return static_cast<double>(m.distinct_ports);
    case rank_metric::syn_only_flows:
      return static_cast<double>(m.syn_only_flows);
    case rank_metric::deviation:
      return m.deviation;
  }
  return 0;
}

void encode_ranking_value(const ranking_value& v, std::string& out) {
  out.clear();
  out.push_back(static_cast<char>(ranking_format));
  for (const auto* m : {&v.out, &v.in}) {
    for (uint64_t x :
         {m->bytes, m->packets, m->flows, m->distinct_peers, m->distinct_ports, m->syn_only_flows})
      append_varint(out, x);
    append_double(out, m->deviation);
  }
}

std::optional<ranking_value> decode_ranking_value(std::string_view value) {
  if (value.empty() || static_cast<uint8_t>(value[0]) != ranking_format)
    return std::nullopt;
  value.remove_prefix(1);
  ranking_value v;
  for (auto* m : {&v.out, &v.in}) {
    for (uint64_t* x : {&m->bytes, &m->packets, &m->flows, &m->distinct_peers,
                        &m->distinct_ports, &m->syn_only_flows}) {
      auto r = read_varint(value);
      if (!r)
        return std::nullopt;
      *x = *r;
    }
    if (!read_double(value, m->deviation))
      return std::nullopt;
  }
  if (!value.empty())
    return std::nullopt;
  return v;
}

} // namespace hostflow
