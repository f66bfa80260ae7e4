#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "flow/hyperloglog.hpp"

namespace hostflow {

/// Counts distinct 32-bit hashes (see hash32.hpp) in bounded memory, exactly
/// while the count is small.
///
/// There is one counter per host and measure (peers, ports), millions in all,
/// and most of them stay small. So a counter is 16 bytes and an empty one owns
/// no heap memory; up to `exact_limit` hashes it keeps them in a sorted array
/// (4 bytes each, grown by doubling) and counts exactly; past that the array
/// would outgrow a HyperLogLog, so it turns into one (4 KiB, ~1.6 % standard
/// error) and stays one until cleared.
class distinct_counter {
public:
  /// Most hashes kept exactly: at this size the array is as large as the
  /// HyperLogLog (4 bytes per hash against 4096 one-byte registers).
  static constexpr uint32_t exact_limit = hyperloglog::register_count / sizeof(uint32_t);

  /// The first byte of every serialized counter; bumped when the layout changes.
  static constexpr uint8_t format_version = 1;

  distinct_counter() noexcept = default;
  distinct_counter(const distinct_counter& other);
  distinct_counter(distinct_counter&& other) noexcept;
  distinct_counter& operator=(const distinct_counter& other);
  distinct_counter& operator=(distinct_counter&& other) noexcept;
  ~distinct_counter() { release(); }

  // -- counting ----------------------------------------------------------------

  /// Adds one hash; adding a hash again changes nothing.
  void add(uint32_t hash);

  /// Makes this the counter of the union of both sets of hashes. It stays exact
  /// when both are exact and the union has at most `exact_limit` hashes.
  void merge(const distinct_counter& other);

  /// The number of distinct hashes: exact while is_exact(), else the rounded
  /// HyperLogLog estimate.
  uint64_t count() const noexcept;

  /// True while count() is exact.
  bool is_exact() const noexcept { return mode_ == mode::exact; }

  /// Calls `f(hash)` for every hash, ascending; only while is_exact().
  template <class F>
  void for_each_exact(F&& f) const {
    if (mode_ != mode::exact)
      return;
    const uint32_t* p = data();
    for (uint16_t i = 0; i < size_; ++i)
      f(p[i]);
  }

  /// Forgets every hash and frees the heap memory.
  void clear() noexcept;

  /// Bytes this counter occupies: its own size plus the heap block it owns.
  size_t memory_bytes() const noexcept;

  // -- serialization -----------------------------------------------------------

  /// Appends the counter to `out`: the format version byte, a mode byte, then
  /// either a little-endian u16 count and the ascending hashes as
  /// little-endian u32s (4 bytes when empty, 4 + 4n with n hashes), or the
  /// 4096 HyperLogLog registers (4098 bytes).
  void append_to(std::string& out) const;

  /// Reads a counter written by append_to() from the front of `in` and removes
  /// its bytes from `in`. Returns nullopt, and leaves `in` as it was, when the
  /// bytes are truncated or no counter could have written them: unknown
  /// version or mode, more than `exact_limit` hashes, hashes not strictly
  /// ascending, registers above hyperloglog::max_rank. Allocates at most one
  /// counter's worth of memory whatever the input.
  static std::optional<distinct_counter> decode(std::string_view& in);

  /// Same mode and same hashes, or same registers.
  friend bool operator==(const distinct_counter& a, const distinct_counter& b) noexcept;
  friend bool operator!=(const distinct_counter& a, const distinct_counter& b) noexcept {
    return !(a == b);
  }

private:
  enum class mode : uint8_t { exact = 0, sketch = 1 };

  /// Smallest array allocated: 16 bytes, within glibc's smallest heap chunk.
  static constexpr uint16_t min_capacity = 4;

  /// Hashes held inline, in the pointer's bytes, before any allocation:
  /// most windows see one or two peers and ports.
  static constexpr uint16_t inline_capacity = 2;

  /// The exact hashes: inline while capacity_ is 0, else on the heap.
  uint32_t* data() noexcept { return capacity_ == 0 ? inline_ : values_; }
  const uint32_t* data() const noexcept { return capacity_ == 0 ? inline_ : values_; }

  /// Slots the exact form has now.
  uint16_t slots() const noexcept { return capacity_ == 0 ? inline_capacity : capacity_; }

  /// Takes over other's storage (inline hashes, heap block or sketch) and
  /// leaves it empty.
  void take(distinct_counter& other) noexcept;

  /// Frees the heap block, if any; leaves the storage for the caller to reset.
  void release() noexcept;

  /// Replaces the exact array with a HyperLogLog holding the same hashes.
  void convert_to_sketch();

  /// Resizes the exact array to `capacity` slots, keeping the first size_ hashes.
  void reallocate(uint16_t capacity);

  /// Slots to allocate for `n` exact hashes: a power of two, at least min_capacity.
  static uint16_t capacity_for(uint32_t n) noexcept;

  // Which member of the union is live is told by mode_ and capacity_. In
  // exact mode with capacity_ 0 the first size_ (at most inline_capacity) of
  // inline_ are in use; with capacity_ > 0 values_ holds capacity_ slots of
  // which the first size_ are in use. Exact hashes are strictly ascending.
  union {
    uint32_t* values_ = nullptr;
    hyperloglog* sketch_;
    uint32_t inline_[inline_capacity];
  };
  uint16_t size_ = 0;
  uint16_t capacity_ = 0;
  mode mode_ = mode::exact;
};

} // namespace hostflow
