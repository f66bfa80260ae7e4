#pragma once

// What host profiles keep in the store: closed windows (by host, and their
// key metrics by window for rankings and maps), baselines per hour of day,
// and checkpoints of open windows. Writes are collected and committed in
// one batch per tick.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "flow/baseline.hpp"
#include "flow/cidr.hpp"
#include "state/checkpoint_codec.hpp"
#include "state/store.hpp"
#include "state/window_codec.hpp"

namespace hostflow {

/// How profiles are stored.
struct profile_store_settings {
  /// Most bytes a stored window may take; top lists are shortened to fit.
  size_t window_byte_budget = 1024;
};

/// Counts of one commit.
struct commit_result {
  store_status status;
  uint64_t windows = 0;      ///< host windows in the batch
  uint64_t bytes = 0;        ///< payload bytes in the batch
  uint64_t trimmed = 0;      ///< windows whose top lists were shortened
};

/// The profile side of the store. One per shard; reads may come from any
/// thread.
class profile_store {
public:
  profile_store(std::shared_ptr<store> db, profile_store_settings settings = {});

  // -- collecting writes --------------------------------------------------------

  /// Adds closed windows: one stored value per host, granularity and start,
  /// with both directions when both closed.
  void add_windows(const std::vector<host_window>& windows);
  /// Same, taking the windows over.
  void add_windows(std::vector<host_window>&& windows);

  /// Saves a host's open windows and baseline for a restart.
  void put_checkpoint_host(const host_profile& host);

  /// Forgets a host's checkpoint (evicted, or nothing open any more).
  void erase_checkpoint_host(const ip_address& host);

  /// Saves a shard's event-time state.
  void put_time_checkpoint(uint32_t shard, const time_checkpoint& t);

  /// Saves a host's baseline slot for one hour of day.
  void put_baseline(const ip_address& host, uint8_t hour, const hour_baseline& b);

  /// Windows collected and not yet committed.
  size_t pending_windows() const noexcept { return pending_.size(); }

  /// Writes everything collected in one batch and clears it, also when the
  /// write fails (the result says why and how much was lost).
  commit_result commit();

  // -- reading -------------------------------------------------------------------

  /// A host's baseline slot for one hour of day; nullopt when none is
  /// stored (or on error, which `status` reports).
  std::optional<hour_baseline> get_baseline(const ip_address& host, uint8_t hour,
                                            store_status& status);

  /// Visits every checkpointed host.
  store_status load_checkpoint_hosts(const std::function<void(host_profile&&)>& visit);

  /// A shard's event-time state, if saved.
  std::optional<time_checkpoint> load_time_checkpoint(uint32_t shard, store_status& status);

  /// The event-time states of all shards, whatever their number.
  std::vector<time_checkpoint> load_all_time_checkpoints(store_status& status);

  /// Visits a host's closed windows of one granularity that start in
  /// [from_ms, to_ms), oldest first.
  store_status windows_of(const ip_address& host, uint32_t granularity_s, int64_t from_ms,
                          int64_t to_ms, const std::function<bool(stored_window&&)>& visit);

  /// Visits the ranking metrics of every host whose window of
  /// `granularity_s` starts at `start_ms`, within `within` when given.
  store_status rankings_of(uint32_t granularity_s, int64_t start_ms,
                           const std::optional<cidr>& within,
                           const std::function<bool(const ip_address&, const ranking_value&)>& visit);

  /// Start of the oldest stored window of a granularity (one seek in the
  /// rankings), or nullopt when none is stored.
  std::optional<int64_t> oldest_window_start(uint32_t granularity_s, store_status& status);

  /// Deletes the ranking entries of windows of `granularity_s` that start
  /// before `cutoff_ms` (a range deletion: no scan).
  void erase_rankings_before(uint32_t granularity_s, int64_t cutoff_ms);

  store& db() noexcept { return *db_; }

private:
  std::shared_ptr<store> db_;
  profile_store_settings settings_;
  write_batch batch_;
  /// Windows added since the last commit; commit() sorts them by
  /// (granularity, host, start) and stores both directions of a window as
  /// one value.
  std::vector<host_window> pending_;
  std::vector<uint32_t> order_; ///< commit()'s sort order of pending_
};

/// Key of a ranking entry: granularity | window start (s) | host.
std::string ranking_key(uint32_t granularity_s, int64_t start_ms, const ip_address& host);

} // namespace hostflow
