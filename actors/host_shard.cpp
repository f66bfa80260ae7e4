#include "actors/host_shard.hpp"

#include <algorithm>

#include <caf/send.hpp>
#include <spdlog/spdlog.h>

namespace hostflow {

namespace {

int64_t wall_clock_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Sends each granularity's pending windows to its subscribers.
void publish(host_shard_actor::stateful_pointer<host_shard_state> self) {
  auto& st = self->state;
  for (size_t g = 0; g < granularities.size(); ++g) {
    auto& update = st.pending[g];
    if (update.windows.empty() && update.externals.empty())
      continue;
    const auto& subs = st.subscribers[g];
    for (size_t i = 0; i < subs.size(); ++i) {
      if (i + 1 == subs.size())
        self->send(subs[i], std::move(update));
      else
        self->send(subs[i], update);
    }
    update = profile_update{};
    update.granularity_s = granularities[g];
  }
}

void close_write_publish(host_shard_actor::stateful_pointer<host_shard_state> self) {
  auto& st = self->state;
  st.close_ready();
  st.commit();
  publish(self);
}

} // namespace

void host_shard_state::process(const shard_batch& batch, int64_t wall_ms) {
  ++batches;
  size_t n = std::min({batch.records.size(), batch.kinds.size(), batch.source_newest.size()});
  for (size_t i = 0; i < n; ++i) {
    const auto& r = batch.records[i];
    table->add(r, batch.kinds[i], wall_ms, batch.source_newest[i]);
    packets += r.packets;
    bytes += r.bytes;
  }
  records += n;
  close_ready();
}

void host_shard_state::close_ready() {
  closed_scratch.clear();
  external_scratch.clear();
  table->close_ready(closed_scratch, external_scratch);
  for (auto& c : closed_scratch) {
    auto summary = summarize(c.window);
    if (summary.granularity_s == 300)
      summary.deviation = update_baseline(c.host, summary);
    int slot = granularity_index(summary.granularity_s);
    if (store)
      to_store.push_back(host_window{c.host, summary});
    if (slot >= 0 && !subscribers[static_cast<size_t>(slot)].empty())
      pending[static_cast<size_t>(slot)].windows.push_back(host_window{c.host, std::move(summary)});
  }
  if (!external_scratch.empty() && !subscribers[2].empty()) {
    auto& ext = pending[2].externals;
    ext.insert(ext.end(), external_scratch.begin(), external_scratch.end());
  }
}

double host_shard_state::update_baseline(const ip_address& address, const window_summary& w) {
  auto* host = table->find(address);
  if (host == nullptr)
    return 0;
  uint8_t hour = hour_of_day(w.start_ms);
  if (!host->baseline || host->baseline->hour != hour) {
    // Only the current hour's slot is held in memory; the others wait in
    // the store.
    auto fresh = std::make_unique<host_baseline>();
    fresh->hour = hour;
    if (store) {
      store_status status;
      if (auto slot = store->get_baseline(address, hour, status))
        fresh->current = *slot;
      else if (!status.ok())
        ++store_errors;
    }
    host->baseline = std::move(fresh);
  }
  host->baseline->observe(w, settings.baseline);
  if (store)
    store->put_baseline(address, hour, host->baseline->current);
  return host->baseline->max_abs_deviation(w.direction);
}

void host_shard_state::commit() {
  if (!store)
    return;
  store->add_windows(to_store);
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

shard_status host_shard_state::status() const {
  shard_status s;
  s.shard = settings.index;
  s.watermark_ms = table->watermark();
  s.batches = batches;
  s.records = records;
  s.packets = packets;
  s.bytes = bytes;
  s.hosts = table->hosts();
  s.external_hosts = table->external_hosts();
  s.host_memory_bytes = table->host_memory_bytes();
  s.external_memory_bytes = table->external_memory_bytes();
  s.clamped_records = table->tracker().clamped();
  s.table = table->counters();
  s.windows_written = windows_written;
  s.windows_not_written = windows_not_written;
  s.store_errors = store_errors;
  s.checkpoints = checkpoints;
  if (store)
    s.store_bytes = store->db().size_bytes();
  for (const auto& [exporter, c] : table->exporter_counters())
    s.exporters.push_back(shard_exporter_counters{exporter, c});
  return s;
}

open_profile host_shard_state::profile_of(const ip_address& address) const {
  open_profile p;
  p.host = address;
  p.watermark_ms = table->watermark();
  const auto* host = table->find(address);
  if (host == nullptr)
    return p;
  p.known = true;
  p.last_seen_ms = host->last_seen_ms;
  for (auto d : {host_direction::out, host_direction::in}) {
    const auto& dir = host->at(d);
    for (uint32_t g : granularities) {
      // Every window with an open bucket or a rolled-up part, oldest first.
      std::vector<int64_t> windows;
      for (const auto& b : dir.buckets())
        windows.push_back(window_of_bucket(b.index, g));
      for (const auto& c : dir.coarse())
        if (granularities[c.granularity_slot] == g)
          windows.push_back(c.index);
      std::sort(windows.begin(), windows.end());
      windows.erase(std::unique(windows.begin(), windows.end()), windows.end());
      for (int64_t w : windows) {
        auto stats = dir.open_window(g, w);
        p.open_windows.push_back(summarize(g, w * int64_t{g} * 1000, d, stats, nullptr));
      }
    }
  }
  if (host->baseline) {
    const auto& b = *host->baseline;
    p.has_baseline = true;
    p.baseline_hour = b.hour;
    p.baseline_window_ms = b.latest_window_ms;
    for (auto d : {host_direction::out, host_direction::in})
      for (size_t m = 0; m < baseline_metric_count; ++m) {
        auto metric = static_cast<baseline_metric>(m);
        const auto& stat = b.current.at(d, metric);
        p.baseline.push_back(baseline_view{
          d, metric, stat.mean, stat.stddev(settings.baseline), stat.samples,
          b.deviation[static_cast<size_t>(d) * baseline_metric_count + m]});
      }
  }
  return p;
}

std::vector<ranked_host> host_shard_state::open_windows_matching(const window_query& q) const {
  std::vector<ranked_host> out;
  int slot = granularity_index(q.granularity_s);
  if (slot < 0)
    return out;
  int64_t window = floor_div(q.window_start_ms, int64_t{q.granularity_s} * 1000);
  table->for_each_host([&](const host_profile& host) {
    if (q.has_within && !q.within.contains(host.address))
      return;
    const auto& dir = host.at(q.direction);
    if (dir.empty())
      return;
    auto stats = dir.open_window(q.granularity_s, window);
    if (stats.counters.empty() && stats.distinct.peers.count() == 0)
      return;
    auto summary = summarize(q.granularity_s, window * int64_t{q.granularity_s} * 1000,
                             q.direction, stats, nullptr);
    out.push_back(ranked_host{host.address, metric_value(summary, q.metric)});
  });
  if (q.limit > 0 && out.size() > q.limit) {
    auto by_value = [](const ranked_host& a, const ranked_host& b) {
      return a.value > b.value || (a.value == b.value && a.host < b.host);
    };
    std::partial_sort(out.begin(), out.begin() + q.limit, out.end(), by_value);
    out.resize(q.limit);
  }
  return out;
}

host_shard_actor::behavior_type host_shard(host_shard_actor::stateful_pointer<host_shard_state> self,
                                           host_shard_settings settings,
                                           std::shared_ptr<store> db,
                                           std::shared_ptr<window_retention> retention) {
  auto& st = self->state;
  st.settings = std::move(settings);
  st.table = std::make_unique<profile_table>(st.settings.table);
  if (db)
    st.store = std::make_shared<profile_store>(std::move(db), st.settings.storage);
  st.retention = std::move(retention);
  for (size_t g = 0; g < granularities.size(); ++g)
    st.pending[g].granularity_s = granularities[g];
  st.last_checkpoint = std::chrono::steady_clock::now();
  st.restore(wall_clock_ms());
  self->delayed_send(self, st.settings.tick_interval, tick_atom::value);
  self->set_exit_handler([self](caf::exit_msg& msg) {
    // A clean stop writes what closed and what is open, so a restart
    // continues where this run ended.
    auto& st = self->state;
    close_write_publish(self);
    st.checkpoint();
    self->quit(msg.reason);
  });
  return {
    [self](const shard_batch& batch) -> uint64_t {
      self->state.process(batch, wall_clock_ms());
      return batch.records.size();
    },
    [self](tick_atom) {
      auto& st = self->state;
      st.table->tick(wall_clock_ms());
      close_write_publish(self);
      auto interval = st.settings.checkpoint_interval;
      if (interval.count() > 0 && std::chrono::steady_clock::now() - st.last_checkpoint >= interval)
        st.checkpoint();
      self->delayed_send(self, st.settings.tick_interval, tick_atom::value);
    },
    [self](flush_atom) -> int64_t {
      close_write_publish(self);
      return self->state.table->watermark();
    },
    [self](flush_atom, int64_t advance_to) -> int64_t {
      self->state.table->tracker().advance_to(advance_to);
      close_write_publish(self);
      return self->state.table->watermark();
    },
    [self](checkpoint_atom) -> uint64_t {
      close_write_publish(self);
      return self->state.checkpoint();
    },
    [self](subscribe_atom, uint32_t granularity_s, profile_subscriber_actor subscriber) {
      int slot = granularity_index(granularity_s);
      if (slot >= 0)
        self->state.subscribers[static_cast<size_t>(slot)].push_back(std::move(subscriber));
    },
    [self](get_atom, profile_atom, const ip_address& host) {
      return self->state.profile_of(host);
    },
    [self](get_atom, const window_query& q) { return self->state.open_windows_matching(q); },
    [self](get_atom, status_atom) { return self->state.status(); },
  };
}

} // namespace hostflow
