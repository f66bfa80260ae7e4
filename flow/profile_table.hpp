#pragma once

// The pure core of a host_shard: the profiles of the hosts it owns, the
// external sources it sees, the event-time watermark and the schedule of
// window closes. No actors and no I/O, so it runs the same in the actor,
// in tests and in benchmarks.

#include <cstdint>
#include <map>
#include <unordered_map>
#include <vector>

#include "flow/event_time.hpp"
#include "flow/external_profile.hpp"
#include "flow/host_profile.hpp"
#include "flow/slot_table.hpp"

namespace hostflow {

/// How a record reaches a shard: as the outgoing view of its (monitored)
/// source, the incoming view of its (monitored) destination, or as an
/// unmonitored source talking to a monitored host.
enum class record_view_kind : uint8_t {
  outgoing = 0,
  incoming = 1,
  external_source = 2,
};

/// A host's window that has closed.
struct closed_host_window {
  ip_address host;
  closed_window window;
};

/// Per exporter: how event time treated its records.
struct event_time_counters {
  uint64_t records = 0;        ///< record views taken in
  uint64_t late_records = 0;   ///< wholly before the watermark: folded whole
  uint64_t late_bytes = 0;
  uint64_t folded_records = 0; ///< partly before the watermark
  uint64_t folded_bytes = 0;   ///< the part folded
  uint64_t too_old_records = 0; ///< ended before the hard limit: dropped
  uint64_t too_old_bytes = 0;
};

/// Settings of a profile table.
struct profile_table_settings {
  event_time_settings time;
  size_t max_hosts = 1'000'000;          ///< monitored hosts held in memory
  size_t max_external_hosts = 1'000'000; ///< external sources held in memory
  /// A host without records for this long (event time) is evicted once its
  /// windows have closed.
  int64_t idle_eviction_ms = 30 * 60'000;
};

/// Table-wide counters.
struct profile_table_counters {
  uint64_t hosts_created = 0;
  uint64_t hosts_evicted_idle = 0;
  uint64_t hosts_evicted_at_cap = 0;   ///< least recently seen, evicted at max_hosts
  uint64_t open_windows_discarded = 0; ///< open windows of hosts evicted at the cap
  uint64_t external_created = 0;
  uint64_t external_evicted = 0;
  uint64_t windows_closed = 0;
  /// Buckets closed before the watermark reached them because a host had
  /// direction_profile::max_open_buckets open (exporter clocks minutes apart).
  uint64_t buckets_closed_early = 0;
};

/// Profiles of the hosts of some virtual shards.
class profile_table {
public:
  explicit profile_table(profile_table_settings settings = {});

  /// Takes one record in, as `kind` says; `wall_ms` is its arrival time and
  /// `source_newest_ms` the newest record end of its exporter and domain so
  /// far (see watermark_tracker::observe).
  void add(const flow_record& r, record_view_kind kind, int64_t wall_ms,
           int64_t source_newest_ms);

  /// Same, for a stream where this record's end is the newest so far.
  void add(const flow_record& r, record_view_kind kind, int64_t wall_ms) {
    add(r, kind, wall_ms, r.end_ms);
  }

  /// Closes every window the watermark has passed, appending them.
  void close_ready(std::vector<closed_host_window>& hosts,
                   std::vector<closed_external_window>& externals);

  /// Advances the watermark on an idle stream and evicts idle hosts.
  void tick(int64_t wall_ms);

  // -- checkpoints ------------------------------------------------------------

  /// Visits the hosts whose open windows changed since the previous call
  /// (`changed(const host_profile&)`) and the addresses of hosts evicted
  /// since then (`removed(const ip_address&)`), then forgets both lists.
  template <class Changed, class Removed>
  void drain_changes(Changed&& changed, Removed&& removed) {
    for (auto ref : dirty_) {
      if (hosts_.valid(ref)) {
        auto& s = hosts_.at(ref.slot);
        s.dirty = false;
        changed(s.profile);
      }
    }
    dirty_.clear();
    for (const auto& a : removed_)
      if (hosts_.find(a) == slot_lru::nil)
        removed(a);
    removed_.clear();
  }

  /// Takes back a host saved by a checkpoint: its open windows go on
  /// filling and close on schedule.
  void restore_host(host_profile&& profile);

  /// The watermark state and per-exporter counters, for a checkpoint.
  watermark_tracker::snapshot save_time() const { return tracker_.save(); }

  /// Restores per-exporter counters saved by a checkpoint.
  void restore_exporter_counters(const endpoint& exporter, const event_time_counters& c) {
    per_exporter_[exporter] = c;
    last_counters_ = nullptr;
  }

  /// The profile of a host held in memory, or nullptr.
  const host_profile* find(const ip_address& host) const;
  host_profile* find(const ip_address& host);

  /// Visits every host held in memory.
  template <class F>
  void for_each_host(F&& f) const {
    for (const auto& s : hosts_.slots())
      if (s.used)
        f(s.profile);
  }

  int64_t watermark() const noexcept { return tracker_.watermark(); }
  const watermark_tracker& tracker() const noexcept { return tracker_; }
  watermark_tracker& tracker() noexcept { return tracker_; }
  size_t hosts() const noexcept { return hosts_.size(); }
  size_t external_hosts() const noexcept { return externals_.size(); }
  const profile_table_counters& counters() const noexcept { return counters_; }
  const std::unordered_map<endpoint, event_time_counters>& exporter_counters() const noexcept {
    return per_exporter_;
  }
  const profile_table_settings& settings() const noexcept { return settings_; }

  /// Bytes held by host profiles and by external profiles.
  size_t host_memory_bytes() const;
  size_t external_memory_bytes() const;

private:
  void add_host_view(const flow_record& r, host_direction d, int64_t end_ms, int64_t watermark,
                     event_time_counters& counters);
  void add_external(const flow_record& r, int64_t end_ms, int64_t watermark);
  uint32_t host_slot_for(const ip_address& a);
  uint32_t external_slot_for(const ip_address& a);
  void evict_host(uint32_t slot);
  void schedule(int64_t last_bucket, uint32_t slot);
  void mark_dirty(uint32_t slot);
  void schedule_external(int64_t last_bucket, uint32_t slot);

  profile_table_settings settings_;
  watermark_tracker tracker_;
  slot_table<host_profile> hosts_;
  slot_table<external_profile> externals_;
  /// Bucket -> hosts due to close a window there: one entry per host, at its
  /// next close (host_profile::scheduled_close), plus stale entries of hosts
  /// that were rescheduled earlier.
  std::map<int64_t, std::vector<slot_ref>> close_schedule_;
  std::map<int64_t, std::vector<slot_ref>> external_schedule_;
  std::vector<slot_ref> dirty_;     ///< hosts changed since the last checkpoint
  std::vector<ip_address> removed_; ///< hosts evicted since the last checkpoint
  std::vector<closed_window> early_scratch_;
  std::vector<closed_host_window> early_closed_; ///< closed early, not yet handed out
  std::unordered_map<endpoint, event_time_counters> per_exporter_;
  event_time_counters* last_counters_ = nullptr;
  endpoint last_exporter_;
  profile_table_counters counters_;
};

} // namespace hostflow
