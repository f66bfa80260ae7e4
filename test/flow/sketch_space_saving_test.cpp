#include <cmath>
#include <map>
#include <random>

#include <doctest/doctest.h>

#include "flow/space_saving.hpp"

using namespace hostflow;

namespace {

/// Draws ranks 0..n-1 with probability proportional to 1 / (rank + 1)^s, from
/// the raw generator output only, so the stream is the same everywhere.
class zipf {
public:
  zipf(size_t n, double s, uint32_t seed) : rng_(seed) {
    double sum = 0;
    for (size_t i = 0; i < n; ++i)
      cdf_.push_back(sum += 1.0 / std::pow(static_cast<double>(i + 1), s));
    for (auto& c : cdf_)
      c /= sum;
  }

  size_t operator()() {
    auto u = static_cast<double>(rng_()) / 4294967296.0;
    auto it = std::upper_bound(cdf_.begin(), cdf_.end(), u);
    return std::min(static_cast<size_t>(it - cdf_.begin()), cdf_.size() - 1);
  }

private:
  std::mt19937 rng_;
  std::vector<double> cdf_;
};

template <class Key>
Key key_of(size_t rank);

/// Ranks become addresses scattered over 10/8, and the order of the keys has
/// nothing to do with their weight.
template <>
ip_address key_of<ip_address>(size_t rank) {
  return ip_address::from_v4(0x0a000000 | ((rank * 2654435761u) & 0xffffff));
}

template <>
uint16_t key_of<uint16_t>(size_t rank) {
  return static_cast<uint16_t>(rank * 40503u);
}

/// Checks what Space-Saving promises about `sketch` given the true weights.
/// `merged`: the counts no longer add up to the stream's weight, as a merge
/// drops keys and adds the minimum of the other side.
template <class Key, class Sketch>
void check_guarantees(const Sketch& sketch, const std::map<Key, uint64_t>& truth,
                      bool merged = false) {
  uint64_t total = 0;
  for (auto& [key, weight] : truth)
    total += weight;
  auto reported = sketch.top();
  REQUIRE(reported.size() <= Sketch::capacity);
  for (size_t i = 0; i + 1 < reported.size(); ++i)
    CHECK(reported[i].count >= reported[i + 1].count);
  uint64_t counted = 0;
  for (auto& e : reported) {
    auto it = truth.find(e.key);
    auto weight = it == truth.end() ? 0 : it->second;
    CHECK(e.count - e.error <= weight);
    CHECK(weight <= e.count);
    counted += e.count;
  }
  // A replacement moves the victim's count to the newcomer, so the counts
  // always add up to the weight of the stream once every counter is in use.
  if (!merged && reported.size() == Sketch::capacity)
    CHECK(counted == total);
  // Unreported keys weigh at most min_count(), so none is heavier than
  // total / capacity.
  for (auto& [key, weight] : truth) {
    if (!sketch.find(key)) {
      CHECK(weight <= sketch.min_count());
      CHECK(weight <= total / Sketch::capacity);
    }
  }
}

template <class Key, size_t Capacity>
void run_zipf_stream() {
  space_saving<Key, Capacity> sketch;
  std::map<Key, uint64_t> truth;
  zipf ranks(1000, 1.1, 5);
  for (int i = 0; i < 200'000; ++i) {
    auto key = key_of<Key>(ranks());
    auto weight = uint64_t{1} + static_cast<uint64_t>(i % 3); // packets of 1..3
    sketch.add(key, weight);
    truth[key] += weight;
    REQUIRE(sketch.size() <= Capacity);
  }
  CHECK(sketch.size() == Capacity);
  check_guarantees(sketch, truth);
  // Beyond the guarantee: the heaviest key leads, and the count of the true
  // top keys found shows how far the guarantee is exceeded.
  std::vector<std::pair<uint64_t, Key>> by_weight;
  for (auto& [key, weight] : truth)
    by_weight.emplace_back(weight, key);
  std::sort(by_weight.rbegin(), by_weight.rend());
  CHECK(sketch.top().front().key == by_weight.front().second);
  size_t found = 0;
  for (size_t i = 0; i < Capacity; ++i)
    found += sketch.find(by_weight[i].second) != nullptr;
  MESSAGE(found << " of the true top " << Capacity << " monitored, min_count "
                << sketch.min_count());
}

template <class Key, size_t Capacity>
void run_merge() {
  // Two exporters with different heavy hitters: the second stream's ranks are
  // shifted, so its top keys are the first one's middle ones.
  space_saving<Key, Capacity> a, b;
  std::map<Key, uint64_t> truth;
  zipf ranks_a(1000, 1.2, 8), ranks_b(1000, 1.2, 9);
  for (int i = 0; i < 100'000; ++i) {
    auto ka = key_of<Key>(ranks_a());
    auto kb = key_of<Key>((ranks_b() + 5) % 1000);
    a.add(ka);
    b.add(kb);
    ++truth[ka];
    ++truth[kb];
  }
  auto merged = a;
  merged.merge(b);
  CHECK(merged.size() == Capacity);
  check_guarantees(merged, truth, true);
  auto other_way = b;
  other_way.merge(a);
  CHECK(other_way == merged);
  // The top keys of both streams are found.
  CHECK(merged.find(key_of<Key>(0)));
  CHECK(merged.find(key_of<Key>(5)));
}

} // namespace

