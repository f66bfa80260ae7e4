#include "server/config_fields.hpp"

#include <algorithm>
#include <chrono>

namespace hostflow::detail {

namespace {

constexpr uint64_t kib = 1024;
constexpr uint64_t mib = 1024 * kib;
constexpr uint64_t gib = 1024 * mib;
constexpr uint64_t day = 24 * 3600;       // seconds
constexpr uint64_t year_hours = 365 * 24; // hours

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
      {"profiles.shards", 0, 256, [](const cfg& c) -> uint64_t { return c.profiles.shards; },
       [](cfg& c, uint64_t v) { c.profiles.shards = v; }},
      {"profiles.virtual_shards", 1, 1u << 20,
       [](const cfg& c) -> uint64_t { return c.profiles.virtual_shards; },
       [](cfg& c, uint64_t v) { c.profiles.virtual_shards = v; }},
      // 0 lateness is allowed: every bucket then closes as soon as the
      // slowest exporter has passed it.
      {"profiles.allowed_lateness_seconds", 0, day,
       [](const cfg& c) -> uint64_t { return c.profiles.allowed_lateness.count(); },
       [](cfg& c, uint64_t v) { c.profiles.allowed_lateness = std::chrono::seconds(v); }},
      {"profiles.hard_limit_seconds", 1, 7 * day,
       [](const cfg& c) -> uint64_t { return c.profiles.hard_limit.count(); },
       [](cfg& c, uint64_t v) { c.profiles.hard_limit = std::chrono::seconds(v); }},
      {"profiles.max_future_seconds", 0, day,
       [](const cfg& c) -> uint64_t { return c.profiles.max_future.count(); },
       [](cfg& c, uint64_t v) { c.profiles.max_future = std::chrono::seconds(v); }},
      {"profiles.idle_advance_seconds", 1, day,
       [](const cfg& c) -> uint64_t { return c.profiles.idle_advance.count(); },
       [](cfg& c, uint64_t v) { c.profiles.idle_advance = std::chrono::seconds(v); }},
      {"profiles.max_hosts", 1, 1'000'000'000,
       [](const cfg& c) -> uint64_t { return c.profiles.max_hosts; },
       [](cfg& c, uint64_t v) { c.profiles.max_hosts = v; }},
      {"profiles.max_external_hosts", 1, 1'000'000'000,
       [](const cfg& c) -> uint64_t { return c.profiles.max_external_hosts; },
       [](cfg& c, uint64_t v) { c.profiles.max_external_hosts = v; }},
      {"profiles.idle_eviction_seconds", 1, 30 * day,
       [](const cfg& c) -> uint64_t { return c.profiles.idle_eviction.count(); },
       [](cfg& c, uint64_t v) { c.profiles.idle_eviction = std::chrono::seconds(v); }},
      {"profiles.tick_milliseconds", 10, 60'000,
       [](const cfg& c) -> uint64_t { return c.profiles.tick.count(); },
       [](cfg& c, uint64_t v) { c.profiles.tick = std::chrono::milliseconds(v); }},
      {"baseline.alpha_percent", 1, 100,
       [](const cfg& c) -> uint64_t { return c.baseline.alpha_percent; },
       [](cfg& c, uint64_t v) { c.baseline.alpha_percent = v; }},
      // 0 reports deviations from the first window on.
      {"baseline.min_samples", 0, 10'000,
       [](const cfg& c) -> uint64_t { return c.baseline.min_samples; },
       [](cfg& c, uint64_t v) { c.baseline.min_samples = v; }},
      // 0 checkpoints only at shutdown.
      {"store.checkpoint_interval_seconds", 0, 3600,
       [](const cfg& c) -> uint64_t { return c.store.checkpoint_interval.count(); },
       [](cfg& c, uint64_t v) { c.store.checkpoint_interval = std::chrono::seconds(v); }},
      {"store.window_byte_budget", 128, mib,
       [](const cfg& c) -> uint64_t { return c.store.window_byte_budget; },
       [](cfg& c, uint64_t v) { c.store.window_byte_budget = v; }},
      {"store.retention_hours_10s", 1, 10 * year_hours,
       [](const cfg& c) -> uint64_t { return c.store.retention_hours_10s; },
       [](cfg& c, uint64_t v) { c.store.retention_hours_10s = v; }},
      {"store.retention_hours_30s", 1, 10 * year_hours,
       [](const cfg& c) -> uint64_t { return c.store.retention_hours_30s; },
       [](cfg& c, uint64_t v) { c.store.retention_hours_30s = v; }},
      {"store.retention_hours_1m", 1, 10 * year_hours,
       [](const cfg& c) -> uint64_t { return c.store.retention_hours_1m; },
       [](cfg& c, uint64_t v) { c.store.retention_hours_1m = v; }},
      {"store.retention_hours_5m", 1, 10 * year_hours,
       [](const cfg& c) -> uint64_t { return c.store.retention_hours_5m; },
       [](cfg& c, uint64_t v) { c.store.retention_hours_5m = v; }},
      {"store.block_cache_bytes", mib, 64 * gib,
       [](const cfg& c) -> uint64_t { return c.store.block_cache_bytes; },
       [](cfg& c, uint64_t v) { c.store.block_cache_bytes = v; }},
      // 0 is no cap; a real cap below 64 MiB would trim retention constantly.
      {"store.max_bytes", 0, uint64_t{1} << 50,
       [](const cfg& c) -> uint64_t { return c.store.max_bytes; },
       [](cfg& c, uint64_t v) { c.store.max_bytes = v; }},
      {"grpc.max_profile_streams", 1, 4096,
       [](const cfg& c) -> uint64_t { return c.grpc.max_profile_streams; },
       [](cfg& c, uint64_t v) { c.grpc.max_profile_streams = v; }},
      {"grpc.profile_stream_queue_bytes", 64 * kib, gib,
       [](const cfg& c) -> uint64_t { return c.grpc.profile_stream_queue_bytes; },
       [](cfg& c, uint64_t v) { c.grpc.profile_stream_queue_bytes = v; }},
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
  return range_text(field.min, field.max);
}

std::string range_text(uint64_t min, uint64_t max) {
  return "must be " + std::to_string(min) + ".." + std::to_string(max);
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

std::string network_error(std::string_view text, const std::string& reason) {
  // cidr::parse names the text itself when the host bits are the problem;
  // saying it twice would only make the line longer.
  auto quoted = "'" + std::string(text) + "'";
  if (reason.compare(0, quoted.size(), quoted) == 0)
    return reason;
  return quoted + " is not a network (" + reason + ")";
}

bool is_section(std::string_view path) {
  return path == "decoder" || path == "ingest" || path == "scheduler" || path == "profiles" ||
         path == "baseline" || path == "store" || path == "grpc" || path == "metrics";
}

} // namespace hostflow::detail
