#include <doctest/doctest.h>

#include "flow/decoder_fixture.hpp"
#include "flow/packet_builder.hpp"

using namespace hostflow;
using namespace hostflow::test;

namespace {

const endpoint v5_exporter{*ip_address::parse("192.0.2.10"), 2055};

struct v5_fixture : decoder_fixture {
  v5_fixture() : decoder_fixture(v5_exporter) {}
};

} // namespace

TEST_CASE("a v5 datagram decodes every field and converts uptimes to epoch time") {
  v5_fixture f;
  auto& c = f.feed(v5_datagram(2, 0, 100'000, 1709542800, 0));
  REQUIRE(f.out.size() == 2);
  const auto& r = f.out[1];
  CHECK(r.src_addr.to_string() == "10.0.0.1");
  CHECK(r.dst_addr.to_string() == "192.0.2.1");
  CHECK(r.src_port == 40001);
  CHECK(r.dst_port == 443);
  CHECK(r.protocol == 6);
  CHECK(r.tcp_flags == 0x12);
  CHECK(r.packets == 2);
  CHECK(r.bytes == 200);
  CHECK(r.input_if == 1);
  CHECK(r.output_if == 2);
  CHECK(r.src_as == 64500);
  CHECK(r.dst_as == 64501);
  CHECK(r.src_mask == 24);
  CHECK(r.dst_mask == 16);
  CHECK(r.start_ms == 1709542800000 - 5000);
  CHECK(r.end_ms == 1709542800000 - 1000);
  CHECK(r.sampling_interval == 1);
  CHECK(r.exporter == v5_exporter);
  CHECK(r.protocol_version == export_protocol::netflow_v5);
  CHECK(c.data_records == 2);
  CHECK(c.error_total() == 0);
}

TEST_CASE("the v5 header sampling interval applies to every record") {
  v5_fixture f;
  f.feed(v5_datagram(3, 0, 100'000, 1709542800, 0x4000 | 512));
  REQUIRE(f.out.size() == 3);
  for (const auto& r : f.out)
    CHECK(r.sampling_interval == 512);
}

TEST_CASE("a v5 count larger than the datagram decodes the records present and counts the lie") {
  v5_fixture f;
  auto dg = v5_datagram(5, 0);
  dg[3] = 30; // claims 30 records, holds 5
  f.feed(dg);
  CHECK(f.out.size() == 5);
  CHECK(f.errors(decode_error::length_mismatch) == 1);
}

TEST_CASE("a v5 datagram shorter than its header is an error, not a crash") {
  v5_fixture f;
  auto dg = v5_datagram(1, 0);
  dg.resize(20);
  f.feed(dg);
  CHECK(f.out.empty());
  CHECK(f.errors(decode_error::short_header) == 1);
}

TEST_CASE("v5 flow sequence gaps count lost records") {
  v5_fixture f;
  f.feed(v5_datagram(10, 1000));
  f.feed(v5_datagram(10, 1010));
  CHECK(f.decoder.counters(v5_exporter)->lost_records == 0);
  auto& c = f.feed(v5_datagram(10, 1050)); // 30 records missing
  CHECK(c.lost_records == 30);
}

TEST_CASE("a v5 flow sequence that wraps at 2^32 is not a gap") {
  v5_fixture f;
  f.feed(v5_datagram(10, 0xFFFFFFF0u));
  f.feed(v5_datagram(10, 0xFFFFFFFAu));
  auto& c = f.feed(v5_datagram(10, 4)); // 0xFFFFFFFA + 10 wraps to 4
  CHECK(c.lost_records == 0);
  CHECK(c.restarts == 0);
}

TEST_CASE("a late v5 datagram counts as reordered and gives back the records it filled") {
  v5_fixture f;
  f.feed(v5_datagram(10, 0));
  f.feed(v5_datagram(10, 20)); // 10..19 missing for now
  CHECK(f.decoder.counters(v5_exporter)->lost_records == 10);
  auto& c = f.feed(v5_datagram(10, 10));
  CHECK(c.reordered_datagrams == 1);
  CHECK(c.lost_records == 0);
  f.feed(v5_datagram(10, 10));
  CHECK(c.duplicate_datagrams == 1);
}

TEST_CASE("a v5 exporter restart is counted as a restart, not four billion lost records") {
  v5_fixture f;
  f.feed(v5_datagram(30, 5'000'000, 900'000'000));
  f.feed(v5_datagram(30, 5'000'030, 900'010'000));
  auto& c = f.feed(v5_datagram(30, 0, 2'000)); // uptime back to 2 s, sequence 0
  CHECK(c.restarts == 1);
  CHECK(c.lost_records == 0);
  f.feed(v5_datagram(30, 30, 3'000));
  CHECK(c.lost_records == 0);
}

TEST_CASE("an exporter that never advances its sequence is not reported as losing records") {
  v5_fixture f;
  for (int i = 0; i < 10; ++i)
    f.feed(v5_datagram(10, 0));
  auto c = *f.decoder.counters(v5_exporter);
  CHECK(c.lost_records == 0);
  CHECK(c.restarts == 0);
  CHECK(c.duplicate_datagrams <= 1);
}

TEST_CASE("an unknown version is counted and nothing is decoded") {
  v5_fixture f;
  auto dg = v5_datagram(1, 0);
  dg[1] = 7;
  f.feed(dg);
  CHECK(f.out.empty());
  CHECK(f.errors(decode_error::bad_version) == 1);
}
