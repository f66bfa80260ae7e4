#pragma once

// Least-recently-used order over numbered slots, without allocation per
// touch: an intrusive doubly-linked list over slot indices.

#include <cstdint>
#include <vector>

namespace hostflow {

/// Orders slots 0..n-1 by last use; touch() is O(1).
class slot_lru {
public:
  static constexpr uint32_t nil = UINT32_MAX;

  /// Makes `slot` the most recently used (inserting it when not listed).
  void touch(uint32_t slot) {
    grow(slot);
    if (head_ == slot)
      return;
    if (listed_[slot])
      unlink(slot);
    prev_[slot] = nil;
    next_[slot] = head_;
    if (head_ != nil)
      prev_[head_] = slot;
    head_ = slot;
    if (tail_ == nil)
      tail_ = slot;
    listed_[slot] = 1;
  }

  /// Takes `slot` out of the order.
  void remove(uint32_t slot) {
    if (slot < listed_.size() && listed_[slot]) {
      unlink(slot);
      listed_[slot] = 0;
    }
  }

  /// The least recently used slot, or nil when none is listed.
  uint32_t oldest() const noexcept { return tail_; }

private:
  void grow(uint32_t slot) {
    if (slot >= listed_.size()) {
      prev_.resize(slot + 1, nil);
      next_.resize(slot + 1, nil);
      listed_.resize(slot + 1, 0);
    }
  }

  void unlink(uint32_t slot) {
    uint32_t p = prev_[slot], n = next_[slot];
    if (p != nil)
      next_[p] = n;
    else
      head_ = n;
    if (n != nil)
      prev_[n] = p;
    else
      tail_ = p;
  }

  std::vector<uint32_t> prev_;
  std::vector<uint32_t> next_;
  std::vector<uint8_t> listed_;
  uint32_t head_ = nil;
  uint32_t tail_ = nil;
};

} // namespace hostflow
