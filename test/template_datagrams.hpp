#pragma once

// Tells export datagrams that define templates from those that only use
// them: what a restarted collector sees before its exporters resend their
// templates. Shared by the flow and receiver restart suites.

#include <cstdint>
#include <vector>

#include "flow/byte_view.hpp"

namespace hostflow::test {

/// True when a NetFlow v9 datagram or IPFIX message holds a template or
/// options template set (v9 FlowSet 0 or 1, IPFIX set 2 or 3).
inline bool carries_templates(const std::vector<uint8_t>& dg) {
  if (dg.size() < 2)
    return false;
  uint16_t version = load_be16(dg.data());
  size_t pos = version == 9 ? 20 : version == 10 ? 16 : dg.size();
  uint16_t first = version == 9 ? 0 : 2;
  while (pos + 4 <= dg.size()) {
    uint16_t id = load_be16(dg.data() + pos);
    uint16_t length = load_be16(dg.data() + pos + 2);
    if (id == first || id == first + 1)
      return true;
    if (length < 4)
      return false;
    pos += length;
  }
  return false;
}

} // namespace hostflow::test
