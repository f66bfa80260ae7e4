#include "actors/router.hpp"

#include <algorithm>

namespace hostflow {

uint32_t shard_hash(const ip_address& a) noexcept {
  return static_cast<uint32_t>(address_hash(a));
}

shard_map::shard_map(uint32_t virtual_shards, uint32_t shard_count)
  : owner_(virtual_shards == 0 ? 1 : virtual_shards) {
  for (uint32_t v = 0; v < owner_.size(); ++v)
    owner_[v] = shard_count == 0 ? 0 : v % shard_count;
}

void shard_map::assign(uint32_t vshard, uint32_t owner) {
  owner_.at(vshard) = owner;
  ++version_;
}

record_router::record_router(std::shared_ptr<const routing_table> table)
  : table_(std::move(table)), pending_(table_->shards.shards().size()) {}

void record_router::set_table(std::shared_ptr<const routing_table> table) {
  table_ = std::move(table);
  pending_.resize(table_->shards.shards().size());
}

// -- updates ------------------------------------------------------------------------

routing_updates::routing_updates(std::shared_ptr<const routing_table> initial)
  : table_(std::move(initial)) {}

std::shared_ptr<const routing_table> routing_updates::current() const {
  return std::atomic_load_explicit(&table_, std::memory_order_acquire);
}

void routing_updates::publish(std::shared_ptr<const routing_table> table) {
  std::atomic_store_explicit(&table_, std::move(table), std::memory_order_release);
  version_.fetch_add(1, std::memory_order_acq_rel);
}

std::shared_ptr<const routing_table>
routing_updates::with_policy(const std::vector<cidr>& monitored, bool monitor_all,
                             const std::vector<exporter_rule>& rules) const {
  auto now = current();
  auto next = std::make_shared<routing_table>(
    routing_table{now->shards, {}, monitor_all, exporter_selection{rules}});
  for (const auto& network : monitored)
    next->monitored.add(network);
  return next;
}

void record_router::emit(uint32_t shard, const flow_record& r, record_view_kind kind,
                         int64_t newest) {
  auto& batch = pending_[shard];
  batch.records.push_back(r);
  batch.kinds.push_back(kind);
  batch.source_newest.push_back(newest);
  ++pending_views_;
}

int64_t record_router::note_event_time(const flow_record& r) {
  time_source source{r.exporter, r.observation_domain};
  // Records come in runs from one source: try the last one first.
  if (last_source_ >= newest_.size() || !(newest_[last_source_].first == source)) {
    last_source_ = 0;
    while (last_source_ < newest_.size() && !(newest_[last_source_].first == source))
      ++last_source_;
    if (last_source_ == newest_.size())
      newest_.emplace_back(source, r.end_ms);
  }
  auto& newest = newest_[last_source_].second;
  newest = std::max(newest, r.end_ms);
  return newest;
}

void record_router::route(const flow_record& r) {
  ++counters_.records;
  int64_t newest = note_event_time(r);
  const auto& t = *table_;
  if (!t.selection.selects(r)) {
    ++counters_.not_selected;
    return;
  }
  bool src = t.is_monitored(r.src_addr);
  bool dst = t.is_monitored(r.dst_addr);
  if (!src && !dst) {
    ++counters_.unmonitored;
    return;
  }
  if (src) {
    emit(t.shards.owner_index(r.src_addr), r, record_view_kind::outgoing, newest);
    ++counters_.outgoing;
  } else {
    emit(t.shards.owner_index(r.src_addr), r, record_view_kind::external_source, newest);
    ++counters_.external;
  }
  if (dst) {
    emit(t.shards.owner_index(r.dst_addr), r, record_view_kind::incoming, newest);
    ++counters_.incoming;
  }
}

} // namespace hostflow