TEST_CASE("space saving finds the heavy keys of a Zipf stream and brackets their weights") {
  SUBCASE("addresses, 8 counters") {
    run_zipf_stream<ip_address, 8>();
  }
  SUBCASE("addresses, 16 counters") {
    run_zipf_stream<ip_address, 16>();
  }
  SUBCASE("ports, 8 counters") {
    run_zipf_stream<uint16_t, 8>();
  }
}

TEST_CASE("merged space saving sketches keep the bounds of the combined stream") {
  SUBCASE("addresses") {
    run_merge<ip_address, 8>();
  }
  SUBCASE("ports") {
    run_merge<uint16_t, 16>();
  }
  SUBCASE("sketches with free counters merge exactly") {
    space_saving<uint16_t, 8> a, b;
    a.add(80, 10);
    a.add(443, 5);
    b.add(443, 7);
    b.add(53, 1);
    a.merge(b);
    auto top = a.top();
    REQUIRE(top.size() == 3);
    CHECK(top[0].key == 443);
    CHECK(top[0].count == 12);
    CHECK(top[0].error == 0);
    CHECK(top[1].key == 80);
    CHECK(top[2].key == 53);
    CHECK(a.min_count() == 0);
  }
  SUBCASE("a full sketch lends its minimum to keys it does not monitor") {
    space_saving<uint16_t, 2> a, b;
    a.add(1, 10);
    a.add(2, 4);
    b.add(3, 6);
    a.merge(b); // 3 may have had up to 4 in a: count 10, error 4
    auto top = a.top();
    REQUIRE(top.size() == 2);
    CHECK(top[0].key == 1);
    CHECK(top[0].count == 10);
    CHECK(top[1].key == 3);
    CHECK(top[1].count == 10);
    CHECK(top[1].error == 4);
  }
}

TEST_CASE("space saving replaces the smallest counter and reports ties by key") {
  space_saving<uint16_t, 3> s;
  CHECK(s.min_count() == 0);
  s.add(30, 2);
  s.add(10, 2);
  s.add(20, 5);
  s.add(50, 0); // weightless: ignored
  CHECK(s.size() == 3);
  CHECK(s.min_count() == 2);
  s.add(40, 1); // replaces 30, the first of the smallest
  auto top = s.top();
  REQUIRE(top.size() == 3);
  CHECK(top[0].key == 20);
  CHECK(top[1].key == 40);
  CHECK(top[1].count == 3);
  CHECK(top[1].error == 2);
  CHECK(top[2].key == 10);
  CHECK_FALSE(s.find(30));
  CHECK(s.heap_bytes() == 3 * sizeof(space_saving<uint16_t, 3>::entry));
  s.clear();
  CHECK(s.size() == 0);
  CHECK(s.top().empty());
  CHECK(s.heap_bytes() == 0);
  CHECK(s.memory_bytes() == sizeof(s));
}

TEST_CASE("a space saving sketch's block grows with the keys it holds, up to its capacity") {
  using sketch = space_saving<ip_address, 8>;
  sketch s;
  CHECK(s.memory_bytes() == sizeof(sketch));
  CHECK(sizeof(sketch) <= 16);
  std::vector<size_t> slots;
  for (uint32_t k = 1; k <= 12; ++k) {
    s.add(ip_address::from_v4(0x0a000000 + k), k);
    slots.push_back(s.heap_bytes() / sizeof(sketch::entry));
  }
  CHECK(slots == std::vector<size_t>{1, 2, 4, 4, 8, 8, 8, 8, 8, 8, 8, 8});
  // A copy holds just what is in use, and equals the original.
  sketch copy = s;
  CHECK(copy == s);
  CHECK(copy.heap_bytes() == 8 * sizeof(sketch::entry));
  sketch small;
  small.add(ip_address::from_v4(0x0a000001), 5);
  sketch small_copy = small;
  CHECK(small_copy.heap_bytes() == sizeof(sketch::entry));
  // Merging into an empty sketch allocates what the result needs.
  sketch merged;
  merged.merge(small);
  CHECK(merged.size() == 1);
  CHECK(merged.find(ip_address::from_v4(0x0a000001))->count == 5);
  // A moved-from sketch is empty and usable.
  sketch moved = std::move(s);
  CHECK(moved.size() == 8);
  CHECK(s.size() == 0);
  s.add(ip_address::from_v4(0x0a000063), 1);
  CHECK(s.size() == 1);
}

