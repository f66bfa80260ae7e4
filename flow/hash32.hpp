#pragma once

#include <cstdint>

#include "flow/ip_address.hpp"

namespace hostflow {

// The sketches (distinct_counter, hyperloglog) count distinct 32-bit hashes,
// not distinct keys. A distinct_counter stays exact while it holds up to 1024
// hashes, and that exact count is only the count of distinct *keys* when no two
// keys share a hash. So every hash here is a bijection where the key fits in 32
// bits (IPv4 addresses, ports): distinct peers and ports never collide, and the
// exact counts are exact. The hashes are also fixed functions of the key bytes,
// the same on every run and platform, because registers and hash values are
// written to checkpoints and the store and merged with ones computed elsewhere.

/// A bijective 32-bit finalizer: distinct inputs give distinct outputs, and
/// every output bit depends on every input bit. Each step is invertible (an
/// xorshift, or a multiplication by an odd constant), so the whole is a
/// permutation of the 32-bit values. The constants are "triple32" from Chris
/// Wellons' hash-prospector. Two-round finalizers (murmur3's fmix32,
/// "lowbias32") leave structure in the hashes of consecutive inputs, such as
/// the addresses of a subnet: a HyperLogLog fed 100k or 1M consecutive IPv4
/// addresses through them was biased by 0.4-0.7 %; through this one, as through
/// random numbers, by under 0.2 %.
constexpr uint32_t mix32(uint32_t x) noexcept {
  x ^= x >> 17;
  x *= 0xed5ad4bbU;
  x ^= x >> 11;
  x *= 0xac4c1b51U;
  x ^= x >> 15;
  x *= 0x31848babU;
  x ^= x >> 14;
  return x;
}

/// The 32-bit hash of an address: mix32 of the IPv4 address (a bijection, so
/// distinct IPv4 addresses never collide), or a chained mix of the four
/// big-endian 32-bit words of an IPv6 address. Each chain step is a bijection
/// of the word it takes in, so IPv6 addresses that differ only in their last
/// 32 bits never collide either; other IPv6 pairs collide with chance 2^-32.
inline uint32_t hash_address(const ip_address& a) noexcept {
  if (a.is_v4())
    return mix32(a.v4());
  // Not 0: mix32(0) == 0, so a zero seed would hash ::x (as in ::1) exactly
  // like the IPv4 address x.
  uint32_t h = 0x9e3779b9U;
  for (int i = 0; i < 16; i += 4) {
    uint32_t word = (uint32_t{a.bytes[i]} << 24) | (uint32_t{a.bytes[i + 1]} << 16) |
                    (uint32_t{a.bytes[i + 2]} << 8) | uint32_t{a.bytes[i + 3]};
    h = mix32(h ^ word);
  }
  return h;
}

/// The 32-bit hash of a transport port: mix32(port), so distinct ports never
/// collide.
constexpr uint32_t hash_port(uint16_t port) noexcept {
  return mix32(port);
}

} // namespace hostflow
