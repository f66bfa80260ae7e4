#include <cmath>
#include <random>
#include <set>

#include <doctest/doctest.h>

#include "flow/distinct_counter.hpp"
#include "flow/hash32.hpp"

using namespace hostflow;

namespace {

/// Adds `n` distinct hashes: mix32(first + i), distinct as mix32 is a bijection.
void add_distinct(distinct_counter& c, uint32_t first, uint32_t n) {
  for (uint32_t i = 0; i < n; ++i)
    c.add(mix32(first + i));
}

double relative_error(uint64_t estimate, uint64_t truth) {
  return (static_cast<double>(estimate) - static_cast<double>(truth)) / static_cast<double>(truth);
}

/// For a single hash set: within three standard errors (1.6 % each). The
/// merged sketches are also compared with the sketch of the union, which is the
/// exact property; its accuracy is tested over many sets above.
bool close_to(uint64_t estimate, uint64_t truth) {
  return std::abs(relative_error(estimate, truth)) <= 0.05;
}

distinct_counter with(uint32_t first, uint32_t n) {
  distinct_counter c;
  add_distinct(c, first, n);
  return c;
}

std::string encode(const distinct_counter& c) {
  std::string out;
  c.append_to(out);
  return out;
}

std::optional<distinct_counter> decode_all(const std::string& bytes) {
  std::string_view in = bytes;
  auto c = distinct_counter::decode(in);
  if (c && !in.empty())
    return std::nullopt;
  return c;
}

} // namespace

TEST_CASE("a distinct counter is 16 bytes and an empty one owns no heap memory") {
  static_assert(sizeof(distinct_counter) <= 16);
  distinct_counter c;
  CHECK(c.is_exact());
  CHECK(c.count() == 0);
  CHECK(c.memory_bytes() == sizeof(distinct_counter));
  add_distinct(c, 0, 64);
  auto with_64 = c.memory_bytes();
  add_distinct(c, 64, 2000);
  auto sketched = c.memory_bytes();
  MESSAGE("sizeof " << sizeof(distinct_counter) << ", memory_bytes empty "
                    << sizeof(distinct_counter) << ", with 64 hashes " << with_64
                    << ", as HyperLogLog " << sketched);
  CHECK(with_64 == sizeof(distinct_counter) + 64 * 4);
  CHECK(sketched == sizeof(distinct_counter) + 4096);
  c.clear();
  CHECK(c.is_exact());
  CHECK(c.count() == 0);
  CHECK(c.memory_bytes() == sizeof(distinct_counter));
}

TEST_CASE("a distinct counter counts IPv4 peers exactly up to 1024 of them") {
  // Random peers from a /20, so that many repeat.
  std::mt19937 rng(1);
  distinct_counter c;
  std::set<uint32_t> truth;
  while (truth.size() < distinct_counter::exact_limit) {
    auto peer = 0xc0a80000 | (rng() & 0xfff);
    truth.insert(peer);
    c.add(hash_address(ip_address::from_v4(peer)));
    REQUIRE(c.is_exact());
    REQUIRE(c.count() == truth.size());
  }
  CHECK(c.memory_bytes() == sizeof(distinct_counter) + 4096);
  // Repeats still change nothing at the limit; one new peer tips it over.
  for (auto peer : truth)
    c.add(hash_address(ip_address::from_v4(peer)));
  CHECK(c.is_exact());
  c.add(hash_address(ip_address::from_v4(0x0a000001)));
  CHECK_FALSE(c.is_exact());
  CHECK(close_to(c.count(), 1025));
}

