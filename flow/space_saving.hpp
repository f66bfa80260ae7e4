#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <type_traits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "flow/ip_address.hpp"

namespace hostflow {

// -- key serialization ------------------------------------------------------------

/// How a space_saving key is written: `size` bytes, stored by append() and
/// read back by load(). Specialize it to serialize sketches of other keys.
template <class Key>
struct sketch_key_codec;

/// Addresses as their 16 bytes in network order (IPv4 in mapped form).
template <>
struct sketch_key_codec<ip_address> {
  static constexpr size_t size = 16;
  static void append(std::string& out, const ip_address& a) {
    out.append(reinterpret_cast<const char*>(a.bytes.data()), a.bytes.size());
  }
  static ip_address load(const uint8_t* p) noexcept { return ip_address::from_v6_bytes(p); }
};

/// Ports as 2 bytes, little-endian like every other sketch field.
template <>
struct sketch_key_codec<uint16_t> {
  static constexpr size_t size = 2;
  static void append(std::string& out, uint16_t v) {
    out.push_back(static_cast<char>(v));
    out.push_back(static_cast<char>(v >> 8));
  }
  static uint16_t load(const uint8_t* p) noexcept {
    return static_cast<uint16_t>(p[0] | (p[1] << 8));
  }
};

namespace detail {

inline void append_le64(std::string& out, uint64_t v) {
  char bytes[8];
  for (int i = 0; i < 8; ++i)
    bytes[i] = static_cast<char>(v >> (8 * i));
  out.append(bytes, 8);
}

inline uint64_t load_le64(const uint8_t* p) noexcept {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i)
    v = (v << 8) | p[i];
  return v;
}

} // namespace detail

// -- the sketch -------------------------------------------------------------------

/// The Space-Saving heavy-hitter sketch (Metwally, Agrawal, El Abbadi 2005):
/// the keys with the largest total weight in a stream, in Capacity counters.
///
/// Every reported entry brackets its key's true weight:
/// count - error <= true weight <= count. A key not reported has a true weight
/// of at most min_count(), so every key heavier than (total weight) / Capacity
/// is reported. The entries are found by a linear scan, which beats any
/// index at the intended 8-16 entries. They live in a heap block sized to the
/// keys seen (1, 2, 4, ... up to Capacity), because most hosts' windows see
/// a few peers: an empty sketch is 16 bytes and owns nothing.
///
/// `Count` is the counter type: 64 bits for bytes, 32 bits suffice for
/// flows and halve the entry. Counts saturate at its maximum rather than
/// wrap (no real window holds 2^32 flows to one peer).
template <class Key, size_t Capacity, class Count = uint64_t>
class space_saving {
  static_assert(Capacity > 0 && Capacity <= 255, "the serialized form stores counts in a byte");
  static_assert(std::is_unsigned_v<Count>, "counts are unsigned");

public:
  /// One monitored key.
  struct entry {
    Key key{};
    Count count = 0; ///< upper bound on the key's true weight
    Count error = 0; ///< most by which count may exceed the true weight

    friend bool operator==(const entry& a, const entry& b) noexcept {
      return a.key == b.key && a.count == b.count && a.error == b.error;
    }
  };

  /// Most keys monitored at once.
  static constexpr size_t capacity = Capacity;

  space_saving() noexcept = default;
  space_saving(const space_saving& other) { assign(other); }
  space_saving(space_saving&& other) noexcept
    : entries_(std::move(other.entries_)), size_(other.size_), slots_(other.slots_) {
    other.size_ = other.slots_ = 0;
  }
  space_saving& operator=(const space_saving& other) {
    if (this != &other)
      assign(other);
    return *this;
  }
  space_saving& operator=(space_saving&& other) noexcept {
    entries_ = std::move(other.entries_);
    size_ = other.size_;
    slots_ = other.slots_;
    other.size_ = other.slots_ = 0;
    return *this;
  }

  /// The first byte of every serialized sketch; bumped when the layout changes.
  static constexpr uint8_t format_version = 1;

  // -- counting ----------------------------------------------------------------

