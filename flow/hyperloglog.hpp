#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace hostflow {

/// A HyperLogLog sketch (Flajolet et al. 2007) over 32-bit hashes with 4096
/// one-byte registers: it estimates the number of distinct hashes added with a
/// standard error of 1.04 / sqrt(4096) ~ 1.6 %, in 4 KiB, and two sketches
/// merge into the sketch of the union.
///
/// The hashes must already be well mixed (see hash32.hpp): the top 12 bits pick
/// the register and the other 20 bits give the rank.
class hyperloglog {
public:
  /// Bits of the hash that pick the register.
  static constexpr unsigned precision = 12;

  /// Number of registers (m).
  static constexpr size_t register_count = size_t{1} << precision;

  /// Largest register value: a rank is the leading zeros of the 20 remaining
  /// hash bits plus one, so 21 when all 20 bits are zero.
  static constexpr uint8_t max_rank = 32 - precision + 1;

  /// Adds one hash.
  void add(uint32_t hash) noexcept {
    auto index = hash >> (32 - precision);
    // The sentinel bit stops the count of leading zeros at 20, and makes the
    // argument of clz nonzero.
    auto rest = (hash << precision) | (uint32_t{1} << (precision - 1));
    auto rank = static_cast<uint8_t>(__builtin_clz(rest) + 1);
    if (rank > registers_[index])
      registers_[index] = rank;
  }

  /// Makes this the sketch of the union: the register-wise maximum.
  void merge(const hyperloglog& other) noexcept;

  /// The estimated number of distinct hashes added.
  double estimate() const noexcept;

  /// Forgets every hash.
  void clear() noexcept { registers_.fill(0); }

  /// The registers, e.g. to serialize them.
  const std::array<uint8_t, register_count>& registers() const noexcept { return registers_; }

  /// Replaces the registers with `register_count` bytes from `bytes`. Returns
  /// false, and changes nothing, when a value exceeds max_rank (input that no
  /// sketch could have written).
  bool assign_registers(const uint8_t* bytes) noexcept;

  /// Bytes this sketch occupies (it owns no heap memory).
  static constexpr size_t memory_bytes() noexcept { return sizeof(hyperloglog); }

  friend bool operator==(const hyperloglog& a, const hyperloglog& b) noexcept {
    return a.registers_ == b.registers_;
  }
  friend bool operator!=(const hyperloglog& a, const hyperloglog& b) noexcept { return !(a == b); }

private:
  std::array<uint8_t, register_count> registers_{};
};

} // namespace hostflow
