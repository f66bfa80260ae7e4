#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "flow/field_table.hpp"

namespace hostflow {

/// Field length that marks an IPFIX variable-length field (RFC 7011 7).
constexpr uint16_t variable_length = 65535;

/// One field of a template, resolved against the field table once, when the
/// template arrives, so data records are decoded without lookups.
struct template_field {
  uint16_t element_id = 0;   ///< information element id (enterprise bit cleared)
  uint16_t length = 0;       ///< bytes in a record, or variable_length
  uint32_t enterprise = 0;   ///< private enterprise number; 0 = IANA
  field_handler handler = nullptr; ///< nullptr: the field is skipped
};

/// A field of a fixed-length template that hostflow reads: where it sits in
/// the record and who reads it. Skipped fields cost nothing per record.
struct active_field {
  uint16_t offset = 0;
  uint16_t length = 0;
  field_handler handler = nullptr;
};

/// A data or options template, ready to decode records.
struct flow_template {
  uint16_t id = 0;                  ///< template id (>= 256)
  bool is_options = false;          ///< options template (sampler tables, init times)
  uint16_t scope_field_count = 0;   ///< leading scope fields (options templates)
  bool has_variable_fields = false; ///< any variable-length field
  uint32_t min_record_length = 0;   ///< record length when fixed; lower bound otherwise
  std::vector<template_field> fields; ///< in wire order
  std::vector<active_field> active;   ///< fixed-length templates: the fields with a handler

  /// Heap and object bytes held, for the template memory limit.
  size_t memory() const noexcept {
    return sizeof(flow_template) + fields.capacity() * sizeof(template_field) +
           active.capacity() * sizeof(active_field);
  }
};

} // namespace hostflow
