#include <doctest/doctest.h>

#include "flow/decoder_fixture.hpp"
#include "flow/packet_builder.hpp"

using namespace hostflow;
using namespace hostflow::test;

namespace {

const endpoint v9_exporter{*ip_address::parse("192.0.2.20"), 40000};

struct v9_fixture : decoder_fixture {
  v9_fixture() : decoder_fixture(v9_exporter) {}
};

// A v9 datagram with template 256 (IPv4 fields + FIRST/LAST_SWITCHED) and `n` records.
std::vector<uint8_t> datagram(uint32_t sequence, int n, uint32_t uptime = 100'000,
                              bool with_template = true) {
  v9_builder m(sequence, 1, uptime);
  if (with_template) {
    m.begin_set(0);
    m.template_record(256, {{8, 4}, {12, 4}, {2, 4}, {1, 4}, {22, 4}, {21, 4}});
    m.end_set();
  }
  m.begin_set(256);
  for (int i = 0; i < n; ++i) {
    m.ipv4("10.0.0.1");
    m.ipv4("10.0.0.2");
    m.u32(3);
    m.u32(120);
    m.u32(uptime - 7000);
    m.u32(uptime - 2000);
  }
  m.end_set();
  return m.finish();
}

} // namespace

TEST_CASE("a v9 template and data decode with uptimes made absolute by the header clock") {
  v9_fixture f;
  auto& c = f.feed(datagram(0, 2));
  REQUIRE(f.out.size() == 2);
  CHECK(f.out[0].start_ms == 1709542800000 - 7000);
  CHECK(f.out[0].end_ms == 1709542800000 - 2000);
  CHECK(f.out[0].packets == 3);
  CHECK(f.out[0].protocol_version == export_protocol::netflow_v9);
  CHECK(c.template_records == 1);
  CHECK(c.data_records == 2);
}

TEST_CASE("v9 record uptimes from before a sysUpTime wrap stay in the past") {
  v9_fixture f;
  v9_builder m(0, 1, 3000); // uptime wrapped 3 s ago
  m.begin_set(0);
  m.template_record(256, {{8, 4}, {22, 4}, {21, 4}});
  m.end_set();
  m.begin_set(256);
  m.ipv4("10.0.0.1");
  m.u32(0xFFFFFFFFu - 9999); // 10 s before the wrap
  m.u32(1000);
  m.end_set();
  f.feed(m.finish());
  REQUIRE(f.out.size() == 1);
  CHECK(f.out[0].start_ms == 1709542800000 - 13000);
  CHECK(f.out[0].end_ms == 1709542800000 - 2000);
}

TEST_CASE("the v9 header count is ignored: FlowSet lengths decide") {
  v9_fixture f;
  auto dg = datagram(0, 5);
  dg[3] = 1; // softflowd counts only the template here
  f.feed(dg);
  CHECK(f.out.size() == 5);
}

TEST_CASE("a v9 options template with a sampler table sets per-sampler rates") {
  v9_fixture f;
  v9_builder m;
  m.begin_set(1);
  m.u16(260); // options template 260: scope system(1) len 4; sampler id, mode, interval
  m.u16(4);
  m.u16(12);
  m.u16(1);
  m.u16(4);
  m.u16(48);
  m.u16(1);
  m.u16(49);
  m.u16(1);
  m.u16(50);
  m.u16(4);
  m.end_set(4);
  m.begin_set(260);
  m.u32(0); // scope: system
  m.u8(3);
  m.u8(2);
  m.u32(4000);
  m.end_set(4);
  m.begin_set(0);
  m.template_record(256, {{8, 4}, {48, 1}});
  m.end_set();
  m.begin_set(256);
  m.ipv4("10.0.0.1");
  m.u8(3);
  m.ipv4("10.0.0.2");
  m.u8(4);
  m.end_set();
  auto& c = f.feed(m.finish());
  REQUIRE(f.out.size() == 2);
  CHECK(f.out[0].sampling_interval == 4000);
  CHECK(f.out[1].sampling_interval == 1);
  CHECK(c.options_template_records == 1);
  CHECK(c.options_data_records == 1);
}

TEST_CASE("a v9 template with zero fields is rejected without stopping the set") {
  v9_fixture f;
  v9_builder m;
  m.begin_set(0);
  m.u16(256);
  m.u16(0);
  m.template_record(257, {{8, 4}});
  m.end_set();
  auto& c = f.feed(m.finish());
  CHECK(f.errors(decode_error::bad_template) == 1);
  CHECK(c.template_records == 1);
}

TEST_CASE("zero fill after the last v9 FlowSet is padding, not an error") {
  v9_fixture f;
  auto dg = datagram(0, 1);
  dg.resize(dg.size() + 1200, 0);
  auto& c = f.feed(dg);
  CHECK(f.out.size() == 1);
  CHECK(c.error_total() == 0);
}

TEST_CASE("v9 sequence numbers count datagrams: a gap is lost datagrams") {
  v9_fixture f;
  f.feed(datagram(10, 3));
  f.feed(datagram(11, 3));
  auto& c = f.feed(datagram(15, 3));
  CHECK(c.lost_datagrams == 3);
  CHECK(c.lost_records == 0);
}

TEST_CASE("a v9 exporter whose sequence counts records is learned") {
  v9_fixture f;
  uint32_t seq = 1000;
  for (int n : {4, 2, 7, 3}) {
    f.feed(datagram(seq, n));
    seq += static_cast<uint32_t>(n);
  }
  auto& c = f.feed(datagram(seq + 5, 1));
  CHECK(c.lost_datagrams == 0);
  CHECK(c.lost_records == 5);
}

TEST_CASE("a v9 exporter reboot (uptime and sequence reset) is one restart and no loss") {
  v9_fixture f;
  f.feed(datagram(900, 2, 50'000'000));
  f.feed(datagram(901, 2, 50'001'000));
  auto& c = f.feed(datagram(0, 2, 20'000));
  CHECK(c.restarts == 1);
  CHECK(c.lost_datagrams == 0);
  f.feed(datagram(1, 2, 21'000));
  CHECK(c.lost_datagrams == 0);
}

TEST_CASE("v9 data before its template waits and decodes when the template arrives") {
  v9_fixture f;
  auto& c = f.feed(datagram(0, 3, 100'000, false));
  CHECK(c.undecoded_data_sets == 1);
  CHECK(f.out.empty());
  f.feed(datagram(1, 1));
  CHECK(f.out.size() == 4);
  CHECK(c.deferred_data_records == 3);
  // Deferred records keep the clock of the datagram they came in.
  CHECK(f.out[0].end_ms == 1709542800000 - 2000);
}
