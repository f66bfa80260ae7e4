#pragma once

#include <cstddef>
#include <optional>

#include "flow/byte_view.hpp"
#include "flow/decode_error.hpp"
#include "flow/flow_template.hpp"
#include "flow/record_fields.hpp"

namespace hostflow {

/// What reading one data set produced.
struct set_read_result {
  size_t records = 0;                ///< records handed to the callback
  std::optional<decode_error> error; ///< set when the set ended inside a record
};

/// Reads the records of a data set (its payload, after the set header) with
/// `tmpl`, calling `on_record(record_fields&)` for each. Trailing bytes too
/// short for another record are padding (RFC 7011 3.3.1). Variable-length
/// fields carry a 1-byte length, or 255 and a 2-byte length.
template <class OnRecord>
set_read_result for_each_record(const flow_template& tmpl, byte_view payload, OnRecord&& on_record) {
  set_read_result result;
  const uint8_t* p = payload.data;
  const uint8_t* end = payload.data + payload.size;
  const auto min_len = tmpl.min_record_length;
  record_fields fields;
  if (!tmpl.has_variable_fields) {
    while (static_cast<size_t>(end - p) >= min_len) {
      fields.reset();
      for (const auto& f : tmpl.active)
        f.handler(fields, p + f.offset, f.length);
      p += min_len;
      on_record(fields);
      ++result.records;
    }
    return result;
  }
  while (static_cast<size_t>(end - p) >= min_len) {
    fields.reset();
    const uint8_t* q = p;
    for (const auto& f : tmpl.fields) {
      size_t len = f.length;
      if (len == variable_length) {
        if (q >= end) {
          result.error = decode_error::truncated_record;
          return result;
        }
        len = *q++;
        if (len == 255) {
          if (end - q < 2) {
            result.error = decode_error::truncated_record;
            return result;
          }
          len = load_be16(q);
          q += 2;
        }
      }
      if (static_cast<size_t>(end - q) < len) {
        result.error = decode_error::truncated_record;
        return result;
      }
      if (f.handler != nullptr)
        f.handler(fields, q, static_cast<uint16_t>(len));
      q += len;
    }
    p = q;
    on_record(fields);
    ++result.records;
  }
  return result;
}

} // namespace hostflow
