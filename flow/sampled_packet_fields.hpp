#pragma once

// Internal to the flow library: handlers of the field table (field_table.cpp)
// for RFC 7133 sampled packet sections, kept apart because they parse whole
// packet headers rather than read one value.

#include <cstdint>

#include "flow/record_fields.hpp"

namespace hostflow {

/// dataLinkFrameSection (IE 315): the first bytes of a sampled Ethernet
/// frame. Its addresses, ports and protocol fill the record when it carries
/// no address fields of its own; it counts one packet of the IP length.
void data_link_section(record_fields& out, const uint8_t* p, uint16_t len);

/// ipHeaderPacketSection (IE 313): the same from a section that starts at
/// the IP header.
void ip_header_section(record_fields& out, const uint8_t* p, uint16_t len);

} // namespace hostflow
