#include <algorithm>
#include <cstdint>

#include "flow/decode_context.hpp"
#include "flow/set_reader.hpp"
#include "flow/template_parser.hpp"

namespace hostflow {

namespace {

bool all_zero(const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (p[i] != 0)
      return false;
  return true;
}

void apply_options(domain_state& domain, const record_fields& f) {
  if (domain.sampling.learn(f))
    ++domain.generation;
  if ((f.present & record_fields::system_init) && domain.system_init_ms != f.system_init_ms) {
    domain.system_init_ms = f.system_init_ms;
    ++domain.generation;
  }
}

// Completes one data record in place; false when its times had to be estimated.
bool complete_record(decode_context& ctx, const domain_state& domain, uint64_t key,
                     record_fields& f, const message_clock& clock) {
  bool exact = finish_record(f, clock);
  flow_record& r = f.record;
  r.exporter = ctx.exporter.address;
  r.observation_domain = static_cast<uint32_t>(key);
  r.protocol_version = static_cast<export_protocol>(key >> 32);
  r.sampling_interval = domain.sampling.factor_for(f);
  return exact;
}

// Decodes the records of `payload` with `tmpl`; `deferred` marks sets that
// waited for their template, which are counted apart from on-arrival records.
void decode_with(decode_context& ctx, domain_state& domain, uint64_t key,
                 const flow_template& tmpl, byte_view payload, const message_clock& clock,
                 bool deferred) {
  auto& c = ctx.exporter.counters;
  set_read_result res;
  if (tmpl.is_options) {
    res = for_each_record(tmpl, payload, [&](record_fields& f) { apply_options(domain, f); });
    (deferred ? c.deferred_options_records : c.options_data_records) += res.records;
  } else {
    message_clock clk = clock;
    if (!clk.has_uptime && !clk.system_init_ms)
      clk.system_init_ms = domain.system_init_ms;
    res = for_each_record(tmpl, payload, [&](record_fields& f) {
      size_t index = ctx.out.size();
      bool exact = complete_record(ctx, domain, key, f, clk);
      ctx.out.push_back(f.record);
      if (has_reverse_traffic(f)) {
        ctx.out.push_back(reverse_of(ctx.out[index], f));
        ++c.reverse_records;
      }
      if (!exact) {
        ++c.estimated_times;
        ctx.unresolved.emplace_back(index, f);
      }
    });
    (deferred ? c.deferred_data_records : c.data_records) += res.records;
  }
  if (res.error)
    ctx.fail(*res.error);
  else if (res.records == 0 && !all_zero(payload.data, payload.size))
    ctx.fail(decode_error::truncated_record); // the set is shorter than one record
}

// Whether two templates read records alike (exporters resend theirs every few seconds).
bool same_definition(const flow_template& a, const flow_template& b) {
  if (a.is_options != b.is_options || a.scope_field_count != b.scope_field_count ||
      a.fields.size() != b.fields.size())
    return false;
  for (size_t i = 0; i < a.fields.size(); ++i)
    if (a.fields[i].element_id != b.fields[i].element_id ||
        a.fields[i].length != b.fields[i].length ||
        a.fields[i].enterprise != b.fields[i].enterprise)
      return false;
  return true;
}

// Installs a template that came on the wire and decodes the data sets that waited for it.
void install(decode_context& ctx, domain_state& domain, uint64_t key, flow_template&& tmpl) {
  auto& c = ctx.exporter.counters;
  (tmpl.is_options ? c.options_template_records : c.template_records) += 1;
  auto known = domain.templates.find(tmpl.id);
  bool refresh = known != domain.templates.end() && same_definition(known->second, tmpl);
  const flow_template* installed = install_template(ctx, domain, std::move(tmpl));
  if (installed == nullptr)
    return;
  if (!refresh)
    ++domain.generation;
  if (ctx.exporter.pending.size() == 0)
    return;
  for (auto& waiting : ctx.exporter.pending.take(key, installed->id))
    decode_with(ctx, domain, key, *installed,
                byte_view{waiting.payload.data(), waiting.payload.size()}, waiting.clock, true);
}

void withdraw(decode_context& ctx, domain_state& domain, uint16_t id, bool all, bool options) {
  for (auto it = domain.templates.begin(); it != domain.templates.end();) {
    bool hit = all ? it->second.is_options == options : it->first == id;
    if (!hit) {
      ++it;
      continue;
    }
    auto bytes = it->second.memory();
    ctx.template_memory -= bytes;
    domain.template_bytes -= bytes;
    --ctx.exporter.template_count;
    it = domain.templates.erase(it);
    ++domain.generation;
  }
  ++ctx.exporter.counters.template_withdrawals;
}

} // namespace

const flow_template* install_template(decode_context& ctx, domain_state& domain,
                                      flow_template&& tmpl) {
  auto it = domain.templates.find(tmpl.id);
  size_t old_bytes = it != domain.templates.end() ? it->second.memory() : 0;
  size_t new_bytes = tmpl.memory();
  if (it == domain.templates.end() &&
      ctx.exporter.template_count >= ctx.limits.max_templates_per_exporter) {
    ctx.fail(decode_error::template_limit);
    return nullptr;
  }
  if (ctx.template_memory - old_bytes + new_bytes > ctx.limits.max_template_memory) {
    ctx.fail(decode_error::template_memory);
    return nullptr;
  }
  ctx.template_memory = ctx.template_memory - old_bytes + new_bytes;
  domain.template_bytes = domain.template_bytes - old_bytes + new_bytes;
  if (it == domain.templates.end()) {
    ++ctx.exporter.template_count;
    uint16_t id = tmpl.id;
    return &domain.templates.emplace(id, std::move(tmpl)).first->second;
  }
  it->second = std::move(tmpl);
  return &it->second;
}

domain_state* find_domain(decode_context& ctx, uint64_t key, sequence_tracker fresh) {
  auto& domains = ctx.exporter.domains;
  if (auto it = domains.find(key); it != domains.end())
    return &it->second;
  if (domains.size() >= ctx.limits.max_domains_per_exporter) {
    ctx.fail(decode_error::domain_limit);
    return nullptr;
  }
  return &domains.emplace(key, domain_state{fresh}).first->second;
}

void read_template_set(decode_context& ctx, domain_state& domain, uint64_t key, byte_view payload,
                       bool ipfix, bool options) {
  using status = template_parse::status;
  size_t off = 0;
  while (off < payload.size) {
    byte_view rest = payload.sub(off, payload.size - off);
    template_parse r = ipfix     ? parse_ipfix_template(rest, options, ctx.limits)
                       : options ? parse_v9_options_template(rest, ctx.limits)
                                 : parse_v9_template(rest, ctx.limits);
    switch (r.result) {
      case status::ok:
        install(ctx, domain, key, std::move(r.tmpl));
        break;
      case status::withdrawal:
      case status::withdraw_all:
        withdraw(ctx, domain, r.tmpl.id, r.result == status::withdraw_all, options);
        break;
      case status::skipped:
        ctx.fail(r.error);
        break;
      case status::end:
        return;
      case status::stop:
        ctx.fail(r.error);
        return;
    }
    off += r.consumed;
  }
}

bool read_data_set(decode_context& ctx, domain_state& domain, uint64_t key, uint16_t set_id,
                   byte_view payload, const message_clock& clock) {
  if (auto it = domain.templates.find(set_id); it != domain.templates.end()) {
    decode_with(ctx, domain, key, it->second, payload, clock, false);
    return true;
  }
  auto& c = ctx.exporter.counters;
  ++c.undecoded_data_sets;
  if (!ctx.exporter.pending.add(key, set_id, ctx.now_ms, clock, payload)) {
    ++c.expired_data_sets;
    ctx.fail(decode_error::pending_overflow);
  }
  return false;
}

void resolve_times(decode_context& ctx, domain_state& domain, uint64_t key,
                   const message_clock& clock) {
  if (ctx.unresolved.empty())
    return;
  if (domain.system_init_ms) {
    message_clock clk = clock;
    clk.system_init_ms = domain.system_init_ms;
    for (auto& [index, fields] : ctx.unresolved) {
      if (!complete_record(ctx, domain, key, fields, clk))
        continue;
      ctx.out[index] = fields.record;
      --ctx.exporter.counters.estimated_times;
      if (has_reverse_traffic(fields)) // its reverse half follows it
        ctx.out[index + 1] = reverse_of(ctx.out[index], fields);
    }
  }
  ctx.unresolved.clear();
}

size_t walk_sets(decode_context& ctx, domain_state& domain, uint64_t key, byte_view body,
                 const message_clock& clock, bool ipfix) {
  size_t undecoded = 0;
  size_t pos = 0;
  while (body.size - pos >= 4) {
    const uint8_t* p = body.data + pos;
    uint16_t set_id = load_be16(p);
    uint16_t set_len = load_be16(p + 2);
    if (set_len < 4 || set_len > body.size - pos) {
      // Zero fill after the last set (seen from Palo Alto and Cisco ACI) is padding.
      if (!all_zero(p, body.size - pos))
        ctx.fail(decode_error::bad_set_length);
      return undecoded;
    }
    byte_view payload = body.sub(pos + 4, set_len - 4u);
    pos += set_len;
    uint16_t template_set = ipfix ? 2 : 0;
    uint16_t options_set = ipfix ? 3 : 1;
    if (set_id == template_set || set_id == options_set)
      read_template_set(ctx, domain, key, payload, ipfix, set_id == options_set);
    else if (set_id < 256)
      ctx.fail(decode_error::reserved_set_id);
    else if (!read_data_set(ctx, domain, key, set_id, payload, clock))
      ++undecoded;
  }
  return undecoded;
}

} // namespace hostflow

