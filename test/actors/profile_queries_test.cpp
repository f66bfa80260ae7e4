// Queries over a replayed capture: a host's profile, rankings and network
// maps find the labelled attacks of the scenario, agree with the stored
// windows, and refuse bad requests with a reason.

#include <doctest/doctest.h>

#include <map>
#include <string>

#include "replayed_scenario.hpp"

using namespace hostflow;
using test::ip;
using test::minute_0901;
using test::minute_0902;
using test::minute_0903;
using test::net;
using test::replayed_scenario;

namespace {

window_selector minute(int64_t start, host_direction d, rank_metric m) {
  window_selector s;
  s.granularity_s = 60;
  s.direction = d;
  s.metric = m;
  s.window_start_ms = start;
  return s;
}

} // namespace

TEST_CASE("rankings of closed windows find the scenario's attackers and victims") {
  replayed_scenario sc;
  auto src = sc.source();
  struct expectation {
    const char* what;
    window_selector sel;
    const char* top;
  };
  expectation cases[] = {
    {"horizontal scanner by distinct peers",
     minute(minute_0901, host_direction::out, rank_metric::distinct_peers), "10.10.10.77"},
    {"vertical scan victim by distinct local ports",
     minute(minute_0901, host_direction::in, rank_metric::distinct_ports), "10.10.1.12"},
    {"SYN flood victim by SYN-only flows",
     minute(minute_0902, host_direction::in, rank_metric::syn_only_flows), "10.10.1.10"},
    {"UDP flood victim by bytes", minute(minute_0903, host_direction::in, rank_metric::bytes),
     "10.10.10.200"},
  };
  for (const auto& c : cases) {
    CAPTURE(std::string(c.what));
    top_hosts_answer top;
    auto error = query_top_hosts(src, c.sel, 5, top);
    REQUIRE_MESSAGE(!error, error.message);
    CHECK_FALSE(top.window_open);
    REQUIRE(!top.hosts.empty());
    CHECK(top.hosts.size() <= 5);
    CHECK(top.hosts[0].host == ip(c.top));
    for (size_t i = 1; i < top.hosts.size(); ++i)
      CHECK(top.hosts[i - 1].value >= top.hosts[i].value);
  }
}

TEST_CASE("a host's profile holds its closed windows, which add up to its records") {
  replayed_scenario sc;
  auto host = ip("10.10.1.10");
  host_profile_answer answer;
  auto error = query_host_profile(sc.source(), host, {10, 300}, 0, minute_0903 + 3'600'000, answer);
  REQUIRE_MESSAGE(!error, error.message);
  uint64_t expected_in = 0, expected_out = 0;
  for (const auto& r : sc.records) {
    if (r.dst_addr == host)
      expected_in += r.bytes;
    if (r.src_addr == host)
      expected_out += r.bytes;
  }
  std::map<std::pair<uint32_t, host_direction>, uint64_t> bytes;
  for (const auto& w : answer.closed)
    bytes[{w.granularity_s, w.direction}] += w.counters.bytes;
  CHECK(bytes[{10, host_direction::in}] == expected_in);
  CHECK(bytes[{300, host_direction::in}] == expected_in);
  CHECK(bytes[{10, host_direction::out}] == expected_out);
  CHECK(answer.open.open_windows.empty()); // everything closed
  // Its 5 min windows were scored against a baseline that had just started.
  CHECK(answer.open.has_baseline);
  CHECK(answer.open.baseline.size() == 8);
}

TEST_CASE("a network map sums its hosts per cell and equals the ranking of the same window") {
  replayed_scenario sc;
  auto src = sc.source();
  auto sel = minute(minute_0902, host_direction::in, rank_metric::bytes);
  network_map_answer map;
  auto error = query_network_map(src, net("10.10.0.0/16"), 24, sel, map);
  REQUIRE_MESSAGE(!error, error.message);
  REQUIRE(!map.cells.empty());
  top_hosts_answer all;
  REQUIRE(!query_top_hosts(src, sel, max_top_limit, all));
  double total = 0;
  uint64_t hosts = 0;
  for (const auto& c : map.cells) {
    CHECK(c.cell.written_length() == 24);
    CHECK(net("10.10.0.0/16").contains(c.cell.network));
    total += c.value;
    hosts += c.hosts;
  }
  double ranked = 0;
  for (const auto& h : all.hosts)
    ranked += h.value;
  CHECK(hosts == all.hosts.size());
  CHECK(total == ranked);
}

TEST_CASE("open windows are ranked from the shards before they close") {
  replayed_scenario sc{false};
  auto src = sc.source();
  query_error error;
  auto watermark = current_watermark(src, error);
  REQUIRE(watermark);
  window_selector sel;
  sel.granularity_s = 300;
  sel.direction = host_direction::in;
  sel.window_start_ms = floor_div(*watermark, 300'000) * 300'000;
  top_hosts_answer top;
  error = query_top_hosts(src, sel, 3, top);
  REQUIRE_MESSAGE(!error, error.message);
  CHECK(top.window_open);
  REQUIRE(!top.hosts.empty());
  // The value is what the host's own open window says.
  host_profile_answer answer;
  REQUIRE(!query_host_profile(src, top.hosts[0].host, {300}, *sel.window_start_ms,
                              *sel.window_start_ms + 300'000, answer));
  bool found = false;
  for (const auto& w : answer.open.open_windows)
    if (w.direction == host_direction::in) {
      CHECK(static_cast<double>(w.counters.bytes) == top.hosts[0].value);
      found = true;
    }
  CHECK(found);
}

TEST_CASE("bad queries are refused with the field and value named") {
  replayed_scenario sc;
  auto src = sc.source();
  top_hosts_answer top;
  auto sel = minute(minute_0902, host_direction::in, rank_metric::bytes);

  auto e = query_top_hosts(src, sel, 0, top);
  CHECK(e.code == query_errc::invalid_argument);
  CHECK(e.message.find("limit: 0") != std::string::npos);

  auto odd = sel;
  odd.granularity_s = 45;
  e = query_top_hosts(src, odd, 10, top);
  CHECK(e.code == query_errc::invalid_argument);
  CHECK(e.message.find("granularity: 45") != std::string::npos);

  auto unaligned = sel;
  unaligned.window_start_ms = minute_0902 + 1'000;
  e = query_top_hosts(src, unaligned, 10, top);
  CHECK(e.code == query_errc::invalid_argument);
  CHECK(e.message.find("not aligned") != std::string::npos);

  network_map_answer map;
  e = query_network_map(src, net("10.0.0.0/8"), 32, sel, map);
  CHECK(e.code == query_errc::invalid_argument);
  CHECK(e.message.find("2^24 cells") != std::string::npos);
  e = query_network_map(src, net("10.10.0.0/16"), 8, sel, map);
  CHECK(e.code == query_errc::invalid_argument);

  host_profile_answer answer;
  e = query_host_profile(src, ip("192.0.2.99"), {60}, 0, minute_0903, answer);
  CHECK(e.code == query_errc::not_found);
  CHECK(e.message.find("192.0.2.99") != std::string::npos);
  e = query_host_profile(src, ip("10.10.1.10"), {60}, minute_0903, minute_0902, answer);
  CHECK(e.code == query_errc::invalid_argument);
}
