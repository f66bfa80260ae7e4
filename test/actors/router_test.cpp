// Routing: the shard map is data, every record goes to the shards of its
// monitored ends under the right view, the exporter selection keeps what
// counts, and the rest is counted.

#include <doctest/doctest.h>

#include <set>
#include <string>

#include "actors/router.hpp"

using namespace hostflow;

namespace {

cidr net(const char* text) {
  std::string error;
  auto c = cidr::parse(text, error);
  REQUIRE_MESSAGE(c, error);
  return *c;
}

flow_record record(const char* src, const char* dst, int64_t end_ms = 1'000) {
  flow_record r;
  r.src_addr = *ip_address::parse(src);
  r.dst_addr = *ip_address::parse(dst);
  r.exporter = endpoint{*ip_address::parse("192.0.2.1"), 2055};
  r.end_ms = r.start_ms = end_ms;
  r.packets = 1;
  r.bytes = 100;
  return r;
}

// A routing table of `shards` shards (no actors: routing only fills the
// pending batches).
std::shared_ptr<routing_table> table(uint32_t shards, std::vector<cidr> monitored,
                                     std::vector<exporter_rule> rules = {}) {
  auto t = std::make_shared<routing_table>(
    routing_table{shard_map{4096, shards}, {}, false, exporter_selection{std::move(rules)}});
  t->shards.attach(std::vector<host_shard_actor>(shards));
  for (const auto& n : monitored)
    t->monitored.add(n);
  return t;
}

struct routed {
  uint32_t shard;
  record_view_kind kind;
  ip_address src;
};

std::vector<routed> all_views(record_router& router) {
  std::vector<routed> out;
  for (uint32_t s = 0; s < router.pending().size(); ++s) {
    const auto& b = router.pending()[s];
    REQUIRE(b.records.size() == b.kinds.size());
    REQUIRE(b.records.size() == b.source_newest.size());
    for (size_t i = 0; i < b.records.size(); ++i)
      out.push_back(routed{s, b.kinds[i], b.records[i].src_addr});
  }
  return out;
}

} // namespace

TEST_CASE("each end of a record reaches its own shard under the view its role gives") {
  auto t = table(4, {net("10.0.0.0/8")});
  record_router router{t};
  const auto& map = t->shards;

  router.route(record("10.0.0.1", "10.0.0.2")); // both monitored
  router.route(record("10.0.0.1", "198.51.100.1")); // source only
  router.route(record("198.51.100.1", "10.0.0.2")); // destination only
  router.route(record("198.51.100.1", "203.0.113.9")); // neither

  auto views = all_views(router);
  REQUIRE(views.size() == 5);
  std::multiset<std::pair<uint32_t, int>> got, expected;
  for (const auto& v : views)
    got.insert({v.shard, static_cast<int>(v.kind)});
  auto a = *ip_address::parse("10.0.0.1"), b = *ip_address::parse("10.0.0.2"),
       x = *ip_address::parse("198.51.100.1");
  expected.insert({map.owner_index(a), static_cast<int>(record_view_kind::outgoing)});
  expected.insert({map.owner_index(b), static_cast<int>(record_view_kind::incoming)});
  expected.insert({map.owner_index(a), static_cast<int>(record_view_kind::outgoing)});
  expected.insert({map.owner_index(x), static_cast<int>(record_view_kind::external_source)});
  expected.insert({map.owner_index(b), static_cast<int>(record_view_kind::incoming)});
  CHECK(got == expected);
  const auto& c = router.counters();
  CHECK(c.records == 4);
  CHECK(c.unmonitored == 1);
  CHECK(c.outgoing == 2);
  CHECK(c.incoming == 2);
  CHECK(c.external == 1);
}

