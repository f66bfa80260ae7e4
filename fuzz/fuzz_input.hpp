#pragma once

// Shared by the decoder fuzz targets: one fuzz input is a sequence of
// datagrams from one exporter, so template state carries from one to the next.
//
// Format: repeated [length: u16 big-endian][datagram bytes]; a length running
// past the end takes the rest. The target forces the version field of every
// datagram so each fuzzer stays on its own protocol.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "flow/flow_decoder.hpp"

namespace hostflow::fuzz {

/// Decodes every datagram of `data` as `version` with one decoder.
inline void decode_sequence(const uint8_t* data, size_t size, uint16_t version) {
  decoder_limits limits;
  limits.max_template_memory = 1u << 20; // keep the fuzzer's memory small
  limits.max_pending_bytes_per_exporter = 64u << 10;
  flow_decoder decoder(limits);
  std::vector<flow_record> out;
  endpoint exporter{ip_address::from_v4(0x7f000001), 2055};
  std::vector<uint8_t> datagram;
  size_t pos = 0;
  int64_t now_ms = 0;
  while (pos + 2 <= size) {
    size_t len = (size_t{data[pos]} << 8) | data[pos + 1];
    pos += 2;
    if (len > size - pos)
      len = size - pos;
    datagram.assign(data + pos, data + pos + len);
    pos += len;
    if (datagram.size() >= 2) {
      datagram[0] = static_cast<uint8_t>(version >> 8);
      datagram[1] = static_cast<uint8_t>(version);
    }
    decoder.decode(exporter, byte_view{datagram.data(), datagram.size()}, now_ms, out);
    now_ms += 30'000; // lets waiting data sets expire within one input
    out.clear();
  }
  decoder.expire(now_ms + 1'000'000);
}

} // namespace hostflow::fuzz
