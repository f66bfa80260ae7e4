#include "flow/address_index.hpp"

namespace hostflow {

namespace {

/// Smallest array: 16 entries (384 bytes).
constexpr size_t min_capacity = 16;

uint32_t tag_of(uint64_t hash) noexcept {
  return static_cast<uint32_t>(hash >> 32);
}

} // namespace

address_index::address_index(const address_index& other)
  : mask_(other.mask_), size_(other.size_) {
  if (other.entries_) {
    entries_ = std::make_unique<entry[]>(mask_ + 1);
    std::copy(other.entries_.get(), other.entries_.get() + mask_ + 1, entries_.get());
  }
}

address_index& address_index::operator=(const address_index& other) {
  if (this != &other) {
    address_index copy(other);
    *this = std::move(copy);
  }
  return *this;
}

uint32_t address_index::find(const ip_address& a) const noexcept {
  if (size_ == 0)
    return npos;
  uint64_t hash = address_hash(a);
  uint32_t tag = tag_of(hash);
  for (size_t i = home(hash);; i = (i + 1) & mask_) {
    const auto& e = entries_[i];
    if (e.value == npos)
      return npos;
    if (e.tag == tag && e.key == a)
      return e.value;
  }
}

bool address_index::insert(const ip_address& a, uint32_t value) {
  if (find(a) != npos)
    return false;
  // Keep the load at or below 3/4 so probes stay short.
  if (!entries_ || (size_ + 1) * 4 > (mask_ + 1) * 3)
    grow();
  uint64_t hash = address_hash(a);
  place(entry{a, value, tag_of(hash)}, hash);
  ++size_;
  return true;
}

void address_index::place(const entry& e, uint64_t hash) noexcept {
  size_t i = home(hash);
  while (entries_[i].value != npos)
    i = (i + 1) & mask_;
  entries_[i] = e;
}

void address_index::grow() {
  size_t capacity = entries_ ? (mask_ + 1) * 2 : min_capacity;
  auto old = std::move(entries_);
  size_t old_capacity = old ? mask_ + 1 : 0;
  entries_ = std::make_unique<entry[]>(capacity);
  mask_ = capacity - 1;
  for (size_t i = 0; i < old_capacity; ++i)
    if (old[i].value != npos)
      place(old[i], address_hash(old[i].key));
}

bool address_index::erase(const ip_address& a) noexcept {
  if (size_ == 0)
    return false;
  uint64_t hash = address_hash(a);
  uint32_t tag = tag_of(hash);
  size_t i = home(hash);
  for (;; i = (i + 1) & mask_) {
    const auto& e = entries_[i];
    if (e.value == npos)
      return false;
    if (e.tag == tag && e.key == a)
      break;
  }
  // Backward-shift deletion: pull later entries of the probe run into the
  // hole when their home allows it, so no tombstones build up.
  size_t hole = i;
  for (size_t j = (hole + 1) & mask_; entries_[j].value != npos; j = (j + 1) & mask_) {
    size_t h = home(address_hash(entries_[j].key));
    // The entry at j may move to the hole when its home is not in (hole, j].
    bool stays = hole < j ? (h > hole && h <= j) : (h > hole || h <= j);
    if (!stays) {
      entries_[hole] = entries_[j];
      hole = j;
    }
  }
  entries_[hole] = entry{};
  --size_;
  return true;
}

} // namespace hostflow
