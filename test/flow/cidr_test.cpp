#include <doctest/doctest.h>

#include <random>

#include "flow/cidr.hpp"

using namespace hostflow;

namespace {

cidr parse(const char* text) {
  std::string error;
  auto c = cidr::parse(text, error);
  REQUIRE_MESSAGE(c, error);
  return *c;
}

ip_address addr(const char* text) {
  return *ip_address::parse(text);
}

} // namespace

TEST_CASE("IPv4 and IPv6 prefixes parse, print and match their members") {
  auto v4 = parse("10.10.0.0/16");
  CHECK(v4.to_string() == "10.10.0.0/16");
  CHECK(v4.written_length() == 16);
  CHECK(v4.contains(addr("10.10.255.1")));
  CHECK_FALSE(v4.contains(addr("10.11.0.1")));
  CHECK_FALSE(v4.contains(addr("::ffff:10.11.0.1")));
  auto v6 = parse("2001:db8::/32");
  CHECK(v6.to_string() == "2001:db8::/32");
  CHECK(v6.contains(addr("2001:db8:1::5")));
  CHECK_FALSE(v6.contains(addr("2001:db9::1")));
  CHECK_FALSE(v6.contains(addr("10.10.0.1")));
  auto host = parse("192.0.2.7");
  CHECK(host.written_length() == 32);
  CHECK(host.contains(addr("192.0.2.7")));
  CHECK_FALSE(host.contains(addr("192.0.2.8")));
  // An IPv4 /0 is all of IPv4, not all of IPv6.
  auto all_v4 = parse("0.0.0.0/0");
  CHECK(all_v4.contains(addr("203.0.113.9")));
  CHECK_FALSE(all_v4.contains(addr("2001:db8::1")));
  CHECK(parse("::/0").contains(addr("2001:db8::1")));
}

TEST_CASE("bad prefixes are rejected with the reason") {
  std::string error;
  CHECK_FALSE(cidr::parse("10.0.0.0/33", error));
  CHECK(error == "prefix length '33' is not 0..32");
  CHECK_FALSE(cidr::parse("10.1.0.0/8", error));
  CHECK(error == "'10.1.0.0/8' has host bits set (did you mean 10.0.0.0/8?)");
  CHECK_FALSE(cidr::parse("10.0.0/8", error));
  CHECK(error == "'10.0.0' is not an IPv4 or IPv6 address");
  CHECK_FALSE(cidr::parse("2001:db8::/129", error));
  CHECK_FALSE(cidr::parse("10.0.0.0/", error));
  CHECK_FALSE(cidr::parse("10.0.0.0/x", error));
  CHECK_FALSE(cidr::parse("", error));
}

TEST_CASE("a prefix set answers membership and longest match like a linear scan") {
  std::vector<const char*> texts = {"10.0.0.0/8", "10.10.0.0/16", "192.0.2.0/24",
                                    "2001:db8::/32", "2001:db8:5::/48", "198.51.100.77"};
  cidr_set set;
  std::vector<cidr> all;
  for (auto t : texts) {
    set.add(parse(t));
    all.push_back(parse(t));
  }
  CHECK(set.longest_match(addr("10.10.3.4"))->to_string() == "10.10.0.0/16");
  CHECK(set.longest_match(addr("10.11.3.4"))->to_string() == "10.0.0.0/8");
  CHECK(set.longest_match(addr("2001:db8:5::1"))->to_string() == "2001:db8:5::/48");
  CHECK_FALSE(set.longest_match(addr("172.16.0.1")));
  // Random addresses near the prefixes: both ways of answering (masked
  // words for a few prefixes, the trie for many) agree with the definition.
  std::mt19937 rng(7);
  auto check_random = [&] {
    for (int i = 0; i < 20000; ++i) {
      ip_address a = all[rng() % all.size()].network;
      a.bytes[15 - rng() % 4] ^= static_cast<uint8_t>(rng());
      if (rng() % 3 == 0)
        a.bytes[rng() % 16] ^= static_cast<uint8_t>(rng());
      bool expected = false;
      for (const auto& c : all)
        expected = expected || c.contains(a);
      CAPTURE(a.to_string());
      CHECK(set.contains(a) == expected);
    }
  };
  check_random();
  for (int i = 0; i < 20; ++i) {
    auto c = parse(("172." + std::to_string(16 + i) + ".0.0/16").c_str());
    set.add(c);
    all.push_back(c);
  }
  check_random();
  cidr_set everything;
  everything.add(parse("::/0"));
  CHECK(everything.contains(addr("10.0.0.1")));
  // The same through the trie (more prefixes than the word comparison takes).
  cidr_set many_v6;
  for (int i = 0; i < 12; ++i)
    many_v6.add(parse(("2001:db8:" + std::to_string(i) + "::/48").c_str()));
  CHECK_FALSE(many_v6.contains(addr("10.0.0.1")));
  many_v6.add(parse("10.0.0.0/8"));
  CHECK(many_v6.contains(addr("10.0.0.1")));
  CHECK_FALSE(many_v6.contains(addr("11.0.0.1")));
  many_v6.add(parse("0.0.0.0/0"));
  CHECK(many_v6.contains(addr("11.0.0.1")));
  CHECK(many_v6.contains(addr("2001:db8:3::1")));
  CHECK_FALSE(many_v6.contains(addr("2001:db8:ff::1")));
  CHECK_FALSE(cidr_set{}.contains(addr("10.0.0.1")));
}
