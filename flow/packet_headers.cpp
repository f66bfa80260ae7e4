#include "flow/packet_headers.hpp"

namespace hostflow {

const char* to_string(parse_status s) noexcept {
  switch (s) {
  case parse_status::ok:
    return "ok";
  case parse_status::truncated:
    return "truncated";
  case parse_status::not_ip:
    return "not_ip";
  }
  return "unknown";
}

namespace {

constexpr uint8_t proto_icmp = 1;
constexpr uint8_t proto_ipip = 4;
constexpr uint8_t proto_tcp = 6;
constexpr uint8_t proto_udp = 17;
constexpr uint8_t proto_ipv6 = 41;
constexpr uint8_t proto_fragment = 44;
constexpr uint8_t proto_ah = 51;
constexpr uint8_t proto_icmpv6 = 58;
constexpr uint8_t proto_sctp = 132;

constexpr size_t ipv4_min_header = 20;
constexpr size_t ipv6_header = 40;
constexpr size_t udp_header = 8;

// More stacked VLAN tags or IPv6 extension headers are taken as garbage.
constexpr int max_vlan_tags = 8;
constexpr int max_extension_headers = 16;

bool is_vlan_tag(uint16_t type) {
  return type == 0x8100 || type == 0x88a8 || type == 0x9100;
}

bool is_ipv6_extension(uint8_t next) {
  // hop-by-hop, routing (incl. SRv6 SRH), fragment, AH, destination options, mobility
  return next == 0 || next == 43 || next == proto_fragment || next == proto_ah || next == 60 ||
         next == 135;
}

void read_ports(byte_view l4, packet_headers& out) {
  if (l4.size >= 4) {
    out.src_port = load_be16(l4.data);
    out.dst_port = load_be16(l4.data + 2);
    out.has_ports = true;
  }
}

// The UDP payload bounds; a header or length that does not fit the bytes
// makes the packet truncated, as no datagram can be taken from it.
parse_status read_udp_payload(byte_view l4, packet_headers& out, parse_status status) {
  if (l4.size < udp_header)
    return parse_status::truncated;
  // The UDP length of a first fragment covers all fragments; it holds only its part.
  size_t length = out.fragment == ip_fragment::first ? l4.size : load_be16(l4.data + 4);
  if (length < udp_header || length > l4.size)
    return parse_status::truncated;
  out.payload = l4.sub(udp_header, length - udp_header);
  return status;
}

// Reads ports, TCP flags or ICMP type/code from the start of `l4`. Only UDP
// can make the packet truncated here: the other headers state no length
// that the bytes could fall short of.
parse_status parse_transport(byte_view l4, packet_headers& out, parse_status status) {
  switch (out.protocol) {
  case proto_udp:
    read_ports(l4, out);
    return read_udp_payload(l4, out, status);
  case proto_tcp:
    if (l4.size >= 14)
      out.tcp_flags = l4.data[13];
    read_ports(l4, out);
    break;
  case proto_sctp:
    read_ports(l4, out);
    break;
  case proto_icmp:
  case proto_icmpv6:
    if (l4.size >= 2) {
      out.icmp_type = l4.data[0];
      out.icmp_code = l4.data[1];
    }
    break;
  default:
    break;
  }
  return status;
}

parse_status parse_ipv4(byte_view p, packet_headers& out, int decapsulate);
parse_status parse_ipv6(byte_view p, packet_headers& out, int decapsulate);

// Opens a tunnelled packet at `l4` or reads the transport header there.
parse_status parse_payload(byte_view l4, packet_headers& out, int decapsulate,
                           parse_status status) {
  out.transport = l4;
  if (out.fragment == ip_fragment::later)
    return status;
  if (decapsulate > 0 && (out.protocol == proto_ipip || out.protocol == proto_ipv6)) {
    packet_headers inner;
    auto inner_status = out.protocol == proto_ipip ? parse_ipv4(l4, inner, decapsulate - 1)
                                                   : parse_ipv6(l4, inner, decapsulate - 1);
    // An inner header that is cut short or not IP leaves the outer packet reported.
    if (inner.ip_version != 0)
      out = inner;
    return status == parse_status::ok && inner_status == parse_status::truncated
               ? parse_status::truncated
               : status;
  }
  return parse_transport(l4, out, status);
}

parse_status parse_ipv4(byte_view p, packet_headers& out, int decapsulate) {
  if (p.size < ipv4_min_header)
    return parse_status::truncated;
  if ((p.data[0] >> 4) != 4)
    return parse_status::not_ip;
  size_t header = size_t{p.data[0] & 0x0fu} * 4;
  if (header < ipv4_min_header || header > p.size)
    return parse_status::truncated;
  auto status = parse_status::ok;
  size_t total = load_be16(p.data + 2);
  out.ip_length = static_cast<uint32_t>(total);
  if (total == 0)
    total = p.size; // segmentation offload: the length was never filled in
  if (total < header || total > p.size) {
    status = parse_status::truncated;
    total = p.size; // a sampled section is cut by design: read what is there
  }
  out.ip_version = 4;
  out.tos = p.data[1];
  uint16_t fragment = load_be16(p.data + 6);
  out.fragment = (fragment & 0x1fff) != 0   ? ip_fragment::later
                 : (fragment & 0x2000) != 0 ? ip_fragment::first
                                            : ip_fragment::none;
  out.protocol = p.data[9];
  out.src = ip_address::from_v4_bytes(p.data + 12);
  out.dst = ip_address::from_v4_bytes(p.data + 16);
  return parse_payload(p.sub(header, total - header), out, decapsulate, status);
}

parse_status parse_ipv6(byte_view p, packet_headers& out, int decapsulate) {
  if (p.size < ipv6_header)
    return parse_status::truncated;
  if ((p.data[0] >> 4) != 6)
    return parse_status::not_ip;
  auto status = parse_status::ok;
  size_t length = load_be16(p.data + 4);
  out.ip_length = static_cast<uint32_t>(ipv6_header + length);
  if (length == 0)
    length = p.size - ipv6_header; // jumbogram or offload: take what was captured
  if (length > p.size - ipv6_header) {
    status = parse_status::truncated;
    length = p.size - ipv6_header;
  }
  out.ip_version = 6;
  out.tos = static_cast<uint8_t>((load_be16(p.data) >> 4) & 0xff);
  out.src = ip_address::from_v6_bytes(p.data + 8);
  out.dst = ip_address::from_v6_bytes(p.data + 24);
  out.fragment = ip_fragment::none;
  uint8_t next = p.data[6];
  byte_view body = p.sub(ipv6_header, length);
  for (int i = 0; i < max_extension_headers && is_ipv6_extension(next); ++i) {
    if (body.size < 8) // the smallest extension header
      return parse_status::truncated;
    if (next == proto_fragment) {
      uint16_t offset_flags = load_be16(body.data + 2);
      if ((offset_flags & 0xfff8) != 0) {
        // What follows is the middle of a datagram, not more headers.
        out.fragment = ip_fragment::later;
        out.protocol = body.data[0];
        return parse_payload(body.sub(8, body.size - 8), out, decapsulate, status);
      }
      if ((offset_flags & 1) != 0)
        out.fragment = ip_fragment::first;
    }
    // AH counts its length in 4-byte words less two, the others in 8-byte words less one.
    size_t skip = next == proto_fragment ? 8
                  : next == proto_ah     ? (size_t{body.data[1]} + 2) * 4
                                         : (size_t{body.data[1]} + 1) * 8;
    if (skip > body.size)
      return parse_status::truncated;
    next = body.data[0];
    body = body.sub(skip, body.size - skip);
  }
  out.protocol = next;
  return parse_payload(body, out, decapsulate, status);
}

} // namespace

parse_status parse_ethertype(uint16_t ethertype, byte_view rest, packet_headers& out,
                             int decapsulate) {
  out = packet_headers{};
  size_t offset = 0;
  // Each tag is a 16-bit tag control field, then the type of what follows.
  for (int tags = 0; is_vlan_tag(ethertype); ++tags) {
    if (tags == max_vlan_tags || rest.size - offset < 4)
      return parse_status::truncated;
    ethertype = load_be16(rest.data + offset + 2);
    offset += 4;
  }
  byte_view ip = rest.sub(offset, rest.size - offset);
  if (ethertype == ethertype_ipv4)
    return parse_ipv4(ip, out, decapsulate);
  if (ethertype == ethertype_ipv6)
    return parse_ipv6(ip, out, decapsulate);
  return parse_status::not_ip;
}

parse_status parse_ethernet_frame(byte_view frame, packet_headers& out, int decapsulate) {
  constexpr size_t header = 14; // destination, source, type
  if (frame.size < header) {
    out = packet_headers{};
    return parse_status::truncated;
  }
  return parse_ethertype(load_be16(frame.data + 12), frame.sub(header, frame.size - header), out,
                         decapsulate);
}

parse_status parse_ip_packet(byte_view packet, packet_headers& out, int decapsulate) {
  out = packet_headers{};
  if (packet.empty())
    return parse_status::truncated;
  switch (packet.data[0] >> 4) {
  case 4:
    return parse_ipv4(packet, out, decapsulate);
  case 6:
    return parse_ipv6(packet, out, decapsulate);
  default:
    return parse_status::not_ip;
  }
}

} // namespace hostflow
