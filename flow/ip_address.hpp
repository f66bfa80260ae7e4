#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace hostflow {

/// An IPv4 or IPv6 address in one 16-byte form: IPv4 is stored IPv4-mapped
/// (::ffff:a.b.c.d), so both families sort, hash and compare alike.
struct ip_address {
  std::array<uint8_t, 16> bytes{};

  /// Builds the mapped form of an IPv4 address given in host byte order.
  static ip_address from_v4(uint32_t host_order) noexcept {
    ip_address a;
    a.bytes[10] = 0xff;
    a.bytes[11] = 0xff;
    a.bytes[12] = static_cast<uint8_t>(host_order >> 24);
    a.bytes[13] = static_cast<uint8_t>(host_order >> 16);
    a.bytes[14] = static_cast<uint8_t>(host_order >> 8);
    a.bytes[15] = static_cast<uint8_t>(host_order);
    return a;
  }

  /// Builds an address from 4 (IPv4) bytes in network order.
  static ip_address from_v4_bytes(const uint8_t* p) noexcept {
    ip_address a;
    a.bytes[10] = 0xff;
    a.bytes[11] = 0xff;
    std::memcpy(a.bytes.data() + 12, p, 4);
    return a;
  }

  /// Builds an address from 16 (IPv6) bytes in network order.
  static ip_address from_v6_bytes(const uint8_t* p) noexcept {
    ip_address a;
    std::memcpy(a.bytes.data(), p, 16);
    return a;
  }

  /// Parses "10.0.0.1" or "2001:db8::1"; nullopt when the text is not an address.
  static std::optional<ip_address> parse(std::string_view text);

  /// True when this is an IPv4-mapped address.
  bool is_v4() const noexcept {
    static constexpr uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return std::memcmp(bytes.data(), prefix, 12) == 0;
  }

  /// The IPv4 address in host byte order; only meaningful when is_v4().
  uint32_t v4() const noexcept {
    return (uint32_t{bytes[12]} << 24) | (uint32_t{bytes[13]} << 16) |
           (uint32_t{bytes[14]} << 8) | uint32_t{bytes[15]};
  }

  /// True for :: and for the mapped 0.0.0.0.
  bool is_unspecified() const noexcept;

  /// Dotted quad for IPv4, RFC 5952 text for IPv6.
  std::string to_string() const;

  friend bool operator==(const ip_address& a, const ip_address& b) noexcept {
    // Two 8-byte loads: std::array's == calls memcmp, which shows in profiles
    // where records are compared per record (exporter runs in batches).
    uint64_t a0, a1, b0, b1;
    std::memcpy(&a0, a.bytes.data(), 8);
    std::memcpy(&a1, a.bytes.data() + 8, 8);
    std::memcpy(&b0, b.bytes.data(), 8);
    std::memcpy(&b1, b.bytes.data() + 8, 8);
    return ((a0 ^ b0) | (a1 ^ b1)) == 0;
  }
  friend bool operator!=(const ip_address& a, const ip_address& b) noexcept { return !(a == b); }
  friend bool operator<(const ip_address& a, const ip_address& b) noexcept {
    // Byte order as two big-endian words: sorting windows by host for the
    // store made std::array's memcmp show in profiles.
    uint64_t a0, a1, b0, b1;
    std::memcpy(&a0, a.bytes.data(), 8);
    std::memcpy(&a1, a.bytes.data() + 8, 8);
    std::memcpy(&b0, b.bytes.data(), 8);
    std::memcpy(&b1, b.bytes.data() + 8, 8);
    a0 = __builtin_bswap64(a0);
    b0 = __builtin_bswap64(b0);
    if (a0 != b0)
      return a0 < b0;
    return __builtin_bswap64(a1) < __builtin_bswap64(b1);
  }
};

/// An exporter's transport address: where its datagrams come from.
struct endpoint {
  ip_address address;
  uint16_t port = 0;

  /// "192.0.2.1:2055" or "[2001:db8::1]:2055".
  std::string to_string() const;

  friend bool operator==(const endpoint& a, const endpoint& b) noexcept {
    return a.port == b.port && a.address == b.address;
  }
  friend bool operator!=(const endpoint& a, const endpoint& b) noexcept { return !(a == b); }
  friend bool operator<(const endpoint& a, const endpoint& b) noexcept {
    return a.address < b.address || (a.address == b.address && a.port < b.port);
  }
};

/// A 64-bit hash of an address: both halves through a splitmix64
/// finalizer, so neighbouring addresses spread. Stable across runs,
/// platforms and versions (the shard map places hosts by it).
inline uint64_t address_hash(const ip_address& a) noexcept {
  uint64_t hi, lo;
  std::memcpy(&hi, a.bytes.data(), 8);
  std::memcpy(&lo, a.bytes.data() + 8, 8);
  uint64_t x = lo ^ (hi * 0x9e3779b97f4a7c15ull);
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

} // namespace hostflow

template <>
struct std::hash<hostflow::ip_address> {
  size_t operator()(const hostflow::ip_address& a) const noexcept {
    return hostflow::address_hash(a);
  }
};

template <>
struct std::hash<hostflow::endpoint> {
  size_t operator()(const hostflow::endpoint& e) const noexcept {
    return hostflow::address_hash(e.address) ^ (uint64_t{e.port} * 0x9e3779b97f4a7c15ull);
  }
};
