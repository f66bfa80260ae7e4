#include <doctest/doctest.h>

#include "flow/flow_decoder.hpp"
#include "flow/packet_builder.hpp"

using namespace hostflow;
using namespace hostflow::test;

namespace {

const endpoint exporter{*ip_address::parse("2001:db8::10"), 4739};
constexpr int64_t export_ms = 1709542800000;

struct ipfix_fixture {
  flow_decoder decoder;
  std::vector<flow_record> out;

  explicit ipfix_fixture(decoder_limits limits = {}) : decoder(limits) {}

  const exporter_counters& feed(const std::vector<uint8_t>& msg, int64_t now_ms = 0) {
    decoder.decode(exporter, byte_view{msg.data(), msg.size()}, now_ms, out);
    return *decoder.counters(exporter);
  }
  uint64_t errors(decode_error e) {
    return decoder.counters(exporter)->errors[static_cast<size_t>(e)];
  }
};

// A message with the ipv4_fields() template 256 and `records` data records.
std::vector<uint8_t> template_and_data(uint32_t sequence, int records, bool with_template = true) {
  ipfix_builder m(sequence);
  if (with_template) {
    m.begin_set(2);
    m.template_record(256, ipv4_fields());
    m.end_set();
  }
  m.begin_set(256);
  for (int i = 0; i < records; ++i)
    ipv4_record(m, "10.1.0.1", "10.2.0.2", static_cast<uint16_t>(1000 + i), 53, 17, 1, 80);
  m.end_set();
  return m.finish();
}

} // namespace

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
  uint64_t start = export_ms - 20'000, end = export_ms - 2'500;
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
  m.u32((export_ms - start) * 1000);
  m.u32((export_ms - end) * 1000);
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
  int64_t init = export_ms - 60LL * 86'400'000;
  m.begin_set(256); // data first: the init time comes later in the same message
  m.ipv4("10.0.0.1");
  int64_t up_end = export_ms - 1000 - init - (int64_t{1} << 32);
  m.u32(static_cast<uint32_t>(up_end - 4000));
  m.u32(static_cast<uint32_t>(up_end));
  m.end_set();
  m.begin_set(400);
  m.u32(7);
  m.u64(init);
  m.end_set();
  auto& c = f.feed(m.finish());
  REQUIRE(f.out.size() == 1);
  CHECK(f.out[0].end_ms == export_ms - 1000);
  CHECK(f.out[0].start_ms == export_ms - 5000);
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

TEST_CASE("a template redefinition replaces the old layout") {
  ipfix_fixture f;
  f.feed(template_and_data(0, 1));
  ipfix_builder m(1);
  m.begin_set(2);
  m.template_record(256, {{12, 4}, {8, 4}}); // now dst first, then src
  m.end_set();
  m.begin_set(256);
  m.ipv4("10.9.9.9");
  m.ipv4("10.8.8.8");
  m.end_set();
  auto& c = f.feed(m.finish());
  REQUIRE(f.out.size() == 2);
  CHECK(f.out[1].dst_addr.to_string() == "10.9.9.9");
  CHECK(f.out[1].src_addr.to_string() == "10.8.8.8");
  CHECK(c.template_records == 2);
  CHECK(f.decoder.template_memory() > 0);
}

TEST_CASE("an IPFIX template withdrawal removes the template, and withdraw-all removes all") {
  ipfix_fixture f;
  f.feed(template_and_data(0, 1));
  size_t with_template = f.decoder.template_memory();
  ipfix_builder w(1);
  w.begin_set(2);
  w.u16(256);
  w.u16(0);
  w.end_set();
  auto& c = f.feed(w.finish());
  CHECK(c.template_withdrawals == 1);
  CHECK(f.decoder.template_memory() < with_template);
  f.feed(template_and_data(1, 2, false));
  CHECK(f.out.size() == 1); // the data after the withdrawal waits for a template
  CHECK(c.undecoded_data_sets == 1);

  f.feed(template_and_data(1, 0)); // template back (the waiting set decodes now)
  CHECK(c.deferred_data_records == 2);
  ipfix_builder all(3);
  all.begin_set(2);
  all.u16(2);
  all.u16(0);
  all.end_set();
  f.feed(all.finish());
  CHECK(f.decoder.template_memory() == 0);
}

