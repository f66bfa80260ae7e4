// RFC 5103 biflow records: the reverse direction's counters and flags,
// sent as enterprise-specific elements under the reverse PEN.

#include "flow/byte_view.hpp"
#include "flow/field_table.hpp"

namespace hostflow {

namespace {

using rf = record_fields;

// The presence bit marks a biflow: its reverse half is emitted as a record of
// its own when these counters are not zero.
template <uint64_t rf::*Counter>
void reverse_counter(rf& f, const uint8_t* p, uint16_t len) {
  f.*Counter = load_be_uint(p, len);
  f.present |= rf::reverse;
}

void reverse_tcp_flags(rf& f, const uint8_t* p, uint16_t len) {
  f.reverse_tcp_flags = static_cast<uint8_t>(load_be_uint(p, len));
}

} // namespace

field_handler handler_for(uint32_t enterprise, uint16_t element_id) noexcept {
  if (enterprise != reverse_pen)
    return nullptr;
  // Reverse elements reuse the IANA numbers of their forward twins.
  switch (element_id) {
  case 1:  // reverse octetDeltaCount
  case 85: // reverse octetTotalCount
    return reverse_counter<&rf::reverse_bytes>;
  case 2:  // reverse packetDeltaCount
  case 86: // reverse packetTotalCount
    return reverse_counter<&rf::reverse_packets>;
  case 6: // reverse tcpControlBits
    return reverse_tcp_flags;
  default:
    return nullptr;
  }
}

} // namespace hostflow
