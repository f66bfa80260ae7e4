// The stored form of template snapshots: exact round trips, and refusal of
// every truncation, bad count and value no decoder could have saved.

#include <doctest/doctest.h>

#include <string>

#include "flow/template_snapshot.hpp"

using namespace hostflow;

namespace {

// An IPFIX domain with a data template (an RFC 5103 reverse field among
// them), an options template, two samplers, a default rate and an init time.
template_snapshot ipfix_snapshot() {
  template_snapshot s;
  s.exporter = endpoint{*ip_address::parse("2001:db8::7"), 4739};
  s.version = 10;
  s.domain = 0x80200000;
  s.templates.push_back(
    template_spec{256, false, 0, {{8, 4}, {12, 4}, {2, 8}, {1, 8}, {2, 8, 29305}, {82, 65535}}});
  s.templates.push_back(template_spec{300, true, 1, {{302, 2}, {305, 4}, {160, 8}}});
  s.samplers = {{1, 1000}, {7, 256}};
  s.default_sampling = 64;
  s.system_init_ms = 1675952000123;
  return s;
}

template_snapshot v9_snapshot() {
  template_snapshot s;
  s.exporter = endpoint{*ip_address::parse("192.0.2.9"), 2055};
  s.version = 9;
  s.domain = 0;
  s.templates.push_back(template_spec{260, true, 1, {{1, 4}, {48, 1}, {34, 4}}});
  s.templates.push_back(template_spec{262, false, 0, {{8, 4}, {12, 4}, {40001, 2}}});
  return s;
}

// Offsets in the stored form of ipfix_snapshot().
constexpr size_t sampler_count_at = 1 + 16 + 2 + 2 + 4 + 1 + 8 + 4;
constexpr size_t template_count_at = sampler_count_at + 2 + 2 * 12;
constexpr size_t first_template_at = template_count_at + 2;

void put16(std::string& s, size_t at, uint16_t v) {
  s[at] = static_cast<char>(v >> 8);
  s[at + 1] = static_cast<char>(v);
}

} // namespace

TEST_CASE("a template snapshot decodes to what was encoded") {
  template_snapshot bare;
  bare.version = 9;
  bare.domain = 3;
  for (const auto& s : {ipfix_snapshot(), v9_snapshot(), bare}) {
    auto bytes = encode_template_snapshot(s);
    auto back = decode_template_snapshot(bytes);
    REQUIRE(back);
    CHECK(*back == s);
    CHECK(encode_template_snapshot(*back) == bytes);
  }
}

TEST_CASE("every truncation of a stored snapshot and any trailing byte is refused") {
  for (const auto& s : {ipfix_snapshot(), v9_snapshot()}) {
    auto bytes = encode_template_snapshot(s);
    for (size_t n = 0; n < bytes.size(); ++n) {
      CAPTURE(n);
      CHECK_FALSE(decode_template_snapshot(std::string_view(bytes).substr(0, n)));
    }
    CHECK_FALSE(decode_template_snapshot(bytes + '\0'));
  }
}

TEST_CASE("a stored snapshot with counts beyond its bytes or its bounds is refused") {
  auto good = encode_template_snapshot(ipfix_snapshot());
  REQUIRE(decode_template_snapshot(good));
  auto with = [&](size_t at, uint16_t v) {
    auto bad = good;
    put16(bad, at, v);
    return decode_template_snapshot(bad);
  };
  CHECK_FALSE(with(sampler_count_at, 0xffff)); // beyond the bytes and max_snapshot_samplers
  CHECK_FALSE(with(sampler_count_at, 3));
  CHECK_FALSE(with(sampler_count_at, 1));
  CHECK_FALSE(with(template_count_at, 0xffff));
  CHECK_FALSE(with(template_count_at, 3));
  CHECK_FALSE(with(template_count_at, 1));
  CHECK_FALSE(with(first_template_at + 5, 0));      // no fields: an IPFIX withdrawal
  CHECK_FALSE(with(first_template_at + 5, 0xffff)); // beyond max_snapshot_fields
  CHECK_FALSE(with(first_template_at + 5, 7));
  CHECK_FALSE(with(first_template_at + 5, 5));
}

TEST_CASE("a stored snapshot no decoder could have saved is refused") {
  auto good = encode_template_snapshot(ipfix_snapshot());
  auto changed = [&](size_t at, char v) {
    auto bad = good;
    bad[at] = v;
    return decode_template_snapshot(bad);
  };
  CHECK_FALSE(changed(0, 2));                  // unknown format
  CHECK_FALSE(changed(1 + 16 + 2 + 1, 5));     // protocol version 5
  CHECK_FALSE(changed(1 + 16 + 2 + 2 + 4, 3)); // reserved flag bit
  CHECK_FALSE(changed(first_template_at + 2, 2)); // options byte neither 0 nor 1
  CHECK_FALSE(changed(first_template_at + 4, 1)); // scope fields in a data template
  CHECK_FALSE(changed(first_template_at, 0));     // template id 0x0000 < 256

  auto s = ipfix_snapshot();
  s.samplers[1].sampler = 1; // ids must ascend
  CHECK_FALSE(decode_template_snapshot(encode_template_snapshot(s)));
  s = ipfix_snapshot();
  s.samplers[0].factor = 0;
  CHECK_FALSE(decode_template_snapshot(encode_template_snapshot(s)));
  s = ipfix_snapshot();
  s.templates[1].id = 256;
  CHECK_FALSE(decode_template_snapshot(encode_template_snapshot(s)));
  s = ipfix_snapshot();
  s.templates[1].scope_field_count = 4; // more scope fields than fields
  CHECK_FALSE(decode_template_snapshot(encode_template_snapshot(s)));
  s = ipfix_snapshot();
  s.templates[0].fields[0].element_id = 0x8008; // the enterprise bit is not part of the id
  CHECK_FALSE(decode_template_snapshot(encode_template_snapshot(s)));
  s = v9_snapshot();
  s.templates[0].fields[0].enterprise = 9; // v9 has no enterprise fields
  CHECK_FALSE(decode_template_snapshot(encode_template_snapshot(s)));
}

TEST_CASE("a template written in wire form has the protocol's record layout") {
  std::vector<uint8_t> wire;
  append_template_record(template_spec{260, true, 1, {{1, 4}, {48, 1}}}, 9, wire);
  CHECK(wire == std::vector<uint8_t>{1, 4, 0, 4, 0, 4, 0, 1, 0, 4, 0, 48, 0, 1});
  wire.clear();
  append_template_record(template_spec{300, true, 1, {{302, 2}, {2, 8, 29305}}}, 10, wire);
  CHECK(wire == std::vector<uint8_t>{1, 44, 0, 2, 0, 1, 1, 46, 0, 2, 0x80, 2, 0, 8,
                                     0, 0, 0x72, 0x79});
}
