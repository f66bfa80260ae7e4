#include "actors/profile_pipeline.hpp"

#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>

namespace hostflow {

namespace {

constexpr auto request_timeout = std::chrono::seconds(30);

} // namespace

profile_pipeline start_profile_pipeline(caf::actor_system& sys,
                                        const profile_pipeline_settings& settings,
                                        std::shared_ptr<store> db) {
  profile_pipeline p;
  p.db = std::move(db);
  std::vector<uint32_t> granularity_list(granularities.begin(), granularities.end());
  p.retention = std::make_shared<window_retention>(granularity_list);
  if (p.db)
    p.db->set_expiry(column::windows, p.retention);
  uint32_t n = std::max<uint32_t>(settings.shards, 1);
  auto table = std::make_shared<routing_table>(
    routing_table{shard_map{settings.virtual_shards, n}, {}, settings.monitor_all,
                  exporter_selection{settings.exporters}});
  for (const auto& network : settings.monitored)
    table->monitored.add(network);
  auto map = table->shards; // the owner table, for the shards' restore filter
  for (uint32_t i = 0; i < n; ++i) {
    auto s = settings.shard;
    s.index = i;
    s.owns = [map, i](const ip_address& a) { return map.owner_index(a) == i; };
    p.shards.push_back(sys.spawn(host_shard, std::move(s), p.db, p.retention));
  }
  table->shards.attach(p.shards);
  p.routing = std::move(table);
  return p;
}

void flush_profile_pipeline(caf::actor_system& sys, const profile_pipeline& p) {
  caf::scoped_actor self{sys};
  for (const auto& shard : p.shards)
    self->request(shard, request_timeout, flush_atom::value)
      .receive([](int64_t) {}, [](caf::error&) {});
}

void drain_profile_pipeline(caf::actor_system& sys, const profile_pipeline& p, int64_t event_ms) {
  caf::scoped_actor self{sys};
  for (const auto& shard : p.shards)
    self->request(shard, request_timeout, flush_atom::value, event_ms)
      .receive([](int64_t) {}, [](caf::error&) {});
}

void feed_profile_pipeline(caf::actor_system& sys, const profile_pipeline& p,
                           record_router& router, const std::vector<flow_record>& records,
                           size_t batch_views) {
  caf::scoped_actor self{sys};
  auto& pending = router.pending();
  // Hands every shard its batch at once, then waits for all replies: the
  // shards work in parallel while the replies come in.
  auto send_all = [&] {
    std::vector<caf::response_handle<caf::blocking_actor, caf::detail::type_list<uint64_t>, true>>
      replies;
    for (size_t shard = 0; shard < pending.size(); ++shard) {
      if (pending[shard].records.empty())
        continue;
      replies.push_back(self->request(p.shards[shard], request_timeout, std::move(pending[shard])));
      pending[shard] = shard_batch{};
    }
    for (auto& reply : replies)
      reply.receive([](uint64_t) {}, [](caf::error&) {});
    router.clear_pending_count();
  };
  for (const auto& r : records) {
    router.route(r);
    if (router.pending_views() >= batch_views * pending.size())
      send_all();
  }
  send_all();
}

void stop_profile_pipeline(caf::actor_system& sys, profile_pipeline& p) {
  caf::scoped_actor self{sys};
  for (const auto& shard : p.shards)
    self->send_exit(shard, caf::exit_reason::user_shutdown);
  for (const auto& shard : p.shards)
    self->wait_for(shard);
  p.shards.clear();
  if (p.db)
    p.db->flush();
}

std::vector<shard_status> profile_pipeline_status(caf::actor_system& sys,
                                                  const profile_pipeline& p) {
  std::vector<shard_status> all;
  caf::scoped_actor self{sys};
  for (const auto& shard : p.shards)
    self->request(shard, request_timeout, get_atom::value, status_atom::value)
      .receive([&](shard_status& s) { all.push_back(std::move(s)); }, [](caf::error&) {});
  return all;
}

} // namespace hostflow
