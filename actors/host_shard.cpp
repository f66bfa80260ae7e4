#include "actors/host_shard.hpp"

#include <algorithm>

#include <caf/send.hpp>

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
    if (slot >= 0 && !subscribers[static_cast<size_t>(slot)].empty())
      pending[static_cast<size_t>(slot)].windows.push_back(host_window{c.host, summary});
    if (store)
      to_store.push_back(host_window{c.host, std::move(summary)});
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