TEST_CASE("data that arrives before its template is decoded when the template comes") {
  ipfix_fixture f;
  auto& c = f.feed(template_and_data(0, 4, false), 1000);
  CHECK(f.out.empty());
  CHECK(c.undecoded_data_sets == 1);
  f.feed(template_and_data(4, 1), 2000);
  CHECK(f.out.size() == 5);
  CHECK(c.data_records == 1);
  CHECK(c.deferred_data_records == 4);
  CHECK(f.decoder.pending_bytes() == 0);
}

TEST_CASE("data waiting for a template too long expires and is counted") {
  decoder_limits limits;
  limits.max_pending_age_ms = 5000;
  ipfix_fixture f(limits);
  f.feed(template_and_data(0, 4, false), 1000);
  f.decoder.expire(7000);
  auto& c = *f.decoder.counters(exporter);
  CHECK(c.expired_data_sets == 1);
  CHECK(f.errors(decode_error::pending_expired) == 1);
  CHECK(f.decoder.pending_bytes() == 0);
  f.feed(template_and_data(4, 0), 8000);
  CHECK(f.out.empty());
}

TEST_CASE("the wait buffer for data without template is bounded") {
  decoder_limits limits;
  limits.max_pending_bytes_per_exporter = 2000;
  ipfix_fixture f(limits);
  for (int i = 0; i < 50; ++i)
    f.feed(template_and_data(0, 20, false), 1000);
  CHECK(f.decoder.pending_bytes() <= 2000);
  CHECK(f.errors(decode_error::pending_overflow) > 0);
}

TEST_CASE("absurd templates are rejected and counted, never allocated") {
  decoder_limits limits;
  limits.max_fields_per_template = 64;
  ipfix_fixture f(limits);
  ipfix_builder m;
  m.begin_set(2);
  m.u16(256);
  m.u16(65535); // claims 65535 fields in a short set
  m.u16(8);
  m.u16(4);
  m.end_set();
  f.feed(m.finish());
  CHECK(f.errors(decode_error::truncated_template) == 1);

  ipfix_builder big;
  big.begin_set(2);
  big.u16(257);
  big.u16(100); // within the set, but over the field limit
  for (int i = 0; i < 100; ++i) {
    big.u16(1);
    big.u16(4);
  }
  big.end_set();
  f.feed(big.finish());
  CHECK(f.errors(decode_error::template_too_large) == 1);

  ipfix_builder zero;
  zero.begin_set(2);
  zero.template_record(258, {{8, 0}, {12, 0}}); // records of zero bytes
  zero.template_record(10, {{8, 4}});           // id below 256
  zero.end_set();
  f.feed(zero.finish());
  CHECK(f.errors(decode_error::bad_template) == 2);
  CHECK(f.decoder.template_memory() == 0);
}

TEST_CASE("a field length that overruns the data set decodes nothing and is counted") {
  ipfix_fixture f;
  ipfix_builder m;
  m.begin_set(2);
  m.template_record(256, {{8, 4}, {82, 1000}});
  m.end_set();
  m.begin_set(256);
  m.ipv4("10.0.0.1");
  m.u32(0xdeadbeef);
  m.end_set();
  f.feed(m.finish());
  CHECK(f.out.empty());
  CHECK(f.errors(decode_error::truncated_record) == 1);
}

TEST_CASE("the template count and template memory are bounded") {
  decoder_limits limits;
  limits.max_templates_per_exporter = 10;
  ipfix_fixture f(limits);
  ipfix_builder m;
  m.begin_set(2);
  for (uint16_t id = 256; id < 276; ++id)
    m.template_record(id, ipv4_fields());
  m.end_set();
  f.feed(m.finish());
  CHECK(f.errors(decode_error::template_limit) == 10);

  decoder_limits tiny;
  tiny.max_template_memory = 300;
  ipfix_fixture g(tiny);
  g.feed(m.bytes);
  CHECK(g.errors(decode_error::template_memory) > 0);
  CHECK(g.decoder.template_memory() <= 300);
}

TEST_CASE("set lengths that lie, zero-length sets and reserved set ids are counted") {
  ipfix_fixture f;
  auto msg = template_and_data(0, 2);
  auto lying = msg;
  lying[16 + 2] = 0x7f; // first set claims ~32 KB
  f.feed(lying);
  CHECK(f.errors(decode_error::bad_set_length) == 1);

  ipfix_builder zero;
  zero.u16(256);
  zero.u16(0); // a set of length 0 can never advance
  zero.u32(1);
  f.feed(zero.finish());
  CHECK(f.errors(decode_error::bad_set_length) == 2);

  ipfix_builder reserved;
  reserved.begin_set(5);
  reserved.u32(0);
  reserved.end_set();
  f.feed(reserved.finish());
  CHECK(f.errors(decode_error::reserved_set_id) == 1);
}

