#include "server/profile_settings.hpp"

#include <algorithm>

namespace hostflow {

namespace {

int64_t ms(std::chrono::milliseconds d) {
  return d.count();
}

int64_t hours_ms(size_t hours) {
  return static_cast<int64_t>(hours) * 3'600'000;
}

} // namespace

profile_pipeline_settings profile_settings_from(const server_config& config,
                                                unsigned hardware_threads) {
  const auto& p = config.profiles;
  profile_pipeline_settings s;
  s.virtual_shards = static_cast<uint32_t>(p.virtual_shards);
  // More shards than virtual shards would leave some without hosts.
  s.shards = std::min<uint32_t>(
    static_cast<uint32_t>(p.shards > 0 ? p.shards : std::max(hardware_threads, 1u)),
    s.virtual_shards);
  auto& time = s.shard.table.time;
  time.allowed_lateness_ms = ms(p.allowed_lateness);
  time.hard_limit_ms = ms(p.hard_limit);
  time.max_future_ms = ms(p.max_future);
  time.idle_advance_ms = ms(p.idle_advance);
  s.shard.table.max_hosts = std::max<size_t>(p.max_hosts / s.shards, 1);
  s.shard.table.max_external_hosts = std::max<size_t>(p.max_external_hosts / s.shards, 1);
  s.shard.table.idle_eviction_ms = ms(p.idle_eviction);
  s.shard.tick_interval = p.tick;
  s.shard.checkpoint_interval = config.store.checkpoint_interval;
  s.shard.storage.window_byte_budget = config.store.window_byte_budget;
  s.shard.max_store_bytes = config.store.max_bytes;
  s.shard.baseline.alpha = static_cast<double>(config.baseline.alpha_percent) / 100.0;
  s.shard.baseline.min_samples = static_cast<uint32_t>(config.baseline.min_samples);
  s.shard.retention_ms = {
    {10, hours_ms(config.store.retention_hours_10s)},
    {30, hours_ms(config.store.retention_hours_30s)},
    {60, hours_ms(config.store.retention_hours_1m)},
    {300, hours_ms(config.store.retention_hours_5m)},
  };
  s.monitored = config.monitored_networks;
  s.monitor_all = config.monitor_all;
  s.exporters = config.exporters;
  return s;
}

rocksdb_settings store_settings_from(const server_config& config) {
  rocksdb_settings s;
  s.path = config.store.path;
  s.block_cache_bytes = config.store.block_cache_bytes;
  return s;
}

} // namespace hostflow