namespace hostflow {

namespace {

// Uptime moving back by more than this is a restart, not reordering.
constexpr int64_t restart_uptime_slack_ms = 60'000;
// Uptimes this close to 2^32 ms that reappear small have wrapped (49.7 days).
constexpr uint32_t wrap_margin_ms = 86'400'000;

} // namespace

bool track_uptime(decode_context& ctx, domain_state& domain, const message_clock& clock) {
  int64_t boot = clock.export_ms - clock.sys_uptime_ms;
  bool restart = false;
  if (domain.boot_ms) {
    uint32_t last = domain.last_uptime_ms;
    uint32_t now = clock.sys_uptime_ms;
    bool wrapped = last > UINT32_MAX - wrap_margin_ms && now < wrap_margin_ms;
    bool went_back = int64_t{now} + restart_uptime_slack_ms < int64_t{last};
    bool rebooted_later = boot - *domain.boot_ms > restart_uptime_slack_ms && now < last;
    restart = !wrapped && (went_back || rebooted_later);
  }
  if (restart) {
    ++ctx.exporter.counters.restarts;
    domain.sequence.reset();
  }
  domain.boot_ms = boot;
  domain.last_uptime_ms = clock.sys_uptime_ms;
  return restart;
}

void account_sequence(decode_context& ctx, const sequence_result& r, bool datagram_units) {
  auto& c = ctx.exporter.counters;
  uint64_t& lost = datagram_units ? c.lost_datagrams : c.lost_records;
  lost += r.lost;
  lost -= std::min(lost, r.recovered);
  c.reordered_datagrams += r.reordered ? 1 : 0;
  c.duplicate_datagrams += r.duplicate ? 1 : 0;
  c.restarts += r.restart ? 1 : 0;
}

} // namespace hostflow
