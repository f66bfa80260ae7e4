// The gRPC API end to end: a real server on a loopback port over a real
// pipeline fed with the attack scenario, asked through the generated client
// stub. Its answers must be those of the profile queries asked directly,
// and bad requests must come back with a status code and a message that
// names the field.

#include <chrono>
#include <csignal>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include <caf/exit_reason.hpp>
#include <caf/send.hpp>
#include <doctest/doctest.h>
#include <grpcpp/grpcpp.h>

#include "actors/ingest_monitor.hpp"
#include "actors/udp_socket.hpp"
#include "server/api_server.hpp"
#include "server/grpc_service.hpp"
#include "server/proto_convert.hpp"
#include "server/proto_values.hpp"

#include "daemon_process.hpp"
#include "hostflow/v1/hostflow.grpc.pb.h"
#include "replayed_scenario.hpp"

using namespace hostflow;
using namespace std::chrono_literals;
using test::ip;
using test::minute_0901;
using test::minute_0902;
using test::minute_0903;
using test::net;

namespace {

// The scenario's totals with 10.10.0.0/16 monitored (record views count a
// record between two monitored hosts twice), as the daemon suite measures
// them over UDP.
constexpr uint64_t scenario_views = 262'703;
constexpr uint64_t scenario_packets = 1'162'751;
constexpr uint64_t scenario_bytes = 903'467'685;

google::protobuf::Timestamp at_ms(int64_t ms) {
  google::protobuf::Timestamp t;
  to_timestamp(ms, t);
  return t;
}

int64_t ms_of(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000 + t.nanos() / 1'000'000;
}

// What a receiver would report after sending the scenario: GetStatus must
// pass it on as it is.
receiver_report scenario_report() {
  receiver_report r;
  r.listen = "127.0.0.1:4739";
  r.datagrams = 4586;
  r.records = 143'481;
  r.records_sent = scenario_views;
  exporter_report e;
  e.exporter = endpoint{ip("192.0.2.1"), 40000};
  e.counters.datagrams = 4586;
  e.counters.data_records = 143'481;
  e.counters.lost_records = 2;
  r.exporters = {e};
  return r;
}

// The replayed scenario behind a gRPC server on an ephemeral loopback port,
// with an ingest monitor holding one receiver report, and a client stub.
struct served_scenario {
  test::replayed_scenario sc;
  ingest_monitor_actor monitor;
  std::unique_ptr<api_server> server;
  std::unique_ptr<v1::Hostflow::Stub> stub;

  explicit served_scenario(bool drain = true, size_t max_queued = 256) : sc(drain) {
    monitor = sc.sys->spawn(ingest_monitor, std::chrono::seconds(0));
    caf::anon_send(monitor, scenario_report());
    api_server_settings settings;
    settings.listen = endpoint{ip("127.0.0.1"), 0};
    settings.max_queued_queries = max_queued;
    std::string error;
    server = api_server::start(settings, *sc.sys, sc.pipeline, monitor, error);
    REQUIRE_MESSAGE(server, error);
    REQUIRE(server->listening().port != 0);
    stub = v1::Hostflow::NewStub(
        grpc::CreateChannel(server->listening().to_string(), grpc::InsecureChannelCredentials()));
  }

  ~served_scenario() {
    server->stop(0ms);
    caf::anon_send_exit(monitor, caf::exit_reason::user_shutdown);
  }

  // Every call has a deadline, so no test can hang on the server.
  template <class Request, class Response, class Call>
  grpc::Status call(Call call, const Request& request, Response& response,
                    std::chrono::milliseconds timeout = 10s) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + timeout);
    return ((*stub).*call)(&ctx, request, &response);
  }

  grpc::Status profile(const v1::GetHostProfileRequest& r, v1::GetHostProfileResponse& out) {
    return call(&v1::Hostflow::Stub::GetHostProfile, r, out);
  }
  grpc::Status top(const v1::TopHostsRequest& r, v1::TopHostsResponse& out) {
    return call(&v1::Hostflow::Stub::TopHosts, r, out);
  }
  grpc::Status map(const v1::GetNetworkMapRequest& r, v1::GetNetworkMapResponse& out) {
    return call(&v1::Hostflow::Stub::GetNetworkMap, r, out);
  }
  grpc::Status status(v1::GetStatusResponse& out) {
    return call(&v1::Hostflow::Stub::GetStatus, v1::GetStatusRequest{}, out);
  }
};

