#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace hostflow {

/// Everything that can be wrong with an export datagram, one counter each.
/// A datagram with an error is decoded as far as it is sound; the error is
/// counted per exporter and never aborts the collector.
enum class decode_error : uint8_t {
  short_header,         ///< shorter than its protocol's header
  bad_version,          ///< version field is not 5, 9 or 10
  length_mismatch,      ///< header length/count disagrees with the datagram size
  bad_set_length,       ///< a set/FlowSet length below 4 or beyond the datagram
  reserved_set_id,      ///< IPFIX set id 4..255, or v9 FlowSet id 2..255
  truncated_template,   ///< a template record runs past its set
  bad_template,         ///< zero fields, zero record length, id below 256, bad scope
  template_too_large,   ///< more fields than the per-template limit
  template_limit,       ///< the exporter's template count limit was reached
  template_memory,      ///< the global template memory limit was reached
  truncated_record,     ///< a variable-length field runs past its set
  pending_overflow,     ///< a data set without template did not fit the wait buffer
  pending_expired,      ///< a data set without template waited too long and was dropped
  domain_limit,         ///< too many observation domains for one exporter
  exporter_limit,       ///< too many exporters; the datagram was not decoded
  count
};

/// Number of error kinds, for counter arrays.
constexpr size_t decode_error_count = static_cast<size_t>(decode_error::count);

/// Short snake_case name used in logs, JSON and metrics ("bad_set_length").
const char* to_string(decode_error e) noexcept;

/// One counter per error kind.
using error_counters = std::array<uint64_t, decode_error_count>;

} // namespace hostflow
