// A host_shard's side of the store: writing closed windows, checkpoints,
// restoring them, and shard 0's upkeep (retention, the size cap).

#include "actors/host_shard.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

namespace hostflow {

void host_shard_state::commit() {
  if (!store)
    return;
  store->add_windows(std::move(to_store));
  to_store.clear();
  auto result = store->commit();
  windows_trimmed += result.trimmed;
  if (result.status.ok()) {
    windows_written += result.windows;
    return;
  }
  // Ingest and detection go on without the store; what was lost is counted.
  ++store_errors;
  windows_not_written += result.windows;
  auto now = std::chrono::steady_clock::now();
  if (now - last_store_error_log >= std::chrono::seconds(10)) {
    last_store_error_log = now;
    spdlog::error("shard {}: store write failed, {} windows not written: {}", settings.index,
                  result.windows, result.status.to_string());
  }
}

uint64_t host_shard_state::checkpoint() {
  last_checkpoint = std::chrono::steady_clock::now();
  if (!store)
    return 0;
  uint64_t hosts = 0;
  table->drain_changes(
    [&](const host_profile& host) {
      if (host.empty() && !host.baseline)
        store->erase_checkpoint_host(host.address);
      else
        store->put_checkpoint_host(host);
      ++hosts;
    },
    [&](const ip_address& address) { store->erase_checkpoint_host(address); });
  time_checkpoint t;
  t.watermark = table->save_time();
  for (const auto& [exporter, c] : table->exporter_counters())
    t.exporters.emplace_back(exporter, c);
  store->put_time_checkpoint(settings.index, t);
  if (settings.index == 0)
    maintain_store();
  commit();
  ++checkpoints;
  return hosts;
}

void host_shard_state::maintain_store() {
  int64_t watermark = table->watermark();
  if (watermark == watermark_tracker::none)
    return;
  auto& db = store->db();
  auto& keep = effective_retention_ms;
  if (keep.empty())
    keep = settings.retention_ms;
  bool compact_now = !db.expires_by_itself() && checkpoints % 6 == 0;
  if (settings.max_store_bytes > 0) {
    uint64_t size = db.size_bytes();
    if (size > settings.max_store_bytes) {
      // Over the cap: every granularity gives up the oldest fifth of what
      // it holds now.
      for (auto& [granularity, keep_ms] : keep) {
        store_status status;
        auto oldest = store->oldest_window_start(granularity, status);
        if (oldest && *oldest < watermark)
          keep_ms = std::min(keep_ms, (watermark - *oldest) * 4 / 5);
      }
      ++store_trims;
      compact_now = true;
      spdlog::warn("store: {} bytes exceed the cap of {}: retention cut to {} s of 10 s "
                   "windows, {} s of 5 min windows",
                   size, settings.max_store_bytes, keep[10] / 1000, keep[300] / 1000);
    } else if (size < settings.max_store_bytes * 7 / 10) {
      for (auto& [granularity, keep_ms] : keep)
        keep_ms = std::min(settings.retention_ms.at(granularity), keep_ms * 5 / 4 + 1000);
    }
  }
  // Ages count in event time, from the watermark, so a replay expires
  // like live traffic.
  for (const auto& [granularity, keep_ms] : keep) {
    if (retention)
      retention->set_cutoff(granularity, (watermark - keep_ms) / 1000);
    store->erase_rankings_before(granularity, watermark - keep_ms);
  }
  if (compact_now) {
    auto status = db.compact(column::windows);
    if (!status.ok()) {
      ++store_errors;
      spdlog::error("store: compaction failed: {}", status.to_string());
    }
  }
}

void host_shard_state::restore(int64_t wall_ms) {
  if (!store)
    return;
  store_status status;
  auto saved = store->load_time_checkpoint(settings.index, status);
  if (!status.ok())
    spdlog::warn("shard {}: event-time checkpoint unreadable: {}", settings.index,
                 status.to_string());
  if (saved) {
    table->tracker().restore(saved->watermark, wall_ms);
    for (const auto& [exporter, c] : saved->exporters)
      table->restore_exporter_counters(exporter, c);
  }
  size_t hosts = 0;
  status = store->load_checkpoint_hosts([&](host_profile&& host) {
    if (settings.owns && !settings.owns(host.address))
      return;
    table->restore_host(std::move(host));
    ++hosts;
  });
  if (!status.ok())
    spdlog::warn("shard {}: checkpoint partly unreadable: {}", settings.index, status.to_string());
  if (hosts > 0 || saved)
    spdlog::info("shard {}: restored {} hosts, watermark {}", settings.index, hosts,
                 saved ? format_epoch_ms(table->watermark()) : std::string{"none"});
}

} // namespace hostflow
