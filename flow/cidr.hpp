#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "flow/ip_address.hpp"

namespace hostflow {

/// An IPv4 or IPv6 prefix ("10.0.0.0/8", "2001:db8::/32"), stored in the
/// 16-byte form of ip_address: an IPv4 prefix of length n is the mapped
/// address with prefix length 96 + n, so both families match alike.
struct cidr {
  ip_address network;  ///< host bits cleared
  uint8_t length = 0;  ///< prefix length in the 16-byte form (0..128)

  /// Parses "a.b.c.d/n" (n 0..32), "v6/n" (n 0..128), or a bare address
  /// (a host prefix). Host bits set in the text are an error, so a typo such
  /// as "10.1.0.0/8" is caught rather than silently widened. On failure
  /// returns nullopt and sets `error` to the reason.
  static std::optional<cidr> parse(std::string_view text, std::string& error);

  /// True when `a` lies in this prefix.
  bool contains(const ip_address& a) const noexcept;

  /// Prefix length as written: 0..32 for IPv4, 0..128 for IPv6.
  uint8_t written_length() const noexcept;

  /// "10.0.0.0/8" or "2001:db8::/32".
  std::string to_string() const;

  friend bool operator==(const cidr& a, const cidr& b) noexcept {
    return a.length == b.length && a.network == b.network;
  }
};

/// A set of prefixes answering "is this address in any of them" in time
/// proportional to the address width, whatever the number of prefixes
/// (a binary trie over the 128 bits).
class cidr_set {
public:
  cidr_set() : nodes_(1) {} // the root

  /// Adds a prefix; prefixes may overlap.
  void add(const cidr& prefix);

  /// True when `a` lies in any prefix added.
  bool contains(const ip_address& a) const noexcept;

  /// The longest prefix containing `a`, if any.
  std::optional<cidr> longest_match(const ip_address& a) const;

  /// The prefixes as added, in order.
  const std::vector<cidr>& prefixes() const noexcept { return prefixes_; }

  bool empty() const noexcept { return prefixes_.empty(); }

private:
  struct node {
    int32_t child[2] = {-1, -1};
    int32_t prefix = -1; ///< index into prefixes_ when a prefix ends here
  };

  /// A prefix as two masked 64-bit words (in memory byte order).
  struct masked {
    uint64_t net[2];
    uint64_t mask[2];
  };

  /// Up to this many prefixes, contains() compares masked words instead of
  /// walking the trie (up to 128 dependent loads): monitored networks are
  /// usually a handful, asked twice per record.
  static constexpr size_t linear_limit = 8;

  std::vector<node> nodes_;
  std::vector<masked> linear_;
  /// The node at depth 96 on the path of the IPv4-mapped range (::ffff:0:0/96),
  /// where IPv4 lookups start instead of walking 96 levels; -1 when no
  /// prefix lies inside that range.
  int32_t v4_node_ = -1;
  /// A prefix of length <= 96 covers the whole IPv4-mapped range.
  bool v4_all_ = false;
  std::vector<cidr> prefixes_;
};

} // namespace hostflow
