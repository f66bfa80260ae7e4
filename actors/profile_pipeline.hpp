#pragma once

// Assembly of the profile side: the store, the host_shards and the routing
// table receivers use. Shared by hostflowd, tests and benchmarks.

#include <cstdint>
#include <memory>
#include <vector>

#include "actors/host_shard.hpp"
#include "actors/router.hpp"
#include "state/retention.hpp"
#include "state/store.hpp"

#include <caf/actor_system.hpp>

namespace hostflow {

/// What the profile side is made of.
struct profile_pipeline_settings {
  uint32_t shards = 1;
  uint32_t virtual_shards = default_virtual_shards;
  /// Settings of every shard (index and owns are filled in per shard).
  host_shard_settings shard;
  std::vector<cidr> monitored;
  bool monitor_all = false;
  std::vector<exporter_rule> exporters;
};

/// A running profile side.
struct profile_pipeline {
  std::shared_ptr<store> db;
  std::shared_ptr<window_retention> retention;
  std::shared_ptr<const routing_table> routing;
  std::vector<host_shard_actor> shards;
};

/// Spawns the shards over `db` (they restore its last checkpoint) and builds
/// the routing table.
profile_pipeline start_profile_pipeline(caf::actor_system& sys,
                                        const profile_pipeline_settings& settings,
                                        std::shared_ptr<store> db);

/// Closes, writes and publishes what each shard's watermark has passed,
/// and waits until all have done so.
void flush_profile_pipeline(caf::actor_system& sys, const profile_pipeline& p);

/// Moves every shard's watermark to at least `event_ms` and closes what it
/// passes (the end of a replay), waiting until all have done so.
void drain_profile_pipeline(caf::actor_system& sys, const profile_pipeline& p, int64_t event_ms);

/// Routes `records` as a receiver would and hands each shard its batches,
/// waiting for every reply: the pipeline without sockets, for tests and
/// benchmarks. `wall_ms` is not used: shards read their own clock.
void feed_profile_pipeline(caf::actor_system& sys, const profile_pipeline& p,
                           record_router& router, const std::vector<flow_record>& records,
                           size_t batch_views = 4096);

/// Stops the shards (each writes what closed and a checkpoint) and waits
/// for them.
void stop_profile_pipeline(caf::actor_system& sys, profile_pipeline& p);

/// Every shard's status.
std::vector<shard_status> profile_pipeline_status(caf::actor_system& sys,
                                                  const profile_pipeline& p);

} // namespace hostflow
