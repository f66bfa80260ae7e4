#include <doctest/doctest.h>

#include <string>

#include "state/varint.hpp"
#include "state/window_codec.hpp"

using namespace hostflow;

namespace {

constexpr int64_t start = 1'709'542'800'000;

window_summary summary(host_direction d) {
  window_summary w;
  w.granularity_s = 60;
  w.start_ms = start;
  w.direction = d;
  w.counters.flows = 120;
  w.counters.packets = 4'000;
  w.counters.bytes = 3'000'000'000;
  w.counters.syn_flows = 7;
  w.distinct_peers = 33;
  w.distinct_peer_ports = 2;
  w.distinct_local_ports = 90;
  w.top_peers_by_bytes = {{*ip_address::parse("203.0.113.7"), 2'000'000'000, 0},
                          {*ip_address::parse("2001:db8::7"), 900'000'000, 1'000}};
  w.top_peers_by_flows = {{*ip_address::parse("198.51.100.1"), 80, 3}};
  w.top_peer_ports_by_bytes = {{443, 2'500'000'000, 0}};
  w.top_peer_ports_by_flows = {{443, 100, 0}, {53, 20, 0}};
  w.deviation = 2.5;
  return w;
}

} // namespace

TEST_CASE("a stored window decodes to what was encoded, both directions and every top list") {
  stored_window w;
  w.granularity_s = 60;
  w.start_ms = start;
  w.out = summary(host_direction::out);
  w.in = summary(host_direction::in);
  w.in->top_peers_by_bytes.clear();
  std::string value;
  CHECK_FALSE(encode_window_value(w, 4096, value));
  auto back = decode_window_value(value, 60, start);
  REQUIRE(back);
  REQUIRE(back->out);
  REQUIRE(back->in);
  CHECK(*back->out == *w.out);
  CHECK(*back->in == *w.in);

  // IPv4 peers take 5 bytes in a top list, IPv6 ones 17.
  stored_window v6 = w;
  v6.out->top_peers_by_bytes[0].key = *ip_address::parse("2001:db8::1");
  std::string longer;
  encode_window_value(v6, 4096, longer);
  CHECK(longer.size() == value.size() + 12);
}

TEST_CASE("a stored window over its byte budget loses top entries, never counters") {
  stored_window w;
  w.granularity_s = 60;
  w.start_ms = start;
  w.out = summary(host_direction::out);
  std::string whole;
  encode_window_value(w, 4096, whole);
  std::string value;
  CHECK(encode_window_value(w, whole.size() - 10, value));
  CHECK(value.size() <= whole.size() - 10);
  auto back = decode_window_value(value, 60, start);
  REQUIRE(back);
  CHECK(back->out->counters == w.out->counters);
  CHECK(back->out->distinct_local_ports == 90);
  size_t kept = back->out->top_peers_by_bytes.size() + back->out->top_peers_by_flows.size() +
                back->out->top_peer_ports_by_bytes.size() +
                back->out->top_peer_ports_by_flows.size();
  CHECK(kept < 6);
}

TEST_CASE("stored windows of the first format, with 16-byte addresses, are still read") {
  auto w = summary(host_direction::out);
  w.top_peers_by_flows.clear();
  w.top_peer_ports_by_bytes.clear();
  w.top_peer_ports_by_flows.clear();
  w.top_peers_by_bytes.resize(1);
  // Format 1 as it was written: version, direction mask, counters, distinct
  // counts, top lists with plain 16-byte addresses, deviation.
  std::string v1 = {1, 1};
  auto values = w.counters.values();
  append_varint(v1, values.size());
  for (uint64_t x : values)
    append_varint(v1, x);
  append_varint(v1, w.distinct_peers);
  append_varint(v1, w.distinct_peer_ports);
  append_varint(v1, w.distinct_local_ports);
  append_varint(v1, 1);
  v1.append(reinterpret_cast<const char*>(w.top_peers_by_bytes[0].key.bytes.data()), 16);
  append_varint(v1, w.top_peers_by_bytes[0].count);
  append_varint(v1, w.top_peers_by_bytes[0].error);
  for (int list = 0; list < 3; ++list)
    append_varint(v1, 0);
  double deviation = w.deviation;
  v1.append(reinterpret_cast<const char*>(&deviation), 8);

  auto back = decode_window_value(v1, 60, start);
  REQUIRE(back);
  REQUIRE(back->out);
  CHECK(*back->out == w);
}

TEST_CASE("truncated or unknown stored windows are refused") {
  stored_window w;
  w.granularity_s = 60;
  w.start_ms = start;
  w.out = summary(host_direction::out);
  std::string value;
  encode_window_value(w, 4096, value);
  for (size_t n = 0; n < value.size(); ++n)
    CHECK_FALSE(decode_window_value(std::string_view(value).substr(0, n), 60, start));
  std::string unknown = value;
  unknown[0] = 9;
  CHECK_FALSE(decode_window_value(unknown, 60, start));
  std::string bad_family = value;
  // The first top-list address's length byte sits after the counters; find
  // it as the byte before the IPv4 203.0.113.7.
  auto at = bad_family.find(std::string("\xcb\x00\x71\x07", 4));
  REQUIRE(at != std::string::npos);
  bad_family[at - 1] = 5;
  CHECK_FALSE(decode_window_value(bad_family, 60, start));
}
