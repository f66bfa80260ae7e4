#include <doctest/doctest.h>

#include "flow/ipfix_fixture.hpp"

using namespace hostflow;
using namespace hostflow::test;

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
  auto& c = *f.decoder.counters(ipfix_exporter);
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
  CHECK(f.decoder.counters(ipfix_exporter)->template_records == 1);
}