TEST_CASE("above 1024 hashes a distinct counter estimates with under 2 percent error") {
  // As for the HyperLogLog itself: the RMS error over many hash sets, since one
  // set in five is off by more than 2 % at large cardinalities.
  constexpr int trials = 64;
  std::mt19937 rng(3);
  for (uint32_t n : {1025u, 1100u, 1500u, 2048u, 5'000u, 20'000u, 100'000u, 1'000'000u}) {
    double sum_squares = 0, worst = 0;
    for (int t = 0; t < trials; ++t) {
      auto c = with(rng(), n);
      REQUIRE_FALSE(c.is_exact());
      auto error = relative_error(c.count(), n);
      sum_squares += error * error;
      worst = std::max(worst, std::abs(error));
    }
    auto rms = std::sqrt(sum_squares / trials);
    MESSAGE("n = " << n << " over " << trials << " sets: RMS error " << 100 * rms << " %, worst "
                   << 100 * worst << " %");
    CHECK(rms <= 0.02);
  }
}

TEST_CASE("distinct counters merge exact and estimated forms into the count of the union") {
  SUBCASE("exact and exact stay exact while the union fits") {
    auto a = with(0, 600);
    a.merge(with(300, 600)); // union 0..899
    CHECK(a.is_exact());
    CHECK(a.count() == 900);
    CHECK(a == with(0, 900));
    a.merge(with(100, 200)); // a subset
    CHECK(a.count() == 900);
    a.merge(distinct_counter{});
    CHECK(a.count() == 900);
    distinct_counter empty;
    empty.merge(a);
    CHECK(empty == a);
  }
  SUBCASE("exact and exact become an estimate when the union does not fit") {
    auto a = with(0, 1000);
    a.merge(with(500, 1000)); // union 0..1499
    CHECK_FALSE(a.is_exact());
    CHECK(close_to(a.count(), 1500));
  }
  SUBCASE("an exact counter merges into an estimate and an estimate into an exact counter") {
    auto big = with(0, 50'000);
    auto small = with(49'500, 1000); // 500 new
    auto into_big = big;
    into_big.merge(small);
    auto into_small = small;
    into_small.merge(big);
    CHECK_FALSE(into_small.is_exact());
    CHECK(into_big == into_small);
    CHECK(into_big == with(0, 50'500));
    CHECK(close_to(into_big.count(), 50'500));
  }
  SUBCASE("estimates merge into the estimate of the union") {
    auto a = with(0, 300'000);
    a.merge(with(200'000, 300'000));
    CHECK(a == with(0, 500'000));
    CHECK(close_to(a.count(), 500'000));
  }
  SUBCASE("a counter merged with itself is unchanged") {
    for (uint32_t n : {0u, 10u, 5000u}) {
      auto a = with(0, n);
      a.merge(a);
      CHECK(a == with(0, n));
    }
  }
}

TEST_CASE("copies of a distinct counter are deep and moves leave an empty counter") {
  for (uint32_t n : {0u, 3u, 64u, 3000u}) {
    CAPTURE(n);
    auto a = with(0, n);
    auto b = a;
    CHECK(b == a);
    b.add(mix32(0xffffffff));
    CHECK(b != a);
    CHECK(a == with(0, n));
    auto c = std::move(b);
    CHECK(b.count() == 0);
    CHECK(b.memory_bytes() == sizeof(distinct_counter));
    b = c;
    CHECK(b == c);
    a = std::move(c);
    CHECK(a == b);
    a = a;
    CHECK(a == b);
  }
}

TEST_CASE("a distinct counter survives append_to and decode in every form") {
  std::string bytes;
  std::vector<distinct_counter> counters;
  for (uint32_t n : {0u, 1u, 64u, 1024u, 1025u, 100'000u})
    counters.push_back(with(7 * n, n));
  for (const auto& c : counters)
    c.append_to(bytes);
  CHECK(encode(counters[0]).size() == 4);
  CHECK(encode(counters[2]).size() == 4 + 64 * 4);
  CHECK(encode(counters[5]).size() == 2 + 4096);
  // Back to back: each decode takes exactly its own bytes.
  std::string_view in = bytes;
  for (const auto& c : counters) {
    auto decoded = distinct_counter::decode(in);
    REQUIRE(decoded);
    CHECK(*decoded == c);
    CHECK(decoded->count() == c.count());
    CHECK(decoded->is_exact() == c.is_exact());
    decoded->add(mix32(0xfffffff0)); // usable, not just comparable
  }
  CHECK(in.empty());
}

TEST_CASE("a distinct counter decoder rejects every truncation and impossible content") {
  for (uint32_t n : {0u, 5u, 2000u}) {
    auto bytes = encode(with(0, n));
    for (size_t length = 0; length < bytes.size(); ++length) {
      std::string_view in(bytes.data(), length);
      CHECK_FALSE(distinct_counter::decode(in));
      CHECK(in.size() == length); // nothing consumed
    }
  }
  auto exact = encode(with(0, 5));
  auto sketch = encode(with(0, 2000));
  auto corrupt = [](std::string bytes, size_t at, uint8_t value) {
    bytes[at] = static_cast<char>(value);
    return bytes;
  };
  CHECK_FALSE(decode_all(corrupt(exact, 0, 0))); // version
  CHECK_FALSE(decode_all(corrupt(exact, 0, 2)));
  CHECK_FALSE(decode_all(corrupt(exact, 1, 2)));    // mode
  CHECK_FALSE(decode_all(corrupt(exact, 2, 6)));    // count beyond the bytes
  CHECK_FALSE(decode_all(corrupt(exact, 3, 0xff))); // count 65285
  // A count above 1024 is refused even when the bytes are there.
  std::string too_many = {1, 0, 0x01, 0x04}; // 1025
  for (uint32_t v = 0; v < 1025; ++v)
    too_many.append({static_cast<char>(v), static_cast<char>(v >> 8), 0, 0});
  CHECK_FALSE(decode_all(too_many));
  // Hashes out of order or repeated.
  std::string unordered = {1, 0, 2, 0, 2, 0, 0, 0, 1, 0, 0, 0};
  std::string repeated = {1, 0, 2, 0, 2, 0, 0, 0, 2, 0, 0, 0};
  std::string ordered = {1, 0, 2, 0, 1, 0, 0, 0, 2, 0, 0, 0};
  CHECK_FALSE(decode_all(unordered));
  CHECK_FALSE(decode_all(repeated));
  CHECK(decode_all(ordered));
  // A register no sketch can hold.
  CHECK_FALSE(decode_all(corrupt(sketch, 2 + 100, 22)));
  CHECK(decode_all(corrupt(sketch, 2 + 100, 21)));

  // Random bytes: no crash, and anything accepted re-encodes to the same bytes.
  std::mt19937 rng(11);
  for (int i = 0; i < 20'000; ++i) {
    std::string bytes(rng() % 24, '\0');
    for (auto& b : bytes)
      b = static_cast<char>(rng() % 4 == 0 ? rng() : rng() % 3);
    std::string_view in = bytes;
    if (auto c = distinct_counter::decode(in))
      CHECK(encode(*c) == bytes.substr(0, bytes.size() - in.size()));
  }
}
