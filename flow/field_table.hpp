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

} // namespace hostflow
