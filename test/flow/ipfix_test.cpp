#include <doctest/doctest.h>

#include "flow/ipfix_fixture.hpp"

using namespace hostflow;
using namespace hostflow::test;

TEST_CASE("an IPFIX template and its data in one message decode") {
  ipfix_fixture f;
  auto& c = f.feed(template_and_data(0, 3));
  REQUIRE(f.out.size() == 3);
  CHECK(f.out[2].src_addr.to_string() == "10.1.0.1");
  CHECK(f.out[2].dst_addr.to_string() == "10.2.0.2");
  CHECK(f.out[2].src_port == 1002);
  CHECK(f.out[2].dst_port == 53);
  CHECK(f.out[2].protocol == 17);
  CHECK(f.out[2].bytes == 80);
  CHECK(f.out[2].observation_domain == 1);
  CHECK(c.template_records == 1);
  CHECK(c.data_records == 3);
  CHECK(c.error_total() == 0);
}

TEST_CASE("IPFIX flow times decode from seconds, milliseconds, NTP micro/nanoseconds and deltas") {
  ipfix_fixture f;
  ipfix_builder m;
  m.begin_set(2);
  m.template_record(300, {{150, 4}, {151, 4}});       // seconds
  m.template_record(301, {{152, 8}, {153, 8}});       // milliseconds
  m.template_record(302, {{154, 8}, {155, 8}});       // microseconds (NTP)
  m.template_record(303, {{156, 8}, {157, 8}});       // nanoseconds (NTP)
  m.template_record(304, {{158, 4}, {159, 4}});       // delta microseconds
  m.template_record(305, {{152, 8}, {161, 4}});       // start + duration
  m.end_set();
  uint64_t start = ipfix_export_ms - 20'000, end = ipfix_export_ms - 2'500;
  m.begin_set(300);
  m.u32(start / 1000);
  m.u32(end / 1000);
  m.end_set();
  m.begin_set(301);
  m.u64(start);
  m.u64(end);
  m.end_set();
  auto ntp = [&](uint64_t ms) {
    m.u32(ms / 1000 + 2208988800ull);
    m.u32(((ms % 1000) << 32) / 1000 + 1); // +1: rounding must not cost a millisecond
  };
  m.begin_set(302);
  ntp(start);
  ntp(end);
  m.end_set();
  m.begin_set(303);
  ntp(start);
  ntp(end);
  m.end_set();
  m.begin_set(304);
  m.u32((ipfix_export_ms - start) * 1000);
  m.u32((ipfix_export_ms - end) * 1000);
  m.end_set();
  m.begin_set(305);
  m.u64(start);
  m.u32(end - start);
  m.end_set();
  f.feed(m.finish());
  REQUIRE(f.out.size() == 6);
  CHECK(f.out[0].start_ms == static_cast<int64_t>(start / 1000 * 1000));
  CHECK(f.out[0].end_ms == static_cast<int64_t>(end / 1000 * 1000));
  for (size_t i = 1; i < 6; ++i) {
    CAPTURE(i);
    CHECK(f.out[i].start_ms == static_cast<int64_t>(start));
    CHECK(f.out[i].end_ms == static_cast<int64_t>(end));
  }
}

TEST_CASE("IPFIX uptime fields use systemInitTimeMilliseconds from options data, across a wrap") {
  ipfix_fixture f;
  ipfix_builder m;
  m.begin_set(3);
  m.options_template_record(400, 1, {{144, 4}, {160, 8}});
  m.end_set();
  m.begin_set(2);
  m.template_record(256, {{8, 4}, {22, 4}, {21, 4}});
  m.end_set();
  // The exporter booted 60 days ago: its 32-bit uptime wrapped once.
  int64_t init = ipfix_export_ms - 60LL * 86'400'000;
  m.begin_set(256); // data first: the init time comes later in the same message
  m.ipv4("10.0.0.1");
  int64_t up_end = ipfix_export_ms - 1000 - init - (int64_t{1} << 32);
  m.u32(static_cast<uint32_t>(up_end - 4000));
  m.u32(static_cast<uint32_t>(up_end));
  m.end_set();
  m.begin_set(400);
  m.u32(7);
  m.u64(init);
  m.end_set();
  auto& c = f.feed(m.finish());
  REQUIRE(f.out.size() == 1);
  CHECK(f.out[0].end_ms == ipfix_export_ms - 1000);
  CHECK(f.out[0].start_ms == ipfix_export_ms - 5000);
  CHECK(c.options_data_records == 1);
  CHECK(c.estimated_times == 0);
}

TEST_CASE("variable-length and enterprise-specific IPFIX fields are skipped exactly") {
  ipfix_fixture f;
  ipfix_builder m;
  m.begin_set(2);
  m.template_record(256, {{8, 4}, {82, variable_length}, {100, 6, 9}, {200, variable_length, 29305},
                          {12, 4}, {2, 4}});
  m.end_set();
  m.begin_set(256);
  for (int i = 0; i < 2; ++i) {
    m.ipv4("10.0.0.1");
    m.u8(3); // interfaceName "eth"
    m.u8('e');
    m.u8('t');
    m.u8('h');
    m.zeros(6); // enterprise 9 field
    m.u8(255);  // long form of a variable-length field: 300 bytes
    m.u16(300);
    m.zeros(300);
    m.ipv4("10.0.0.2");
    m.u32(7);
  }
  m.end_set(4);
  auto& c = f.feed(m.finish());
  REQUIRE(f.out.size() == 2);
  CHECK(f.out[1].dst_addr.to_string() == "10.0.0.2");
  CHECK(f.out[1].packets == 7);
  CHECK(c.error_total() == 0);
}

TEST_CASE("reduced-size encoding reads counters sent in fewer bytes") {
  ipfix_fixture f;
  ipfix_builder m;
  m.begin_set(2);
  m.template_record(256, {{8, 4}, {2, 2}, {1, 3}, {16, 2}});
  m.end_set();
  m.begin_set(256);
  m.ipv4("10.0.0.1");
  m.u16(60000);
  m.u8(0x01);
  m.u16(0x0203);
  m.u16(64512);
  m.end_set();
  f.feed(m.finish());
  REQUIRE(f.out.size() == 1);
  CHECK(f.out[0].packets == 60000);
  CHECK(f.out[0].bytes == 0x010203);
  CHECK(f.out[0].src_as == 64512);
}

TEST_CASE("padding after the last IPFIX data record is not a record") {
  ipfix_fixture f;
  ipfix_builder m;
  m.begin_set(2);
  m.template_record(256, ipv4_fields());
  m.end_set();
  m.begin_set(256);
  ipv4_record(m, "10.0.0.1", "10.0.0.2", 1, 2, 6, 1, 40);
  m.end_set(16); // 4 + 21 bytes padded to 32
  auto& c = f.feed(m.finish());
  CHECK(f.out.size() == 1);
  CHECK(c.error_total() == 0);
}
