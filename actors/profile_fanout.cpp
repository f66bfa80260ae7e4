#include "actors/profile_fanout.hpp"

#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>

namespace hostflow {

namespace {

profile_subscriber_actor::behavior_type
profile_fanout(profile_subscriber_actor::pointer, std::shared_ptr<profile_update_sink> sink) {
  return {
    [sink](const profile_update& update) { sink->deliver(update); },
  };
}

} // namespace

profile_subscriber_actor start_profile_fanout(caf::actor_system& sys,
                                              const profile_pipeline& pipeline,
                                              std::shared_ptr<profile_update_sink> sink,
                                              std::chrono::milliseconds timeout) {
  auto fanout = sys.spawn(profile_fanout, std::move(sink));
  caf::scoped_actor self{sys};
  for (const auto& shard : pipeline.shards)
    for (auto g : granularities)
      self->send(shard, subscribe_atom::value, g, fanout);
  // Messages between two actors arrive in order: once a shard answers this,
  // it holds every subscription sent before.
  for (const auto& shard : pipeline.shards)
    self->request(shard, timeout, get_atom::value, status_atom::value)
      .receive([](const shard_status&) {}, [](caf::error&) {});
  return fanout;
}

void stop_profile_fanout(caf::actor_system& sys, profile_subscriber_actor& fanout) {
  if (!fanout)
    return;
  caf::scoped_actor self{sys};
  self->send_exit(fanout, caf::exit_reason::user_shutdown);
  self->wait_for(fanout);
  fanout = nullptr;
}

} // namespace hostflow
