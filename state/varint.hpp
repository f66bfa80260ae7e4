#pragma once

// LEB128 varints for the stored value formats: small numbers (most window
// counters) take one or two bytes.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hostflow {

/// Appends `x` as an unsigned LEB128 varint.
inline void append_varint(std::string& out, uint64_t x) {
  while (x >= 0x80) {
    out.push_back(static_cast<char>((x & 0x7f) | 0x80));
    x >>= 7;
  }
  out.push_back(static_cast<char>(x));
}

/// Appends a signed value, zigzag-encoded.
inline void append_svarint(std::string& out, int64_t x) {
  append_varint(out, (static_cast<uint64_t>(x) << 1) ^ static_cast<uint64_t>(x >> 63));
}

/// Reads a varint from the front of `in` and consumes it; nullopt when
/// truncated or longer than 10 bytes.
inline std::optional<uint64_t> read_varint(std::string_view& in) {
  uint64_t x = 0;
  for (int shift = 0, i = 0; i < 10 && i < static_cast<int>(in.size()); ++i, shift += 7) {
    auto byte = static_cast<uint8_t>(in[static_cast<size_t>(i)]);
    x |= uint64_t{byte & 0x7fu} << shift;
    if ((byte & 0x80) == 0) {
      in.remove_prefix(static_cast<size_t>(i) + 1);
      return x;
    }
  }
  return std::nullopt;
}

/// Reads a zigzag-encoded signed varint.
inline std::optional<int64_t> read_svarint(std::string_view& in) {
  auto u = read_varint(in);
  if (!u)
    return std::nullopt;
  return static_cast<int64_t>((*u >> 1) ^ (~(*u & 1) + 1));
}

} // namespace hostflow