  /// Adds `weight` (e.g. packets or bytes) to `key`. When all counters are
  /// taken, the key replaces the one with the smallest count and inherits that
  /// count as its error. A zero weight changes nothing.
  void add(const Key& key, uint64_t weight = 1) noexcept {
    if (weight == 0)
      return;
    for (size_t i = 0; i < size_; ++i) {
      if (entries_[i].key == key) {
        entries_[i].count = sum(entries_[i].count, weight);
        return;
      }
    }
    if (size_ < Capacity) {
      reserve(size_ + 1);
      entries_[size_++] = entry{key, sum(0, weight), 0};
      return;
    }
    auto& victim = entries_[min_index()];
    auto min = victim.count;
    victim = entry{key, sum(min, weight), min};
  }

  /// Makes this the sketch of both streams (the combine of parallel
  /// Space-Saving, Cafaro et al. 2016): a key monitored on both sides gets the
  /// sums of counts and errors; a key monitored on one side only may have had
  /// up to the other side's min_count() there, which goes into its count and
  /// error alike. The Capacity largest counts are kept, so the bounds of every
  /// entry and of min_count() still hold.
  void merge(const space_saving& other) {
    auto min_here = min_count();
    auto min_there = other.min_count();
    std::array<entry, 2 * Capacity> combined;
    size_t n = 0;
    for (size_t i = 0; i < size_; ++i) {
      const auto& e = entries_[i];
      auto match = other.find(e.key);
      if (match)
        combined[n++] = entry{e.key, sum(e.count, match->count), sum(e.error, match->error)};
      else
        combined[n++] = entry{e.key, sum(e.count, min_there), sum(e.error, min_there)};
    }
    for (size_t j = 0; j < other.size_; ++j) {
      const auto& e = other.entries_[j];
      if (!find(e.key))
        combined[n++] = entry{e.key, sum(e.count, min_here), sum(e.error, min_here)};
    }
    auto kept = std::min(n, Capacity);
    if (n > Capacity)
      std::partial_sort(combined.begin(), combined.begin() + kept, combined.begin() + n,
                        by_count_then_key);
    reserve(kept);
    std::copy(combined.begin(), combined.begin() + kept, entries_.get());
    size_ = static_cast<uint8_t>(kept);
  }

  /// The monitored keys, largest count first, ties by ascending key.
  std::vector<entry> top() const {
    std::vector<entry> result(entries_.get(), entries_.get() + size_);
    std::sort(result.begin(), result.end(), by_count_then_key);
    return result;
  }

  /// Calls `f(entry)` for every monitored key in the sketch's own order
  /// (which decides ties when a counter is replaced, so a copy that must
  /// behave the same keeps it).
  template <class F>
  void for_each_entry(F&& f) const {
    for (size_t i = 0; i < size_; ++i)
      f(entries_[i]);
  }

  /// The entry of `key`, or null when it is not monitored.
  const entry* find(const Key& key) const noexcept {
    for (size_t i = 0; i < size_; ++i)
      if (entries_[i].key == key)
        return &entries_[i];
    return nullptr;
  }

  /// Number of monitored keys, at most Capacity.
  size_t size() const noexcept { return size_; }

  /// Upper bound on the true weight of any key not monitored: 0 while a
  /// counter is free (every key seen so far is monitored), else the smallest
  /// count.
  Count min_count() const noexcept { return size_ < Capacity ? 0 : entries_[min_index()].count; }

  /// Forgets every key and frees the heap block.
  void clear() noexcept {
    entries_.reset();
    size_ = slots_ = 0;
  }

  /// Bytes of the heap block.
  size_t heap_bytes() const noexcept { return slots_ * sizeof(entry); }

  /// Bytes the sketch occupies: itself and its heap block.
  size_t memory_bytes() const noexcept { return sizeof(space_saving) + heap_bytes(); }

  // -- serialization -----------------------------------------------------------

  /// Appends the sketch to `out`: the format version, the key size and
  /// Capacity and the number of entries (one byte each), then per entry the key
  /// (see sketch_key_codec) and the count and error as little-endian u64s.
  void append_to(std::string& out) const {
    out.push_back(static_cast<char>(format_version));
    out.push_back(static_cast<char>(codec::size));
    out.push_back(static_cast<char>(Capacity));
    out.push_back(static_cast<char>(size_));
    for (size_t i = 0; i < size_; ++i) {
      codec::append(out, entries_[i].key);
      detail::append_le64(out, entries_[i].count);
      detail::append_le64(out, entries_[i].error);
    }
  }

