#include "flow/capture_frames.hpp"

namespace hostflow {

// Where the network layer of a frame of one link type starts and what it is.
struct link_layer {
  int dlt;             // as pcap_datalink() reports it
  size_t header;       // bytes before the network layer (or VLAN tags)
  int type_at;         // offset of a 16-bit ethertype; -1: none
  bool family;         // a 4-byte BSD address family says what follows
  uint16_t fixed_type; // the network layer when the header does not say; 0: by IP version
};

namespace {

constexpr uint8_t proto_udp = 17;

// libpcap reports LINKTYPE_RAW (101) as the platform's DLT_RAW (12 or 14).
constexpr link_layer link_layers[] = {
    {1, 14, 12, false, 0},               // Ethernet
    {113, 16, 14, false, 0},             // Linux cooked v1
    {276, 20, 0, false, 0},              // Linux cooked v2
    {0, 4, -1, true, 0},                 // BSD loopback (NULL)
    {108, 4, -1, true, 0},               // OpenBSD loopback (LOOP)
    {12, 0, -1, false, 0},               // raw IP
    {14, 0, -1, false, 0},               // raw IP (OpenBSD)
    {101, 0, -1, false, 0},              // raw IP
    {228, 0, -1, false, ethertype_ipv4}, // IPv4
    {229, 0, -1, false, ethertype_ipv6}, // IPv6
};

// The ethertype of what a BSD loopback header announces; 0 when it is not IP.
uint16_t loopback_type(byte_view f) {
  uint32_t family = load_be32(f.data);
  // NULL writes the family in the capturing host's byte order, LOOP in
  // network order; families are small, so the order shows.
  if ((family & 0xffff0000u) != 0)
    family = __builtin_bswap32(family);
  // AF_INET6 differs: Linux, NetBSD/OpenBSD, FreeBSD, macOS.
  if (family == 10 || family == 24 || family == 28 || family == 30)
    return ethertype_ipv6;
  return family == 2 ? ethertype_ipv4 : 0;
}

} // namespace

const link_layer* find_link_layer(int dlt) noexcept {
  for (const auto& l : link_layers)
    if (l.dlt == dlt)
      return &l;
  return nullptr;
}

frame_kind parse_frame(const link_layer& link, byte_view f, packet_headers& out) {
  out = packet_headers{};
  if (f.size < link.header)
    return frame_kind::truncated;
  uint16_t type = link.fixed_type;
  if (link.type_at >= 0)
    type = load_be16(f.data + link.type_at);
  if (link.family) {
    type = loopback_type(f);
    if (type == 0)
      return frame_kind::non_ip;
  }
  byte_view rest = f.sub(link.header, f.size - link.header);
  // Raw IP says nothing before the packet; anything but version 6 is tried as IPv4.
  if (link.type_at < 0 && !link.family && type == 0)
    type = !rest.empty() && (rest.data[0] >> 4) == 6 ? ethertype_ipv6 : ethertype_ipv4;
  // A capture reader wants the outer datagram: tunnels stay closed.
  switch (parse_ethertype(type, rest, out, 0)) {
  case parse_status::not_ip:
    return frame_kind::non_ip;
  case parse_status::truncated:
    return frame_kind::truncated;
  case parse_status::ok:
    break;
  }
  if (out.protocol != proto_udp)
    return frame_kind::non_udp;
  if (out.fragment == ip_fragment::later)
    return frame_kind::later_fragment;
  return frame_kind::datagram;
}

} // namespace hostflow
