#pragma once

// Profiles by address in reusable slots: lookup by address, least-recently-
// used order, and a generation per slot so references held elsewhere (the
// close schedule) can tell that a slot was reused.

#include <cstdint>
#include <vector>

#include "flow/address_index.hpp"
#include "flow/ip_address.hpp"
#include "flow/slot_lru.hpp"

namespace hostflow {

/// A slot number with the generation it had when the reference was taken.
struct slot_ref {
  uint32_t slot;
  uint32_t generation;
};

/// Profiles of type T (with an `address` member) in slots.
template <class T>
class slot_table {
public:
  struct slot {
    T profile;
    uint32_t generation = 0;
    bool used = false;
    bool dirty = false; ///< free for the owner's bookkeeping
  };

  /// Marks slot `n` as the most recently used.
  void touch(uint32_t n) { lru_.touch(n); }

  /// The slot of `a`, or nil.
  uint32_t find(const ip_address& a) const {
    uint32_t n = index_.find(a);
    return n == address_index::npos ? slot_lru::nil : n;
  }

  /// The slot of `a`, created when missing; `created` says which.
  uint32_t find_or_create(const ip_address& a, bool& created) {
    if (uint32_t found = index_.find(a); found != address_index::npos) {
      lru_.touch(found);
      created = false;
      return found;
    }
    uint32_t n;
    if (!free_.empty()) {
      n = free_.back();
      free_.pop_back();
    } else {
      n = static_cast<uint32_t>(slots_.size());
      slots_.emplace_back();
    }
    auto& s = slots_[n];
    s.used = true;
    s.profile.address = a;
    index_.insert(a, n);
    lru_.touch(n);
    created = true;
    return n;
  }

  /// Empties slot `n` for reuse.
  void erase(uint32_t n) {
    auto& s = slots_[n];
    index_.erase(s.profile.address);
    lru_.remove(n);
    s.profile = T{};
    s.used = false;
    s.dirty = false;
    ++s.generation;
    free_.push_back(n);
  }

  /// The least recently used slot, or slot_lru::nil.
  uint32_t oldest() const noexcept { return lru_.oldest(); }

  slot& at(uint32_t n) noexcept { return slots_[n]; }
  const slot& at(uint32_t n) const noexcept { return slots_[n]; }

  /// A reference to slot `n` as it is now.
  slot_ref ref(uint32_t n) const noexcept { return slot_ref{n, slots_[n].generation}; }

  /// True when `r` still names the profile it was taken for.
  bool valid(slot_ref r) const noexcept {
    const auto& s = slots_[r.slot];
    return s.used && s.generation == r.generation;
  }

  size_t size() const noexcept { return index_.size(); }
  const std::vector<slot>& slots() const noexcept { return slots_; }

  /// Bytes of the table's own structures (not what profiles hold on the heap).
  size_t overhead_bytes() const noexcept {
    return slots_.capacity() * (sizeof(slot) - sizeof(T)) +
           index_.memory_bytes() +
           slots_.capacity() * (2 * sizeof(uint32_t) + 1);
  }

private:
  std::vector<slot> slots_;
  std::vector<uint32_t> free_;
  address_index index_;
  slot_lru lru_;
};

} // namespace hostflow
