#include "flow/packet_headers.hpp"

namespace hostflow {

namespace {

bool is_vlan_tag(uint16_t type) {
  return type == 0x8100 || type == 0x88a8 || type == 0x9100;
}

// Reads ports, flags or ICMP type/code from the start of `l4`.
void parse_transport(byte_view l4, packet_headers& out) {
  out.transport = l4;
  if (!out.first_fragment)
    return;
  switch (out.protocol) {
    case 6: // TCP
      if (l4.size >= 14) {
        out.tcp_flags = l4.data[13];
      }
      [[fallthrough]];
    case 17:  // UDP
    case 132: // SCTP
      if (l4.size >= 4) {
        out.src_port = load_be16(l4.data);
        out.dst_port = load_be16(l4.data + 2);
        out.has_ports = true;
      }
      break;
    case 1:  // ICMP
    case 58: // ICMPv6
      if (l4.size >= 2) {
        out.icmp_type = l4.data[0];
        out.icmp_code = l4.data[1];
      }
      break;
    default:
      break;
  }
}

bool is_ipv6_extension(uint8_t next) {
  // hop-by-hop, routing (incl. SRv6 SRH), fragment, destination options, mobility
  return next == 0 || next == 43 || next == 44 || next == 60 || next == 135;
}

bool parse_ipv4(byte_view p, packet_headers& out, int decapsulate);
bool parse_ipv6(byte_view p, packet_headers& out, int decapsulate);

bool parse_inner_or_transport(byte_view rest, packet_headers& out, int decapsulate) {
  if (decapsulate > 0 && out.first_fragment) {
    if (out.protocol == 4)
      return parse_ipv4(rest, out, decapsulate - 1) || true;
    if (out.protocol == 41)
      return parse_ipv6(rest, out, decapsulate - 1) || true;
  }
  parse_transport(rest, out);
  return true;
}

bool parse_ipv4(byte_view p, packet_headers& out, int decapsulate) {
  if (p.size < 20 || (p.data[0] >> 4) != 4)
    return false;
  size_t ihl = size_t{p.data[0] & 0x0fu} * 4;
  if (ihl < 20 || ihl > p.size)
    return false;
  out.ip_version = 4;
  out.tos = p.data[1];
  out.ip_length = load_be16(p.data + 2);
  uint16_t frag = load_be16(p.data + 6);
  out.more_fragments = (frag & 0x2000) != 0;
  out.first_fragment = (frag & 0x1fff) == 0;
  out.protocol = p.data[9];
  out.src = ip_address::from_v4_bytes(p.data + 12);
  out.dst = ip_address::from_v4_bytes(p.data + 16);
  return parse_inner_or_transport(p.sub(ihl, p.size - ihl), out, decapsulate);
}

bool parse_ipv6(byte_view p, packet_headers& out, int decapsulate) {
  if (p.size < 40 || (p.data[0] >> 4) != 6)
    return false;
  out.ip_version = 6;
  out.tos = static_cast<uint8_t>((load_be16(p.data) >> 4) & 0xff);
  out.ip_length = 40u + load_be16(p.data + 4);
  out.src = ip_address::from_v6_bytes(p.data + 8);
  out.dst = ip_address::from_v6_bytes(p.data + 24);
  out.first_fragment = true;
  out.more_fragments = false;
  uint8_t next = p.data[6];
  size_t off = 40;
  // Bounded: each extension header advances by at least 8 bytes.
  while (is_ipv6_extension(next)) {
    if (off + 8 > p.size)
      return true; // headers cut short: addresses are still known
    const uint8_t* h = p.data + off;
    if (next == 44) {
      uint16_t frag = load_be16(h + 2);
      out.first_fragment = (frag & 0xfff8) == 0;
      out.more_fragments = (frag & 1) != 0;
      off += 8;
    } else {
      off += (size_t{h[1]} + 1) * 8;
    }
    next = h[0];
  }
  out.protocol = next;
  if (off > p.size)
    return true;
  return parse_inner_or_transport(p.sub(off, p.size - off), out, decapsulate);
}

} // namespace

bool parse_ip_packet(byte_view packet, packet_headers& out, int decapsulate) {
  if (packet.size < 1)
    return false;
  switch (packet.data[0] >> 4) {
    case 4:
      return parse_ipv4(packet, out, decapsulate);
    case 6:
      return parse_ipv6(packet, out, decapsulate);
    default:
      return false;
  }
}

bool parse_ethernet_frame(byte_view frame, packet_headers& out) {
  if (frame.size < 14)
    return false;
  size_t off = 12;
  uint16_t type = load_be16(frame.data + off);
  off += 2;
  for (int tags = 0; is_vlan_tag(type) && tags < 4; ++tags) {
    if (off + 4 > frame.size)
      return false;
    type = load_be16(frame.data + off + 2);
    off += 4;
  }
  if (type != ethertype_ipv4 && type != ethertype_ipv6)
    return false;
  return parse_ip_packet(frame.sub(off, frame.size - off), out);
}

} // namespace hostflow
