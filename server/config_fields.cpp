#include "server/config_fields.hpp"

#include <algorithm>
#include <chrono>

namespace hostflow::detail {

namespace {

constexpr uint64_t kib = 1024;
constexpr uint64_t mib = 1024 * kib;
constexpr uint64_t gib = 1024 * mib;

// The config speaks whole seconds; a default that is not one would not
// survive to_json and back.
static_assert(decoder_limits{}.max_pending_age_ms % 1000 == 0,
              "max_pending_age_ms must default to whole seconds");

// Ranges: the lower bounds keep hostflowd working at all (a receive buffer
// smaller than a few datagrams drops under any load); the upper bounds catch
// typos of an extra digit or two before they turn into memory.
std::vector<integer_field> make_fields() {
  using cfg = server_config;
  return {
      {"udp_receive_buffer_bytes", 64 * kib, gib,
       [](const cfg& c) -> uint64_t { return c.udp_receive_buffer_bytes; },
       [](cfg& c, uint64_t v) { c.udp_receive_buffer_bytes = v; }},
      {"receivers_per_listen", 1, 64,
       [](const cfg& c) -> uint64_t { return c.receivers_per_listen; },
       [](cfg& c, uint64_t v) { c.receivers_per_listen = v; }},
      {"status_interval_seconds", 1, 3600,
       [](const cfg& c) -> uint64_t { return c.status_interval.count(); },
       [](cfg& c, uint64_t v) { c.status_interval = std::chrono::seconds(v); }},
      {"decoder.max_exporters", 1, 1'000'000,
       [](const cfg& c) -> uint64_t { return c.decoder.max_exporters; },
       [](cfg& c, uint64_t v) { c.decoder.max_exporters = v; }},
      {"decoder.max_domains_per_exporter", 1, 65536,
       [](const cfg& c) -> uint64_t { return c.decoder.max_domains_per_exporter; },
       [](cfg& c, uint64_t v) { c.decoder.max_domains_per_exporter = v; }},
      {"decoder.max_templates_per_exporter", 1, 1'000'000,
       [](const cfg& c) -> uint64_t { return c.decoder.max_templates_per_exporter; },
       [](cfg& c, uint64_t v) { c.decoder.max_templates_per_exporter = v; }},
      // A template's field count is a 16-bit number on the wire.
      {"decoder.max_fields_per_template", 1, 65535,
       [](const cfg& c) -> uint64_t { return c.decoder.max_fields_per_template; },
       [](cfg& c, uint64_t v) { c.decoder.max_fields_per_template = v; }},
      {"decoder.max_template_memory_bytes", 64 * kib, 16 * gib,
       [](const cfg& c) -> uint64_t { return c.decoder.max_template_memory; },
       [](cfg& c, uint64_t v) { c.decoder.max_template_memory = v; }},
      // 0 is allowed for the pending buffers: data sets that arrive before
      // their template are then dropped and counted instead of kept.
      {"decoder.max_pending_bytes_per_exporter", 0, gib,
       [](const cfg& c) -> uint64_t { return c.decoder.max_pending_bytes_per_exporter; },
       [](cfg& c, uint64_t v) { c.decoder.max_pending_bytes_per_exporter = v; }},
      {"decoder.max_pending_bytes_total", 0, 16 * gib,
       [](const cfg& c) -> uint64_t { return c.decoder.max_pending_bytes_total; },
       [](cfg& c, uint64_t v) { c.decoder.max_pending_bytes_total = v; }},
      {"decoder.max_pending_age_seconds", 1, 3600,
       [](const cfg& c) -> uint64_t {
         return static_cast<uint64_t>(std::max<int64_t>(c.decoder.max_pending_age_ms, 0) / 1000);
       },
       [](cfg& c, uint64_t v) { c.decoder.max_pending_age_ms = static_cast<int64_t>(v) * 1000; }},
      {"ingest.batch_records", 1, 65536,
       [](const cfg& c) -> uint64_t { return c.ingest.batch_records; },
       [](cfg& c, uint64_t v) { c.ingest.batch_records = v; }},
      {"ingest.batch_flush_milliseconds", 1, 10'000,
       [](const cfg& c) -> uint64_t { return c.ingest.batch_flush.count(); },
       [](cfg& c, uint64_t v) { c.ingest.batch_flush = std::chrono::milliseconds(v); }},
      {"ingest.max_batches_in_flight", 1, 100'000,
       [](const cfg& c) -> uint64_t { return c.ingest.max_batches_in_flight; },
       [](cfg& c, uint64_t v) { c.ingest.max_batches_in_flight = v; }},
      {"scheduler.threads", 0, 256, [](const cfg& c) -> uint64_t { return c.scheduler.threads; },
       [](cfg& c, uint64_t v) { c.scheduler.threads = v; }},
  };
}

} // namespace

const std::vector<integer_field>& integer_fields() {
  static const std::vector<integer_field> fields = make_fields();
  return fields;
}

const integer_field* find_integer_field(std::string_view path) {
  for (const auto& field : integer_fields())
    if (path == field.path)
      return &field;
  return nullptr;
}

std::string range_text(const integer_field& field) {
  return "must be " + std::to_string(field.min) + ".." + std::to_string(field.max);
}

std::string listen_error(std::string_view text, const std::string& reason) {
  return "'" + std::string(text) + "' is not a valid address:port (" + reason + ")";
}

std::string log_level_error(std::string_view text) {
  std::string choices;
  for (auto level = static_cast<int>(log_level::trace); level <= static_cast<int>(log_level::off);
       ++level)
    choices +=
        (choices.empty() ? "" : ", ") + std::string(to_string(static_cast<log_level>(level)));
  return "'" + std::string(text) + "' is not a log level (one of " + choices + ")";
}

bool is_section(std::string_view path) {
  return path == "decoder" || path == "ingest" || path == "scheduler";
}

} // namespace hostflow::detail
