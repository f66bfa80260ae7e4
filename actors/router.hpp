#pragma once

// Routing: which host_shard sees a record, and as what. A receiver owns a
// record_router and sends one batch per shard.

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "actors/actors.hpp"
#include "flow/cidr.hpp"
#include "flow/event_time.hpp"
#include "flow/exporter_selection.hpp"

namespace hostflow {

/// Number of virtual shards unless configured otherwise.
inline constexpr uint32_t default_virtual_shards = 4096;

/// The hash that places an address in a virtual shard. Stable across
/// versions and nodes: it decides where state lives.
uint32_t shard_hash(const ip_address& a) noexcept;

/// Virtual shard -> owning host_shard. The table is data: a virtual shard can
/// be moved to another actor (local or remote) by changing one entry.
class shard_map {
public:
  /// Spreads `virtual_shards` round-robin over `shard_count` shards; the
  /// actors are attached later (they need the map to find their hosts).
  shard_map(uint32_t virtual_shards, uint32_t shard_count);

  /// Sets the actors, indexed like the owner table's values.
  void attach(std::vector<host_shard_actor> shards) { shards_ = std::move(shards); }

  uint32_t virtual_shard_of(const ip_address& a) const noexcept {
    return shard_hash(a) % static_cast<uint32_t>(owner_.size());
  }

  /// Index (into shards()) of the owner of `a`.
  uint32_t owner_index(const ip_address& a) const noexcept { return owner_[virtual_shard_of(a)]; }

  /// Index of the owner of a virtual shard.
  uint32_t owner_of_virtual(uint32_t vshard) const noexcept { return owner_[vshard]; }

  const std::vector<host_shard_actor>& shards() const noexcept { return shards_; }
  uint32_t virtual_shards() const noexcept { return static_cast<uint32_t>(owner_.size()); }

  /// Bumped on every change of the table.
  uint64_t version() const noexcept { return version_; }

  /// Gives virtual shard `vshard` to shard `owner`.
  void assign(uint32_t vshard, uint32_t owner);

private:
  std::vector<host_shard_actor> shards_;
  std::vector<uint32_t> owner_;
  uint64_t version_ = 1;
};

/// Everything a receiver needs to route; shared read-only by all receivers
/// and replaced whole when the configuration changes.
struct routing_table {
  shard_map shards;
  cidr_set monitored;       ///< monitored networks
  bool monitor_all = false; ///< every address is monitored
  exporter_selection selection;

  bool is_monitored(const ip_address& a) const noexcept {
    return monitor_all || monitored.contains(a);
  }
};

/// The routing table in force, swapped whole when the configuration is
/// reloaded. Receivers check version() between reads (one atomic load) and
/// take the new table when it changed; no message and no lock on the data
/// path.
class routing_updates {
public:
  /// Starts with `initial` in force.
  explicit routing_updates(std::shared_ptr<const routing_table> initial);

  /// The table in force.
  std::shared_ptr<const routing_table> current() const;

  /// Bumped by every publish().
  uint64_t version() const noexcept { return version_.load(std::memory_order_acquire); }

  /// Puts `table` in force. It must keep the shard map of the current one:
  /// what changes is which records are routed, not where.
  void publish(std::shared_ptr<const routing_table> table);

  /// A copy of the table in force with another monitoring policy and
  /// exporter selection, ready to publish.
  std::shared_ptr<const routing_table> with_policy(const std::vector<cidr>& monitored,
                                                   bool monitor_all,
                                                   const std::vector<exporter_rule>& rules) const;

private:
  std::shared_ptr<const routing_table> table_; ///< read and written with std::atomic_load/store
  std::atomic<uint64_t> version_{1};
};

/// What a router did with the records it saw.
struct routing_counters {
  uint64_t records = 0;       ///< records routed or dropped
  uint64_t not_selected = 0;  ///< dropped by the exporter selection
  uint64_t unmonitored = 0;   ///< neither end monitored: dropped
  uint64_t outgoing = 0;      ///< views sent to a monitored source's shard
  uint64_t incoming = 0;      ///< views sent to a monitored destination's shard
  uint64_t external = 0;      ///< views of unmonitored sources
};

/// Splits records into one pending batch per shard.
class record_router {
public:
  explicit record_router(std::shared_ptr<const routing_table> table);

  /// Routes one record into the pending batches.
  void route(const flow_record& r);

  /// The pending batch of each shard, indexed like table().shards.shards().
  std::vector<shard_batch>& pending() noexcept { return pending_; }

  /// Records in all pending batches.
  size_t pending_views() const noexcept { return pending_views_; }
  void clear_pending_count() noexcept { pending_views_ = 0; }

  const routing_table& table() const noexcept { return *table_; }

  /// Routes later records by `table`, which has the same shards; batches
  /// pending and counters carry over.
  void set_table(std::shared_ptr<const routing_table> table);
  const routing_counters& counters() const noexcept { return counters_; }

private:
  void emit(uint32_t shard, const flow_record& r, record_view_kind kind, int64_t newest);
  int64_t note_event_time(const flow_record& r);

  std::shared_ptr<const routing_table> table_;
  /// Newest record end per exporter and observation domain.
  std::vector<std::pair<time_source, int64_t>> newest_;
  size_t last_source_ = 0;
  std::vector<shard_batch> pending_;
  size_t pending_views_ = 0;
  routing_counters counters_;
};

} // namespace hostflow
