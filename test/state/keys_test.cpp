#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "state/keys.hpp"

using namespace hostflow;

namespace {

ip_address addr(const char* text) {
  auto a = ip_address::parse(text);
  REQUIRE_MESSAGE(a, text);
  return *a;
}

std::string bytes(std::initializer_list<uint8_t> list) {
  std::string s;
  for (auto b : list)
    s.push_back(static_cast<char>(b));
  return s;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

} // namespace

TEST_CASE("big-endian integers are written most significant byte first and read back") {
  std::string out;
  append_be16(out, 0x0102);
  append_be32(out, 0x03040506);
  append_be64(out, 0x0708090a0b0c0d0eull);
  CHECK(out == bytes({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}));
  CHECK(read_be16(out) == 0x0102);
  CHECK(read_be32(out, 2) == 0x03040506u);
  CHECK(read_be64(out, 6) == 0x0708090a0b0c0d0eull);
  std::string high;
  append_be64(high, 0xffffffffffffff80ull);
  CHECK(read_be64(high) == 0xffffffffffffff80ull);
  CHECK(read_be32(high, 4) == 0xffffff80u);
}

TEST_CASE("reading past the end of the input gives nothing") {
  auto four = bytes({1, 2, 3, 4});
  CHECK(read_be32(four) == 0x01020304u);
  CHECK(read_be32(four, 1) == std::nullopt);
  CHECK(read_be16(four, 2) == 0x0304);
  CHECK(read_be16(four, 3) == std::nullopt);
  CHECK(read_be16(four, 4) == std::nullopt);
  CHECK(read_be16(four, 100) == std::nullopt);
  CHECK(read_be64(four) == std::nullopt);
  CHECK(read_be16("") == std::nullopt);
}

TEST_CASE("window keys sort by granularity, then address, then start") {
  std::vector<uint32_t> granularities = {60, 300, 3600, 86400};
  std::vector<ip_address> hosts = {addr("::1"),          addr("10.0.0.1"),  addr("10.0.0.2"),
                                   addr("192.0.2.255"),  addr("2001:db8::"), addr("2001:db8::1"),
                                   addr("fe80::1"),      addr("255.255.255.255")};
  std::vector<int64_t> starts = {0, 59, 60, 255, 256, 1'700'000'000, int64_t{1} << 40};
  using fields = std::tuple<uint32_t, ip_address, int64_t>;
  std::vector<fields> expected;
  for (auto g : granularities)
    for (auto& h : hosts)
      for (auto s : starts)
        expected.emplace_back(g, h, s);
  // Key order and field order agree on every pair, whatever order they came in.
  std::shuffle(expected.begin(), expected.end(), std::mt19937{42});
  std::vector<std::string> keys;
  for (auto& [g, h, s] : expected)
    keys.push_back(window_key(g, h, s));
  std::sort(expected.begin(), expected.end());
  std::sort(keys.begin(), keys.end());
  REQUIRE(keys.size() == expected.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    auto parts = parse_window_key(keys[i]);
    REQUIRE(parts);
    CHECK(fields{parts->granularity_seconds, parts->host, parts->window_start_seconds} ==
          expected[i]);
  }
}

TEST_CASE("IPv4 and IPv6 hosts both round-trip through window keys") {
  for (auto text : {"203.0.113.5", "0.0.0.0", "2001:db8::42", "::", "::ffff:198.51.100.1"}) {
    CAPTURE(text);
    auto host = addr(text);
    auto key = window_key(300, host, 1'700'000'100);
    CHECK(key.size() == window_key_size);
    CHECK(key.size() == 28);
    auto parts = parse_window_key(key);
    REQUIRE(parts);
    CHECK(parts->granularity_seconds == 300);
    CHECK(parts->host == host);
    CHECK(parts->host.is_v4() == host.is_v4());
    CHECK(parts->window_start_seconds == 1'700'000'100);
  }
  // The layout is fixed: granularity, the 16 address bytes, the start.
  auto key = window_key(0x01020304, addr("10.1.2.3"), 0x05060708);
  CHECK(key == bytes({1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3, 0, 0,
                      0, 0, 5, 6, 7, 8}));
}

TEST_CASE("window starts before 1970 are clamped to the epoch") {
  auto host = addr("10.0.0.1");
  CHECK(window_key(60, host, -1) == window_key(60, host, 0));
  CHECK(window_key(60, host, INT64_MIN) == window_key(60, host, 0));
  CHECK(parse_window_key(window_key(60, host, -3600))->window_start_seconds == 0);
  CHECK(parse_window_key(window_key(60, host, INT64_MAX))->window_start_seconds == INT64_MAX);
}

TEST_CASE("window prefixes select the windows of one host or one granularity") {
  auto a = addr("10.0.0.1");
  auto b = addr("10.0.0.2");
  auto host_prefix = window_host_prefix(60, a);
  auto granularity_prefix = window_granularity_prefix(60);
  CHECK(host_prefix.size() == 20);
  CHECK(granularity_prefix.size() == 4);
  CHECK(starts_with(window_key(60, a, 0), host_prefix));
  CHECK(starts_with(window_key(60, a, INT64_MAX), host_prefix));
  CHECK_FALSE(starts_with(window_key(60, b, 0), host_prefix));
  CHECK_FALSE(starts_with(window_key(300, a, 0), host_prefix));
  CHECK(starts_with(window_key(60, b, 0), granularity_prefix));
  CHECK(starts_with(host_prefix, granularity_prefix));
  auto end = prefix_end(host_prefix);
  CHECK(window_key(60, a, INT64_MAX) < end);
  CHECK(end <= window_key(60, b, 0));
  CHECK(prefix_end(granularity_prefix) == window_granularity_prefix(61));
}

TEST_CASE("prefix_end is the smallest key after every key with the prefix") {
  CHECK(prefix_end("abc") == "abd");
  CHECK(prefix_end(bytes({'a', 'b', 0xff})) == "ac");
  CHECK(prefix_end(bytes({'a', 0xff, 0xff})) == "b");
  CHECK(prefix_end(bytes({0x00})) == bytes({0x01}));
  CHECK(prefix_end(bytes({0x7f})) == bytes({0x80}));
  CHECK(prefix_end(bytes({0x12, 0xfe})) == bytes({0x12, 0xff}));
  CHECK(prefix_end(bytes({0x00, 0xff})) == bytes({0x01}));
  // No finite end: the range runs to the end of the column.
  CHECK(prefix_end(bytes({0xff})) == "");
  CHECK(prefix_end(bytes({0xff, 0xff, 0xff})) == "");
  CHECK(prefix_end("") == "");

  // Against every key over a small alphabet that exercises the carries.
  const std::string alphabet = bytes({0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff});
  std::vector<std::string> all = {""};
  for (size_t len = 1; len <= 3; ++len) {
    std::vector<std::string> longer;
    for (auto& s : all)
      if (s.size() == len - 1)
        for (char c : alphabet)
          longer.push_back(s + c);
    all.insert(all.end(), longer.begin(), longer.end());
  }
  for (auto& prefix : all) {
    auto end = prefix_end(prefix);
    for (auto& key : all) {
      if (starts_with(key, prefix))
        CHECK((end.empty() || key < end));
      else if (key > prefix)
        CHECK((!end.empty() && key >= end));
    }
  }
}

TEST_CASE("truncated, overlong and out-of-range keys are rejected") {
  auto key = window_key(60, addr("2001:db8::1"), 1'700'000'000);
  for (size_t n = 0; n < key.size(); ++n)
    CHECK(parse_window_key(std::string_view{key}.substr(0, n)) == std::nullopt);
  CHECK(parse_window_key(key + '\0') == std::nullopt);
  // A start of 2^63 or more was never written by window_key.
  auto high = key;
  high[20] = static_cast<char>(0x80);
  CHECK(parse_window_key(high) == std::nullopt);

  auto baseline = baseline_key(addr("10.0.0.1"), 23);
  CHECK(parse_baseline_key(baseline.substr(0, 16)) == std::nullopt);
  CHECK(parse_baseline_key(baseline + 'x') == std::nullopt);
  CHECK(parse_alert_key(alert_key(5).substr(0, 7)) == std::nullopt);
  CHECK(parse_alert_key(alert_key(5) + '\0') == std::nullopt);
}

TEST_CASE("baseline keys sort by host then hour and alert keys by sequence") {
  auto a = addr("10.0.0.1");
  auto b = addr("2001:db8::1");
  CHECK(baseline_key(a, 0).size() == baseline_key_size);
  CHECK(baseline_key(a, 23) < baseline_key(b, 0));
  CHECK(baseline_key(a, 1) < baseline_key(a, 2));
  CHECK(starts_with(baseline_key(b, 7), baseline_host_prefix(b)));
  CHECK(baseline_host_prefix(b).size() == 16);
  auto parts = parse_baseline_key(baseline_key(b, 17));
  REQUIRE(parts);
  CHECK(parts->host == b);
  CHECK(parts->hour_of_day == 17);

  CHECK(alert_key(1).size() == 8);
  CHECK(alert_key(255) < alert_key(256));
  CHECK(alert_key(0x7fffffffffffffffull) < alert_key(0x8000000000000000ull));
  CHECK(parse_alert_key(alert_key(0xfedcba9876543210ull)) == 0xfedcba9876543210ull);
}

TEST_CASE("template keys hold exporter, port, version and domain, and round-trip") {
  endpoint e{addr("192.0.2.7"), 2055};
  auto key = template_key(e, 9, 0x01020304);
  CHECK(key.size() == template_key_size);
  CHECK(key.substr(16) == bytes({0x08, 0x07, 0x00, 0x09, 0x01, 0x02, 0x03, 0x04}));
  CHECK(template_key(e, 9, 7) < template_key(e, 10, 0));
  CHECK(template_key(e, 10, 0xffffffff) < template_key(endpoint{e.address, 2056}, 9, 0));
  auto parts = parse_template_key(key);
  REQUIRE(parts);
  CHECK(parts->exporter == e);
  CHECK(parts->version == 9);
  CHECK(parts->domain == 0x01020304);
  CHECK(parse_template_key(key.substr(0, 23)) == std::nullopt);
  CHECK(parse_template_key(key + '\0') == std::nullopt);
}
