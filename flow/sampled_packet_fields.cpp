#include "flow/sampled_packet_fields.hpp"

#include "flow/byte_view.hpp"
#include "flow/packet_headers.hpp"

namespace hostflow {

namespace {

using rf = record_fields;

// Exporters that sample packets (Juniper inline monitoring, Nokia, sFlow-like
// IPFIX) send the first bytes of each packet instead of flow fields: one
// record is one packet, its size the IP length. Sections are cut by design,
// so a truncated parse still gives what the headers held.
void from_packet(rf& f, const packet_headers& h) {
  if (h.ip_version == 0)
    return;
  if (!(f.present & (rf::src_v4 | rf::src_v6 | rf::dst_v4 | rf::dst_v6))) {
    auto bit = h.ip_version == 4 ? rf::src_v4 | rf::dst_v4 : rf::src_v6 | rf::dst_v6;
    if (h.ip_version == 4) {
      f.record.src_addr = h.src;
      f.record.dst_addr = h.dst;
    } else {
      f.src6 = h.src;
      f.dst6 = h.dst;
    }
    f.present |= bit;
    f.record.protocol = h.protocol;
    f.record.tos = h.tos;
    f.record.tcp_flags = h.tcp_flags;
    f.record.src_port = h.src_port;
    f.record.dst_port = h.dst_port;
    if (h.protocol == 1 || h.protocol == 58) {
      f.record.icmp_type = h.icmp_type;
      f.record.icmp_code = h.icmp_code;
      f.present |= rf::icmp_type | rf::icmp_code;
    }
  }
  // Below every counter field of the table: the record's own counts win.
  constexpr uint8_t section_rank = 5;
  if (f.bytes_rank == 0) {
    f.record.bytes = h.ip_length;
    f.bytes_rank = section_rank;
  }
  if (f.packets_rank == 0) {
    f.record.packets = 1;
    f.packets_rank = section_rank;
  }
}

} // namespace

void data_link_section(rf& f, const uint8_t* p, uint16_t len) {
  packet_headers h;
  parse_ethernet_frame(byte_view{p, len}, h);
  from_packet(f, h);
}

void ip_header_section(rf& f, const uint8_t* p, uint16_t len) {
  packet_headers h;
  parse_ip_packet(byte_view{p, len}, h);
  from_packet(f, h);
}

} // namespace hostflow
