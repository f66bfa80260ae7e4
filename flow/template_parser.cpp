#include "flow/template_parser.hpp"

namespace hostflow {

namespace {

using status = template_parse::status;

bool all_zero(byte_view v) {
  for (size_t i = 0; i < v.size; ++i)
    if (v.data[i] != 0)
      return false;
  return true;
}

template_parse fail(status s, decode_error e, size_t consumed = 0) {
  template_parse r;
  r.result = s;
  r.error = e;
  r.consumed = consumed;
  return r;
}

// Fills length bookkeeping once all fields are in; rejects records that
// would take no bytes (a decoder would loop on them forever).
template_parse finish(template_parse r) {
  // A field repeated in one template (inner and outer headers of a tunnel,
  // as Huawei and Cisco SRv6 export them) counts by its first occurrence.
  auto& fields = r.tmpl.fields;
  for (size_t i = 0; i < fields.size(); ++i)
    for (size_t j = 0; j < i && fields[i].handler != nullptr; ++j)
      if (fields[j].handler != nullptr && fields[j].element_id == fields[i].element_id &&
          fields[j].enterprise == fields[i].enterprise)
        fields[i].handler = nullptr;
  uint64_t min_len = 0;
  for (const auto& f : r.tmpl.fields) {
    if (f.length == variable_length) {
      r.tmpl.has_variable_fields = true;
      min_len += 1;
    } else {
      min_len += f.length;
    }
  }
  if (min_len == 0 || min_len > 65535)
    return fail(status::skipped, decode_error::bad_template, r.consumed);
  r.tmpl.min_record_length = static_cast<uint32_t>(min_len);
  if (!r.tmpl.has_variable_fields) {
    uint16_t offset = 0;
    for (const auto& f : fields) {
      if (f.handler != nullptr)
        r.tmpl.active.push_back(active_field{offset, f.length, f.handler});
      offset = static_cast<uint16_t>(offset + f.length);
    }
  }
  r.result = status::ok;
  return r;
}

// Reads `count` v9 (type, length) pairs starting at `p`.
void read_v9_fields(const uint8_t* p, size_t count, bool scope, std::vector<template_field>& out) {
  for (size_t i = 0; i < count; ++i, p += 4) {
    template_field f;
    f.element_id = load_be16(p);
    f.length = load_be16(p + 2);
    // v9 scope types (1 system, 2 interface ...) reuse small numbers that mean
    // counters in data templates: never decode them as IEs.
    f.handler = scope ? nullptr : handler_for(f.element_id);
    out.push_back(f);
  }
}

} // namespace

template_parse parse_v9_template(byte_view rest, const decoder_limits& limits) {
  if (rest.size < 4 || all_zero(rest))
    return fail(status::end, decode_error::bad_template);
  uint16_t id = load_be16(rest.data);
  uint16_t count = load_be16(rest.data + 2);
  size_t length = 4 + size_t{count} * 4;
  if (length > rest.size)
    return fail(status::stop, decode_error::truncated_template);
  if (id < 256 || count == 0)
    return fail(status::skipped, decode_error::bad_template, length);
  if (count > limits.max_fields_per_template)
    return fail(status::skipped, decode_error::template_too_large, length);
  template_parse r;
  r.consumed = length;
  r.tmpl.id = id;
  r.tmpl.fields.reserve(count);
  read_v9_fields(rest.data + 4, count, false, r.tmpl.fields);
  return finish(std::move(r));
}

template_parse parse_v9_options_template(byte_view rest, const decoder_limits& limits) {
  if (rest.size < 6 || all_zero(rest))
    return fail(status::end, decode_error::bad_template);
  uint16_t id = load_be16(rest.data);
  uint16_t scope_len = load_be16(rest.data + 2);
  uint16_t option_len = load_be16(rest.data + 4);
  size_t length = 6 + size_t{scope_len} + option_len;
  if (scope_len % 4 != 0 || option_len % 4 != 0)
    return fail(status::stop, decode_error::bad_template);
  if (length > rest.size)
    return fail(status::stop, decode_error::truncated_template);
  size_t scope_count = scope_len / 4;
  size_t option_count = option_len / 4;
  if (id < 256 || scope_count + option_count == 0)
    return fail(status::skipped, decode_error::bad_template, length);
  if (scope_count + option_count > limits.max_fields_per_template)
    return fail(status::skipped, decode_error::template_too_large, length);
  template_parse r;
  r.consumed = length;
  r.tmpl.id = id;
  r.tmpl.is_options = true;
  r.tmpl.scope_field_count = static_cast<uint16_t>(scope_count);
  r.tmpl.fields.reserve(scope_count + option_count);
  read_v9_fields(rest.data + 6, scope_count, true, r.tmpl.fields);
  read_v9_fields(rest.data + 6 + scope_len, option_count, false, r.tmpl.fields);
  return finish(std::move(r));
}

template_parse parse_ipfix_template(byte_view rest, bool options, const decoder_limits& limits) {
  if (rest.size < 4 || all_zero(rest))
    return fail(status::end, decode_error::bad_template);
  uint16_t id = load_be16(rest.data);
  uint16_t count = load_be16(rest.data + 2);
  if (count == 0) {
    // RFC 7011 8.1: a template record with no fields withdraws the template;
    // the set id itself withdraws every template of that kind.
    template_parse r;
    r.consumed = 4;
    r.tmpl.id = id;
    r.tmpl.is_options = options;
    if (id == 2 || id == 3)
      r.result = status::withdraw_all;
    else if (id >= 256)
      r.result = status::withdrawal;
    else
      return fail(status::skipped, decode_error::bad_template, 4);
    return r;
  }
  size_t header = options ? 6 : 4;
  if (rest.size < header)
    return fail(status::stop, decode_error::truncated_template);
  uint16_t scope_count = options ? load_be16(rest.data + 4) : 0;
  // Walk the field specifiers first: their size depends on enterprise bits,
  // and nothing is allocated for a template that will be rejected.
  size_t pos = header;
  for (size_t i = 0; i < count; ++i) {
    if (pos + 4 > rest.size)
      return fail(status::stop, decode_error::truncated_template);
    bool enterprise = (load_be16(rest.data + pos) & 0x8000) != 0;
    pos += enterprise ? 8 : 4;
  }
  if (pos > rest.size)
    return fail(status::stop, decode_error::truncated_template);
  if (id < 256 || (options && (scope_count == 0 || scope_count > count)))
    return fail(status::skipped, decode_error::bad_template, pos);
  if (count > limits.max_fields_per_template)
    return fail(status::skipped, decode_error::template_too_large, pos);
  template_parse r;
  r.consumed = pos;
  r.tmpl.id = id;
  r.tmpl.is_options = options;
  r.tmpl.scope_field_count = scope_count;
  r.tmpl.fields.reserve(count);
  const uint8_t* p = rest.data + header;
  for (size_t i = 0; i < count; ++i) {
    template_field f;
    uint16_t raw = load_be16(p);
    f.element_id = raw & 0x7fff;
    f.length = load_be16(p + 2);
    if (raw & 0x8000) {
      f.enterprise = load_be32(p + 4);
      f.handler = handler_for(f.enterprise, f.element_id);
      p += 8;
    } else {
      f.handler = handler_for(f.element_id);
      p += 4;
    }
    r.tmpl.fields.push_back(f);
  }
  return finish(std::move(r));
}

} // namespace hostflow
