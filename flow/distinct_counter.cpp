#include "flow/distinct_counter.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>

namespace hostflow {

namespace {

// The serialized form is little-endian whatever the host, so that checkpoints
// move between machines.

void put_le16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v));
  out.push_back(static_cast<char>(v >> 8));
}

void put_le32(std::string& out, uint32_t v) {
  char bytes[4] = {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16),
                   static_cast<char>(v >> 24)};
  out.append(bytes, 4);
}

uint16_t load_le16(const uint8_t* p) noexcept {
  return static_cast<uint16_t>(p[0] | (p[1] << 8));
}

uint32_t load_le32(const uint8_t* p) noexcept {
  return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}

/// Bytes before the payload: version, mode.
constexpr size_t header_size = 2;

/// Bytes of the exact form's count.
constexpr size_t count_size = 2;

} // namespace

// -- construction ---------------------------------------------------------------

distinct_counter::distinct_counter(const distinct_counter& other) {
  if (other.mode_ == mode::sketch) {
    sketch_ = new hyperloglog(*other.sketch_);
    mode_ = mode::sketch;
    return;
  }
  if (other.size_ > inline_capacity) {
    capacity_ = capacity_for(other.size_);
    values_ = new uint32_t[capacity_];
  }
  std::memcpy(data(), other.data(), other.size_ * sizeof(uint32_t));
  size_ = other.size_;
}

distinct_counter::distinct_counter(distinct_counter&& other) noexcept {
  take(other);
}

distinct_counter& distinct_counter::operator=(const distinct_counter& other) {
  if (this != &other)
    *this = distinct_counter(other);
  return *this;
}

distinct_counter& distinct_counter::operator=(distinct_counter&& other) noexcept {
  if (this != &other) {
    release();
    take(other);
  }
  return *this;
}

void distinct_counter::take(distinct_counter& other) noexcept {
  // The union's bytes are the inline hashes, the heap pointer or the
  // sketch pointer; copying them moves whichever is live.
  std::memcpy(static_cast<void*>(inline_), other.inline_, sizeof(inline_));
  size_ = other.size_;
  capacity_ = other.capacity_;
  mode_ = other.mode_;
  other.values_ = nullptr;
  other.size_ = 0;
  other.capacity_ = 0;
  other.mode_ = mode::exact;
}

void distinct_counter::release() noexcept {
  if (mode_ == mode::sketch)
    delete sketch_;
  else if (capacity_ > 0)
    delete[] values_;
}

// -- counting -------------------------------------------------------------------

void distinct_counter::add(uint32_t hash) {
  if (mode_ == mode::sketch) {
    sketch_->add(hash);
    return;
  }
  auto* values = data();
  auto pos = std::lower_bound(values, values + size_, hash);
  if (pos != values + size_ && *pos == hash)
    return;
  if (size_ == slots()) {
    if (size_ == exact_limit) {
      convert_to_sketch();
      sketch_->add(hash);
      return;
    }
    auto offset = pos - values;
    reallocate(capacity_ == 0 ? min_capacity : static_cast<uint16_t>(capacity_ * 2));
    values = data();
    pos = values + offset;
  }
  std::memmove(pos + 1, pos, (values + size_ - pos) * sizeof(uint32_t));
  *pos = hash;
  ++size_;
}

void distinct_counter::merge(const distinct_counter& other) {
  if (this == &other)
    return;
  if (other.mode_ == mode::sketch) {
    if (mode_ == mode::sketch) {
      sketch_->merge(*other.sketch_);
      return;
    }
    convert_to_sketch();
    sketch_->merge(*other.sketch_);
    return;
  }
  if (other.size_ == 0)
    return;
  if (mode_ == mode::exact) {
    // Both exact: size the union first, so that it is built in one allocation
    // or not at all.
    const auto* mine = data();
    const auto* theirs = other.data();
    size_t n = 0;
    for (size_t i = 0, j = 0; i < size_ || j < other.size_; ++n) {
      if (j == other.size_ || (i < size_ && mine[i] < theirs[j]))
        ++i;
      else if (i == size_ || theirs[j] < mine[i])
        ++j;
      else
        ++i, ++j;
    }
    if (n <= exact_limit) {
      if (n == size_)
        return; // other is a subset
      if (n <= inline_capacity) {
        uint32_t merged[inline_capacity];
        std::set_union(mine, mine + size_, theirs, theirs + other.size_, merged);
        std::memcpy(inline_, merged, n * sizeof(uint32_t));
        size_ = static_cast<uint16_t>(n);
        return;
      }
      auto capacity = capacity_for(static_cast<uint32_t>(n));
      auto merged = std::make_unique<uint32_t[]>(capacity);
      std::set_union(mine, mine + size_, theirs, theirs + other.size_, merged.get());
      release();
      values_ = merged.release();
      size_ = static_cast<uint16_t>(n);
      capacity_ = capacity;
      return;
    }
    convert_to_sketch();
  }
  const auto* theirs = other.data();
  for (uint16_t j = 0; j < other.size_; ++j)
    sketch_->add(theirs[j]);
}

