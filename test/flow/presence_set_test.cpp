#include <doctest/doctest.h>

#include <array>
#include <random>

#include "flow/presence_set.hpp"

using namespace hostflow;

namespace {

constexpr presence_set::mask bit(unsigned b) {
  return presence_set::mask{1} << b;
}

// The same windows kept as one distinct_counter each: what the set must
// count alike.
struct per_window_reference {
  std::array<distinct_counter, 64> windows;

  void add(uint32_t key, presence_set::mask bits) {
    for (unsigned b = 0; b < 64; ++b)
      if (bits & bit(b))
        windows[b].add(key);
  }
  uint64_t count(presence_set::mask bits) const {
    distinct_counter merged;
    for (unsigned b = 0; b < 64; ++b)
      if (bits & bit(b))
        merged.merge(windows[b]);
    return merged.count();
  }
  void move_bit(unsigned from, presence_set::mask to) {
    for (unsigned b = 0; b < 64; ++b)
      if ((to & bit(b)) && b != from)
        windows[b].merge(windows[from]);
    if (!(to & bit(from)))
      windows[from].clear();
  }
  void clear(presence_set::mask bits) {
    for (unsigned b = 0; b < 64; ++b)
      if (bits & bit(b))
        windows[b].clear();
  }
};

} // namespace

TEST_CASE("a presence set counts each window's keys and rolls a bucket into coarse windows") {
  presence_set s;
  CHECK(s.empty());
  s.add(10, bit(0));
  s.add(20, bit(0) | bit(1));
  s.add(30, bit(1));
  s.add(10, bit(1)); // a key again, in another window
  CHECK(s.size() == 3);
  CHECK(s.count(bit(0)) == 2);
  CHECK(s.count(bit(1)) == 3);
  CHECK(s.count(bit(2)) == 0);
  CHECK(s.count(bit(0) | bit(1)) == 3);

  // Bucket 0 closes into rolled windows 61 and 63.
  s.move_bit(0, bit(61) | bit(63));
  CHECK(s.count(bit(0)) == 0);
  CHECK(s.count(bit(61)) == 2);
  CHECK(s.count(bit(63)) == 2);
  s.move_bit(1, bit(61) | bit(63));
  CHECK(s.count(bit(61)) == 3);

  // The 30 s window closes; the 5 min one still holds every key.
  s.clear(bit(61));
  CHECK(s.count(bit(63)) == 3);
  CHECK(s.size() == 3);
  s.clear(bit(63));
  CHECK(s.empty());
  CHECK(s.size() == 0);
  CHECK(s.memory_bytes() == sizeof(presence_set));
}

TEST_CASE("a presence set keeps counting like per-window counters past its exact limit") {
  presence_set s;
  per_window_reference ref;
  std::mt19937 rng(3);
  // Four buckets of 600 random keys each: 2,400 keys in all, more than the
  // shared array holds, while each window stays below distinct_counter's
  // own exact limit until the rolled windows pass it.
  for (unsigned b = 0; b < 4; ++b)
    for (int i = 0; i < 600; ++i) {
      uint32_t key = static_cast<uint32_t>(rng());
      s.add(key, bit(b));
      ref.add(key, bit(b));
    }
  CHECK_FALSE(s.is_exact());
  for (unsigned b = 0; b < 4; ++b)
    CHECK(s.count(bit(b)) == ref.count(bit(b)));
  CHECK(s.count(bit(0) | bit(2)) == ref.count(bit(0) | bit(2)));
  for (unsigned b = 0; b < 4; ++b) {
    s.move_bit(b, bit(62) | bit(63));
    ref.move_bit(b, bit(62) | bit(63));
  }
  CHECK(s.count(bit(62)) == ref.count(bit(62)));
  CHECK(s.count(bit(63)) == ref.count(bit(63)));
  CHECK(s.count(bit(63)) > 2'300); // a HyperLogLog estimate of 2,400
  s.clear(bit(62) | bit(63));
  CHECK(s.empty());
  CHECK(s.is_exact()); // back to the shared array once empty
  s.add(5, bit(7));
  CHECK(s.count(bit(7)) == 1);
}

TEST_CASE("a presence set's windows leave and come back through distinct_counters") {
  presence_set s;
  for (uint32_t k = 0; k < 50; ++k)
    s.add(k * 7919u, k % 2 == 0 ? bit(3) : bit(3) | bit(4));
  auto three = s.export_bits(bit(3));
  auto four = s.export_bits(bit(4));
  CHECK(three.count() == 50);
  CHECK(four.count() == 25);

  presence_set back;
  back.import_bit(9, three);
  back.import_bit(10, four);
  CHECK(back.count(bit(9)) == 50);
  CHECK(back.count(bit(10)) == 25);
  CHECK(back.size() == 50);
  CHECK(back.export_bits(bit(10)) == four);

  // A HyperLogLog-backed counter switches the set to per-bit counters.
  distinct_counter big;
  for (uint32_t k = 0; k < 5'000; ++k)
    big.add(k * 2654435761u);
  REQUIRE_FALSE(big.is_exact());
  back.import_bit(11, big);
  CHECK_FALSE(back.is_exact());
  CHECK(back.count(bit(11)) == big.count());
  CHECK(back.count(bit(9)) == 50);

  // Copies are deep.
  presence_set copy = s;
  s.clear(bit(3) | bit(4));
  CHECK(copy.count(bit(3)) == 50);
}
