// JSON lines of query answers: the flat schema docs/CLI.md documents.

#include <doctest/doctest.h>

#include "client/query_json.hpp"
#include "client/query_names.hpp"

using namespace hostflow;
using namespace hostflow::client;

namespace {

constexpr int64_t minute_0901_s = 1'709'542'860; // 2024-03-04T09:01:00Z

v1::Window sample_window() {
  v1::Window w;
  w.set_granularity(v1::GRANULARITY_1_MINUTE);
  w.mutable_start()->set_seconds(minute_0901_s);
  w.set_direction(v1::DIRECTION_IN);
  w.set_flows(60'624);
  w.set_packets(66'625);
  w.set_bytes(3'741'692);
  w.mutable_total_flow_duration()->set_seconds(185);
  w.mutable_total_flow_duration()->set_nanos(582'000'000);
  w.mutable_tcp_flags()->set_syn_flows(60'615);
  w.mutable_tcp_flags()->set_syn_only_flows(59'876);
  w.mutable_protocols()->set_tcp_flows(60'615);
  w.mutable_protocols()->set_icmp_bytes(2436);
  w.set_distinct_peers(59'521);
  w.set_distinct_local_ports(2);
  auto* peer = w.add_top_peers_by_bytes();
  peer->set_address("143.245.215.238");
  peer->set_count(468'191);
  peer->set_error(465'973);
  auto* port = w.add_top_peer_ports_by_flows();
  port->set_port(443);
  port->set_count(12);
  return w;
}

} // namespace

TEST_CASE("window_to_json is one flat object with snake_case names, numbers and RFC 3339") {
  auto j = window_to_json("10.10.1.10", sample_window(), true);
  CHECK(j.dump().find('\n') == std::string::npos);
  CHECK(j["host"] == "10.10.1.10");
  CHECK(j["direction"] == "in");
  CHECK(j["granularity"] == "1m");
  CHECK(j["granularity_seconds"] == 60);
  CHECK(j["window_start"] == "2024-03-04T09:01:00.000Z");
  CHECK(j["open"] == true);
  CHECK(j["flows"] == 60'624);
  CHECK(j["packets"] == 66'625);
  CHECK(j["bytes"] == 3'741'692);
  CHECK(j["total_flow_duration_seconds"] == doctest::Approx(185.582));
  CHECK(j["syn_flows"] == 60'615);
  CHECK(j["syn_only_flows"] == 59'876);
  CHECK(j["ack_flows"] == 0);
  CHECK(j["tcp_flows"] == 60'615);
  CHECK(j["icmp_bytes"] == 2436);
  CHECK(j["distinct_peers"] == 59'521);
  CHECK(j["distinct_peer_ports"] == 0);
  CHECK(j["distinct_local_ports"] == 2);
  CHECK(j["deviation"] == 0.0);
  CHECK(j["top_peers_by_bytes"] ==
        json::parse(R"([{"address": "143.245.215.238", "count": 468191, "error": 465973}])"));
  CHECK(j["top_peer_ports_by_flows"] == json::parse(R"([{"port": 443, "count": 12, "error": 0}])"));
  CHECK(j["top_peers_by_flows"] == json::array());
  // The documented order: who, which window, then the numbers.
  CHECK(j.begin().key() == "host");
  CHECK(std::next(j.begin(), 5).key() == "open");
  CHECK(window_to_json("10.10.1.10", sample_window(), false)["open"] == false);
}

TEST_CASE("ranked_host_to_json and map_cell_to_json carry the window and whole-number values") {
  v1::TopHostsRequest top;
  top.set_metric(v1::METRIC_BYTES);
  top.set_direction(v1::DIRECTION_OUT);
  v1::TopHostsResponse ranking;
  ranking.set_granularity(v1::GRANULARITY_5_MINUTES);
  ranking.mutable_window_start()->set_seconds(minute_0901_s - 60);
  ranking.set_window_open(true);
  auto* h = ranking.add_hosts();
  h->set_address("10.10.3.45");
  h->set_value(13'880'854);
  h = ranking.add_hosts();
  h->set_address("10.10.1.13");
  h->set_value(4'098'182);
  auto j = ranked_host_to_json(top, ranking, 1);
  CHECK(j.dump() == R"({"rank":2,"host":"10.10.1.13","value":4098182,"metric":"bytes",)"
                    R"("direction":"out","granularity":"5m","granularity_seconds":300,)"
                    R"("window_start":"2024-03-04T09:00:00.000Z","window_open":true})");

  top.set_metric(v1::METRIC_DEVIATION);
  ranking.mutable_hosts(0)->set_value(2.5);
  CHECK(ranked_host_to_json(top, ranking, 0)["value"] == 2.5);
  CHECK(ranked_host_to_json(top, ranking, 0)["metric"] == "deviation");

  v1::GetNetworkMapRequest map;
  map.set_metric(v1::METRIC_SYN_ONLY_FLOWS);
  map.set_direction(v1::DIRECTION_IN);
  v1::GetNetworkMapResponse cells;
  cells.set_granularity(v1::GRANULARITY_10_SECONDS);
  cells.mutable_window_start()->set_seconds(minute_0901_s);
  auto* c = cells.add_cells();
  c->set_prefix("10.10.1.0/24");
  c->set_value(59'876);
  c->set_hosts(4);
  CHECK(map_cell_to_json(map, cells, 0).dump() ==
        R"({"prefix":"10.10.1.0/24","value":59876,"hosts":4,"metric":"syn-only",)"
        R"("direction":"in","granularity":"10s","granularity_seconds":10,)"
        R"("window_start":"2024-03-04T09:01:00.000Z","window_open":false})");
}

TEST_CASE("status_to_json gives one line per server, ingest, shard, receiver and exporter") {
  v1::GetStatusResponse s;
  s.set_version("0.1.0");
  s.mutable_uptime()->set_seconds(3);
  s.mutable_uptime()->set_nanos(414'000'000);
  s.set_hosts_in_memory(1035);
  auto* shard = s.add_shards();
  shard->set_record_views(65'281);
  shard->mutable_watermark()->set_seconds(minute_0901_s);
  s.add_shards()->set_shard(1);
  s.mutable_ingest()->set_records(143'481);
  auto* receiver = s.mutable_ingest()->add_receivers();
  receiver->set_listen("127.0.0.1:4739");
  receiver->set_records(143'481);
  auto* exporter = receiver->add_exporters();
  exporter->set_exporter("127.0.0.1:37363");
  exporter->set_data_records(143'481);

  auto lines = status_to_json(s);
  REQUIRE(lines.size() == 6);
  CHECK(lines[0]["kind"] == "server");
  CHECK(lines[0]["version"] == "0.1.0");
  CHECK(lines[0]["uptime_seconds"] == doctest::Approx(3.414));
  CHECK(lines[0]["watermark"].is_null());
  CHECK(lines[0]["start_time"].is_null());
  CHECK(lines[0]["hosts_in_memory"] == 1035);
  CHECK(lines[1]["kind"] == "ingest");
  CHECK(lines[1]["records"] == 143'481);
  CHECK(lines[2]["kind"] == "shard");
  CHECK(lines[2]["shard"] == 0);
  CHECK(lines[2]["watermark"] == "2024-03-04T09:01:00.000Z");
  CHECK(lines[2]["record_views"] == 65'281);
  CHECK(lines[2]["buckets_closed_early"] == 0); // every counter, zeros included
  CHECK(lines[3]["kind"] == "shard");
  CHECK(lines[3]["shard"] == 1);
  CHECK(lines[3]["watermark"].is_null());
  CHECK(lines[4]["kind"] == "receiver");
  CHECK(lines[4]["listen"] == "127.0.0.1:4739");
  CHECK(lines[4]["exporters"] == 1);
  CHECK(lines[5]["kind"] == "exporter");
  CHECK(lines[5]["listen"] == "127.0.0.1:4739");
  CHECK(lines[5]["exporter"] == "127.0.0.1:37363");
  CHECK(lines[5]["data_records"] == 143'481);
  CHECK(lines[5]["decode_errors"] == 0);
  for (const auto& l : lines)
    for (const auto& [key, value] : l.items())
      CHECK_MESSAGE(!value.is_object(), key); // flat: no nested objects
}

TEST_CASE("the short names of granularities, directions and metrics read back") {
  std::string error;
  for (auto g : {v1::GRANULARITY_10_SECONDS, v1::GRANULARITY_30_SECONDS, v1::GRANULARITY_1_MINUTE,
                 v1::GRANULARITY_5_MINUTES})
    CHECK(parse_granularity(to_name(g), error) == g);
  CHECK(parse_granularity("300s", error) == v1::GRANULARITY_5_MINUTES);
  CHECK(!parse_granularity("2m", error));
  CHECK(error == "\"2m\" is not a granularity (use 10s, 30s, 1m or 5m)");
  CHECK(parse_direction("in", error) == v1::DIRECTION_IN);
  CHECK(!parse_direction("both", error));
  CHECK(error == "\"both\" is not a direction (use out or in)");
  for (auto m : {v1::METRIC_BYTES, v1::METRIC_PACKETS, v1::METRIC_FLOWS, v1::METRIC_DISTINCT_PEERS,
                 v1::METRIC_DISTINCT_PORTS, v1::METRIC_SYN_ONLY_FLOWS, v1::METRIC_DEVIATION})
    CHECK(parse_metric(to_name(m), error) == m);
  CHECK(to_name(v1::DIRECTION_UNSPECIFIED) == "unspecified");
  CHECK(seconds_of(v1::GRANULARITY_5_MINUTES) == 300);
}
