#include "actors/receiver.hpp"

#include <set>
#include <thread>

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include "state/keys.hpp"

namespace hostflow {

namespace {

using clock = std::chrono::steady_clock;

// Template store failures are logged at most this often (all are counted).
constexpr auto store_error_log_interval = std::chrono::seconds(10);

int64_t wall_clock_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Sends a shard's pending batch if its credit allows, else drops and counts it.
void flush_shard(receiver_actor::stateful_pointer<receiver_state> self, size_t shard) {
  auto& st = self->state;
  auto& batch = st.router->pending()[shard];
  if (batch.records.empty())
    return;
  size_t views = batch.records.size();
  if (st.in_flight[shard] >= st.settings.max_batches_in_flight) {
    st.dropped_records += views;
    ++st.dropped_batches;
    batch.clear();
    return;
  }
  ++st.in_flight[shard];
  st.records_sent += views;
  shard_batch msg = std::move(batch);
  batch = shard_batch{};
  batch.records.reserve(st.settings.batch_records + 64);
  batch.kinds.reserve(st.settings.batch_records + 64);
  batch.source_newest.reserve(st.settings.batch_records + 64);
  self->request(st.router->table().shards.shards()[shard], caf::infinite, std::move(msg))
    .then([self, shard](uint64_t) { --self->state.in_flight[shard]; },
          [self, shard](caf::error&) { --self->state.in_flight[shard]; });
}

// Routes freshly decoded records; sends the batches that filled up.
void route_decoded(receiver_actor::stateful_pointer<receiver_state> self) {
  auto& st = self->state;
  auto& pending = st.router->pending();
  for (const auto& r : st.decoded)
    st.router->route(r);
  st.records_decoded += st.decoded.size();
  st.decoded.clear();
  for (size_t shard = 0; shard < pending.size(); ++shard)
    if (pending[shard].records.size() >= st.settings.batch_records)
      flush_shard(self, shard);
}

void flush(receiver_actor::stateful_pointer<receiver_state> self) {
  auto& st = self->state;
  st.last_flush = clock::now();
  for (size_t shard = 0; shard < st.in_flight.size(); ++shard)
    flush_shard(self, shard);
}

// Counts a template store failure; logs it unless one was logged lately.
void store_failed(receiver_actor::stateful_pointer<receiver_state> self, const char* what,
                  const std::string& why) {
  auto& st = self->state;
  ++st.template_store_errors;
  auto now = clock::now();
  if (st.last_store_error_log && now - *st.last_store_error_log < store_error_log_interval)
    return;
  st.last_store_error_log = now;
  spdlog::warn("receiver {}: template store {} failed: {} ({} failures so far)",
               st.settings.index, what, why, st.template_store_errors);
}

// What a stored entry that does not decode is called in the log.
std::string malformed(std::string_view key) {
  auto parts = parse_template_key(key);
  if (!parts)
    return "malformed key, skipped";
  return "malformed snapshot of " + parts->exporter.to_string() + " version " +
         std::to_string(parts->version) + " domain " + std::to_string(parts->domain) +
         ", skipped";
}

// Restores every stored snapshot into the decoder.
void load_templates(receiver_actor::stateful_pointer<receiver_state> self) {
  auto& st = self->state;
  size_t templates = 0;
  std::set<endpoint> exporters;
  auto now_ms = wall_clock_ms();
  auto restore = [&](std::string_view key, std::string_view value) {
    auto s = decode_template_snapshot(value);
    if (!s || key != template_key(s->exporter, s->version, s->domain)) {
      store_failed(self, "load", malformed(key));
      return true;
    }
    auto restored = st.decoder->restore_templates(*s, now_ms);
    templates += restored.templates;
    if (restored.templates > 0)
      exporters.insert(s->exporter);
    return true;
  };
  if (auto status = st.db->scan(column::templates, {}, {}, restore); !status.ok())
    store_failed(self, "load", status.to_string());
  spdlog::info("receiver {}: restored {} templates of {} exporters", st.settings.index, templates,
               exporters.size());
}

// Writes the snapshots of the domains that changed since their last save;
// on failure they stay changed and go with the next save.
void save_templates(receiver_actor::stateful_pointer<receiver_state> self) {
  auto& st = self->state;
  st.last_template_save = clock::now();
  if (!st.db)
    return;
  auto changed = st.decoder->save_templates(true);
  if (changed.empty())
    return;
  write_batch batch;
  for (const auto& s : changed) {
    auto key = template_key(s.exporter, s.version, s.domain);
    if (s.empty())
      batch.erase(column::templates, key);
    else
      batch.put(column::templates, key, encode_template_snapshot(s));
  }
  if (auto status = st.db->write(batch); !status.ok()) {
    store_failed(self, "save", status.to_string());
    return;
  }
  for (const auto& s : changed)
    st.decoder->mark_saved(s);
}

void report(receiver_actor::stateful_pointer<receiver_state> self) {
  auto& st = self->state;
  st.last_report = clock::now();
  st.decoder->expire(wall_clock_ms());
  if (st.monitor)
    self->send(st.monitor, st.report());
}

} // namespace

receiver_report receiver_state::report() const {
  receiver_report r;
  r.listen = socket->local_endpoint().to_string();
  r.receiver_index = settings.index;
  auto sc = socket->counters();
  r.datagrams = sc.datagrams;
  r.truncated_datagrams = sc.truncated;
  r.kernel_drops = sc.kernel_drops;
  r.records = records_decoded;
  r.records_sent = records_sent;
  r.dropped_records = dropped_records;
  r.dropped_batches = dropped_batches;
  r.not_selected = router->counters().not_selected;
  r.unmonitored = router->counters().unmonitored;
  r.rejected_datagrams = decoder->rejected_datagrams();
  r.template_memory = decoder->template_memory();
  r.pending_bytes = decoder->pending_bytes();
  r.template_store_errors = template_store_errors;
  decoder->for_each_exporter([&](const endpoint& e, const exporter_counters& c) {
    // Exporters known only from restored templates have not sent here (yet).
    if (c.datagrams > 0 || c.error_total() > 0)
      r.exporters.push_back(exporter_report{e, c});
  });
  return r;
}

receiver_actor::behavior_type receiver(receiver_actor::stateful_pointer<receiver_state> self,
                                       std::shared_ptr<udp_socket> socket,
                                       std::shared_ptr<const routing_table> routing,
                                       ingest_monitor_actor monitor, std::shared_ptr<store> db,
                                       receiver_settings settings) {
  auto& st = self->state;
  st.socket.emplace(std::move(*socket));
  st.decoder = std::make_unique<flow_decoder>(settings.limits);
  st.settings = settings;
  st.db = std::move(db);
  if (st.db)
    load_templates(self);
  st.router.emplace(std::move(routing));
  st.in_flight.assign(st.router->pending().size(), 0);
  st.monitor = std::move(monitor);
  st.decoded.reserve(settings.batch_records + 64);
  st.last_flush = st.last_report = st.last_template_save = clock::now();
  self->send(self, poll_atom::value);
  self->set_exit_handler([self](caf::exit_msg& msg) {
    // Hand over what was decoded before going away, so a clean stop loses
    // nothing, and leave final counters with the monitor.
    auto& st = self->state;
    route_decoded(self);
    auto& pending = st.router->pending();
    for (size_t shard = 0; shard < pending.size(); ++shard) {
      auto& batch = pending[shard];
      if (batch.records.empty())
        continue;
      st.records_sent += batch.records.size();
      caf::anon_send(st.router->table().shards.shards()[shard], std::move(batch));
      batch = shard_batch{};
    }
    save_templates(self);
    report(self);
    self->quit(msg.reason);
  });
  return {
    [self](poll_atom) {
      auto& st = self->state;
      // A trickle of datagrams would cost a wake-up and two system calls
      // each; waiting briefly lets the kernel queue a batch (it holds
      // seconds of traffic) and costs flows nothing that matters.
      size_t light = 4 * st.buffers.capacity();
      if (st.last_poll_datagrams > 0 && st.last_poll_datagrams < light)
        std::this_thread::sleep_for(st.settings.coalesce_interval);
      st.last_poll_datagrams = 0;
      if (const auto& updates = st.settings.routing) {
        auto version = updates->version();
        if (version != st.routing_version) {
          // Records decoded before the change were routed by the old table.
          st.router->set_table(updates->current());
          st.routing_version = version;
        }
      }
      for (size_t round = 0; round < st.settings.max_rounds_per_poll; ++round) {
        size_t n = st.socket->receive(st.buffers, round == 0 ? st.settings.poll_timeout_ms : 0);
        st.last_poll_datagrams += n;
        if (n == 0)
          break;
        int64_t now_ms = wall_clock_ms();
        for (size_t i = 0; i < n; ++i) {
          st.decoder->decode(st.buffers.sender(i), st.buffers.payload(i), now_ms, st.decoded);
          route_decoded(self);
        }
      }
      auto now = clock::now();
      if (now - st.last_flush >= st.settings.flush_interval)
        flush(self);
      if (now - st.last_report >= st.settings.report_interval)
        report(self);
      auto save_every = st.settings.template_save_interval;
      if (save_every.count() > 0 && now - st.last_template_save >= save_every)
        save_templates(self);
      self->send(self, poll_atom::value);
    },
    [self](get_atom, status_atom) { return self->state.report(); },
  };
}

} // namespace hostflow
