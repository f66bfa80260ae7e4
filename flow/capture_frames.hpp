#pragma once

// Internal to the flow library: how capture_reader finds the UDP datagram in
// a captured frame. The link-layer headers are read here; the IP and UDP
// headers by the shared parser of packet_headers.hpp.

#include <cstdint>

#include "flow/byte_view.hpp"
#include "flow/packet_headers.hpp"

namespace hostflow {

/// How frames of one pcap link type begin; defined in capture_frames.cpp.
struct link_layer;

/// The link layer of frames with pcap link type `dlt` (as pcap_datalink()
/// reports it), or nullptr when frames of that type cannot be read.
const link_layer* find_link_layer(int dlt) noexcept;

/// What a frame turned out to be. Every kind but `datagram` is a frame the
/// reader skips and counts (capture_stats has one counter per kind).
enum class frame_kind : uint8_t {
  truncated,      ///< cut short, or headers that disagree with the bytes
  non_ip,         ///< not IPv4/IPv6 (ARP, LLDP, 802.3 LLC ...)
  non_udp,        ///< IP but not UDP, tunnels included (they are not opened)
  later_fragment, ///< a UDP fragment after the first: no UDP header to read
  datagram,       ///< a UDP datagram, or the first fragment of one
};

/// Parses `frame`, captured on a link of type `link`, down to its UDP
/// payload. When the result is `datagram`, `out` holds the addresses, ports,
/// fragment state and payload (a view into `frame`).
frame_kind parse_frame(const link_layer& link, byte_view frame, packet_headers& out);

} // namespace hostflow
