#include "flow/profile_table.hpp"

#include <algorithm>

namespace hostflow {

namespace {

// floor(amount * part / total) without overflow; part <= total, total > 0.
uint64_t share(uint64_t amount, int64_t part, int64_t total) noexcept {
  auto wide = static_cast<unsigned __int128>(amount) * static_cast<uint64_t>(part);
  return static_cast<uint64_t>(wide / static_cast<uint64_t>(total));
}

} // namespace

profile_table::profile_table(profile_table_settings settings)
  : settings_(settings), tracker_(settings.time) {}

void profile_table::add(const flow_record& r, record_view_kind kind, int64_t wall_ms,
                        int64_t source_newest_ms) {
  time_source source{r.exporter, r.observation_domain};
  int64_t end_ms = tracker_.observe(source, r.end_ms, source_newest_ms, wall_ms);
  int64_t watermark = tracker_.watermark();
  if (last_counters_ == nullptr || !(last_exporter_ == r.exporter)) {
    last_counters_ = &per_exporter_[r.exporter];
    last_exporter_ = r.exporter;
  }
  auto& counters = *last_counters_;
  ++counters.records;
  if (end_ms < watermark - settings_.time.hard_limit_ms) {
    ++counters.too_old_records;
    counters.too_old_bytes += r.bytes * std::max<uint64_t>(r.sampling_interval, 1);
    return;
  }
  switch (kind) {
    case record_view_kind::outgoing:
      add_host_view(r, host_direction::out, end_ms, watermark, counters);
      break;
    case record_view_kind::incoming:
      add_host_view(r, host_direction::in, end_ms, watermark, counters);
      break;
    case record_view_kind::external_source:
      add_external(r, end_ms, watermark);
      break;
  }
}

void profile_table::add_host_view(const flow_record& r, host_direction d, int64_t end_ms,
                                  int64_t watermark, event_time_counters& counters) {
  record_view v{&r, d};
  uint32_t slot = host_slot_for(v.host());
  mark_dirty(slot);
  auto& host = hosts_.at(slot).profile;
  host.last_seen_ms = std::max(host.last_seen_ms, end_ms);
  auto& dir = host.at(d);

  uint64_t scale = std::max<uint64_t>(r.sampling_interval, 1);
  uint64_t packets = r.packets * scale;
  uint64_t bytes = r.bytes * scale;
  int64_t start_ms = std::min(r.start_ms, end_ms);
  // What lies before the watermark goes to the oldest open bucket, the one
  // holding the watermark, so no closed window changes and nothing is lost.
  int64_t floor_ms = std::max(start_ms, watermark);
  int64_t first = bucket_of(floor_ms);
  int64_t last = bucket_of(std::max(end_ms, watermark));
  if (end_ms < watermark) {
    ++counters.late_records;
    counters.late_bytes += bytes;
  } else if (start_ms < watermark) {
    ++counters.folded_records;
    counters.folded_bytes += share(bytes, watermark - start_ms, end_ms - start_ms);
  }
  // Buckets this host closed early take nothing more either.
  int64_t floor_bucket = dir.first_open_allowed();
  first = std::max(first, floor_bucket);
  last = std::max(last, floor_bucket);
  constexpr int64_t span = direction_profile::max_open_buckets;
  if (last - first >= span)
    first = last - (span - 1);
  early_scratch_.clear();
  if (size_t n = dir.make_room(first, last, d, early_scratch_); n > 0) {
    counters_.buckets_closed_early += n;
    counters_.windows_closed += early_scratch_.size();
    for (auto& w : early_scratch_)
      early_closed_.push_back(closed_host_window{host.address, std::move(w)});
    floor_bucket = dir.first_open_allowed();
    first = std::max(first, floor_bucket);
    last = std::max(last, floor_bucket);
  }

  int64_t duration = end_ms - start_ms;
  uint64_t packets_done = 0, bytes_done = 0;
  presence_set::mask bits = 0;
  for (int64_t b = first; b <= last; ++b) {
    bool created = false;
    auto& bucket = dir.bucket_at(b, created);
    if (created && (host.scheduled_close == watermark_tracker::none || b < host.scheduled_close))
      schedule(b, slot);
    uint64_t p = 0, y = 0;
    if (b == last || duration <= 0) {
      p = packets - packets_done;
      y = bytes - bytes_done;
    } else {
      int64_t upto = (b + 1) * bucket_ms - start_ms;
      p = share(packets, upto, duration) - packets_done;
      y = share(bytes, upto, duration) - bytes_done;
    }
    packets_done += p;
    bytes_done += y;
    bucket.counters.add_volume(r.protocol, p, y);
    bits |= presence_set::mask{1} << bucket.bit;
    if (b == last)
      bucket.counters.add_flow(r, scale);
  }
  dir.add_keys(v, bits);
  dir.add_top(last, v, r.bytes, true);
}

void profile_table::add_external(const flow_record& r, int64_t end_ms, int64_t watermark) {
  uint32_t slot = external_slot_for(r.src_addr);
  auto& ext = externals_.at(slot).profile;
  ext.last_seen_ms = std::max(ext.last_seen_ms, end_ms);
  int64_t b = bucket_of(std::max(end_ms, watermark));
  int64_t w = window_of_bucket(b, external_granularity_s);
  bool created = false;
  auto& win = ext.window_at(w, created);
  if (created)
    schedule_external(last_bucket_of(w, external_granularity_s), slot);
  win.add(r, std::max<uint64_t>(r.sampling_interval, 1));
}

void profile_table::close_ready(std::vector<closed_host_window>& hosts,
                                std::vector<closed_external_window>& externals) {
  int64_t watermark = tracker_.watermark();
  if (watermark == watermark_tracker::none)
    return;
  int64_t last_closed = bucket_of(watermark) - 1;
  // Windows closed early while adding (see direction_profile::make_room).
  for (auto& w : early_closed_)
    hosts.push_back(std::move(w));
  early_closed_.clear();
  std::vector<closed_window> closed;
  while (!close_schedule_.empty() && close_schedule_.begin()->first <= last_closed) {
    int64_t due = close_schedule_.begin()->first;
    auto refs = std::move(close_schedule_.begin()->second);
    close_schedule_.erase(close_schedule_.begin());
    for (auto ref : refs) {
      // A host rescheduled to an earlier bucket leaves its later entry
      // behind; only the entry it is due at counts.
      if (!hosts_.valid(ref) || hosts_.at(ref.slot).profile.scheduled_close != due)
        continue;
      auto& s = hosts_.at(ref.slot);
      s.profile.scheduled_close = watermark_tracker::none;
      for (auto d : {host_direction::out, host_direction::in}) {
        closed.clear();
        s.profile.at(d).close_through(last_closed, d, closed);
        if (!closed.empty())
          mark_dirty(ref.slot);
        counters_.windows_closed += closed.size();
        for (auto& w : closed)
          hosts.push_back(closed_host_window{s.profile.address, std::move(w)});
      }
      int64_t next = s.profile.next_close();
      if (next != watermark_tracker::none)
        schedule(next, ref.slot);
    }
  }
  while (!external_schedule_.empty() && external_schedule_.begin()->first <= last_closed) {
    auto refs = std::move(external_schedule_.begin()->second);
    external_schedule_.erase(external_schedule_.begin());
    for (auto ref : refs) {
      if (!externals_.valid(ref))
        continue;
      auto& s = externals_.at(ref.slot);
      auto& windows = s.profile.windows;
      size_t n = 0;
      for (; n < windows.size() &&
             last_bucket_of(windows[n].index, external_granularity_s) <= last_closed;
           ++n) {
        const auto& w = windows[n];
        externals.push_back(closed_external_window{
          s.profile.address, w.index * int64_t{external_granularity_s} * 1000, w.flows,
          w.packets, w.bytes, w.syn_only_flows, w.destinations.count(), w.ports.count()});
      }
      windows.erase(windows.begin(), windows.begin() + static_cast<ptrdiff_t>(n));
    }
  }
}

void profile_table::tick(int64_t wall_ms) {
  tracker_.tick(wall_ms);
  int64_t watermark = tracker_.watermark();
  if (watermark == watermark_tracker::none)
    return;
  int64_t idle_before = watermark - settings_.idle_eviction_ms;
  // The least recently touched hosts are the candidates; stop at the first
  // that is still in use.
  for (uint32_t slot = hosts_.oldest(); slot != slot_lru::nil; slot = hosts_.oldest()) {
    const auto& p = hosts_.at(slot).profile;
    if (p.last_seen_ms >= idle_before || !p.empty())
      break;
    evict_host(slot);
    ++counters_.hosts_evicted_idle;
  }
  for (uint32_t slot = externals_.oldest(); slot != slot_lru::nil; slot = externals_.oldest()) {
    const auto& p = externals_.at(slot).profile;
    if (p.last_seen_ms >= idle_before || !p.windows.empty())
      break;
    externals_.erase(slot);
  }
}

const host_profile* profile_table::find(const ip_address& host) const {
  uint32_t slot = hosts_.find(host);
  return slot == slot_lru::nil ? nullptr : &hosts_.at(slot).profile;
}

host_profile* profile_table::find(const ip_address& host) {
  uint32_t slot = hosts_.find(host);
  return slot == slot_lru::nil ? nullptr : &hosts_.at(slot).profile;
}

uint32_t profile_table::host_slot_for(const ip_address& a) {
  if (uint32_t slot = hosts_.find(a); slot != slot_lru::nil) {
    hosts_.touch(slot);
    return slot;
  }
  if (hosts_.size() >= settings_.max_hosts && hosts_.oldest() != slot_lru::nil) {
    uint32_t victim = hosts_.oldest();
    const auto& p = hosts_.at(victim).profile;
    counters_.open_windows_discarded += p.at(host_direction::out).buckets().size() +
                                        p.at(host_direction::in).buckets().size();
    evict_host(victim);
    ++counters_.hosts_evicted_at_cap;
  }
  bool created = false;
  uint32_t slot = hosts_.find_or_create(a, created);
  if (created) {
    hosts_.at(slot).profile.last_seen_ms = watermark_tracker::none;
    ++counters_.hosts_created;
  }
  return slot;
}

uint32_t profile_table::external_slot_for(const ip_address& a) {
  if (uint32_t slot = externals_.find(a); slot != slot_lru::nil) {
    externals_.touch(slot);
    return slot;
  }
  if (externals_.size() >= settings_.max_external_hosts && externals_.oldest() != slot_lru::nil) {
    externals_.erase(externals_.oldest());
    ++counters_.external_evicted;
  }
  bool created = false;
  uint32_t slot = externals_.find_or_create(a, created);
  if (created) {
    externals_.at(slot).profile.last_seen_ms = watermark_tracker::none;
    ++counters_.external_created;
  }
  return slot;
}

void profile_table::evict_host(uint32_t slot) {
  removed_.push_back(hosts_.at(slot).profile.address);
  hosts_.erase(slot);
}

void profile_table::schedule(int64_t last_bucket, uint32_t slot) {
  hosts_.at(slot).profile.scheduled_close = last_bucket;
  close_schedule_[last_bucket].push_back(hosts_.ref(slot));
}

void profile_table::mark_dirty(uint32_t slot) {
  auto& s = hosts_.at(slot);
  if (!s.dirty) {
    s.dirty = true;
    dirty_.push_back(hosts_.ref(slot));
  }
}

void profile_table::restore_host(host_profile&& profile) {
  uint32_t slot = host_slot_for(profile.address);
  auto& host = hosts_.at(slot).profile;
  host = std::move(profile);
  host.scheduled_close = watermark_tracker::none;
  int64_t next = host.next_close();
  if (next != watermark_tracker::none)
    schedule(next, slot);
}

void profile_table::schedule_external(int64_t last_bucket, uint32_t slot) {
  external_schedule_[last_bucket].push_back(externals_.ref(slot));
}

size_t profile_table::host_memory_bytes() const {
  size_t n = hosts_.overhead_bytes();
  for (const auto& s : hosts_.slots())
    n += s.used ? s.profile.memory_bytes() : sizeof(host_profile);
  return n;
}

size_t profile_table::external_memory_bytes() const {
  size_t n = externals_.overhead_bytes();
  for (const auto& s : externals_.slots())
    n += s.used ? s.profile.memory_bytes() : sizeof(external_profile);
  return n;
}

} // namespace hostflow
