#pragma once

// A decoder fed as one exporter, shared by the hand-built datagram suites.

#include <cstdint>
#include <vector>

#include "flow/flow_decoder.hpp"

namespace hostflow::test {

/// One flow_decoder, the records it produced, and the counters of the one
/// exporter the test speaks as.
struct decoder_fixture {
  endpoint exporter;
  flow_decoder decoder;
  std::vector<flow_record> out;

  explicit decoder_fixture(endpoint from, decoder_limits limits = {})
    : exporter(from), decoder(limits) {}

  /// Decodes one datagram received at `now_ms`; the exporter's counters after it.
  const exporter_counters& feed(const std::vector<uint8_t>& datagram, int64_t now_ms = 0) {
    decoder.decode(exporter, byte_view{datagram.data(), datagram.size()}, now_ms, out);
    return *decoder.counters(exporter);
  }

  /// Errors of kind `e` counted for the exporter so far.
  uint64_t errors(decode_error e) const {
    return decoder.counters(exporter)->errors[static_cast<size_t>(e)];
  }
};

} // namespace hostflow::test
