#pragma once

// What one NetFlow v9 source id or IPFIX observation domain of one exporter
// must keep over a restart so that its next data set decodes at once: its
// templates, the sampling rates it announced and its IPFIX system init time.
// Sequence state, counters and waiting data sets are left out: they describe
// one run's traffic, not how to read the next datagram.
//
// Stored form (format 1), every number big-endian:
//
//   u8 format | 16 address bytes | u16 port | u16 protocol version (9, 10)
//   | u32 domain | u8 flags (bit 0: system init time follows) | [i64 init ms]
//   | u32 default sampling factor (0: none)
//   | u16 samplers, each: u64 sampler id | u32 factor     (ascending ids)
//   | u16 templates, each: u16 id | u8 options (0, 1) | u16 scope fields
//     | u16 fields, each: u16 element id | u16 length | u32 enterprise
//                                                           (ascending ids)

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "flow/ip_address.hpp"

namespace hostflow {

// -- snapshot ------------------------------------------------------------------------

/// One field of a stored template, as the exporter defined it.
struct template_field_spec {
  uint16_t element_id = 0; ///< without the IPFIX enterprise bit
  uint16_t length = 0;     ///< bytes, or 65535 for variable length
  uint32_t enterprise = 0; ///< private enterprise number; 0 = IANA (always 0 in v9)

  friend bool operator==(const template_field_spec& a, const template_field_spec& b) noexcept {
    return a.element_id == b.element_id && a.length == b.length && a.enterprise == b.enterprise;
  }
};

/// A stored template: its definition only; handlers and record layout are
/// rebuilt by the template parser when it is restored.
struct template_spec {
  uint16_t id = 0; ///< >= 256
  bool is_options = false;
  uint16_t scope_field_count = 0; ///< leading scope fields (options templates)
  std::vector<template_field_spec> fields;

  friend bool operator==(const template_spec& a, const template_spec& b) {
    return a.id == b.id && a.is_options == b.is_options &&
           a.scope_field_count == b.scope_field_count && a.fields == b.fields;
  }
};

/// A sampling rate announced for one sampler / selector id.
struct sampler_rate {
  uint64_t sampler = 0;
  uint32_t factor = 0; ///< 1-in-N, >= 1

  friend bool operator==(const sampler_rate& a, const sampler_rate& b) noexcept {
    return a.sampler == b.sampler && a.factor == b.factor;
  }
};

/// The restart-relevant decoding state of one domain of one exporter.
struct template_snapshot {
  endpoint exporter;
  uint16_t version = 0;                  ///< 9 (NetFlow v9) or 10 (IPFIX)
  uint32_t domain = 0;                   ///< v9 source id / IPFIX observation domain
  std::vector<template_spec> templates;  ///< ascending ids
  std::vector<sampler_rate> samplers;    ///< ascending sampler ids
  uint32_t default_sampling = 0;         ///< rate of records naming no sampler; 0 = none
  std::optional<int64_t> system_init_ms; ///< systemInitTimeMilliseconds
  /// The domain's change count when taken (see flow_decoder::mark_saved);
  /// not part of the stored form.
  uint64_t generation = 0;

  /// True when there is nothing to restore.
  bool empty() const noexcept {
    return templates.empty() && samplers.empty() && default_sampling == 0 && !system_init_ms;
  }

  friend bool operator==(const template_snapshot& a, const template_snapshot& b) {
    return a.exporter == b.exporter && a.version == b.version && a.domain == b.domain &&
           a.templates == b.templates && a.samplers == b.samplers &&
           a.default_sampling == b.default_sampling && a.system_init_ms == b.system_init_ms;
  }
};

// -- stored form ---------------------------------------------------------------------

/// Current format byte of the stored form.
inline constexpr uint8_t template_snapshot_format = 1;

/// Most samplers a stored snapshot may hold (sampling_table::max_samplers).
inline constexpr size_t max_snapshot_samplers = 1024;

/// Most fields a stored template may hold: more than any template record
/// fits in a 65535-byte message.
inline constexpr size_t max_snapshot_fields = 16383;

/// The stored form of `s`. Its templates and samplers must be in ascending
/// id order, as flow_decoder::save_templates gives them.
std::string encode_template_snapshot(const template_snapshot& s);

/// Reads a stored snapshot; nullopt unless `bytes` is exactly one well-formed
/// snapshot of a known format whose templates have a wire form in its
/// protocol. Counts are checked against the bytes left before anything is
/// allocated.
std::optional<template_snapshot> decode_template_snapshot(std::string_view bytes);

// -- wire form --------------------------------------------------------------------------

/// Appends `t` as a template record of a NetFlow v9 (`version` 9: FlowSet 0
/// or, for options, FlowSet 1) or IPFIX (10: set 2 or 3) template set, the
/// form the template parser reads.
void append_template_record(const template_spec& t, uint16_t version, std::vector<uint8_t>& out);

} // namespace hostflow
