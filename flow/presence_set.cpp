#include "flow/presence_set.hpp"

#include <algorithm>
#include <cstring>

namespace hostflow {

namespace {

constexpr uint32_t min_capacity = 4;

/// Calls f(bit) for every set bit of m.
template <class F>
void for_each_bit(uint64_t m, F&& f) {
  while (m != 0) {
    f(static_cast<unsigned>(__builtin_ctzll(m)));
    m &= m - 1;
  }
}

/// Words of a block for `capacity` masks and keys.
size_t block_words(uint32_t capacity) noexcept {
  return capacity + capacity / 2;
}

} // namespace

presence_set::presence_set(const presence_set& other)
  : size_(other.size_), capacity_(other.size_ == 0 ? 0 : std::max(min_capacity, (other.size_ + 1) & ~1u)) {
  if (capacity_ > 0) {
    block_ = std::make_unique<uint64_t[]>(block_words(capacity_));
    std::memcpy(masks(), other.masks(), size_ * sizeof(uint64_t));
    std::memcpy(keys(), other.keys(), size_ * sizeof(uint32_t));
  }
  if (other.per_bit_)
    per_bit_ = std::make_unique<per_bit_counters>(*other.per_bit_);
}

presence_set& presence_set::operator=(const presence_set& other) {
  if (this != &other) {
    presence_set copy(other);
    *this = std::move(copy);
  }
  return *this;
}

presence_set::~presence_set() = default;

void presence_set::reserve(uint32_t n) {
  if (n <= capacity_)
    return;
  uint32_t capacity = std::max(min_capacity, capacity_ * 2);
  while (capacity < n)
    capacity *= 2;
  auto block = std::make_unique<uint64_t[]>(block_words(capacity));
  if (size_ > 0) {
    std::memcpy(block.get(), masks(), size_ * sizeof(uint64_t));
    std::memcpy(reinterpret_cast<uint32_t*>(block.get() + capacity), keys(),
                size_ * sizeof(uint32_t));
  }
  block_ = std::move(block);
  capacity_ = capacity;
}

void presence_set::add(uint32_t key, mask bits) {
  if (bits == 0)
    return;
  if (per_bit_) {
    for_each_bit(bits, [&](unsigned b) { per_bit_->counters[b].add(key); });
    return;
  }
  uint32_t* k = keys();
  uint32_t* end = k + size_;
  uint32_t* at = std::lower_bound(k, end, key);
  size_t i = static_cast<size_t>(at - k);
  if (at != end && *at == key) {
    masks()[i] |= bits;
    return;
  }
  if (size_ >= exact_limit) {
    to_per_bit();
    add(key, bits);
    return;
  }
  reserve(size_ + 1);
  k = keys();
  uint64_t* m = masks();
  std::memmove(k + i + 1, k + i, (size_ - i) * sizeof(uint32_t));
  std::memmove(m + i + 1, m + i, (size_ - i) * sizeof(uint64_t));
  k[i] = key;
  m[i] = bits;
  ++size_;
}

uint64_t presence_set::count(mask bits) const {
  if (per_bit_) {
    const distinct_counter* first = nullptr;
    distinct_counter merged;
    bool several = false;
    for_each_bit(bits, [&](unsigned b) {
      const auto& c = per_bit_->counters[b];
      if (!first) {
        first = &c;
      } else {
        if (!several) {
          merged = *first;
          several = true;
        }
        merged.merge(c);
      }
    });
    return several ? merged.count() : first ? first->count() : 0;
  }
  uint64_t n = 0;
  const uint64_t* m = masks();
  for (uint32_t i = 0; i < size_; ++i)
    n += (m[i] & bits) != 0;
  return n;
}

void presence_set::move_bit(unsigned from, mask to) {
  mask from_bit = mask{1} << from;
  if (per_bit_) {
    auto& source = per_bit_->counters[from];
    for_each_bit(to & ~from_bit, [&](unsigned b) { per_bit_->counters[b].merge(source); });
    if (!(to & from_bit))
      source.clear();
    return;
  }
  uint64_t* m = masks();
  for (uint32_t i = 0; i < size_; ++i)
    if (m[i] & from_bit)
      m[i] = (m[i] & ~from_bit) | to;
}

void presence_set::clear(mask bits) {
  if (per_bit_) {
    for_each_bit(bits, [&](unsigned b) { per_bit_->counters[b].clear(); });
    drop_per_bit_if_empty();
    return;
  }
  uint64_t* m = masks();
  uint32_t* k = keys();
  uint32_t kept = 0;
  for (uint32_t i = 0; i < size_; ++i) {
    uint64_t left = m[i] & ~bits;
    if (left == 0)
      continue;
    m[kept] = left;
    k[kept] = k[i];
    ++kept;
  }
  size_ = kept;
  if (size_ == 0) {
    block_.reset();
    capacity_ = 0;
  }
}

distinct_counter presence_set::export_bits(mask bits) const {
  distinct_counter out;
  if (per_bit_) {
    for_each_bit(bits, [&](unsigned b) { out.merge(per_bit_->counters[b]); });
    return out;
  }
  const uint64_t* m = masks();
  const uint32_t* k = keys();
  for (uint32_t i = 0; i < size_; ++i)
    if (m[i] & bits)
      out.add(k[i]);
  return out;
}

void presence_set::import_bit(unsigned bit, const distinct_counter& c) {
  if (c.is_exact()) {
    c.for_each_exact([&](uint32_t key) { add(key, mask{1} << bit); });
    return;
  }
  if (!per_bit_)
    to_per_bit();
  per_bit_->counters[bit].merge(c);
}

bool presence_set::empty() const noexcept {
  if (!per_bit_)
    return size_ == 0;
  for (const auto& c : per_bit_->counters)
    if (c.count() != 0)
      return false;
  return true;
}

void presence_set::to_per_bit() {
  per_bit_ = std::make_unique<per_bit_counters>();
  const uint64_t* m = masks();
  const uint32_t* k = keys();
  for (uint32_t i = 0; i < size_; ++i)
    for_each_bit(m[i], [&](unsigned b) { per_bit_->counters[b].add(k[i]); });
  block_.reset();
  size_ = capacity_ = 0;
}

void presence_set::drop_per_bit_if_empty() {
  if (per_bit_ && empty())
    per_bit_.reset();
}

size_t presence_set::memory_bytes() const noexcept {
  size_t n = sizeof(presence_set) + block_words(capacity_) * sizeof(uint64_t);
  if (per_bit_)
    for (const auto& c : per_bit_->counters)
      n += c.memory_bytes();
  return n;
}

} // namespace hostflow
