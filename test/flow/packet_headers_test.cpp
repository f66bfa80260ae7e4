// The shared IP/transport header parser on hand-built packets: the header
// arrangements that sampled packet sections and captures carry, and every
// way their bytes can end early.

#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "flow/packet_builder.hpp"
#include "flow/packet_headers.hpp"

using namespace hostflow;
using hostflow::test::byte_writer;

namespace {

using bytes = std::vector<uint8_t>;

// -- packet builders ----------------------------------------------------------------

bytes operator+(bytes a, const bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

const bytes payload = {'e', 'x', 'p', 'o', 'r', 't', ' ', 'd', 'a', 't', 'a'};

/// A UDP datagram from port 50000 to 4739 (IPFIX) carrying `payload`; the
/// length field says `length_bias` bytes more than there are.
bytes udp(int length_bias = 0) {
  byte_writer w;
  w.u16(50000);
  w.u16(4739);
  w.u16(8 + payload.size() + length_bias);
  w.u16(0); // checksum
  return w.bytes + payload;
}

/// A 20-byte TCP header from port 51234 to 179 (BGP).
bytes tcp(uint8_t flags) {
  byte_writer w;
  w.u16(51234);
  w.u16(179);
  w.u32(1000); // sequence
  w.u32(0);    // acknowledgement
  w.u8(5 << 4);
  w.u8(flags);
  w.u16(65535); // window
  w.zeros(4);   // checksum, urgent pointer
  return w.bytes;
}

/// An ICMP or ICMPv6 header with an echo identifier and sequence.
bytes icmp(uint8_t type, uint8_t code) {
  byte_writer w;
  w.u8(type);
  w.u8(code);
  w.zeros(2);
  w.u32(0x00010001);
  return w.bytes;
}

/// How an IPv4 header differs from a plain unfragmented one.
struct ipv4_options {
  uint8_t tos = 0;
  uint16_t flags_offset = 0;
  int total_length = -1; ///< -1: header plus `l4`
};

/// IPv4 192.0.2.1 -> 198.51.100.2 carrying `l4` of protocol `proto`.
bytes ipv4(uint8_t proto, const bytes& l4, ipv4_options o = {}) {
  byte_writer w;
  w.u8(0x45);
  w.u8(o.tos);
  w.u16(o.total_length >= 0 ? o.total_length : 20 + l4.size());
  w.u16(7); // identification
  w.u16(o.flags_offset);
  w.u8(64);
  w.u8(proto);
  w.u16(0); // checksum
  w.ipv4("192.0.2.1");
  w.ipv4("198.51.100.2");
  return w.bytes + l4;
}

/// IPv6 2001:db8::1 -> 2001:db8::2 with traffic class 0x2e; `first` is the
/// first next header, `rest` the extension headers and transport header.
bytes ipv6(uint8_t first, const bytes& rest, int payload_length = -1) {
  byte_writer w;
  w.u32(0x62e00000); // version 6, traffic class 0x2e, no flow label
  w.u16(payload_length >= 0 ? payload_length : rest.size());
  w.u8(first);
  w.u8(64);
  w.ipv6("2001:db8::1");
  w.ipv6("2001:db8::2");
  return w.bytes + rest;
}

/// An extension header of `units` 8-byte units after the first 8 bytes.
bytes extension(uint8_t next, uint8_t units = 0) {
  bytes b(8 + 8 * size_t{units});
  b[0] = next;
  b[1] = units;
  return b;
}

/// An SRv6 segment routing header (routing type 4) listing `segments`.
bytes srh(uint8_t next, const std::vector<std::string>& segments) {
  byte_writer w;
  w.u8(next);
  w.u8(2 * segments.size()); // 16 bytes a segment, in 8-byte units
  w.u8(4);
  w.u8(segments.size() - 1); // segments left
  w.u8(segments.size() - 1); // last entry
  w.zeros(3);
  for (const auto& s : segments)
    w.ipv6(s);
  return w.bytes;
}

/// A fragment header: offset in 8-byte units, and the M flag.
bytes fragment(uint8_t next, uint16_t offset, bool more) {
  byte_writer w;
  w.u8(next);
  w.u8(0);
  w.u16((offset << 3) | (more ? 1 : 0));
  w.u32(0x1234); // identification
  return w.bytes;
}

bytes ethernet(uint16_t type, const bytes& l3, std::initializer_list<uint16_t> tags = {}) {
  byte_writer w;
  w.zeros(12); // destination and source MAC
  for (uint16_t tag : tags) {
    w.u16(tag);
    w.u16(42); // VLAN id
  }
  w.u16(type);
  return w.bytes + l3;
}

byte_view view(const bytes& b) {
  return {b.data(), b.size()};
}

bytes payload_of(const packet_headers& h) {
  return {h.payload.data, h.payload.data + h.payload.size};
}

/// The headers of an IP packet that must parse whole.
packet_headers parse_ok(const bytes& packet, int decapsulate = 1) {
  packet_headers h;
  REQUIRE(parse_ip_packet(view(packet), h, decapsulate) == parse_status::ok);
  return h;
}
// The headers point into the packet: it must outlive them.
packet_headers parse_ok(bytes&& packet, int decapsulate = 1) = delete;

} // namespace

// -- network and transport fields -----------------------------------------------------

TEST_CASE("an IPv4 UDP packet gives its addresses, ports, length and payload") {
  ipv4_options o;
  o.tos = 0xb8;
  auto packet = ipv4(17, udp(), o);
  auto h = parse_ok(packet);
  CHECK(h.ip_version == 4);
  CHECK(h.src.to_string() == "192.0.2.1");
  CHECK(h.dst.to_string() == "198.51.100.2");
  CHECK(h.protocol == 17);
  CHECK(h.tos == 0xb8);
  CHECK(h.ip_length == packet.size());
  CHECK(h.fragment == ip_fragment::none);
  CHECK(h.has_ports);
  CHECK(h.src_port == 50000);
  CHECK(h.dst_port == 4739);
  CHECK(h.transport.size == 8 + payload.size());
  CHECK(payload_of(h) == payload);
}

TEST_CASE("an IPv4 TCP segment gives its ports and flags") {
  auto packet = ipv4(6, tcp(0x12));
  auto h = parse_ok(packet);
  CHECK(h.protocol == 6);
  CHECK(h.src_port == 51234);
  CHECK(h.dst_port == 179);
  CHECK(h.tcp_flags == 0x12);
  CHECK(h.payload.empty());
}

TEST_CASE("ICMP and ICMPv6 messages give their type and code") {
  auto v4 = ipv4(1, icmp(8, 0));
  auto h = parse_ok(v4);
  CHECK(h.icmp_type == 8);
  CHECK(h.icmp_code == 0);
  CHECK_FALSE(h.has_ports);

  auto v6 = ipv6(58, icmp(1, 4)); // destination unreachable, port unreachable
  h = parse_ok(v6);
  CHECK(h.ip_version == 6);
  CHECK(h.tos == 0x2e);
  CHECK(h.icmp_type == 1);
  CHECK(h.icmp_code == 4);
}

TEST_CASE("IPv6 hop-by-hop, SRv6 routing and fragment headers are walked to UDP") {
  auto chain =
      extension(43) + srh(44, {"2001:db8:a::", "2001:db8:b::"}) + fragment(17, 0, true) + udp(1000);
  auto packet = ipv6(0, chain);
  auto h = parse_ok(packet);
  CHECK(h.src.to_string() == "2001:db8::1");
  CHECK(h.dst.to_string() == "2001:db8::2");
  CHECK(h.ip_length == packet.size());
  CHECK(h.protocol == 17);
  CHECK(h.fragment == ip_fragment::first);
  CHECK(h.dst_port == 4739);
  // The UDP length covers the whole datagram; the first fragment holds its start.
  CHECK(payload_of(h) == payload);
}

TEST_CASE("an authentication header is skipped by its length in 4-byte words") {
  bytes ah(24); // (4 + 2) * 4 bytes
  ah[0] = 17;
  ah[1] = 4;
  auto packet = ipv6(51, ah + udp());
  auto h = parse_ok(packet);
  CHECK(h.protocol == 17);
  CHECK(payload_of(h) == payload);
}

TEST_CASE("a later fragment gives its protocol but no transport fields") {
  ipv4_options o;
  o.flags_offset = 185; // 1480 bytes in
  auto v4 = ipv4(17, udp(), o);
  auto h = parse_ok(v4);
  CHECK(h.fragment == ip_fragment::later);
  CHECK(h.protocol == 17);
  CHECK_FALSE(h.has_ports);
  CHECK(h.payload.empty());

  auto v6 = ipv6(44, fragment(17, 185, false) + udp());
  h = parse_ok(v6);
  CHECK(h.fragment == ip_fragment::later);
  CHECK(h.protocol == 17);
  CHECK_FALSE(h.has_ports);

  o.flags_offset = 0x2000; // more fragments, offset 0
  auto first = ipv4(17, udp(1000), o);
  h = parse_ok(first);
  CHECK(h.fragment == ip_fragment::first);
  CHECK(payload_of(h) == payload);
}

// -- tunnels ------------------------------------------------------------------------------

TEST_CASE("an IPv4 packet in SRv6 is opened one level unless decapsulation is off") {
  auto inner = ipv4(6, tcp(0x02));
  auto packet = ipv6(43, srh(4, {"2001:db8:c::"}) + inner);
  auto h = parse_ok(packet);
  CHECK(h.ip_version == 4);
  CHECK(h.src.to_string() == "192.0.2.1");
  CHECK(h.protocol == 6);
  CHECK(h.ip_length == inner.size());
  CHECK(h.dst_port == 179);
  CHECK(h.tcp_flags == 0x02);

  h = parse_ok(packet, 0);
  CHECK(h.ip_version == 6);
  CHECK(h.src.to_string() == "2001:db8::1");
  CHECK(h.protocol == 4);
  CHECK_FALSE(h.has_ports);
  CHECK(h.transport.size == inner.size());
}

TEST_CASE("an inner header cut short leaves the outer packet reported") {
  auto inner = ipv4(17, udp());
  auto packet = ipv6(4, inner, static_cast<int>(inner.size()));
  packet.resize(40 + 12); // the section ends inside the inner header
  packet_headers h;
  CHECK(parse_ip_packet(view(packet), h) == parse_status::truncated);
  CHECK(h.ip_version == 6);
  CHECK(h.src.to_string() == "2001:db8::1");
  CHECK(h.protocol == 4);
}

// -- lengths ------------------------------------------------------------------------------

TEST_CASE("a zero IP length is taken as the bytes there are (segmentation offload)") {
  packet_headers h;
  ipv4_options o;
  o.total_length = 0;
  auto v4 = ipv4(17, udp(), o);
  h = parse_ok(v4);
  CHECK(h.ip_length == 0);
  CHECK(payload_of(h) == payload);

  auto v6 = ipv6(17, udp(), 0);
  h = parse_ok(v6);
  CHECK(h.ip_length == 40);
  CHECK(payload_of(h) == payload);
}

TEST_CASE("bytes after the IP length are not part of the transport") {
  auto packet = ipv4(17, udp()) + bytes(18); // Ethernet minimum-size padding
  auto h = parse_ok(packet);
  CHECK(h.transport.size == 8 + payload.size());
  CHECK(payload_of(h) == payload);
}

TEST_CASE("a packet cut before its IP length is truncated but read as far as it goes") {
  ipv4_options o;
  o.total_length = 1500; // a sampled section holds the first bytes only
  auto packet = ipv4(6, tcp(0x18), o);
  packet_headers h;
  CHECK(parse_ip_packet(view(packet), h) == parse_status::truncated);
  CHECK(h.ip_length == 1500);
  CHECK(h.src_port == 51234);
  CHECK(h.tcp_flags == 0x18);
}

TEST_CASE("UDP lengths that do not fit the bytes make the packet truncated") {
  packet_headers h;
  auto long_udp = ipv4(17, udp(100));
  CHECK(parse_ip_packet(view(long_udp), h) == parse_status::truncated);
  CHECK(h.dst_port == 4739);
  CHECK(h.payload.empty());

  auto short_udp = ipv4(17, udp(-static_cast<int>(payload.size()) - 1)); // length 7
  CHECK(parse_ip_packet(view(short_udp), h) == parse_status::truncated);

  ipv4_options o;
  o.total_length = 20 + 6; // the IP length ends inside the UDP header
  auto cut_udp = ipv4(17, udp(), o);
  CHECK(parse_ip_packet(view(cut_udp), h) == parse_status::truncated);
}

TEST_CASE("a frame cut at any offset is truncated and never read past its end") {
  auto chain = extension(43) + srh(60, {"2001:db8:a::"}) + extension(17) + udp();
  auto whole = ethernet(0x86dd, ipv6(0, chain), {0x88a8, 0x8100});
  size_t ip_start = 14 + 8;
  for (size_t n = 0; n < whole.size(); ++n) {
    CAPTURE(n);
    // A copy of exactly n bytes, so a sanitizer sees any read past them.
    bytes cut(whole.begin(), whole.begin() + static_cast<long>(n));
    packet_headers h;
    CHECK(parse_ethernet_frame(view(cut), h) == parse_status::truncated);
    CHECK(h.ip_version == (n >= ip_start + 40 ? 6 : 0));
    if (n >= ip_start) {
      bytes ip(cut.begin() + static_cast<long>(ip_start), cut.end());
      CHECK(parse_ip_packet(view(ip), h) == parse_status::truncated);
    }
  }
  packet_headers h;
  REQUIRE(parse_ethernet_frame(view(whole), h) == parse_status::ok);
  CHECK(payload_of(h) == payload);
}

// -- link layer ---------------------------------------------------------------------------

TEST_CASE("Ethernet frames are read through 802.1Q and stacked 802.1ad tags") {
  packet_headers h;
  for (auto tags : {std::initializer_list<uint16_t>{}, {0x8100}, {0x88a8, 0x8100}}) {
    CAPTURE(tags.size());
    auto frame = ethernet(0x0800, ipv4(17, udp()), tags);
    REQUIRE(parse_ethernet_frame(view(frame), h) == parse_status::ok);
    CHECK(h.src.to_string() == "192.0.2.1");
    CHECK(payload_of(h) == payload);
  }
  // A link layer that names its type elsewhere (Linux cooked) hands over what follows.
  auto tagged = bytes{0, 42, 0x86, 0xdd} + ipv6(17, udp());
  REQUIRE(parse_ethertype(0x8100, view(tagged), h) == parse_status::ok);
  CHECK(h.ip_version == 6);
}

TEST_CASE("another ethertype or IP version is not IP") {
  packet_headers h;
  auto arp = ethernet(0x0806, bytes(28));
  CHECK(parse_ethernet_frame(view(arp), h) == parse_status::not_ip);
  // The ethertype says IPv4, the version nibble does not.
  CHECK(parse_ethertype(ethertype_ipv4, view(ipv6(17, udp())), h) == parse_status::not_ip);
  auto version5 = ipv4(17, udp());
  version5[0] = 0x55;
  CHECK(parse_ip_packet(view(version5), h) == parse_status::not_ip);
  CHECK(h.ip_version == 0);
  CHECK(std::string{to_string(parse_status::not_ip)} == "not_ip");
}