TEST_CASE("the shard map spreads addresses evenly and moves a virtual shard by one entry") {
  shard_map map{4096, 3};
  std::vector<size_t> per_shard(3);
  for (uint32_t i = 0; i < 30'000; ++i)
    ++per_shard[map.owner_index(ip_address::from_v4(0x0a000000u + i))];
  for (size_t n : per_shard)
    CHECK(n == doctest::Approx(10'000).epsilon(0.05));
  // Neighbouring addresses land in different virtual shards.
  CHECK(map.virtual_shard_of(*ip_address::parse("10.0.0.1")) !=
        map.virtual_shard_of(*ip_address::parse("10.0.0.2")));
  auto a = *ip_address::parse("10.1.2.3");
  uint32_t v = map.virtual_shard_of(a);
  uint32_t other = (map.owner_index(a) + 1) % 3;
  auto version = map.version();
  map.assign(v, other);
  CHECK(map.owner_index(a) == other);
  CHECK(map.version() == version + 1);
}

TEST_CASE("records carry their exporter's newest event time so far") {
  auto t = table(2, {net("10.0.0.0/8")});
  record_router router{t};
  router.route(record("10.0.0.1", "10.0.0.2", 5'000));
  router.route(record("10.0.0.3", "10.0.0.4", 3'000)); // late, behind the newest
  auto second_exporter = record("10.0.0.5", "10.0.0.6", 1'000);
  second_exporter.exporter.port = 9995;
  router.route(second_exporter);
  std::vector<std::pair<int64_t, int64_t>> end_and_newest;
  for (const auto& b : router.pending())
    for (size_t i = 0; i < b.records.size(); ++i)
      end_and_newest.emplace_back(b.records[i].end_ms, b.source_newest[i]);
  std::sort(end_and_newest.begin(), end_and_newest.end());
  REQUIRE(end_and_newest.size() == 6);
  CHECK(end_and_newest[0] == std::pair<int64_t, int64_t>{1'000, 1'000}); // its own exporter
  CHECK(end_and_newest[2] == std::pair<int64_t, int64_t>{3'000, 5'000});
  CHECK(end_and_newest[4] == std::pair<int64_t, int64_t>{5'000, 5'000});
}

TEST_CASE("the exporter selection keeps one direction of border interfaces and counts the rest") {
  exporter_rule border;
  border.exporter = *ip_address::parse("192.0.2.1");
  border.input_interfaces = {7};
  border.direction = direction_filter::ingress;
  exporter_rule ignored;
  ignored.exporter = *ip_address::parse("192.0.2.2");
  ignored.ignore = true;
  auto t = table(2, {net("10.0.0.0/8")}, {border, ignored});
  record_router router{t};

  auto in_border = record("10.0.0.1", "10.0.0.2");
  in_border.input_if = 7;
  auto egress = in_border;
  egress.direction = flow_direction::egress;
  auto other_if = in_border;
  other_if.input_if = 8;
  auto unlisted = record("10.0.0.1", "10.0.0.2");
  unlisted.exporter.address = *ip_address::parse("192.0.2.3");
  auto from_ignored = unlisted;
  from_ignored.exporter.address = *ip_address::parse("192.0.2.2");

  for (const auto& r : {in_border, egress, other_if, unlisted, from_ignored})
    router.route(r);
  CHECK(router.counters().not_selected == 3);
  CHECK(all_views(router).size() == 4); // in_border and unlisted, two views each

  // Unreported direction counts as ingress; egress rules want a reported egress.
  CHECK(border.selects(in_border));
  exporter_rule egress_rule = border;
  egress_rule.direction = direction_filter::egress;
  egress_rule.input_interfaces.clear();
  egress_rule.output_interfaces = {3};
  auto out = in_border;
  out.output_if = 3;
  CHECK_FALSE(egress_rule.selects(out));
  out.direction = flow_direction::egress;
  CHECK(egress_rule.selects(out));
}

TEST_CASE("monitor_all profiles every address") {
  auto t = table(2, {});
  t->monitor_all = true;
  record_router router{t};
  router.route(record("198.51.100.1", "203.0.113.9"));
  CHECK(router.counters().unmonitored == 0);
  CHECK(router.counters().outgoing == 1);
  CHECK(router.counters().incoming == 1);
}
