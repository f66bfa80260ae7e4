#pragma once

// Flow records to IPFIX messages (RFC 7011), as a small exporter would send
// them: one template for IPv4 and one for IPv6 flows, sent with the first
// message and again every few messages (UDP loses them too), data sets
// packed up to a size that fits one datagram, and sequence numbers that
// count the data records sent before each message.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "flow/flow_record.hpp"

namespace hostflow {

/// Template ids the encoder uses.
inline constexpr uint16_t ipfix_encoder_v4_template = 256;
inline constexpr uint16_t ipfix_encoder_v6_template = 257;

/// Encodes flow records as IPFIX messages of one observation domain.
/// Exported fields: addresses, ports, protocol, TCP flags, packet and octet
/// delta counts, start and end in milliseconds, input and output
/// interfaces.
class ipfix_encoder {
public:
  /// Messages of `observation_domain`, each at most `max_message_bytes`
  /// long (at least 256), with the templates in the first message and then
  /// in every `template_every`-th one.
  explicit ipfix_encoder(uint32_t observation_domain, size_t max_message_bytes = 1400,
                         uint32_t template_every = 20);

  /// The messages that carry `records`, exported at `export_time_s` (epoch
  /// seconds). Records are kept in order within their address family.
  std::vector<std::vector<uint8_t>> encode(const std::vector<flow_record>& records,
                                           uint32_t export_time_s);

  /// Data records sent so far: the sequence number of the next message.
  uint32_t sequence() const noexcept { return sequence_; }

  /// Messages made so far.
  uint64_t messages() const noexcept { return messages_; }

private:
  uint32_t domain_;
  size_t max_bytes_;
  uint32_t template_every_;
  uint32_t sequence_ = 0;
  uint64_t messages_ = 0;
};

} // namespace hostflow
