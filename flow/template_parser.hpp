#pragma once

#include <cstddef>

#include "flow/byte_view.hpp"
#include "flow/decode_error.hpp"
#include "flow/decoder_limits.hpp"
#include "flow/flow_template.hpp"

namespace hostflow {

/// The outcome of reading one template record from a template set.
struct template_parse {
  enum class status : uint8_t {
    ok,           ///< `tmpl` holds a template to install
    withdrawal,   ///< IPFIX: withdraw template `tmpl.id`
    withdraw_all, ///< IPFIX: withdraw all templates of the set's kind
    end,          ///< the rest of the set is padding
    skipped,      ///< a bad template record was skipped; `error` says why
    stop,         ///< the rest of the set cannot be read; `error` says why
  };
  status result = status::end;
  decode_error error = decode_error::bad_template;
  size_t consumed = 0; ///< bytes of the record, when the walk may go on
  flow_template tmpl;
};

/// Reads a NetFlow v9 template record (FlowSet 0) from the start of `rest`.
template_parse parse_v9_template(byte_view rest, const decoder_limits& limits);

/// Reads a NetFlow v9 options template record (FlowSet 1). Scope fields are
/// v9 scope types (system, interface ...) and are skipped when decoding.
template_parse parse_v9_options_template(byte_view rest, const decoder_limits& limits);

/// Reads an IPFIX template (set 2) or options template (set 3) record,
/// including withdrawals (field count 0) and enterprise-specific fields.
template_parse parse_ipfix_template(byte_view rest, bool options, const decoder_limits& limits);

} // namespace hostflow