TEST_CASE("an IPFIX length field that disagrees with the datagram is counted") {
  ipfix_fixture f;
  auto msg = template_and_data(0, 2);
  msg.resize(msg.size() - 5); // truncated in transit
  f.feed(msg);
  CHECK(f.errors(decode_error::length_mismatch) == 1);
  // The cut set's length now overruns the message: it is not trusted at all.
  CHECK(f.errors(decode_error::bad_set_length) == 1);
  CHECK(f.out.empty());
  CHECK(f.decoder.counters(exporter)->template_records == 1);
}

TEST_CASE("IPFIX sequence numbers: the RFC convention finds real gaps") {
  ipfix_fixture f;
  f.feed(template_and_data(0, 3));
  f.feed(template_and_data(3, 5));
  f.feed(template_and_data(8, 2));
  CHECK(f.decoder.counters(exporter)->lost_records == 0);
  auto& c = f.feed(template_and_data(17, 1)); // 7 records missing
  CHECK(c.lost_records == 7);
}

TEST_CASE("IPFIX sequence numbers counting the current message are learned, not gaps") {
  ipfix_fixture f;
  // softflowd: sequence = records sent including this message.
  uint32_t sent = 0;
  for (int n : {3, 5, 2, 7, 1, 4}) {
    sent += n;
    f.feed(template_and_data(sent, n));
  }
  CHECK(f.decoder.counters(exporter)->lost_records == 0);
  sent += 6 + 2; // 6 records lost, then a message of 2
  auto& c = f.feed(template_and_data(sent, 2));
  CHECK(c.lost_records == 6);
}

TEST_CASE("an IPFIX sequence that jumps back far is an exporter restart") {
  ipfix_fixture f;
  f.feed(template_and_data(50'000'000, 3));
  f.feed(template_and_data(50'000'003, 3));
  auto& c = f.feed(template_and_data(0, 3));
  CHECK(c.restarts == 1);
  CHECK(c.lost_records == 0);
  f.feed(template_and_data(3, 3));
  CHECK(c.lost_records == 0);
}

TEST_CASE("IPFIX sampling options: selector intervals apply to records naming the selector") {
  ipfix_fixture f;
  ipfix_builder m;
  m.begin_set(3);
  m.options_template_record(500, 1, {{302, 8}, {305, 4}, {306, 4}});
  m.end_set();
  m.begin_set(500);
  m.u64(7); // selector 7: 1 packet of every 100
  m.u32(1);
  m.u32(99);
  m.u64(8); // selector 8: 1 in 1000
  m.u32(1);
  m.u32(999);
  m.end_set();
  m.begin_set(2);
  m.template_record(256, {{8, 4}, {302, 8}});
  m.template_record(257, {{8, 4}});
  m.end_set();
  m.begin_set(256);
  m.ipv4("10.0.0.1");
  m.u64(8);
  m.ipv4("10.0.0.2");
  m.u64(7);
  m.ipv4("10.0.0.3");
  m.u64(99); // unknown selector: unsampled
  m.end_set();
  m.begin_set(257);
  m.ipv4("10.0.0.4");
  m.end_set();
  auto& c = f.feed(m.finish());
  REQUIRE(f.out.size() == 4);
  CHECK(f.out[0].sampling_interval == 1000);
  CHECK(f.out[1].sampling_interval == 100);
  CHECK(f.out[2].sampling_interval == 1);
  CHECK(f.out[3].sampling_interval == 1);
  CHECK(c.options_data_records == 2);
  CHECK(c.options_template_records == 1);
}

TEST_CASE("an unscoped IPFIX samplingInterval option sets the domain's default rate") {
  ipfix_fixture f;
  ipfix_builder m;
  m.begin_set(3);
  m.options_template_record(500, 1, {{149, 4}, {34, 4}});
  m.end_set();
  m.begin_set(500);
  m.u32(1);
  m.u32(64);
  m.end_set();
  m.begin_set(2);
  m.template_record(256, ipv4_fields());
  m.end_set();
  m.begin_set(256);
  ipv4_record(m, "10.0.0.1", "10.0.0.2", 1, 2, 6, 1, 40);
  m.end_set();
  f.feed(m.finish());
  REQUIRE(f.out.size() == 1);
  CHECK(f.out[0].sampling_interval == 64);
}
