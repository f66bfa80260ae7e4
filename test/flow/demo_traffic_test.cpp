// The demo network's traffic: the same records for the same seed however a
// range is cut, every record inside the range asked for, and each attack of
// the cycle there in its own time with the shape a detector looks for.

#include <doctest/doctest.h>

#include <set>
#include <tuple>
#include <vector>

#include "flow/cidr.hpp"
#include "flow/demo_traffic.hpp"

using namespace hostflow;

namespace {

constexpr int64_t start_ms = 1'790'000'000'000;

auto key(const flow_record& r) {
  return std::make_tuple(r.end_ms, r.src_addr, r.dst_addr, r.src_port, r.dst_port, r.protocol,
                         r.packets, r.bytes, r.start_ms, r.tcp_flags);
}

// The records of seconds [from_s, to_s) of the cycle.
std::vector<flow_record> seconds(const demo_traffic& t, int64_t from_s, int64_t to_s) {
  return t.generate(start_ms + from_s * 1000, start_ms + to_s * 1000);
}

bool in_demo_network(const ip_address& a) {
  std::string error;
  return cidr::parse(demo_traffic::network(), error)->contains(a);
}

} // namespace

TEST_CASE("the same seed gives the same records however the range is cut") {
  demo_traffic t{start_ms, 7};
  auto whole = seconds(t, 0, 30);
  std::vector<flow_record> pieces;
  for (int64_t from = start_ms - 333; from < start_ms + 30'000; from += 1'777) {
    auto part = t.generate(std::max(from, start_ms), std::min(from + 1'777, start_ms + 30'000));
    pieces.insert(pieces.end(), part.begin(), part.end());
  }
  REQUIRE(whole.size() == pieces.size());
  std::multiset<decltype(key(whole[0]))> a, b;
  for (const auto& r : whole)
    a.insert(key(r));
  for (const auto& r : pieces)
    b.insert(key(r));
  CHECK(a == b);
  // Another seed, other traffic.
  CHECK(seconds(demo_traffic{start_ms, 8}, 0, 30).size() != whole.size());
}

TEST_CASE("every record ends inside the range and touches the demo network") {
  demo_traffic t{start_ms};
  auto records = t.generate(start_ms + 1'500, start_ms + 61'200);
  REQUIRE(records.size() > 1000);
  for (const auto& r : records) {
    CHECK(r.end_ms >= start_ms + 1'500);
    CHECK(r.end_ms < start_ms + 61'200);
    CHECK(r.start_ms <= r.end_ms);
    CHECK(r.packets > 0);
    CHECK(r.bytes >= r.packets * 40);
    CHECK((in_demo_network(r.src_addr) || in_demo_network(r.dst_addr)));
  }
}

TEST_CASE("the horizontal scan probes every host of the /24 on port 23 in its minute") {
  demo_traffic t{start_ms};
  const auto& scan = demo_traffic::attacks()[0];
  CHECK(scan.from_s < 60); // a newcomer sees it within a minute
  std::set<ip_address> targets;
  for (const auto& r : seconds(t, scan.from_s, scan.to_s))
    if (r.src_addr == *ip_address::parse("203.0.113.66")) {
      CHECK(r.dst_port == 23);
      CHECK(r.tcp_flags == 0x02); // SYN only
      targets.insert(r.dst_addr);
    }
  CHECK(targets.size() == 254);
  for (const auto& r : seconds(t, scan.to_s, demo_traffic::cycle_seconds))
    CHECK(r.src_addr != *ip_address::parse("203.0.113.66"));
}

TEST_CASE("the SSH brute force, SYN flood and UDP reflection each run in their own time") {
  demo_traffic t{start_ms};
  const auto& list = demo_traffic::attacks();
  auto brute = *ip_address::parse("198.51.100.23");
  auto ssh_host = *ip_address::parse("10.20.0.22");
  auto web = *ip_address::parse("10.20.0.10");
  auto victim = *ip_address::parse("10.20.0.105");
  size_t logins = 0, syn_only = 0, reflected = 0;
  std::set<ip_address> flood_sources;
  for (const auto& r : seconds(t, 0, demo_traffic::cycle_seconds)) {
    int64_t cycle_s = (r.end_ms - start_ms) / 1000;
    if (r.src_addr == brute && r.dst_addr == ssh_host && r.dst_port == 22) {
      ++logins;
      CHECK((cycle_s >= list[1].from_s && cycle_s < list[1].to_s));
    }
    if (r.dst_addr == web && r.dst_port == 80 && r.tcp_flags == 0x02) {
      ++syn_only;
      flood_sources.insert(r.src_addr);
      CHECK((cycle_s >= list[2].from_s && cycle_s < list[2].to_s));
    }
    if (r.dst_addr == victim && r.src_port == 123 && r.protocol == 17) {
      ++reflected;
      CHECK((cycle_s >= list[3].from_s && cycle_s < list[3].to_s));
    }
  }
  CHECK(logins == 3 * static_cast<size_t>(list[1].to_s - list[1].from_s));
  CHECK(syn_only == 150 * static_cast<size_t>(list[2].to_s - list[2].from_s));
  CHECK(flood_sources.size() > 10'000); // spoofed: nearly every flow its own source
  CHECK(reflected == 30 * static_cast<size_t>(list[3].to_s - list[3].from_s));
}
