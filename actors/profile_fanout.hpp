#pragma once

// The bridge from the host shards to code outside the actor system: one
// actor subscribes to every granularity of every shard and hands each
// profile_update to a sink. The sink runs on the actor's thread, so it must
// take the update and return at once (filter, copy into a bounded queue).

#include <chrono>
#include <memory>

#include "actors/actors.hpp"
#include "actors/profile_pipeline.hpp"

namespace hostflow {

/// Takes the windows that close; called on an actor's thread, one update at
/// a time, so it must never block or wait.
class profile_update_sink {
public:
  virtual ~profile_update_sink() = default;

  /// Windows of one granularity that closed in one shard's tick.
  virtual void deliver(const profile_update& update) = 0;
};

/// Spawns the bridge and subscribes it to every granularity of every shard
/// of `pipeline`. Returns once every shard has taken the subscription, or
/// `timeout` has passed for one (windows closing earlier are not seen).
profile_subscriber_actor start_profile_fanout(caf::actor_system& sys,
                                              const profile_pipeline& pipeline,
                                              std::shared_ptr<profile_update_sink> sink,
                                              std::chrono::milliseconds timeout);

/// Stops the bridge; the shards drop their updates for it from then on.
void stop_profile_fanout(caf::actor_system& sys, profile_subscriber_actor& fanout);

} // namespace hostflow
