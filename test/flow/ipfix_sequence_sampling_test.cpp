#include <doctest/doctest.h>

#include "flow/ipfix_fixture.hpp"

using namespace hostflow;
using namespace hostflow::test;

TEST_CASE("IPFIX sequence numbers: the RFC convention finds real gaps") {
  ipfix_fixture f;
  f.feed(template_and_data(0, 3));
  f.feed(template_and_data(3, 5));
  f.feed(template_and_data(8, 2));
  CHECK(f.decoder.counters(ipfix_exporter)->lost_records == 0);
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
  CHECK(f.decoder.counters(ipfix_exporter)->lost_records == 0);
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

TEST_CASE("a sequence that jumps back while the counting convention is still open is a restart") {
  ipfix_fixture f;
  // Two messages that both "before" and "including" explain the same way
  // until the convention is known; then a jump back far beyond the window.
  uint32_t seq = 40'000'000;
  f.feed(template_and_data(seq, 4));
  f.feed(template_and_data(seq + 4, 4));
  auto& c = f.feed(template_and_data(seq - 5'000'000, 7));
  CHECK(c.restarts == 1);
  CHECK(c.lost_records == 0);
}
