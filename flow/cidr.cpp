#include "flow/cidr.hpp"

#include <array>
#include <cstring>

#include <charconv>

namespace hostflow {

namespace {

// Bit `i` (0 = most significant) of the 16-byte address.
int bit(const ip_address& a, size_t i) noexcept {
  return (a.bytes[i / 8] >> (7 - i % 8)) & 1;
}

// `a` with every bit from `length` on cleared.
ip_address masked(ip_address a, size_t length) noexcept {
  for (size_t i = length; i < 128; ++i)
    a.bytes[i / 8] &= static_cast<uint8_t>(~(0x80u >> (i % 8)));
  return a;
}

} // namespace

std::optional<cidr> cidr::parse(std::string_view text, std::string& error) {
  auto slash = text.find('/');
  auto addr_text = text.substr(0, slash);
  auto addr = ip_address::parse(addr_text);
  if (!addr) {
    error = "'" + std::string(addr_text) + "' is not an IPv4 or IPv6 address";
    return std::nullopt;
  }
  size_t max = addr->is_v4() ? 32 : 128;
  size_t written = max;
  if (slash != std::string_view::npos) {
    auto len_text = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), written);
    if (ec != std::errc{} || end != len_text.data() + len_text.size() || len_text.empty() ||
        written > max) {
      error = "prefix length '" + std::string(len_text) + "' is not 0.." + std::to_string(max);
      return std::nullopt;
    }
  }
  cidr c;
  c.length = static_cast<uint8_t>(addr->is_v4() ? 96 + written : written);
  c.network = masked(*addr, c.length);
  if (c.network != *addr) {
    error = "'" + std::string(text) + "' has host bits set (did you mean " + c.to_string() + "?)";
    return std::nullopt;
  }
  return c;
}

bool cidr::contains(const ip_address& a) const noexcept {
  return masked(a, length) == network;
}

uint8_t cidr::written_length() const noexcept {
  return network.is_v4() && length >= 96 ? static_cast<uint8_t>(length - 96) : length;
}

std::string cidr::to_string() const {
  return network.to_string() + "/" + std::to_string(written_length());
}

void cidr_set::add(const cidr& prefix) {
  int32_t at = 0;
  for (size_t i = 0; i < prefix.length; ++i) {
    int b = bit(prefix.network, i);
    if (nodes_[at].child[b] < 0) {
      nodes_[at].child[b] = static_cast<int32_t>(nodes_.size());
      nodes_.emplace_back();
    }
    at = nodes_[at].child[b];
  }
  if (nodes_[at].prefix < 0) {
    nodes_[at].prefix = static_cast<int32_t>(prefixes_.size());
    prefixes_.push_back(prefix);
    std::array<uint8_t, 16> mask{};
    for (size_t i = 0; i < prefix.length; ++i)
      mask[i / 8] |= static_cast<uint8_t>(0x80u >> (i % 8));
    masked m;
    std::memcpy(m.mask, mask.data(), 16);
    std::memcpy(m.net, prefix.network.bytes.data(), 16);
    m.net[0] &= m.mask[0];
    m.net[1] &= m.mask[1];
    linear_.push_back(m);
  }
  // Where IPv4 lookups may start: the mapped range's node, once it exists.
  static const ip_address mapped = ip_address::from_v4(0);
  if (prefix.length <= 96) {
    v4_all_ = v4_all_ || prefix.contains(mapped);
  } else if (prefix.network.is_v4()) {
    int32_t node = 0;
    for (size_t i = 0; i < 96 && node >= 0; ++i)
      node = nodes_[node].child[bit(mapped, i)];
    v4_node_ = node;
  }
}

std::optional<cidr> cidr_set::longest_match(const ip_address& a) const {
  int32_t at = 0;
  int32_t best = nodes_[0].prefix;
  for (size_t i = 0; i < 128; ++i) {
    at = nodes_[at].child[bit(a, i)];
    if (at < 0)
      break;
    if (nodes_[at].prefix >= 0)
      best = nodes_[at].prefix;
  }
  if (best < 0)
    return std::nullopt;
  return prefixes_[static_cast<size_t>(best)];
}

bool cidr_set::contains(const ip_address& a) const noexcept {
  if (prefixes_.size() <= linear_limit) {
    uint64_t w[2];
    std::memcpy(w, a.bytes.data(), 16);
    for (const auto& m : linear_)
      if ((w[0] & m.mask[0]) == m.net[0] && (w[1] & m.mask[1]) == m.net[1])
        return true;
    return false;
  }
  int32_t at = 0;
  size_t i = 0;
  if (a.is_v4()) {
    // The first 96 bits of every IPv4 address are the same: skip their walk.
    if (v4_all_)
      return true;
    if (v4_node_ < 0)
      return false;
    at = v4_node_;
    i = 96;
  }
  for (;; ++i) {
    if (nodes_[at].prefix >= 0)
      return true;
    if (i == 128)
      return false;
    at = nodes_[at].child[bit(a, i)];
    if (at < 0)
      return false;
  }
}

} // namespace hostflow