v1::TopHostsRequest top_request(v1::Metric metric, v1::Direction direction, int64_t minute,
                                uint32_t limit) {
  v1::TopHostsRequest r;
  r.set_metric(metric);
  r.set_granularity(v1::GRANULARITY_1_MINUTE);
  r.set_direction(direction);
  *r.mutable_window_start() = at_ms(minute);
  r.set_limit(limit);
  return r;
}

v1::GetNetworkMapRequest map_request(const char* network, uint32_t cell) {
  v1::GetNetworkMapRequest r;
  r.set_network(network);
  r.set_cell_prefix_length(cell);
  r.set_metric(v1::METRIC_BYTES);
  r.set_granularity(v1::GRANULARITY_1_MINUTE);
  r.set_direction(v1::DIRECTION_IN);
  *r.mutable_window_start() = at_ms(minute_0902);
  return r;
}

// A UDP endpoint on 127.0.0.1 that was free a moment ago (bound and released).
endpoint free_udp_endpoint() {
  auto s = udp_socket::open(endpoint{ip("127.0.0.1"), 0}, 0, false);
  REQUIRE(s);
  return s->local_endpoint();
}

// Checks that `status` is INVALID_ARGUMENT and its message starts with `prefix`.
void check_invalid(const grpc::Status& status, const std::string& prefix) {
  CAPTURE(status.error_message());
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(status.error_message().compare(0, prefix.size(), prefix) == 0);
}

} // namespace

// -- GetHostProfile ---------------------------------------------------------------------

TEST_CASE("GetHostProfile returns the windows query_host_profile finds, number for number") {
  served_scenario s;
  auto host = ip("10.10.1.10"); // the SYN flood victim
  int64_t from = 0, to = minute_0903 + 3'600'000;
  host_profile_answer direct;
  auto error = query_host_profile(s.sc.source(), host, {10, 300}, from, to, direct);
  REQUIRE_MESSAGE(!error, error.message);

  v1::GetHostProfileRequest request;
  request.set_host("10.10.1.10");
  // Coarsest first on purpose: windows come back finest first.
  request.add_granularities(v1::GRANULARITY_5_MINUTES);
  request.add_granularities(v1::GRANULARITY_10_SECONDS);
  *request.mutable_time_range()->mutable_start() = at_ms(from);
  *request.mutable_time_range()->mutable_end() = at_ms(to);
  v1::GetHostProfileResponse response;
  auto status = s.profile(request, response);
  REQUIRE_MESSAGE(status.ok(), status.error_message());

  CHECK(response.host() == "10.10.1.10");
  CHECK(ms_of(response.watermark()) == direct.watermark_ms);
  CHECK(ms_of(response.time_range().start()) == from);
  CHECK(ms_of(response.time_range().end()) == to);
  CHECK(response.in_memory() == direct.open.known);
  REQUIRE(response.closed_windows_size() == static_cast<int>(direct.closed.size()));
  REQUIRE(!direct.closed.empty());
  for (int i = 0; i < response.closed_windows_size(); ++i) {
    const auto& got = response.closed_windows(i);
    const auto& want = direct.closed[static_cast<size_t>(i)];
    CAPTURE(i);
    CHECK(got.granularity() == to_proto_granularity(want.granularity_s));
    CHECK(ms_of(got.start()) == want.start_ms);
    CHECK(got.direction() == to_proto(want.direction));
    CHECK(got.flows() == want.counters.flows);
    CHECK(got.packets() == want.counters.packets);
    CHECK(got.bytes() == want.counters.bytes);
    CHECK(got.tcp_flags().syn_only_flows() == want.counters.syn_only_flows);
    CHECK(got.protocols().udp_bytes() == want.counters.udp_bytes);
    CHECK(got.distinct_peers() == want.distinct_peers);
    CHECK(got.top_peers_by_bytes_size() == static_cast<int>(want.top_peers_by_bytes.size()));
    CHECK(got.deviation() == want.deviation);
  }
  // The incoming bytes of every granularity add up to the host's records.
  uint64_t expected_in = 0;
  for (const auto& r : s.sc.records)
    if (r.dst_addr == host)
      expected_in += r.bytes;
  std::map<v1::Granularity, uint64_t> in_bytes;
  for (const auto& w : response.closed_windows())
    if (w.direction() == v1::DIRECTION_IN)
      in_bytes[w.granularity()] += w.bytes();
  CHECK(in_bytes[v1::GRANULARITY_10_SECONDS] == expected_in);
  CHECK(in_bytes[v1::GRANULARITY_5_MINUTES] == expected_in);
  // Top lists are kept for 1 min and 5 min windows only.
  for (const auto& w : response.closed_windows())
    if (w.granularity() == v1::GRANULARITY_10_SECONDS)
      CHECK(w.top_peers_by_bytes_size() == 0);
  CHECK(response.open_windows_size() == 0);
  REQUIRE(response.has_baseline());
  CHECK(response.baseline().metrics_size() == 8);
  CHECK(ms_of(response.baseline().scored_window_start()) == direct.open.baseline_window_ms);
}

