#include "flow/decode_error.hpp"

namespace hostflow {

const char* to_string(decode_error e) noexcept {
  switch (e) {
    case decode_error::short_header:
      return "short_header";
    case decode_error::bad_version:
      return "bad_version";
    case decode_error::length_mismatch:
      return "length_mismatch";
    case decode_error::bad_set_length:
      return "bad_set_length";
    case decode_error::reserved_set_id:
      return "reserved_set_id";
    case decode_error::truncated_template:
      return "truncated_template";
    case decode_error::bad_template:
      return "bad_template";
    case decode_error::template_too_large:
      return "template_too_large";
    case decode_error::template_limit:
      return "template_limit";
    case decode_error::template_memory:
      return "template_memory";
    case decode_error::truncated_record:
      return "truncated_record";
    case decode_error::pending_overflow:
      return "pending_overflow";
    case decode_error::pending_expired:
      return "pending_expired";
    case decode_error::domain_limit:
      return "domain_limit";
    case decode_error::exporter_limit:
      return "exporter_limit";
    case decode_error::count:
      break;
  }
  return "unknown";
}

} // namespace hostflow
