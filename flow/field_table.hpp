#pragma once

#include <cstdint>

#include "flow/record_fields.hpp"

namespace hostflow {

/// Reads one field's bytes into a record. `len` is the field's length in
/// this record (reduced-size and variable-length encodings included).
using field_handler = void (*)(record_fields& out, const uint8_t* p, uint16_t len);

/// The handler for an IANA information element id (NetFlow v9 field types
/// share the numbering below 128), or nullptr when the field is not one
/// hostflow uses: its bytes are skipped.
field_handler handler_for(uint16_t element_id) noexcept;

/// Private enterprise number of RFC 5103 reverse information elements.
constexpr uint32_t reverse_pen = 29305;

/// The handler for an enterprise-specific element: RFC 5103 reverse counters
/// and flags of biflow records; nullptr for everything else (skipped).
field_handler handler_for(uint32_t enterprise, uint16_t element_id) noexcept;

} // namespace hostflow