TEST_CASE("GetHostProfile without a range counts back from the watermark") {
  served_scenario s;
  query_error error;
  auto watermark = current_watermark(s.sc.source(), error);
  REQUIRE(watermark);

  v1::GetHostProfileRequest request;
  request.set_host("10.10.1.10");
  request.add_granularities(v1::GRANULARITY_1_MINUTE);
  v1::GetHostProfileResponse by_default;
  auto status = s.profile(request, by_default);
  REQUIRE_MESSAGE(status.ok(), status.error_message());
  CHECK(ms_of(by_default.time_range().start()) == *watermark - 3'600'000);
  CHECK(ms_of(by_default.time_range().end()) > *watermark);
  for (const auto& w : by_default.closed_windows())
    CHECK(ms_of(w.start()) >= *watermark - 3'600'000);

  // Three hours back reach the whole scenario: every byte of the host.
  request.mutable_lookback()->set_seconds(3 * 3600);
  v1::GetHostProfileResponse three_hours;
  status = s.profile(request, three_hours);
  REQUIRE_MESSAGE(status.ok(), status.error_message());
  CHECK(ms_of(three_hours.time_range().start()) == *watermark - 3 * 3'600'000);
  uint64_t expected_out = 0, got_out = 0;
  for (const auto& r : s.sc.records)
    if (r.src_addr == ip("10.10.1.10"))
      expected_out += r.bytes;
  for (const auto& w : three_hours.closed_windows())
    if (w.direction() == v1::DIRECTION_OUT)
      got_out += w.bytes();
  CHECK(got_out == expected_out);
  CHECK(three_hours.closed_windows_size() >= by_default.closed_windows_size());
}

