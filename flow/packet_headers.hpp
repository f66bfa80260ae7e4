#pragma once

#include <cstdint>

#include "flow/byte_view.hpp"
#include "flow/ip_address.hpp"

namespace hostflow {

/// What the headers of one packet say: network and transport fields, and
/// where the transport payload is. Filled by the parsers below from sampled
/// frames (IPFIX dataLinkFrameSection / ipHeaderPacketSection) and captures.
struct packet_headers {
  ip_address src;            ///< IP source (IPv4 mapped)
  ip_address dst;            ///< IP destination
  uint32_t ip_length = 0;    ///< IP total length as the header states it
  uint8_t ip_version = 0;    ///< 4 or 6; 0 when no IP header was found
  uint8_t protocol = 0;      ///< transport protocol after extension headers
  uint8_t tos = 0;           ///< IPv4 ToS / IPv6 traffic class
  uint8_t tcp_flags = 0;
  bool first_fragment = true; ///< false for a non-first fragment (no transport header)
  bool more_fragments = false; ///< more fragments follow (IPv4 MF or IPv6 M flag)
  bool has_ports = false;    ///< the transport header was present and read
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  uint8_t icmp_type = 0;
  uint8_t icmp_code = 0;
  byte_view transport;       ///< the transport header and what follows, as captured
};

/// Parses an Ethernet frame (with 802.1Q / 802.1ad tags) down to the transport
/// header. False when it holds no IPv4/IPv6 packet or is cut inside IP headers.
bool parse_ethernet_frame(byte_view frame, packet_headers& out);

/// Parses an IPv4 or IPv6 packet (IPv6 extension headers, including SRv6
/// routing headers, are skipped). IP-in-IP / IPv6-in-IPv6 tunnels (SRv6
/// encapsulation) are opened up to `decapsulate` levels so the inner
/// packet's fields are reported.
bool parse_ip_packet(byte_view packet, packet_headers& out, int decapsulate = 1);

/// Ethernet type carried after the link-layer header, for capture readers.
constexpr uint16_t ethertype_ipv4 = 0x0800;
constexpr uint16_t ethertype_ipv6 = 0x86dd;

} // namespace hostflow
