#include "flow/flow_decoder.hpp"

#include <algorithm>
#include <tuple>

#include "flow/decode_context.hpp"
#include "flow/template_parser.hpp"

namespace hostflow {

namespace {

// An exporter silent this long may be forgotten to make room for a new one.
constexpr int64_t idle_exporter_ms = 15 * 60'000;

template_snapshot snapshot_of(const endpoint& exporter, uint64_t key, const domain_state& d) {
  template_snapshot s;
  s.exporter = exporter;
  s.version = static_cast<uint16_t>(key >> 32);
  s.domain = static_cast<uint32_t>(key);
  s.generation = d.generation;
  s.templates.reserve(d.templates.size());
  for (const auto& [id, t] : d.templates) {
    template_spec spec;
    spec.id = id;
    spec.is_options = t.is_options;
    spec.scope_field_count = t.scope_field_count;
    spec.fields.reserve(t.fields.size());
    for (const auto& f : t.fields)
      spec.fields.push_back(template_field_spec{f.element_id, f.length, f.enterprise});
    s.templates.push_back(std::move(spec));
  }
  std::sort(s.templates.begin(), s.templates.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  d.sampling.for_each_sampler(
    [&](uint64_t sampler, uint32_t factor) { s.samplers.push_back({sampler, factor}); });
  std::sort(s.samplers.begin(), s.samplers.end(),
            [](const auto& a, const auto& b) { return a.sampler < b.sampler; });
  s.default_sampling = d.sampling.default_factor();
  s.system_init_ms = d.system_init_ms;
  return s;
}

} // namespace

flow_decoder::flow_decoder(decoder_limits limits) : limits_(limits) {
}

flow_decoder::~flow_decoder() {
  // Exporter states release their share of pending_bytes_ as they go.
  exporters_.clear();
}

exporter_state* flow_decoder::exporter_for(const endpoint& from, int64_t now_ms) {
  if (last_state_ != nullptr && *last_address_ == from)
    return last_state_;
  auto it = exporters_.find(from);
  if (it == exporters_.end()) {
    if (exporters_.size() >= limits_.max_exporters) {
      auto oldest = exporters_.begin();
      for (auto i = exporters_.begin(); i != exporters_.end(); ++i)
        if (i->second->last_seen_ms < oldest->second->last_seen_ms)
          oldest = i;
      if (now_ms - oldest->second->last_seen_ms < idle_exporter_ms)
        return nullptr;
      for (const auto& [key, domain] : oldest->second->domains)
        template_memory_ -= domain.template_bytes;
      exporters_.erase(oldest);
    }
    it = exporters_.emplace(from, std::make_unique<exporter_state>(from, limits_, &pending_bytes_))
           .first;
  }
  last_address_ = &it->first;
  last_state_ = it->second.get();
  return last_state_;
}

void flow_decoder::decode(const endpoint& from, byte_view dg, int64_t now_ms,
                          std::vector<flow_record>& out) {
  exporter_state* ex = exporter_for(from, now_ms);
  if (ex == nullptr) {
    ++rejected_;
    return;
  }
  ex->last_seen_ms = now_ms;
  ++ex->counters.datagrams;
  ex->counters.datagram_bytes += dg.size;
  decode_context ctx{*ex, limits_, template_memory_, now_ms, out, unresolved_};
  if (ex->pending.size() > 0)
    ex->expire_pending(now_ms, limits_.max_pending_age_ms);
  if (dg.size < 2) {
    ctx.fail(decode_error::short_header);
    return;
  }
  switch (load_be16(dg.data)) {
    case 5:
      decode_netflow_v5(ctx, dg);
      break;
    case 9:
      decode_netflow_v9(ctx, dg);
      break;
    case 10:
      decode_ipfix(ctx, dg);
      break;
    default:
      ctx.fail(decode_error::bad_version);
  }
}

void flow_decoder::expire(int64_t now_ms) {
  for (auto& [addr, ex] : exporters_)
    if (ex->pending.size() > 0)
      ex->expire_pending(now_ms, limits_.max_pending_age_ms);
}

const exporter_counters* flow_decoder::counters(const endpoint& exporter) const {
  auto it = exporters_.find(exporter);
  return it == exporters_.end() ? nullptr : &it->second->counters;
}

std::vector<template_snapshot> flow_decoder::save_templates(bool changed_only) const {
  std::vector<template_snapshot> out;
  for (const auto& [addr, ex] : exporters_)
    for (const auto& [key, domain] : ex->domains) {
      auto version = key >> 32;
      if (version != 9 && version != 10) // v5 states everything in each header
        continue;
      if (changed_only && domain.generation == domain.saved_generation)
        continue;
      out.push_back(snapshot_of(addr, key, domain));
    }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.exporter, a.version, a.domain) < std::tie(b.exporter, b.version, b.domain);
  });
  return out;
}

void flow_decoder::mark_saved(const template_snapshot& s) {
  auto it = exporters_.find(s.exporter);
  if (it == exporters_.end())
    return;
  auto& domains = it->second->domains;
  if (auto d = domains.find(exporter_state::domain_key(s.version, s.domain)); d != domains.end())
    d->second.saved_generation = s.generation;
}

restore_result flow_decoder::restore_templates(const template_snapshot& s, int64_t now_ms) {
  restore_result result;
  if (s.version != 9 && s.version != 10) {
    result.refused = s.templates.size();
    return result;
  }
  exporter_state* ex = exporter_for(s.exporter, now_ms);
  if (ex == nullptr) {
    result.refused = s.templates.size();
    return result;
  }
  // Installing never decodes (waiting data sets are not taken), so nothing
  // reaches these records; nor does it count as a change to save again.
  std::vector<flow_record> none;
  decode_context ctx{*ex, limits_, template_memory_, now_ms, none, unresolved_};
  uint64_t key = exporter_state::domain_key(s.version, s.domain);
  domain_state* domain =
    find_domain(ctx, key, s.version == 9 ? netflow_v9_sequence() : ipfix_sequence());
  if (domain == nullptr) {
    result.refused = s.templates.size();
    return result;
  }
  std::vector<uint8_t> wire;
  for (const auto& spec : s.templates) {
    if (domain->templates.count(spec.id) != 0) {
      ++result.kept;
      continue;
    }
    wire.clear();
    append_template_record(spec, s.version, wire);
    byte_view record{wire.data(), wire.size()};
    template_parse r = s.version == 10 ? parse_ipfix_template(record, spec.is_options, limits_)
                       : spec.is_options ? parse_v9_options_template(record, limits_)
                                         : parse_v9_template(record, limits_);
    if (r.result != template_parse::status::ok) {
      ctx.fail(r.error);
      ++result.refused;
      continue;
    }
    if (install_template(ctx, *domain, std::move(r.tmpl)) != nullptr)
      ++result.templates;
    else
      ++result.refused;
  }
  for (const auto& rate : s.samplers)
    domain->sampling.restore(rate.sampler, rate.factor);
  if (s.default_sampling != 0 && domain->sampling.default_factor() == 0)
    domain->sampling.set_default(s.default_sampling);
  if (s.system_init_ms && !domain->system_init_ms)
    domain->system_init_ms = s.system_init_ms;
  return result;
}

exporter_counters flow_decoder::totals() const {
  exporter_counters sum;
  for (const auto& [addr, ex] : exporters_)
    sum += ex->counters;
  return sum;
}

} // namespace hostflow