  /// Reads a sketch written by append_to() from the front of `in` and removes
  /// its bytes from `in`. Returns nullopt, and leaves `in` as it was, when the
  /// bytes are truncated, of another version, key size or Capacity (a sketch
  /// of another Capacity would misstate min_count()), or impossible: more
  /// entries than Capacity, a count above Count's maximum, an error above its
  /// count, a key twice.
  static std::optional<space_saving> decode(std::string_view& in) {
    constexpr size_t header_size = 4;
    constexpr size_t entry_size = codec::size + 16;
    if (in.size() < header_size)
      return std::nullopt;
    auto p = reinterpret_cast<const uint8_t*>(in.data());
    if (p[0] != format_version || p[1] != codec::size || p[2] != Capacity || p[3] > Capacity)
      return std::nullopt;
    size_t n = p[3];
    if ((in.size() - header_size) / entry_size < n)
      return std::nullopt;
    space_saving result;
    for (size_t i = 0; i < n; ++i) {
      auto q = p + header_size + i * entry_size;
      uint64_t count = detail::load_le64(q + codec::size);
      uint64_t error = detail::load_le64(q + codec::size + 8);
      if (count > max_count || error > count)
        return std::nullopt;
      entry e{codec::load(q), static_cast<Count>(count), static_cast<Count>(error)};
      if (result.find(e.key))
        return std::nullopt;
      result.reserve(result.size_ + 1);
      result.entries_[result.size_++] = e;
    }
    in.remove_prefix(header_size + n * entry_size);
    return result;
  }

  /// A sketch holding exactly `entries`, in that order, or nullopt
  /// when no sketch could hold them: more than Capacity, an error above its
  /// count, a key twice.
  static std::optional<space_saving> from_entries(const std::vector<entry>& entries) {
    if (entries.size() > Capacity)
      return std::nullopt;
    space_saving result;
    for (const auto& e : entries) {
      if (e.error > e.count || result.find(e.key))
        return std::nullopt;
      result.reserve(result.size_ + 1);
      result.entries_[result.size_++] = e;
    }
    return result;
  }

  /// Same entries, in any order.
  friend bool operator==(const space_saving& a, const space_saving& b) noexcept {
    if (a.size_ != b.size_)
      return false;
    for (size_t i = 0; i < a.size_; ++i) {
      auto match = b.find(a.entries_[i].key);
      if (!match || !(*match == a.entries_[i]))
        return false;
    }
    return true;
  }
  friend bool operator!=(const space_saving& a, const space_saving& b) noexcept {
    return !(a == b);
  }

private:
  using codec = sketch_key_codec<Key>;

  static constexpr Count max_count = std::numeric_limits<Count>::max();

  /// a + b, saturated at max_count.
  static Count sum(Count a, uint64_t b) noexcept {
    return b > uint64_t{max_count} - a ? max_count : static_cast<Count>(a + b);
  }

  static bool by_count_then_key(const entry& a, const entry& b) noexcept {
    if (a.count != b.count)
      return a.count > b.count;
    return a.key < b.key;
  }

  /// Index of the smallest count; only called when size_ > 0.
  size_t min_index() const noexcept {
    size_t m = 0;
    for (size_t i = 1; i < size_; ++i)
      if (entries_[i].count < entries_[m].count)
        m = i;
    return m;
  }

  /// Makes room for `n` entries (n <= Capacity), doubling the block.
  void reserve(size_t n) {
    if (n <= slots_)
      return;
    size_t slots = slots_ == 0 ? 1 : slots_;
    while (slots < n)
      slots *= 2;
    slots = std::min(slots, Capacity);
    auto grown = std::make_unique<entry[]>(slots);
    std::copy(entries_.get(), entries_.get() + size_, grown.get());
    entries_ = std::move(grown);
    slots_ = static_cast<uint8_t>(slots);
  }

  void assign(const space_saving& other) {
    if (other.size_ == 0) {
      clear();
      return;
    }
    auto copy = std::make_unique<entry[]>(other.size_);
    std::copy(other.entries_.get(), other.entries_.get() + other.size_, copy.get());
    entries_ = std::move(copy);
    size_ = slots_ = other.size_;
  }

  std::unique_ptr<entry[]> entries_;
  uint8_t size_ = 0;  ///< entries in use
  uint8_t slots_ = 0; ///< entries the block holds
};

} // namespace hostflow
