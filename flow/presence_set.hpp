#pragma once

// The distinct peers (or ports) of one host direction's open windows, kept
// once each with a bit per window they appeared in.
//
// A busy host's open buckets and partly closed windows share most of their
// peers: a sorted array per window held each peer a dozen times over, and
// rolling a closed bucket into its 30 s, 1 min and 5 min windows merged
// three arrays. Here a key is stored once with a 64-bit mask: one bit per
// open 10 s bucket and one per partly closed coarse window. Rolling a bucket
// up moves a bit, counting a window counts the keys with its bits.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "flow/distinct_counter.hpp"

namespace hostflow {

/// 32-bit keys (see hash32.hpp) with a presence bit per window. Exact while
/// at most `exact_limit` keys are held at once; past that it keeps one
/// distinct_counter per bit instead (each exact up to its own limit, then a
/// HyperLogLog), which counts exactly what separate per-window counters
/// would, so a window's count never depends on the representation.
class presence_set {
public:
  /// Window bits: a mask may use any of the 64.
  using mask = uint64_t;

  /// Most keys held exactly at once (12 bytes each).
  static constexpr uint32_t exact_limit = distinct_counter::exact_limit;

  presence_set() = default;
  presence_set(const presence_set& other);
  presence_set(presence_set&&) noexcept = default;
  presence_set& operator=(const presence_set& other);
  presence_set& operator=(presence_set&&) noexcept = default;
  ~presence_set();

  /// Notes `key` as present in the windows of `bits`.
  void add(uint32_t key, mask bits);

  /// Distinct keys present in any window of `bits`: exact, or the
  /// HyperLogLog estimate of a window past distinct_counter's exact limit.
  uint64_t count(mask bits) const;

  /// Every key present in window `from` becomes present in the windows of
  /// `to` and leaves `from` (a closed bucket rolled into its coarse windows).
  void move_bit(unsigned from, mask to);

  /// Forgets the windows of `bits`; keys left in no window are dropped.
  void clear(mask bits);

  /// The keys of the windows of `bits` as one distinct_counter (checkpoints).
  distinct_counter export_bits(mask bits) const;

  /// Adds the keys of a distinct_counter to window `bit` (restoring a
  /// checkpoint). A HyperLogLog cannot list its keys, so it switches the set
  /// to per-bit counters.
  void import_bit(unsigned bit, const distinct_counter& c);

  /// Calls `f(key, bits)` for every key held in the shared array, keys
  /// ascending; only while is_exact().
  template <class F>
  void for_each_exact(F&& f) const {
    for (uint32_t i = 0; i < size_; ++i)
      f(keys()[i], masks()[i]);
  }

  /// True when no key is held.
  bool empty() const noexcept;

  /// True while keys are held in the shared array (not per bit).
  bool is_exact() const noexcept { return !per_bit_; }

  /// Keys held in the shared array.
  uint32_t size() const noexcept { return size_; }

  /// Bytes held: the object, its array and any per-bit counters.
  size_t memory_bytes() const noexcept;

private:
  struct per_bit_counters {
    std::array<distinct_counter, 64> counters;
  };

  uint64_t* masks() const noexcept { return block_.get(); }
  uint32_t* keys() const noexcept { return reinterpret_cast<uint32_t*>(block_.get() + capacity_); }
  /// Moves the keys into per-bit counters and frees the array.
  void to_per_bit();
  /// Frees the per-bit counters once all are empty.
  void drop_per_bit_if_empty();
  /// Grows the array to hold at least `n` keys.
  void reserve(uint32_t n);

  /// `capacity_` masks, then `capacity_` keys (capacity_ is even, so the
  /// keys fill whole words). Keys ascend.
  std::unique_ptr<uint64_t[]> block_;
  uint32_t size_ = 0;
  uint32_t capacity_ = 0;
  std::unique_ptr<per_bit_counters> per_bit_;
};

} // namespace hostflow
