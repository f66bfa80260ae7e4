#pragma once

#include <cstdint>

#include "flow/byte_view.hpp"
#include "flow/ip_address.hpp"

namespace hostflow {

// -- what the headers of a packet say -------------------------------------------------

/// Why parsing a packet stopped. Parsing goes on past a truncation as far as
/// the bytes allow, so a cut packet still reports what it holds: sampled
/// packet sections are cut by design, a capture reader skips them.
enum class parse_status : uint8_t {
  ok,        ///< every header was read and the stated lengths fit the bytes
  truncated, ///< the bytes end inside a header, before the IP length, or before
             ///< the UDP length; or a length field disagrees with its header
  not_ip,    ///< no IPv4/IPv6 packet: another ethertype or IP version
};

/// Short name: "ok", "truncated", "not_ip".
const char* to_string(parse_status s) noexcept;

/// Where a packet stands in a fragmented datagram.
enum class ip_fragment : uint8_t {
  none,  ///< not fragmented (an IPv6 atomic fragment included)
  first, ///< offset 0 with more fragments: carries the transport header
  later, ///< offset above 0: no transport header, protocol is all that is known
};

/// What the headers of one packet say: network and transport fields, and
/// where the transport payload is. Filled by the parsers below from sampled
/// frames (IPFIX dataLinkFrameSection / ipHeaderPacketSection) and captures.
struct packet_headers {
  ip_address src;                           ///< IP source (IPv4 mapped)
  ip_address dst;                           ///< IP destination
  uint32_t ip_length = 0;                   ///< IP total length as the header states it
  uint8_t ip_version = 0;                   ///< 4 or 6; 0 until a whole IP header was read
  uint8_t protocol = 0;                     ///< transport protocol after extension headers
  uint8_t tos = 0;                          ///< IPv4 ToS / IPv6 traffic class
  uint8_t tcp_flags = 0;                    ///< TCP only, when its flags byte was captured
  ip_fragment fragment = ip_fragment::none; ///< IPv4 flags/offset or IPv6 fragment header
  bool has_ports = false;                   ///< the transport ports were present and read
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  uint8_t icmp_type = 0;
  uint8_t icmp_code = 0;
  /// The transport header and what follows, up to the IP length (or the end
  /// of the bytes when they stop short of it).
  byte_view transport;
  /// UDP only: the datagram's payload within the UDP length; a first fragment
  /// holds the part it carries. Empty unless the UDP header was read whole
  /// and its length fits.
  byte_view payload;
};

// -- parsers --------------------------------------------------------------------------

/// Parses what follows a link-layer header whose type field says `ethertype`:
/// 802.1Q / 802.1ad tags first (their inner type is read), then an IPv4 or
/// IPv6 packet. `rest` starts right after the link-layer header. IP-in-IP and
/// IPv6-in-IPv6 tunnels (SRv6 encapsulation) are opened up to `decapsulate`
/// levels so the inner packet's fields are reported; a capture reader, which
/// wants the outer UDP datagram, passes 0.
parse_status parse_ethertype(uint16_t ethertype, byte_view rest, packet_headers& out,
                             int decapsulate = 1);

/// Parses an Ethernet II frame (with VLAN tags) down to the transport header.
parse_status parse_ethernet_frame(byte_view frame, packet_headers& out, int decapsulate = 1);

/// Parses an IPv4 or IPv6 packet, told apart by its version nibble. IPv6
/// extension headers (hop-by-hop, routing including SRv6, fragment,
/// destination options, AH, mobility) are skipped. A total length of zero
/// (segmentation offload, IPv6 jumbograms) is taken as "all the bytes".
parse_status parse_ip_packet(byte_view packet, packet_headers& out, int decapsulate = 1);

/// Ethernet types of the network layers parsed here.
constexpr uint16_t ethertype_ipv4 = 0x0800;
constexpr uint16_t ethertype_ipv6 = 0x86dd;

} // namespace hostflow
