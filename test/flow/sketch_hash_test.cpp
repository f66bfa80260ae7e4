#include <algorithm>
#include <random>
#include <vector>

#include <doctest/doctest.h>

#include "flow/hash32.hpp"

using namespace hostflow;

namespace {

/// The multiplicative inverse of an odd number modulo 2^32 (Newton's iteration
/// doubles the correct low bits each step: 3, 6, 12, 24, 48).
constexpr uint32_t inverse_mod_2_32(uint32_t a) {
  uint32_t x = a;
  for (int i = 0; i < 4; ++i)
    x *= 2 - a * x;
  return x;
}

/// mix32 run backwards, step by step; its existence is the proof that mix32 is
/// a bijection, and the tests check it on samples.
constexpr uint32_t unmix32(uint32_t x) {
  // x ^= x >> s is undone by x ^= (x >> s) ^ (x >> 2s) ^ ... (a telescoping sum).
  x ^= (x >> 14) ^ (x >> 28);
  x *= inverse_mod_2_32(0x31848babU);
  x ^= (x >> 15) ^ (x >> 30);
  x *= inverse_mod_2_32(0xac4c1b51U);
  x ^= (x >> 11) ^ (x >> 22);
  x *= inverse_mod_2_32(0xed5ad4bbU);
  x ^= x >> 17;
  return x;
}

size_t distinct(std::vector<uint32_t> values) {
  std::sort(values.begin(), values.end());
  return static_cast<size_t>(std::unique(values.begin(), values.end()) - values.begin());
}

ip_address v6(uint32_t w0, uint32_t w1, uint32_t w2, uint32_t w3) {
  ip_address a;
  uint32_t words[4] = {w0, w1, w2, w3};
  for (int i = 0; i < 4; ++i)
    for (int b = 0; b < 4; ++b)
      a.bytes[4 * i + b] = static_cast<uint8_t>(words[i] >> (24 - 8 * b));
  return a;
}

} // namespace

static_assert(unmix32(mix32(0)) == 0 && unmix32(mix32(0xdeadbeefU)) == 0xdeadbeefU);

TEST_CASE("mix32 maps the low 2^20 values and a random million to distinct values") {
  std::vector<uint32_t> outputs;
  for (uint32_t x = 0; x < (1u << 20); ++x) {
    outputs.push_back(mix32(x));
    REQUIRE(unmix32(outputs.back()) == x);
  }
  CHECK(distinct(outputs) == outputs.size());

  std::mt19937 rng(20240611);
  std::vector<uint32_t> inputs(1'000'000);
  for (auto& x : inputs)
    x = rng();
  std::sort(inputs.begin(), inputs.end());
  inputs.erase(std::unique(inputs.begin(), inputs.end()), inputs.end());
  outputs.clear();
  for (auto x : inputs)
    outputs.push_back(mix32(x));
  CHECK(distinct(outputs) == inputs.size());
  CHECK(
      std::all_of(inputs.begin(), inputs.end(), [](uint32_t x) { return unmix32(mix32(x)) == x; }));
}

TEST_CASE("every port hashes to its own value") {
  std::vector<uint32_t> outputs;
  for (uint32_t port = 0; port <= 0xffff; ++port)
    outputs.push_back(hash_port(static_cast<uint16_t>(port)));
  CHECK(distinct(outputs) == 65536);
  CHECK(hash_port(443) == mix32(443));
}

TEST_CASE("IPv4 addresses hash bijectively and IPv6 addresses spread over all bits") {
  CHECK(hash_address(ip_address::from_v4(0x0a000001)) == mix32(0x0a000001));
  // ::1 is not the IPv4 address 0.0.0.1, nor :: the IPv4 0.0.0.0.
  CHECK(hash_address(*ip_address::parse("::1")) != hash_address(ip_address::from_v4(1)));
  CHECK(hash_address(*ip_address::parse("::")) != hash_address(ip_address::from_v4(0)));

  // A /8 of IPv4 peers: no collisions at all.
  std::vector<uint32_t> outputs;
  for (uint32_t host = 0; host < (1u << 24); host += 7)
    outputs.push_back(hash_address(ip_address::from_v4(0x0a000000 | host)));
  CHECK(distinct(outputs) == outputs.size());

  // IPv6 sets that vary in one word only: distinct in the last word (the chain
  // is a bijection there), birthday-rare collisions elsewhere, and the top 12
  // bits (the HyperLogLog register) evenly used.
  constexpr uint32_t n = 1u << 20;
  for (int word = 0; word < 4; ++word) {
    CAPTURE(word);
    outputs.clear();
    std::vector<uint32_t> buckets(4096);
    for (uint32_t i = 0; i < n; ++i) {
      uint32_t w[4] = {0x20010db8, 0x00000000, 0x00000000, 0x00000001};
      w[word] = (word == 0 ? 0x20000000 : w[word]) + i * 0x9e3779b1U;
      auto h = hash_address(v6(w[0], w[1], w[2], w[3]));
      outputs.push_back(h);
      ++buckets[h >> 20];
    }
    auto collisions = n - distinct(outputs);
    if (word == 3)
      CHECK(collisions == 0);
    // Expected n^2 / 2^33 = 128 for a random function.
    CHECK(collisions < 256);
    // 256 per bucket on average; a 6-sigma band is 160..352.
    auto [lo, hi] = std::minmax_element(buckets.begin(), buckets.end());
    CHECK(*lo > 160);
    CHECK(*hi < 352);
  }
}