TEST_CASE("GetHostProfile of a host without data is NOT_FOUND, naming the host") {
  served_scenario s;
  v1::GetHostProfileRequest request;
  request.set_host("192.0.2.99");
  v1::GetHostProfileResponse response;
  auto status = s.profile(request, response);
  CHECK(status.error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(status.error_message().find("192.0.2.99") != std::string::npos);
}

// -- TopHosts ---------------------------------------------------------------------------

TEST_CASE("TopHosts ranks the horizontal scanner first, largest first, within the limit") {
  served_scenario s;
  window_selector sel;
  sel.granularity_s = 60;
  sel.direction = host_direction::out;
  sel.metric = rank_metric::distinct_peers;
  sel.window_start_ms = minute_0901;
  top_hosts_answer direct;
  REQUIRE(!query_top_hosts(s.sc.source(), sel, 3, direct));

  v1::TopHostsResponse response;
  auto status =
      s.top(top_request(v1::METRIC_DISTINCT_PEERS, v1::DIRECTION_OUT, minute_0901, 3), response);
  REQUIRE_MESSAGE(status.ok(), status.error_message());
  CHECK(ms_of(response.window_start()) == minute_0901);
  CHECK(response.granularity() == v1::GRANULARITY_1_MINUTE);
  CHECK_FALSE(response.window_open());
  REQUIRE(response.hosts_size() == 3);
  REQUIRE(direct.hosts.size() == 3);
  CHECK(response.hosts(0).address() == "10.10.10.77");
  for (int i = 0; i < response.hosts_size(); ++i) {
    CHECK(response.hosts(i).address() == direct.hosts[static_cast<size_t>(i)].host.to_string());
    CHECK(response.hosts(i).value() == direct.hosts[static_cast<size_t>(i)].value);
    if (i > 0)
      CHECK(response.hosts(i - 1).value() >= response.hosts(i).value());
  }
  // The scanner talked to hundreds of peers; the next host to few.
  CHECK(response.hosts(0).value() > 100);
}

TEST_CASE("TopHosts defaults to 10 hosts, filters by prefix and finds the latest window") {
  served_scenario s;
  v1::TopHostsResponse all;
  REQUIRE(s.top(top_request(v1::METRIC_BYTES, v1::DIRECTION_IN, minute_0902, 10'000), all).ok());
  REQUIRE(all.hosts_size() > 10);

  v1::TopHostsResponse by_default;
  REQUIRE(s.top(top_request(v1::METRIC_BYTES, v1::DIRECTION_IN, minute_0902, 0), by_default).ok());
  REQUIRE(by_default.hosts_size() == 10);
  for (int i = 0; i < 10; ++i)
    CHECK(by_default.hosts(i).address() == all.hosts(i).address());

  auto in_subnet = top_request(v1::METRIC_BYTES, v1::DIRECTION_IN, minute_0902, 10'000);
  in_subnet.set_network("10.10.1.0/24");
  v1::TopHostsResponse filtered;
  REQUIRE(s.top(in_subnet, filtered).ok());
  REQUIRE(filtered.hosts_size() > 0);
  int expected = 0;
  for (const auto& h : all.hosts())
    if (net("10.10.1.0/24").contains(ip(h.address().c_str())))
      ++expected;
  CHECK(filtered.hosts_size() == expected);
  for (const auto& h : filtered.hosts())
    CHECK(net("10.10.1.0/24").contains(ip(h.address().c_str())));

  auto latest = top_request(v1::METRIC_BYTES, v1::DIRECTION_IN, 0, 5);
  latest.clear_window_start();
  v1::TopHostsResponse newest;
  REQUIRE(s.top(latest, newest).ok());
  window_selector sel;
  sel.direction = host_direction::in;
  top_hosts_answer direct;
  REQUIRE(!query_top_hosts(s.sc.source(), sel, 5, direct));
  CHECK(ms_of(newest.window_start()) == direct.window_start_ms);
  CHECK_FALSE(newest.window_open());
}

TEST_CASE("TopHosts ranks an open window from the shards before it closes") {
  served_scenario s{false};
  v1::GetStatusResponse status;
  REQUIRE(s.status(status).ok());
  REQUIRE(status.has_watermark());
  auto window = ms_of(status.watermark()) / 300'000 * 300'000;
  auto request = top_request(v1::METRIC_BYTES, v1::DIRECTION_IN, window, 3);
  request.set_granularity(v1::GRANULARITY_5_MINUTES);
  v1::TopHostsResponse response;
  auto result = s.top(request, response);
  REQUIRE_MESSAGE(result.ok(), result.error_message());
  CHECK(response.window_open());
  REQUIRE(response.hosts_size() > 0);
  // The value is what the host's own open window says.
  v1::GetHostProfileRequest profile;
  profile.set_host(response.hosts(0).address());
  profile.add_granularities(v1::GRANULARITY_5_MINUTES);
  *profile.mutable_time_range()->mutable_start() = at_ms(window);
  *profile.mutable_time_range()->mutable_end() = at_ms(window + 300'000);
  v1::GetHostProfileResponse answer;
  REQUIRE(s.profile(profile, answer).ok());
  bool found = false;
  for (const auto& w : answer.open_windows())
    if (w.direction() == v1::DIRECTION_IN) {
      CHECK(static_cast<double>(w.bytes()) == response.hosts(0).value());
      found = true;
    }
  CHECK(found);
}

// -- GetNetworkMap ----------------------------------------------------------------------

TEST_CASE("GetNetworkMap cells add up to the hosts of the same window") {
  served_scenario s;
  v1::GetNetworkMapResponse map;
  auto status = s.map(map_request("10.10.0.0/16", 24), map);
  REQUIRE_MESSAGE(status.ok(), status.error_message());
  REQUIRE(map.cells_size() > 0);
  CHECK(ms_of(map.window_start()) == minute_0902);
  CHECK_FALSE(map.window_open());

  v1::TopHostsResponse all;
  REQUIRE(s.top(top_request(v1::METRIC_BYTES, v1::DIRECTION_IN, minute_0902, 10'000), all).ok());
  double cell_total = 0, host_total = 0;
  uint64_t cell_hosts = 0;
  for (const auto& c : map.cells()) {
    auto prefix = net(c.prefix().c_str());
    CHECK(prefix.written_length() == 24);
    CHECK(net("10.10.0.0/16").contains(prefix.network));
    cell_total += c.value();
    cell_hosts += c.hosts();
  }
  for (const auto& h : all.hosts())
    host_total += h.value();
  CHECK(cell_hosts == static_cast<uint64_t>(all.hosts_size()));
  CHECK(cell_total == host_total);

  // Cell by cell, the same as the query asked directly.
  window_selector sel;
  sel.direction = host_direction::in;
  sel.window_start_ms = minute_0902;
  network_map_answer direct;
  REQUIRE(!query_network_map(s.sc.source(), net("10.10.0.0/16"), 24, sel, direct));
  REQUIRE(map.cells_size() == static_cast<int>(direct.cells.size()));
  for (int i = 0; i < map.cells_size(); ++i) {
    CHECK(map.cells(i).prefix() == direct.cells[static_cast<size_t>(i)].cell.to_string());
    CHECK(map.cells(i).value() == direct.cells[static_cast<size_t>(i)].value);
  }
}

// -- GetStatus --------------------------------------------------------------------------

TEST_CASE("GetStatus reports the version, every shard's counters and the ingest reports") {
  served_scenario s;
  auto before = std::chrono::system_clock::now();
  v1::GetStatusResponse status;
  auto result = s.status(status);
  REQUIRE_MESSAGE(result.ok(), result.error_message());
  CHECK(status.version() == HOSTFLOW_VERSION);
  CHECK(ms_of(status.start_time()) <=
        std::chrono::duration_cast<std::chrono::milliseconds>(before.time_since_epoch()).count());
  CHECK(status.uptime().seconds() >= 0);
  // Alone, the node that answers is the whole cluster, with every shard.
  REQUIRE(status.nodes_size() == 1);
  CHECK(status.nodes(0).local());
  CHECK(status.nodes(0).name() == local_node_name());
  CHECK(status.nodes(0).shards_size() == 2);
  CHECK(ms_of(status.nodes(0).start_time()) == ms_of(status.start_time()));

  auto direct = profile_pipeline_status(*s.sc.sys, s.sc.pipeline);
  REQUIRE(status.shards_size() == 2);
  uint64_t views = 0, packets = 0, bytes = 0, hosts = 0;
  for (int i = 0; i < status.shards_size(); ++i) {
    const auto& shard = status.shards(i);
    CHECK(shard.shard() == static_cast<uint32_t>(i));
    CHECK(shard.record_views() == direct[static_cast<size_t>(i)].records);
    CHECK(shard.windows_written() == direct[static_cast<size_t>(i)].windows_written);
    views += shard.record_views();
    packets += shard.packets();
    bytes += shard.bytes();
    hosts += shard.hosts();
  }
  CHECK(views == scenario_views);
  CHECK(packets == scenario_packets);
  CHECK(bytes == scenario_bytes);
  CHECK(status.hosts_in_memory() == hosts);
  CHECK(status.store_bytes() > 0);
  query_error error;
  auto watermark = current_watermark(s.sc.source(), error);
  REQUIRE(watermark);
  CHECK(ms_of(status.watermark()) == *watermark);

  const auto& ingest = status.ingest();
  CHECK(ingest.datagrams() == 4586);
  CHECK(ingest.records() == 143'481);
  CHECK(ingest.record_views_sent() == scenario_views);
  CHECK(ingest.lost_records() == 2);
  CHECK(ingest.distinct_exporters() == 1);
  REQUIRE(ingest.receivers_size() == 1);
  CHECK(ingest.receivers(0).listen() == "127.0.0.1:4739");
  REQUIRE(ingest.receivers(0).exporters_size() == 1);
  CHECK(ingest.receivers(0).exporters(0).exporter() == "192.0.2.1:40000");
  CHECK(ingest.receivers(0).exporters(0).data_records() == 143'481);
}

// -- refusals ---------------------------------------------------------------------------

TEST_CASE("bad requests are INVALID_ARGUMENT with the field and the value named") {
  served_scenario s;
  v1::GetHostProfileResponse profile;
  v1::TopHostsResponse top;
  v1::GetNetworkMapResponse map;

  v1::GetHostProfileRequest bad_host;
  bad_host.set_host("10.0.0.300");
  auto status = s.profile(bad_host, profile);
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(status.error_message() == "host: \"10.0.0.300\" is not an IP address");
  check_invalid(s.profile(v1::GetHostProfileRequest{}, profile), "host: is required");

  auto unspecified_granularity = bad_host;
  unspecified_granularity.set_host("10.10.1.10");
  unspecified_granularity.add_granularities(v1::GRANULARITY_1_MINUTE);
  unspecified_granularity.add_granularities(v1::GRANULARITY_UNSPECIFIED);
  check_invalid(s.profile(unspecified_granularity, profile),
                "granularities[1]: GRANULARITY_UNSPECIFIED is not allowed; set one of "
                "GRANULARITY_10_SECONDS, GRANULARITY_30_SECONDS, GRANULARITY_1_MINUTE, "
                "GRANULARITY_5_MINUTES");

  auto backwards = bad_host;
  backwards.set_host("10.10.1.10");
  *backwards.mutable_time_range()->mutable_start() = at_ms(minute_0903);
  *backwards.mutable_time_range()->mutable_end() = at_ms(minute_0902);
  check_invalid(s.profile(backwards, profile),
                "time_range: the end 2024-03-04T09:02:00.000Z is not after the start "
                "2024-03-04T09:03:00.000Z");

  auto negative = bad_host;
  negative.set_host("10.10.1.10");
  negative.mutable_lookback()->set_seconds(-60);
  check_invalid(s.profile(negative, profile), "lookback: -60000 ms is not positive");

  auto bad_cidr = top_request(v1::METRIC_BYTES, v1::DIRECTION_IN, minute_0902, 10);
  bad_cidr.set_network("10.10.0.0/33");
  check_invalid(s.top(bad_cidr, top),
                "network: \"10.10.0.0/33\" is not a network (prefix length '33' is not 0..32)");
  bad_cidr.set_network("10.10.1.0/8");
  check_invalid(s.top(bad_cidr, top),
                "network: \"10.10.1.0/8\" has host bits set (did you mean 10.0.0.0/8?)");

  check_invalid(s.top(top_request(v1::METRIC_BYTES, v1::DIRECTION_IN, minute_0902, 10'001), top),
                "limit: 10001 is more than 10000");
  check_invalid(
      s.top(top_request(v1::METRIC_UNSPECIFIED, v1::DIRECTION_IN, minute_0902, 10), top),
      "metric: METRIC_UNSPECIFIED is not allowed; set one of METRIC_BYTES, METRIC_PACKETS");
  check_invalid(
      s.top(top_request(v1::METRIC_BYTES, v1::DIRECTION_UNSPECIFIED, minute_0902, 10), top),
      "direction: DIRECTION_UNSPECIFIED is not allowed; set one of DIRECTION_OUT, DIRECTION_IN");
  auto no_granularity = top_request(v1::METRIC_BYTES, v1::DIRECTION_IN, minute_0902, 10);
  no_granularity.set_granularity(v1::GRANULARITY_UNSPECIFIED);
  check_invalid(s.top(no_granularity, top), "granularity: GRANULARITY_UNSPECIFIED is not allowed");
  // A value from a newer client that this server does not know.
  auto unknown = top_request(static_cast<v1::Metric>(42), v1::DIRECTION_IN, minute_0902, 10);
  check_invalid(s.top(unknown, top), "metric: 42 is not a known Metric (one of METRIC_BYTES");
  check_invalid(
      s.top(top_request(v1::METRIC_BYTES, v1::DIRECTION_IN, minute_0902 + 1'000, 10), top),
      "window_start: 2024-03-04T09:02:01.000Z is not aligned to 60 s windows");

  check_invalid(s.map(map_request("10.0.0.0/8", 32), map),
                "cell_prefix_length: 32 is too fine: 10.0.0.0/8 cut into /32 cells makes 2^24 "
                "cells, more than 65536; use /24 or shorter cells");
  check_invalid(s.map(map_request("10.10.0.0/16", 8), map),
                "cell_prefix_length: 8 is shorter than the network 10.10.0.0/16");
  check_invalid(s.map(map_request("10.10.0.0/16", 33), map),
                "cell_prefix_length: 33 is longer than an IPv4 address (32 bits)");
  check_invalid(s.map(map_request("", 24), map), "network: is required");
  check_invalid(s.map(map_request("2001:db8::/32", 64), map),
                "cell_prefix_length: 64 is too fine: 2001:db8::/32 cut into /64 cells makes 2^32");
}

TEST_CASE("a call whose deadline has passed is DEADLINE_EXCEEDED") {
  served_scenario s;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() - 1s);
  v1::GetStatusResponse response;
  auto status = s.stub->GetStatus(&ctx, v1::GetStatusRequest{}, &response);
  CHECK(status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED);
  // The server is still well afterwards.
  REQUIRE(s.status(response).ok());
}

TEST_CASE("a query waits for shards no longer than the client's deadline allows") {
  using clock = std::chrono::system_clock;
  auto now = clock::now();
  CHECK(query_deadline(2000ms, now + 500ms, now) == 500ms);
  CHECK(query_deadline(2000ms, now + 1h, now) == 2000ms);
  CHECK(query_deadline(2000ms, clock::time_point::max(), now) == 2000ms);
  CHECK_FALSE(query_deadline(2000ms, now, now));
  CHECK_FALSE(query_deadline(2000ms, now - 1s, now));
  CHECK_FALSE(query_deadline(2000ms, now + 500us, now));
}

TEST_CASE("query errors map to the gRPC status codes of the same meaning") {
  auto code = [](query_errc e) { return to_grpc_status(query_error{e, "why"}).error_code(); };
  CHECK(code(query_errc::ok) == grpc::StatusCode::OK);
  CHECK(code(query_errc::invalid_argument) == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(code(query_errc::not_found) == grpc::StatusCode::NOT_FOUND);
  CHECK(code(query_errc::deadline_exceeded) == grpc::StatusCode::DEADLINE_EXCEEDED);
  CHECK(code(query_errc::unavailable) == grpc::StatusCode::UNAVAILABLE);
  CHECK(code(query_errc::internal) == grpc::StatusCode::INTERNAL);
  CHECK(to_grpc_status(query_error{query_errc::not_found, "no data"}).error_message() == "no data");
}

TEST_CASE("calls beyond the query queue are refused with RESOURCE_EXHAUSTED") {
  // No room at all: every query is refused, none is queued without bound.
  served_scenario s{true, 0};
  v1::GetStatusResponse response;
  auto status = s.status(response);
  CHECK(status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  CHECK(status.error_message().find("retry") != std::string::npos);
  // A bad request is refused before it would need a queue slot.
  v1::GetHostProfileResponse profile;
  v1::GetHostProfileRequest bad;
  bad.set_host("nonsense");
  CHECK(s.profile(bad, profile).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_CASE("StreamProfiles is served: a request is checked, not answered UNIMPLEMENTED") {
  served_scenario s;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + 10s);
  // Neither hosts nor a network: refused before any stream opens.
  v1::StreamProfilesRequest request;
  request.set_granularity(v1::GRANULARITY_1_MINUTE);
  auto reader = s.stub->StreamProfiles(&ctx, request);
  v1::StreamProfilesResponse update;
  CHECK_FALSE(reader->Read(&update));
  auto status = reader->Finish();
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(status.error_message().find("hosts: give hosts, a network or both") != std::string::npos);
  // GetStatus counts open streams: none.
  v1::GetStatusResponse response;
  REQUIRE(s.status(response).ok());
  CHECK(response.profile_streams() == 0);
}

// -- hostflowd -------------------------------------------------------------------------

TEST_CASE("hostflowd exits 1 naming the address when its gRPC port is taken") {
  test::tcp_listener taken;
  test::daemon_process d({"--udp-listen", free_udp_endpoint().to_string(), "--grpc-listen",
                          test::loopback(taken.port)});
  CHECK(d.wait_exit(10s) == 1);
  auto log = d.log();
  INFO(log);
  CHECK(log.find("cannot listen for gRPC on " + test::loopback(taken.port) +
                 ": the address is in use") != std::string::npos);
  CHECK(log.find("running") == std::string::npos);
}

TEST_CASE("hostflowd serves GetStatus over gRPC with the records it received over UDP") {
  auto udp_endpoint = free_udp_endpoint();
  auto grpc_address = test::loopback(test::free_tcp_port());
  test::daemon_process d({"--udp-listen", udp_endpoint.to_string(), "--grpc-listen", grpc_address,
                          "--monitor", "10.10.0.0/16"});
  REQUIRE(d.wait_for_log("grpc " + grpc_address + ": listening", 10s));
  REQUIRE(d.wait_for_log("running", 10s));
  test::send_capture(test::scenario_capture("ipfix"), udp_endpoint);

  auto stub =
      v1::Hostflow::NewStub(grpc::CreateChannel(grpc_address, grpc::InsecureChannelCredentials()));
  // Receivers report about once a second: ask until the counts are in.
  v1::GetStatusResponse status;
  uint64_t views = 0;
  for (int attempt = 0; attempt < 100; ++attempt) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + 5s);
    status.Clear();
    auto result = stub->GetStatus(&ctx, v1::GetStatusRequest{}, &status);
    REQUIRE_MESSAGE(result.ok(), result.error_message());
    views = 0;
    for (const auto& shard : status.shards())
      views += shard.record_views();
    if (status.ingest().records() == 143'481 && views == scenario_views)
      break;
    std::this_thread::sleep_for(100ms);
  }
  CHECK(status.ingest().records() == 143'481);
  CHECK(status.ingest().datagrams() == 4586);
  CHECK(views == scenario_views);
  CHECK(status.version() == HOSTFLOW_VERSION);
  REQUIRE(status.ingest().receivers_size() == 1);
  CHECK(status.ingest().receivers(0).listen() == udp_endpoint.to_string());

  REQUIRE(kill(d.pid, SIGTERM) == 0);
  CHECK(d.wait_exit(10s) == 0);
}
