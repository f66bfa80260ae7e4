// The IPFIX encoder against the project's own decoder: what goes out comes
// back field for field, in messages a datagram carries, with sequence
// numbers a collector finds no gap in and templates sent again.

#include <doctest/doctest.h>

#include <vector>

#include "flow/flow_decoder.hpp"
#include "flow/ipfix_encoder.hpp"

using namespace hostflow;

namespace {

const endpoint exporter{*ip_address::parse("127.0.0.1"), 40000};
constexpr int64_t base_ms = 1'790'000'000'000;

flow_record record(const char* src, const char* dst, uint64_t i) {
  flow_record r;
  r.src_addr = *ip_address::parse(src);
  r.dst_addr = *ip_address::parse(dst);
  r.src_port = static_cast<uint16_t>(40000 + i);
  r.dst_port = 443;
  r.protocol = 6;
  r.tcp_flags = 0x1b;
  r.packets = 10 + i;
  r.bytes = 5'000'000'000ull + i; // past 32 bits
  r.start_ms = base_ms + static_cast<int64_t>(i) * 10;
  r.end_ms = r.start_ms + 2'500;
  r.input_if = 3;
  r.output_if = 7;
  return r;
}

std::vector<flow_record> decode_all(const std::vector<std::vector<uint8_t>>& messages,
                                    flow_decoder& decoder) {
  std::vector<flow_record> out;
  for (const auto& m : messages)
    decoder.decode(exporter, byte_view{m.data(), m.size()}, base_ms / 1000 * 1000 + 5'000, out);
  return out;
}

// Data records in one message, counted from its set headers: IPv4 records
// are 55 bytes, IPv6 ones 79.
uint32_t data_records_in(const std::vector<uint8_t>& m) {
  uint32_t records = 0;
  for (size_t at = 16; at + 4 <= m.size();) {
    uint16_t id = static_cast<uint16_t>(m[at] << 8 | m[at + 1]);
    size_t length = static_cast<size_t>(m[at + 2] << 8 | m[at + 3]);
    REQUIRE(length >= 4);
    if (id == ipfix_encoder_v4_template)
      records += static_cast<uint32_t>((length - 4) / 55);
    else if (id == ipfix_encoder_v6_template)
      records += static_cast<uint32_t>((length - 4) / 79);
    at += length;
  }
  return records;
}

void check_same(const flow_record& got, const flow_record& sent) {
  CHECK(got.src_addr == sent.src_addr);
  CHECK(got.dst_addr == sent.dst_addr);
  CHECK(got.src_port == sent.src_port);
  CHECK(got.dst_port == sent.dst_port);
  CHECK(got.protocol == sent.protocol);
  CHECK(got.tcp_flags == sent.tcp_flags);
  CHECK(got.packets == sent.packets);
  CHECK(got.bytes == sent.bytes);
  CHECK(got.start_ms == sent.start_ms);
  CHECK(got.end_ms == sent.end_ms);
  CHECK(got.input_if == sent.input_if);
  CHECK(got.output_if == sent.output_if);
  CHECK(got.observation_domain == 9);
  CHECK(got.protocol_version == export_protocol::ipfix);
}

} // namespace

TEST_CASE("IPv4 and IPv6 records come back from the decoder field for field") {
  std::vector<flow_record> sent;
  for (uint64_t i = 0; i < 40; ++i)
    sent.push_back(i % 3 == 0 ? record("2001:db8::1", "2001:db8:1::2", i)
                              : record("10.0.0.1", "192.0.2.80", i));
  ipfix_encoder encoder{9};
  auto messages = encoder.encode(sent, static_cast<uint32_t>(base_ms / 1000));
  flow_decoder decoder;
  auto got = decode_all(messages, decoder);
  REQUIRE(got.size() == sent.size());
  for (size_t i = 0; i < sent.size(); ++i) {
    CAPTURE(i);
    check_same(got[i], sent[i]);
  }
  auto counters = decoder.totals();
  CHECK(counters.data_records == sent.size());
  CHECK(counters.error_total() == 0);
  CHECK(counters.lost_records == 0);
}

TEST_CASE("messages stay within the size limit and sequence numbers count the records before") {
  std::vector<flow_record> sent;
  for (uint64_t i = 0; i < 500; ++i)
    sent.push_back(record("10.0.0.1", "192.0.2.80", i));
  ipfix_encoder encoder{9, 600};
  auto messages = encoder.encode(sent, static_cast<uint32_t>(base_ms / 1000));
  REQUIRE(messages.size() > 10);
  uint32_t records_before = 0;
  for (const auto& m : messages) {
    REQUIRE(m.size() >= 16);
    CHECK(m.size() <= 600);
    CHECK((uint32_t{m[2]} << 8 | m[3]) == m.size()); // the header's length
    uint32_t sequence = uint32_t{m[8]} << 24 | uint32_t{m[9]} << 16 | uint32_t{m[10]} << 8 | m[11];
    CHECK(sequence == records_before);
    records_before += data_records_in(m);
  }
  CHECK(records_before == 500);
  CHECK(encoder.sequence() == 500);
  // A second call goes on where the first stopped: no gap for a collector.
  flow_decoder decoder;
  CHECK(decode_all(messages, decoder).size() == 500);
  auto more = encoder.encode({record("10.0.0.1", "192.0.2.80", 1)},
                             static_cast<uint32_t>(base_ms / 1000));
  CHECK(decode_all(more, decoder).size() == 1);
  CHECK(decoder.totals().lost_records == 0);
  CHECK(decoder.totals().data_records == 501);
}

TEST_CASE("templates go out with the first message and again every n-th") {
  ipfix_encoder encoder{9, 1400, 3};
  auto has_template = [](const std::vector<uint8_t>& m) {
    return m.size() > 17 && m[16] == 0 && m[17] == 2; // first set id 2
  };
  std::vector<bool> seen;
  for (int round = 0; round < 7; ++round) {
    auto messages = encoder.encode({record("10.0.0.1", "192.0.2.80", 1)}, 1'790'000'000);
    REQUIRE(messages.size() == 1);
    seen.push_back(has_template(messages[0]));
  }
  CHECK(seen == std::vector<bool>{true, false, false, true, false, false, true});
  CHECK(encoder.messages() == 7);
}

TEST_CASE("no records make no message") {
  ipfix_encoder encoder{9};
  CHECK(encoder.encode({}, 1'790'000'000).empty());
  CHECK(encoder.sequence() == 0);
}