TEST_CASE("space saving sketches survive append_to and decode, and bad bytes are refused") {
  space_saving<ip_address, 8> addresses;
  space_saving<uint16_t, 8> ports;
  zipf ranks(300, 1.0, 12);
  for (int i = 0; i < 10'000; ++i) {
    auto rank = ranks();
    addresses.add(key_of<ip_address>(rank), 1500);
    ports.add(key_of<uint16_t>(rank), 1);
  }
  addresses.add(*ip_address::parse("2001:db8::1"), 1u << 30);
  std::string bytes;
  addresses.append_to(bytes);
  ports.append_to(bytes);
  space_saving<uint16_t, 8>{}.append_to(bytes);
  CHECK(bytes.size() == (4 + 8 * 32) + (4 + 8 * 18) + 4);
  std::string_view in = bytes;
  auto a = space_saving<ip_address, 8>::decode(in);
  auto p = space_saving<uint16_t, 8>::decode(in);
  auto empty = space_saving<uint16_t, 8>::decode(in);
  REQUIRE(a);
  REQUIRE(p);
  REQUIRE(empty);
  CHECK(in.empty());
  CHECK(*a == addresses);
  CHECK(a->top() == addresses.top());
  CHECK(*p == ports);
  CHECK(empty->size() == 0);

  std::string one;
  ports.append_to(one);
  for (size_t length = 0; length < one.size(); ++length) {
    std::string_view cut(one.data(), length);
    CHECK_FALSE(space_saving<uint16_t, 8>::decode(cut));
    CHECK(cut.size() == length);
  }
  auto rejects = [](std::string bytes, size_t at, uint8_t value) {
    bytes[at] = static_cast<char>(value);
    std::string_view view = bytes;
    return !space_saving<uint16_t, 8>::decode(view);
  };
  CHECK(rejects(one, 0, 2));                     // version
  CHECK(rejects(one, 1, 16));                    // key size
  CHECK(rejects(one, 2, 16));                    // capacity
  CHECK(rejects(one, 3, 9));                     // more entries than counters
  CHECK(rejects(one, 4 + 18 + 2 + 8 + 7, 0xff)); // second entry's error above its count
  // The second entry's key made equal to the first's.
  auto twice = one;
  twice[4 + 18] = one[4];
  twice[4 + 18 + 1] = one[4 + 1];
  std::string_view view = twice;
  CHECK_FALSE(space_saving<uint16_t, 8>::decode(view));
  // Another Capacity or key type does not decode.
  std::string_view as_other = one;
  CHECK_FALSE((space_saving<uint16_t, 16>::decode(as_other)));
  CHECK_FALSE((space_saving<ip_address, 8>::decode(as_other)));
}

TEST_CASE("narrow space saving counts saturate instead of wrapping, and decode refuses counts they cannot hold") {
  space_saving<uint16_t, 2, uint8_t> s;
  s.add(80, 200);
  s.add(80, 100);
  CHECK(s.find(80)->count == 255);
  s.add(443, 7);
  s.add(22, 1); // replaces 443: count 7 + 1, error 7
  CHECK(s.find(22)->count == 8);
  CHECK(s.find(22)->error == 7);
  space_saving<uint16_t, 2, uint8_t> other;
  other.add(80, 255);
  s.merge(other);
  CHECK(s.find(80)->count == 255);

  // The wide form of the same key and capacity decodes only when it fits.
  space_saving<uint16_t, 2> wide;
  wide.add(53, 300);
  std::string bytes;
  wide.append_to(bytes);
  std::string_view in = bytes;
  CHECK_FALSE(space_saving<uint16_t, 2, uint8_t>::decode(in));
  CHECK(in.size() == bytes.size());
  space_saving<uint16_t, 2> fits;
  fits.add(53, 250);
  bytes.clear();
  fits.append_to(bytes);
  in = bytes;
  auto back = space_saving<uint16_t, 2, uint8_t>::decode(in);
  REQUIRE(back);
  CHECK(back->find(53)->count == 250);
}
