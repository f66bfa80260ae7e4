#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <unordered_map>
#include <vector>

#include "flow/address_index.hpp"

using namespace hostflow;

TEST_CASE("the address index agrees with std::unordered_map through random inserts and erases") {
  address_index index;
  std::unordered_map<ip_address, uint32_t> reference;
  std::mt19937_64 rng(7);
  // Few distinct addresses, so inserts, erases and lookups collide often;
  // IPv6 and IPv4-mapped forms both.
  auto random_address = [&]() {
    uint32_t k = static_cast<uint32_t>(rng() % 5'000);
    if (k % 3 == 0) {
      uint8_t b[16] = {0x20, 0x01, 0x0d, 0xb8};
      b[14] = static_cast<uint8_t>(k >> 8);
      b[15] = static_cast<uint8_t>(k);
      return ip_address::from_v6_bytes(b);
    }
    return ip_address::from_v4(0x0a000000u + k);
  };
  for (int step = 0; step < 200'000; ++step) {
    auto a = random_address();
    auto op = rng() % 10;
    if (op < 5) {
      uint32_t value = static_cast<uint32_t>(step);
      bool inserted = index.insert(a, value);
      bool expected = reference.emplace(a, value).second;
      REQUIRE(inserted == expected);
    } else if (op < 8) {
      REQUIRE(index.erase(a) == (reference.erase(a) == 1));
    } else {
      auto it = reference.find(a);
      REQUIRE(index.find(a) == (it == reference.end() ? address_index::npos : it->second));
    }
    REQUIRE(index.size() == reference.size());
  }
  // Every survivor is found with its value, and a copy answers alike.
  address_index copy = index;
  for (const auto& [a, value] : reference) {
    CHECK(index.find(a) == value);
    CHECK(copy.find(a) == value);
  }
  CHECK(index.capacity() >= index.size() * 4 / 3);
}

TEST_CASE("the address index keeps finding entries after erasing from the middle of a probe run") {
  address_index index;
  std::vector<ip_address> keys;
  for (uint32_t k = 0; k < 12; ++k)
    keys.push_back(ip_address::from_v4(0xc0a80000u + k));
  for (uint32_t k = 0; k < keys.size(); ++k)
    REQUIRE(index.insert(keys[k], k));
  CHECK_FALSE(index.insert(keys[3], 99));
  CHECK(index.find(keys[3]) == 3);
  for (uint32_t k = 0; k < keys.size(); k += 2)
    REQUIRE(index.erase(keys[k]));
  CHECK_FALSE(index.erase(keys[0]));
  for (uint32_t k = 0; k < keys.size(); ++k)
    CHECK(index.find(keys[k]) == (k % 2 == 0 ? address_index::npos : k));
  CHECK(index.size() == 6);
  CHECK(address_index().find(keys[0]) == address_index::npos);
}

TEST_CASE("addresses order by their bytes, most significant first") {
  std::mt19937_64 rng(11);
  for (int i = 0; i < 20'000; ++i) {
    uint8_t a[16], b[16];
    for (int k = 0; k < 16; ++k) {
      a[k] = static_cast<uint8_t>(rng());
      // Often equal prefixes, so the second word decides too.
      b[k] = rng() % 4 == 0 ? static_cast<uint8_t>(rng()) : a[k];
    }
    auto x = ip_address::from_v6_bytes(a), y = ip_address::from_v6_bytes(b);
    REQUIRE((x < y) == std::lexicographical_compare(a, a + 16, b, b + 16));
    REQUIRE((x == y) == (std::memcmp(a, b, 16) == 0));
  }
  CHECK(ip_address::from_v4(0x0a000001) < ip_address::from_v4(0x0a000100));
}