uint64_t distinct_counter::count() const noexcept {
  if (mode_ == mode::exact)
    return size_;
  return static_cast<uint64_t>(std::llround(sketch_->estimate()));
}

void distinct_counter::clear() noexcept {
  release();
  values_ = nullptr;
  size_ = 0;
  capacity_ = 0;
  mode_ = mode::exact;
}

size_t distinct_counter::memory_bytes() const noexcept {
  if (mode_ == mode::sketch)
    return sizeof(*this) + sizeof(hyperloglog);
  return sizeof(*this) + capacity_ * sizeof(uint32_t);
}

void distinct_counter::convert_to_sketch() {
  auto sketch = std::make_unique<hyperloglog>();
  const auto* values = data();
  for (uint16_t i = 0; i < size_; ++i)
    sketch->add(values[i]);
  release();
  sketch_ = sketch.release();
  size_ = 0;
  capacity_ = 0;
  mode_ = mode::sketch;
}

void distinct_counter::reallocate(uint16_t capacity) {
  auto grown = new uint32_t[capacity];
  if (size_ > 0)
    std::memcpy(grown, data(), size_ * sizeof(uint32_t));
  release();
  values_ = grown;
  capacity_ = capacity;
}

uint16_t distinct_counter::capacity_for(uint32_t n) noexcept {
  uint32_t capacity = min_capacity;
  while (capacity < n)
    capacity *= 2;
  return static_cast<uint16_t>(capacity);
}

// -- serialization --------------------------------------------------------------

void distinct_counter::append_to(std::string& out) const {
  out.push_back(static_cast<char>(format_version));
  out.push_back(static_cast<char>(mode_));
  if (mode_ == mode::sketch) {
    const auto& registers = sketch_->registers();
    out.append(reinterpret_cast<const char*>(registers.data()), registers.size());
    return;
  }
  out.reserve(out.size() + count_size + size_ * sizeof(uint32_t));
  put_le16(out, size_);
  const auto* values = data();
  for (uint16_t i = 0; i < size_; ++i)
    put_le32(out, values[i]);
}

std::optional<distinct_counter> distinct_counter::decode(std::string_view& in) {
  if (in.size() < header_size)
    return std::nullopt;
  auto p = reinterpret_cast<const uint8_t*>(in.data());
  if (p[0] != format_version)
    return std::nullopt;
  distinct_counter result;
  switch (static_cast<mode>(p[1])) {
  case mode::exact: {
    if (in.size() < header_size + count_size)
      return std::nullopt;
    auto n = load_le16(p + header_size);
    // Compare counts rather than sizes so that a huge n cannot overflow.
    if (n > exact_limit || (in.size() - header_size - count_size) / sizeof(uint32_t) < n)
      return std::nullopt;
    auto values = p + header_size + count_size;
    // Validate before allocating: ascending order is what add() and merge()
    // rely on for their binary search and set_union.
    for (uint16_t i = 1; i < n; ++i)
      if (load_le32(values + 4 * (i - 1)) >= load_le32(values + 4 * i))
        return std::nullopt;
    if (n > inline_capacity)
      result.reallocate(capacity_for(n));
    for (uint16_t i = 0; i < n; ++i)
      result.data()[i] = load_le32(values + 4 * i);
    result.size_ = n;
    in.remove_prefix(header_size + count_size + n * sizeof(uint32_t));
    return result;
  }
  case mode::sketch: {
    if (in.size() < header_size + hyperloglog::register_count)
      return std::nullopt;
    auto sketch = std::make_unique<hyperloglog>();
    if (!sketch->assign_registers(p + header_size))
      return std::nullopt;
    result.sketch_ = sketch.release();
    result.mode_ = mode::sketch;
    in.remove_prefix(header_size + hyperloglog::register_count);
    return result;
  }
  }
  return std::nullopt;
}

bool operator==(const distinct_counter& a, const distinct_counter& b) noexcept {
  if (a.mode_ != b.mode_)
    return false;
  if (a.mode_ == distinct_counter::mode::sketch)
    return *a.sketch_ == *b.sketch_;
  return a.size_ == b.size_ && std::equal(a.data(), a.data() + a.size_, b.data());
}

} // namespace hostflow
