#pragma once

// Shared fixture for the IPFIX decoder suites.

#include "flow/decoder_fixture.hpp"
#include "flow/packet_builder.hpp"

namespace hostflow::test {

inline const endpoint ipfix_exporter{*ip_address::parse("2001:db8::10"), 4739};
constexpr int64_t ipfix_export_ms = 1709542800000;

/// A decoder fed as one IPFIX exporter.
struct ipfix_fixture : decoder_fixture {
  explicit ipfix_fixture(decoder_limits limits = {}) : decoder_fixture(ipfix_exporter, limits) {}
};

/// A message with the ipv4_fields() template 256 and `records` data records.
inline std::vector<uint8_t> template_and_data(uint32_t sequence, int records,
                                              bool with_template = true) {
  ipfix_builder m(sequence);
  if (with_template) {
    m.begin_set(2);
    m.template_record(256, ipv4_fields());
    m.end_set();
  }
  m.begin_set(256);
  for (int i = 0; i < records; ++i)
    ipv4_record(m, "10.1.0.1", "10.2.0.2", static_cast<uint16_t>(1000 + i), 53, 17, 1, 80);
  m.end_set();
  return m.finish();
}

} // namespace hostflow::test
