#include "flow/template_snapshot.hpp"

#include <type_traits>

namespace hostflow {

namespace {

constexpr uint8_t flag_system_init = 0x01;
constexpr size_t sampler_bytes = 8 + 4;
constexpr size_t template_header_bytes = 2 + 1 + 2 + 2;
constexpr size_t field_bytes = 2 + 2 + 4;

template <class T>
void put(std::string& out, T x) {
  for (size_t shift = sizeof(T) * 8; shift > 0; shift -= 8)
    out.push_back(static_cast<char>(static_cast<uint8_t>(x >> (shift - 8))));
}

template <class T>
void put(std::vector<uint8_t>& out, T x) {
  for (size_t shift = sizeof(T) * 8; shift > 0; shift -= 8)
    out.push_back(static_cast<uint8_t>(x >> (shift - 8)));
}

// Consumes big-endian numbers from the front of a byte string; once a read
// runs past the end every later read fails too.
class reader {
public:
  explicit reader(std::string_view in) : in_(in) {}

  template <class T>
  bool get(T& x) {
    if (in_.size() < sizeof(T))
      return false;
    std::make_unsigned_t<T> v = 0;
    for (size_t i = 0; i < sizeof(T); ++i)
      v = static_cast<std::make_unsigned_t<T>>((v << 8) | static_cast<uint8_t>(in_[i]));
    x = static_cast<T>(v);
    in_.remove_prefix(sizeof(T));
    return true;
  }

  bool bytes(uint8_t* out, size_t n) {
    if (in_.size() < n)
      return false;
    for (size_t i = 0; i < n; ++i)
      out[i] = static_cast<uint8_t>(in_[i]);
    in_.remove_prefix(n);
    return true;
  }

  size_t left() const noexcept { return in_.size(); }

private:
  std::string_view in_;
};

// Whether a template can be written as a record of its protocol and read
// back unchanged; what the parser then thinks of it is its business.
bool has_wire_form(const template_spec& t, uint16_t version) {
  if (t.id < 256 || t.fields.empty() || t.fields.size() > max_snapshot_fields)
    return false;
  if (t.is_options ? t.scope_field_count > t.fields.size() : t.scope_field_count != 0)
    return false;
  for (const auto& f : t.fields)
    if (version == 9 ? f.enterprise != 0 : (f.element_id & 0x8000) != 0)
      return false;
  return true;
}

bool read_template(reader& in, uint16_t version, template_spec& t) {
  uint8_t options = 0;
  uint16_t count = 0;
  if (!in.get(t.id) || !in.get(options) || !in.get(t.scope_field_count) || !in.get(count))
    return false;
  if (options > 1 || count == 0 || count > max_snapshot_fields ||
      size_t{count} * field_bytes > in.left())
    return false;
  t.is_options = options == 1;
  t.fields.resize(count);
  for (auto& f : t.fields)
    if (!in.get(f.element_id) || !in.get(f.length) || !in.get(f.enterprise))
      return false;
  return has_wire_form(t, version);
}

} // namespace

// -- stored form ---------------------------------------------------------------------

std::string encode_template_snapshot(const template_snapshot& s) {
  std::string out;
  size_t size = 1 + 16 + 2 + 2 + 4 + 1 + 8 + 4 + 2 + s.samplers.size() * sampler_bytes + 2;
  for (const auto& t : s.templates)
    size += template_header_bytes + t.fields.size() * field_bytes;
  out.reserve(size);
  put(out, template_snapshot_format);
  out.append(reinterpret_cast<const char*>(s.exporter.address.bytes.data()), 16);
  put(out, s.exporter.port);
  put(out, s.version);
  put(out, s.domain);
  put(out, static_cast<uint8_t>(s.system_init_ms ? flag_system_init : 0));
  if (s.system_init_ms)
    put(out, static_cast<uint64_t>(*s.system_init_ms));
  put(out, s.default_sampling);
  put(out, static_cast<uint16_t>(s.samplers.size()));
  for (const auto& r : s.samplers) {
    put(out, r.sampler);
    put(out, r.factor);
  }
  put(out, static_cast<uint16_t>(s.templates.size()));
  for (const auto& t : s.templates) {
    put(out, t.id);
    put(out, static_cast<uint8_t>(t.is_options ? 1 : 0));
    put(out, t.scope_field_count);
    put(out, static_cast<uint16_t>(t.fields.size()));
    for (const auto& f : t.fields) {
      put(out, f.element_id);
      put(out, f.length);
      put(out, f.enterprise);
    }
  }
  return out;
}

std::optional<template_snapshot> decode_template_snapshot(std::string_view bytes) {
  reader in{bytes};
  template_snapshot s;
  uint8_t format = 0;
  uint8_t flags = 0;
  if (!in.get(format) || format != template_snapshot_format)
    return std::nullopt;
  if (!in.bytes(s.exporter.address.bytes.data(), 16) || !in.get(s.exporter.port) ||
      !in.get(s.version) || !in.get(s.domain) || !in.get(flags))
    return std::nullopt;
  if ((s.version != 9 && s.version != 10) || (flags & ~flag_system_init) != 0)
    return std::nullopt;
  if (flags & flag_system_init) {
    int64_t init = 0;
    if (!in.get(init))
      return std::nullopt;
    s.system_init_ms = init;
  }
  uint16_t samplers = 0;
  if (!in.get(s.default_sampling) || !in.get(samplers))
    return std::nullopt;
  if (samplers > max_snapshot_samplers || size_t{samplers} * sampler_bytes > in.left())
    return std::nullopt;
  s.samplers.resize(samplers);
  for (size_t i = 0; i < s.samplers.size(); ++i) {
    auto& r = s.samplers[i];
    if (!in.get(r.sampler) || !in.get(r.factor) || r.factor == 0)
      return std::nullopt;
    if (i > 0 && r.sampler <= s.samplers[i - 1].sampler)
      return std::nullopt;
  }
  uint16_t templates = 0;
  if (!in.get(templates))
    return std::nullopt;
  if (size_t{templates} * (template_header_bytes + field_bytes) > in.left())
    return std::nullopt;
  s.templates.resize(templates);
  for (size_t i = 0; i < s.templates.size(); ++i) {
    if (!read_template(in, s.version, s.templates[i]))
      return std::nullopt;
    if (i > 0 && s.templates[i].id <= s.templates[i - 1].id)
      return std::nullopt;
  }
  if (in.left() != 0)
    return std::nullopt;
  return s;
}

// -- wire form --------------------------------------------------------------------------

void append_template_record(const template_spec& t, uint16_t version, std::vector<uint8_t>& out) {
  auto count = static_cast<uint16_t>(t.fields.size());
  put(out, t.id);
  if (version == 9) {
    // v9 options templates give section lengths in bytes: scope, then options.
    if (t.is_options) {
      put(out, static_cast<uint16_t>(t.scope_field_count * 4u));
      put(out, static_cast<uint16_t>((count - t.scope_field_count) * 4u));
    } else {
      put(out, count);
    }
    for (const auto& f : t.fields) {
      put(out, f.element_id);
      put(out, f.length);
    }
    return;
  }
  put(out, count);
  if (t.is_options)
    put(out, t.scope_field_count);
  for (const auto& f : t.fields) {
    bool enterprise = f.enterprise != 0;
    put(out, static_cast<uint16_t>(f.element_id | (enterprise ? 0x8000 : 0)));
    put(out, f.length);
    if (enterprise)
      put(out, f.enterprise);
  }
}

} // namespace hostflow
