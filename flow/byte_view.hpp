#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace hostflow {

/// A read-only view of bytes (pointer + size), the input of every decoder.
struct byte_view {
  const uint8_t* data = nullptr;
  size_t size = 0;

  byte_view() = default;
  byte_view(const uint8_t* p, size_t n) : data(p), size(n) {}

  /// The bytes [offset, offset + n); the caller checks the bounds.
  byte_view sub(size_t offset, size_t n) const { return {data + offset, n}; }
  bool empty() const { return size == 0; }
};

// -- big-endian loads; callers check bounds before calling ---------------------

inline uint16_t load_be16(const uint8_t* p) noexcept {
  return static_cast<uint16_t>((uint16_t{p[0]} << 8) | p[1]);
}

inline uint32_t load_be32(const uint8_t* p) noexcept {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return __builtin_bswap32(v);
}

inline uint64_t load_be64(const uint8_t* p) noexcept {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return __builtin_bswap64(v);
}

/// Loads an unsigned big-endian integer of 0..8 bytes. Reduced-size encoding
/// (RFC 7011 6.2) sends a counter in fewer bytes than its type; values longer
/// than 8 bytes keep their low 8 bytes.
inline uint64_t load_be_uint(const uint8_t* p, size_t n) noexcept {
  switch (n) {
    case 1:
      return p[0];
    case 2:
      return load_be16(p);
    case 4:
      return load_be32(p);
    case 8:
      return load_be64(p);
    default:
      break;
  }
  if (n > 8) {
    p += n - 8;
    n = 8;
  }
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i)
    v = (v << 8) | p[i];
  return v;
}

} // namespace hostflow
