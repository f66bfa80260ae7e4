#pragma once

// A flat hash map from addresses to 32-bit values (slot numbers). The host
// and external-source tables look an address up for every record view;
// with std::unordered_map that is a bucket load and a node load, two cache
// misses on a table of millions, and it showed as the largest single cost
// of adding a record. Here key, value and a hash tag sit together in one
// array probed linearly, so a lookup is usually one miss.

#include <cstddef>
#include <cstdint>
#include <memory>

#include "flow/ip_address.hpp"

namespace hostflow {

/// Addresses to uint32_t values, open addressing with linear probing.
class address_index {
public:
  /// Returned by find() for an address not in the index.
  static constexpr uint32_t npos = UINT32_MAX;

  address_index() = default;
  address_index(const address_index& other);
  address_index(address_index&&) noexcept = default;
  address_index& operator=(const address_index& other);
  address_index& operator=(address_index&&) noexcept = default;

  /// The value of `a`, or npos.
  uint32_t find(const ip_address& a) const noexcept;

  /// Maps `a` to `value` (value != npos); returns false, changing nothing,
  /// when `a` is present already.
  bool insert(const ip_address& a, uint32_t value);

  /// Removes `a`; returns whether it was present.
  bool erase(const ip_address& a) noexcept;

  size_t size() const noexcept { return size_; }
  /// Entries the array has room for.
  size_t capacity() const noexcept { return mask_ == 0 && !entries_ ? 0 : mask_ + 1; }
  /// Bytes of the array.
  size_t memory_bytes() const noexcept { return capacity() * sizeof(entry); }

private:
  struct entry {
    ip_address key;
    uint32_t value = npos; ///< npos: the entry is free
    uint32_t tag = 0;      ///< the low bits of the key's hash, to skip most key compares
  };

  /// Where the probe for a hash starts.
  size_t home(uint64_t hash) const noexcept { return static_cast<size_t>(hash) & mask_; }
  /// Doubles the array (or makes the first one) and reinserts every entry.
  void grow();
  void place(const entry& e, uint64_t hash) noexcept;

  std::unique_ptr<entry[]> entries_;
  size_t mask_ = 0; ///< capacity - 1 once allocated
  size_t size_ = 0;
};

} // namespace hostflow
