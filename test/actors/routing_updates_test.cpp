// A reloaded routing table: published once, taken by a router between
// records, with the shard map, pending batches and counters carried over.

#include <doctest/doctest.h>

#include <string>

#include "actors/router.hpp"

using namespace hostflow;

namespace {

cidr network(const char* text) {
  std::string error;
  auto c = cidr::parse(text, error);
  REQUIRE_MESSAGE(c, error);
  return *c;
}

flow_record flow(const char* src, const char* dst) {
  flow_record r;
  r.src_addr = *ip_address::parse(src);
  r.dst_addr = *ip_address::parse(dst);
  r.exporter = endpoint{*ip_address::parse("192.0.2.1"), 2055};
  r.start_ms = r.end_ms = 1'000;
  r.packets = 1;
  r.bytes = 64;
  return r;
}

std::shared_ptr<const routing_table> initial_table() {
  auto t = std::make_shared<routing_table>(
    routing_table{shard_map{4096, 3}, {}, false, exporter_selection{{}}});
  t->shards.attach(std::vector<host_shard_actor>(3));
  t->monitored.add(network("10.0.0.0/8"));
  return t;
}

size_t pending_records(record_router& router) {
  size_t n = 0;
  for (const auto& batch : router.pending())
    n += batch.records.size();
  return n;
}

} // namespace

TEST_CASE("a published table replaces the policy and keeps the shard map") {
  routing_updates updates{initial_table()};
  auto v1 = updates.version();
  auto next = updates.with_policy({network("192.0.2.0/24")}, false, {});
  CHECK(updates.version() == v1); // not in force before publish
  updates.publish(next);
  CHECK(updates.version() == v1 + 1);
  auto now = updates.current();
  CHECK(now == next);
  CHECK(now->is_monitored(*ip_address::parse("192.0.2.7")));
  CHECK_FALSE(now->is_monitored(*ip_address::parse("10.1.2.3")));
  CHECK(now->shards.shards().size() == 3);
  auto a = *ip_address::parse("192.0.2.7");
  CHECK(now->shards.owner_index(a) == initial_table()->shards.owner_index(a));
}

TEST_CASE("a router takes a new table between records, keeping pending batches and counters") {
  routing_updates updates{initial_table()};
  record_router router{updates.current()};
  router.route(flow("10.0.0.1", "198.51.100.1"));
  CHECK(pending_records(router) == 1);
  CHECK(router.counters().unmonitored == 0);

  updates.publish(updates.with_policy({network("198.51.100.0/24")}, false, {}));
  router.set_table(updates.current());
  router.route(flow("10.0.0.1", "203.0.113.1"));    // neither end monitored now
  router.route(flow("10.0.0.1", "198.51.100.1"));   // the destination is
  // The first record's view, then the incoming view of the monitored
  // destination and the external view of its unmonitored source.
  CHECK(pending_records(router) == 3);
  CHECK(router.counters().external == 1);
  CHECK(router.counters().records == 3);
  CHECK(router.counters().unmonitored == 1);
  CHECK(router.counters().incoming == 1);
}

TEST_CASE("monitor_all and the exporter selection come with the published table") {
  routing_updates updates{initial_table()};
  exporter_rule ignore_all;
  ignore_all.exporter = *ip_address::parse("192.0.2.1");
  ignore_all.ignore = true;
  updates.publish(updates.with_policy({}, true, {ignore_all}));
  record_router router{updates.current()};
  router.route(flow("203.0.113.1", "203.0.113.2"));
  CHECK(router.counters().not_selected == 1);
  CHECK(pending_records(router) == 0);
  CHECK(updates.current()->monitor_all);
}
