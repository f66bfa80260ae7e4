#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "actors/actors.hpp"
#include "flow/baseline.hpp"
#include "flow/profile_table.hpp"
#include "state/profile_store.hpp"
#include "state/retention.hpp"

#include <caf/typed_event_based_actor.hpp>

namespace hostflow {

/// How a host_shard works.
struct host_shard_settings {
  uint32_t index = 0;                  ///< which shard this is
  profile_table_settings table;
  baseline_settings baseline;
  std::chrono::milliseconds tick_interval{1000};
  std::chrono::milliseconds checkpoint_interval{10000}; ///< 0: only on request
  /// How windows are stored.
  profile_store_settings storage;
  /// How long closed windows are kept, per granularity (event time).
  std::map<uint32_t, int64_t> retention_ms;
  /// Most bytes the store may take; past it retention shrinks, oldest data
  /// first (0: no cap). Shard 0 enforces it.
  uint64_t max_store_bytes = 0;
  /// True for the hosts this shard owns: picks its hosts from a checkpoint.
  std::function<bool(const ip_address&)> owns;
};

/// State of a host_shard: the profiles of its hosts and what is waiting to
/// be written and published.
struct host_shard_state {
  host_shard_settings settings;
  std::unique_ptr<profile_table> table;
  std::shared_ptr<profile_store> store;          ///< null: nothing is persisted
  std::shared_ptr<window_retention> retention;   ///< shared by all shards; may be null
  std::array<std::vector<profile_subscriber_actor>, granularities.size()> subscribers;
  std::array<profile_update, granularities.size()> pending;  ///< to publish
  std::vector<host_window> to_store;
  std::vector<closed_host_window> closed_scratch;
  std::vector<closed_external_window> external_scratch;
  uint64_t batches = 0;
  uint64_t records = 0;
  uint64_t packets = 0;
  uint64_t bytes = 0;
  uint64_t windows_written = 0;
  uint64_t windows_not_written = 0;
  uint64_t windows_trimmed = 0;
  uint64_t store_errors = 0;
  uint64_t checkpoints = 0;
  /// Retention in force per granularity: the configured one, or less
  /// while the store is over its size cap.
  std::map<uint32_t, int64_t> effective_retention_ms;
  uint64_t store_trims = 0;        ///< times retention shrank to fit the cap
  std::chrono::steady_clock::time_point last_checkpoint;
  std::chrono::steady_clock::time_point last_store_error_log;

  /// Takes a batch in and closes what its records' watermark passed.
  void process(const shard_batch& batch, int64_t wall_ms);

  /// Closes what the watermark has passed: summaries to publish and store,
  /// baselines updated.
  void close_ready();

  /// Writes the collected windows in one batch.
  void commit();

  /// Writes changed hosts' open windows and the event-time state; returns
  /// the number of hosts written.
  uint64_t checkpoint();

  /// Restores the last checkpoint from the store.
  void restore(int64_t wall_ms);

  shard_status status() const;
  open_profile profile_of(const ip_address& host) const;
  std::vector<ranked_host> open_windows_matching(const window_query& q) const;

  static inline const char* name = "host_shard";

private:
  /// Shard 0's store upkeep: retention cutoffs, the size cap, compaction
  /// of a store that does not expire entries by itself.
  void maintain_store();

  /// Scores a closed 5 min window against the host's baseline and learns
  /// from it; returns the window's largest |z-score|.
  double update_baseline(const ip_address& host, const window_summary& w);
};

/// Spawn with `sys.spawn(host_shard, settings, store, retention)`; `store`
/// may be null (nothing persisted). Restores the store's last checkpoint
/// before taking records.
host_shard_actor::behavior_type host_shard(host_shard_actor::stateful_pointer<host_shard_state> self,
                                           host_shard_settings settings,
                                           std::shared_ptr<store> db,
                                           std::shared_ptr<window_retention> retention);

} // namespace hostflow
