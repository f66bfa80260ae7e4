#include <cmath>
#include <random>

#include <doctest/doctest.h>

#include "flow/hash32.hpp"
#include "flow/hyperloglog.hpp"

using namespace hostflow;

namespace {

/// Adds `n` distinct hashes, mix32(first + i): distinct because mix32 is a
/// bijection, and a different `first` gives an independent-looking set.
void add_distinct(hyperloglog& h, uint32_t first, uint32_t n) {
  for (uint32_t i = 0; i < n; ++i)
    h.add(mix32(first + i));
}

double relative_error(double estimate, double truth) {
  return (estimate - truth) / truth;
}

} // namespace

TEST_CASE("an empty HyperLogLog estimates zero and repeated hashes count once") {
  hyperloglog h;
  CHECK(h.estimate() == 0.0);
  for (int round = 0; round < 3; ++round)
    add_distinct(h, 1000, 500);
  CHECK(std::abs(h.estimate() - 500) < 10);
  CHECK(hyperloglog::memory_bytes() == 4096);
  h.clear();
  CHECK(h.estimate() == 0.0);
}

TEST_CASE("a HyperLogLog rank counts the leading zeros below the register bits, capped at 21") {
  hyperloglog h;
  h.add(0x00000000); // register 0, 20 zero bits
  h.add(0x00180000); // register 1, rest 1000...: rank 1
  h.add(0x00200800); // register 2, rest 0000 0000 1000 0000 0000: rank 9
  h.add(0xfff00001); // register 4095, only the last bit set: rank 20
  CHECK(h.registers()[0] == 21);
  CHECK(h.registers()[1] == 1);
  CHECK(h.registers()[2] == 9);
  CHECK(h.registers()[4095] == 20);
  CHECK(hyperloglog::max_rank == 21);
}

TEST_CASE("HyperLogLog estimates 1k, 10k, 100k and 1M distinct hashes with under 2 percent error") {
  // The standard error is 1.04 / sqrt(4096) = 1.6 %, so about one hash set in
  // five is off by more than 2 % at large cardinalities: a bound on one set
  // would hold or fail by the luck of its seed. The RMS error over 64 sets is
  // what the sketch promises; the mean shows any bias.
  constexpr int trials = 64;
  std::mt19937 rng(7);
  for (uint32_t n : {1'000u, 10'000u, 100'000u, 1'000'000u}) {
    double sum = 0, sum_squares = 0, worst = 0;
    for (int t = 0; t < trials; ++t) {
      hyperloglog h;
      add_distinct(h, rng(), n);
      auto error = relative_error(h.estimate(), n);
      sum += error;
      sum_squares += error * error;
      worst = std::max(worst, std::abs(error));
    }
    auto mean = sum / trials;
    auto rms = std::sqrt(sum_squares / trials);
    MESSAGE("n = " << n << " over " << trials << " sets: mean error " << 100 * mean << " %, RMS "
                   << 100 * rms << " %, worst " << 100 * worst << " %");
    CHECK(rms <= 0.02);
    CHECK(std::abs(mean) <= 0.006); // three standard errors of the mean
    CHECK(worst <= 0.065);          // four standard errors
  }
}

TEST_CASE("merging two HyperLogLogs gives the HyperLogLog of the union") {
  hyperloglog a, b, both;
  add_distinct(a, 0, 60'000);
  add_distinct(b, 40'000, 60'000); // overlaps a in 20'000
  add_distinct(both, 0, 100'000);
  auto merged = a;
  merged.merge(b);
  CHECK(merged == both);
  CHECK(merged.estimate() == both.estimate());
  // One set: within three standard errors.
  CHECK(std::abs(relative_error(merged.estimate(), 100'000)) <= 0.05);
  // Merging is commutative and idempotent.
  auto other_way = b;
  other_way.merge(a);
  CHECK(other_way == merged);
  merged.merge(merged);
  CHECK(merged == both);
}

TEST_CASE("registers above the largest rank are refused") {
  hyperloglog h;
  add_distinct(h, 5, 1000);
  std::array<uint8_t, hyperloglog::register_count> bytes{};
  bytes[17] = 21;
  CHECK(h.assign_registers(bytes.data()));
  CHECK(h.registers()[17] == 21);
  auto before = h;
  bytes[100] = 22;
  CHECK_FALSE(h.assign_registers(bytes.data()));
  CHECK(h == before);
}
