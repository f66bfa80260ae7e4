#pragma once

// Addresses in stored values: an IPv4 (mapped) address in 4 bytes, IPv6 in
// 16, after a byte saying which. Top lists are mostly IPv4 peers, and 12
// saved bytes per entry are about a third of a stored 1 min window.

#include <string>
#include <string_view>

#include "flow/ip_address.hpp"

namespace hostflow {

/// Appends `a` as a length byte (4 or 16) and its bytes in network order.
inline void append_compact_address(std::string& out, const ip_address& a) {
  if (a.is_v4()) {
    out.push_back(4);
    out.append(reinterpret_cast<const char*>(a.bytes.data()) + 12, 4);
  } else {
    out.push_back(16);
    out.append(reinterpret_cast<const char*>(a.bytes.data()), 16);
  }
}

/// Reads an address written by append_compact_address from the front of
/// `in`; false (with `in` unchanged) when truncated or the length byte is
/// neither 4 nor 16.
inline bool read_compact_address(std::string_view& in, ip_address& a) {
  if (in.empty())
    return false;
  auto length = static_cast<uint8_t>(in[0]);
  if ((length != 4 && length != 16) || in.size() < 1u + length)
    return false;
  auto p = reinterpret_cast<const uint8_t*>(in.data()) + 1;
  a = length == 4 ? ip_address::from_v4_bytes(p) : ip_address::from_v6_bytes(p);
  in.remove_prefix(1u + length);
  return true;
}

/// Appends the plain 16 bytes of `a` (the mapped form for IPv4).
inline void append_full_address(std::string& out, const ip_address& a) {
  out.append(reinterpret_cast<const char*>(a.bytes.data()), 16);
}

/// Reads a plain 16-byte address (the mapped form for IPv4).
inline bool read_full_address(std::string_view& in, ip_address& a) {
  if (in.size() < 16)
    return false;
  a = ip_address::from_v6_bytes(reinterpret_cast<const uint8_t*>(in.data()));
  in.remove_prefix(16);
  return true;
}

} // namespace hostflow
