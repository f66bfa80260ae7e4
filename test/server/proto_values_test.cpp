// Times and enumerations between the API's form and hostflow's.

#include <doctest/doctest.h>

#include "server/proto_values.hpp"

using namespace hostflow;

TEST_CASE("epoch milliseconds round-trip through Timestamp, before 1970 too") {
  google::protobuf::Timestamp t;
  to_timestamp(1'709'542'860'123, t);
  CHECK(t.seconds() == 1'709'542'860);
  CHECK(t.nanos() == 123'000'000);
  std::string error;
  CHECK(epoch_ms_of(t, "window_start", error) == 1'709'542'860'123);
  // Nanos are never negative in a Timestamp.
  to_timestamp(-1, t);
  CHECK(t.seconds() == -1);
  CHECK(t.nanos() == 999'000'000);
}

TEST_CASE("Timestamps hostflow cannot hold are refused naming the field") {
  std::string error;
  google::protobuf::Timestamp t;
  t.set_seconds(-5);
  CHECK_FALSE(epoch_ms_of(t, "time_range.start", error));
  CHECK(error == "time_range.start: seconds -5 is before 1970-01-01T00:00:00Z; hostflow keeps "
                 "no earlier windows");
  t.set_seconds(0);
  t.set_nanos(1'000'000'000);
  CHECK_FALSE(epoch_ms_of(t, "window_start", error));
  CHECK(error == "window_start: nanos 1000000000 is out of range (0..999999999)");
  t.set_nanos(0);
  t.set_seconds(253'402'300'800);
  CHECK_FALSE(epoch_ms_of(t, "window_start", error));
}

TEST_CASE("Durations carry their sign in seconds and nanos alike") {
  google::protobuf::Duration d;
  to_duration(-1'500, d);
  CHECK(d.seconds() == -1);
  CHECK(d.nanos() == -500'000'000);
  std::string error;
  CHECK(milliseconds_of(d, "lookback", error) == -1'500);
  d.set_seconds(1);
  CHECK_FALSE(milliseconds_of(d, "lookback", error));
  CHECK(error.rfind("lookback: nanos -500000000 is out of range", 0) == 0);
}

TEST_CASE("every enumeration value maps both ways, UNSPECIFIED to none") {
  for (uint32_t g : {10u, 30u, 60u, 300u})
    CHECK(granularity_seconds(to_proto_granularity(g)) == g);
  CHECK_FALSE(granularity_seconds(v1::GRANULARITY_UNSPECIFIED));
  CHECK_FALSE(granularity_seconds(99));
  for (auto d : {host_direction::out, host_direction::in})
    CHECK(direction_of(to_proto(d)) == d);
  CHECK_FALSE(direction_of(v1::DIRECTION_UNSPECIFIED));
  for (int m = 1; m < v1::Metric_ARRAYSIZE; ++m) {
    auto metric = metric_of(m);
    REQUIRE(metric);
    CHECK(to_proto(*metric) == m);
  }
  CHECK_FALSE(metric_of(v1::METRIC_UNSPECIFIED));
  CHECK(to_proto(baseline_metric::distinct_peers) == v1::METRIC_DISTINCT_PEERS);
}
