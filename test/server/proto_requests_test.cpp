// Requests read into query parameters: defaults and the range a host
// profile covers when the request leaves it open.

#include <doctest/doctest.h>

#include "server/proto_requests.hpp"

using namespace hostflow;

namespace {

constexpr int64_t watermark = 1'709'546'580'000; // 2024-03-04T10:03:00Z
constexpr int64_t wall = 1'709'550'000'000;

} // namespace

TEST_CASE("a host profile request without a range asks for the last hour and every granularity") {
  v1::GetHostProfileRequest request;
  request.set_host("2001:db8::7");
  host_profile_params p;
  REQUIRE(!read_request(request, p));
  CHECK(p.host == *ip_address::parse("2001:db8::7"));
  CHECK(p.granularities_s == std::vector<uint32_t>{10, 30, 60, 300});
  auto span = resolve_range(p, watermark, wall);
  CHECK(span.from_ms == watermark - default_lookback_ms);
  // Open-ended: past any window that can be open, counted from the later
  // of the watermark and the wall clock.
  CHECK(span.to_ms == wall + open_end_margin_ms);
  // Before any record, the wall clock stands in for the watermark.
  CHECK(resolve_range(p, std::nullopt, wall).from_ms == wall - default_lookback_ms);
}

TEST_CASE("granularities come back finest first and once each") {
  v1::GetHostProfileRequest request;
  request.set_host("10.0.0.1");
  request.add_granularities(v1::GRANULARITY_5_MINUTES);
  request.add_granularities(v1::GRANULARITY_10_SECONDS);
  request.add_granularities(v1::GRANULARITY_5_MINUTES);
  host_profile_params p;
  REQUIRE(!read_request(request, p));
  CHECK(p.granularities_s == std::vector<uint32_t>{10, 300});
}

TEST_CASE("a start without an end reaches the newest open window; an end alone is refused") {
  v1::GetHostProfileRequest request;
  request.set_host("10.0.0.1");
  request.mutable_time_range()->mutable_start()->set_seconds(1'709'542'800);
  host_profile_params p;
  REQUIRE(!read_request(request, p));
  auto span = resolve_range(p, watermark, wall);
  CHECK(span.from_ms == 1'709'542'800'000);
  CHECK(span.to_ms == wall + open_end_margin_ms);

  request.mutable_time_range()->clear_start();
  request.mutable_time_range()->mutable_end()->set_seconds(1'709'542'800);
  auto e = read_request(request, p);
  CHECK(e.code == query_errc::invalid_argument);
  CHECK(e.message.rfind("time_range.start: is required with time_range.end", 0) == 0);

  request.clear_time_range();
  request.mutable_time_range()->mutable_start()->set_seconds(1'709'542'800);
  request.mutable_lookback()->set_seconds(60);
  e = read_request(request, p);
  CHECK(e.message.rfind("lookback: cannot be combined with time_range.start", 0) == 0);
}

TEST_CASE("a ranking request leaves the window to the query and defaults its limit") {
  v1::TopHostsRequest request;
  request.set_metric(v1::METRIC_SYN_ONLY_FLOWS);
  request.set_granularity(v1::GRANULARITY_30_SECONDS);
  request.set_direction(v1::DIRECTION_IN);
  top_hosts_params p;
  REQUIRE(!read_request(request, p));
  CHECK(p.limit == default_top_limit);
  CHECK(p.selector.metric == rank_metric::syn_only_flows);
  CHECK(p.selector.granularity_s == 30);
  CHECK(p.selector.direction == host_direction::in);
  CHECK_FALSE(p.selector.window_start_ms);
  CHECK_FALSE(p.selector.within);
  request.set_limit(max_top_limit);
  REQUIRE(!read_request(request, p));
  CHECK(p.limit == max_top_limit);
}

TEST_CASE("a map of an IPv6 network may cut it 16 bits finer, no more") {
  v1::GetNetworkMapRequest request;
  request.set_network("2001:db8::/32");
  request.set_cell_prefix_length(48);
  request.set_metric(v1::METRIC_FLOWS);
  request.set_granularity(v1::GRANULARITY_1_MINUTE);
  request.set_direction(v1::DIRECTION_OUT);
  network_map_params p;
  REQUIRE(!read_request(request, p));
  CHECK(p.cell_length == 48);
  REQUIRE(p.selector.within);
  CHECK(p.selector.within->to_string() == "2001:db8::/32");
  request.set_cell_prefix_length(49);
  CHECK(read_request(request, p).message.rfind("cell_prefix_length: 49 is too fine", 0) == 0);
}
