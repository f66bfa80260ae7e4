#pragma once

// Messages exchanged by hostflow's actors, with their CAF inspectors. Every
// type here is registered once in register_message_types (type_registry.hpp).

#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "flow/exporter_counters.hpp"
#include "flow/flow_record.hpp"
#include "flow/cidr.hpp"
#include "flow/profile_table.hpp"
#include "flow/rank_metric.hpp"
#include "flow/window_summary.hpp"

namespace hostflow {

/// One exporter's decoder counters as a receiver saw them.
struct exporter_report {
  endpoint exporter;
  exporter_counters counters;
};

/// A receiver's periodic account of its socket and decoder.
struct receiver_report {
  std::string listen;              ///< the address:port it listens on
  uint32_t receiver_index = 0;     ///< which of the sockets sharing the port
  uint64_t datagrams = 0;          ///< datagrams read from the socket
  uint64_t truncated_datagrams = 0; ///< larger than the receive buffer slot
  uint64_t kernel_drops = 0;       ///< dropped by the kernel (SO_RXQ_OVFL)
  uint64_t records = 0;            ///< records decoded
  uint64_t records_sent = 0;       ///< record views handed to shards
  uint64_t dropped_records = 0;    ///< record views dropped: the shard had no credit
  uint64_t dropped_batches = 0;    ///< batches dropped for the same reason
  uint64_t not_selected = 0;       ///< records the exporter selection left out
  uint64_t unmonitored = 0;        ///< records with neither end monitored
  uint64_t rejected_datagrams = 0; ///< from exporters beyond the exporter limit
  uint64_t template_memory = 0;    ///< bytes of templates held by its decoder
  uint64_t pending_bytes = 0;      ///< bytes of data sets waiting for templates
  uint64_t template_store_errors = 0; ///< failed template loads/saves, malformed snapshots
  std::vector<exporter_report> exporters; ///< per exporter, cumulative
};

/// Record views for one host_shard: records[i] is taken as kinds[i], and
/// source_newest[i] is the newest record end its exporter and observation
/// domain had reached when the receiver routed it.
struct shard_batch {
  std::vector<flow_record> records;
  std::vector<record_view_kind> kinds;
  std::vector<int64_t> source_newest;

  void clear() {
    records.clear();
    kinds.clear();
    source_newest.clear();
  }
};

/// Windows that closed in one tick of one shard, for one granularity.
struct profile_update {
  uint32_t granularity_s = 0;
  std::vector<host_window> windows;
  /// Closed 1 min windows of external sources (granularity 60 only).
  std::vector<closed_external_window> externals;
};

/// One exporter's event-time counters as one shard saw them.
struct shard_exporter_counters {
  endpoint exporter;
  event_time_counters counters;
};

/// A host_shard's account of itself.
struct shard_status {
  uint32_t shard = 0;
  int64_t watermark_ms = 0;        ///< INT64_MIN before any record
  uint64_t batches = 0;
  uint64_t records = 0;            ///< record views taken in
  uint64_t packets = 0;            ///< as exported, summed over views
  uint64_t bytes = 0;
  uint64_t hosts = 0;              ///< monitored hosts in memory
  uint64_t external_hosts = 0;     ///< external sources in memory
  uint64_t host_memory_bytes = 0;
  uint64_t external_memory_bytes = 0;
  uint64_t clamped_records = 0;    ///< event time too far ahead of the wall clock
  profile_table_counters table;
  uint64_t windows_written = 0;    ///< closed windows written to the store
  uint64_t windows_not_written = 0; ///< lost to store errors
  uint64_t store_errors = 0;
  uint64_t checkpoints = 0;
  uint64_t store_bytes = 0;        ///< size of the whole store (shared by all shards)
  std::vector<shard_exporter_counters> exporters;
};

/// One metric of a host's baseline for the current hour of day.
struct baseline_view {
  host_direction direction = host_direction::out;
  baseline_metric metric = baseline_metric::bytes;
  double mean = 0;
  double stddev = 0;      ///< with the floor applied
  uint32_t samples = 0;   ///< 5 min windows learned in this hour slot
  double deviation = 0;   ///< z-score of the latest 5 min window
};

/// The in-memory part of a host's profile: its open windows and baseline.
struct open_profile {
  ip_address host;
  bool known = false;             ///< the shard holds the host in memory
  int64_t watermark_ms = 0;
  int64_t last_seen_ms = 0;
  std::vector<window_summary> open_windows; ///< every granularity and direction
  bool has_baseline = false;
  uint8_t baseline_hour = 0;           ///< hour of day (UTC) of the slot
  int64_t baseline_window_ms = 0;      ///< start of the 5 min window last scored
  std::vector<baseline_view> baseline; ///< per direction and metric
};

/// Which open windows a shard is asked about: one granularity, direction
/// and window start, hosts optionally within a prefix, measured by one metric.
struct window_query {
  uint32_t granularity_s = 60;
  host_direction direction = host_direction::out;
  int64_t window_start_ms = 0;
  rank_metric metric = rank_metric::bytes;
  bool has_within = false;
  cidr within;
  uint32_t limit = 0; ///< the largest `limit` values; 0: every host
};

/// A host and its value of the queried metric.
struct ranked_host {
  ip_address host;
  double value = 0;
};

// -- inspectors ----------------------------------------------------------------

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ip_address& x) {
  return f(caf::meta::type_name("hostflow::ip_address"), x.bytes);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, endpoint& x) {
  return f(caf::meta::type_name("hostflow::endpoint"), x.address, x.port);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, flow_record& x) {
  return f(caf::meta::type_name("hostflow::flow_record"), x.src_addr, x.dst_addr, x.next_hop,
           x.exporter, x.packets, x.bytes, x.start_ms, x.end_ms, x.observation_domain, x.input_if,
           x.output_if, x.src_as, x.dst_as, x.sampling_interval, x.src_port, x.dst_port,
           x.protocol, x.tcp_flags, x.tos, x.src_mask, x.dst_mask, x.icmp_type, x.icmp_code,
           x.direction, x.protocol_version, x.reverse_half);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, exporter_counters& x) {
  return f(caf::meta::type_name("hostflow::exporter_counters"), x.datagrams, x.datagram_bytes,
           x.data_records, x.options_data_records, x.reverse_records, x.template_records, x.options_template_records,
           x.template_withdrawals, x.undecoded_data_sets, x.deferred_data_records,
           x.deferred_options_records, x.expired_data_sets, x.lost_records, x.lost_datagrams,
           x.reordered_datagrams, x.duplicate_datagrams, x.restarts, x.estimated_times, x.errors);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, exporter_report& x) {
  return f(caf::meta::type_name("hostflow::exporter_report"), x.exporter, x.counters);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, receiver_report& x) {
  return f(caf::meta::type_name("hostflow::receiver_report"), x.listen, x.receiver_index,
           x.datagrams, x.truncated_datagrams, x.kernel_drops, x.records, x.records_sent,
           x.dropped_records, x.dropped_batches, x.not_selected, x.unmonitored, x.rejected_datagrams, x.template_memory, x.pending_bytes,
           x.template_store_errors, x.exporters);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shard_batch& x) {
  return f(caf::meta::type_name("hostflow::shard_batch"), x.records, x.kinds, x.source_newest);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, window_counters& x) {
  return f(caf::meta::type_name("hostflow::window_counters"), x.flows, x.packets, x.bytes,
           x.duration_ms, x.syn_flows, x.ack_flows, x.fin_flows, x.rst_flows, x.psh_flows,
           x.urg_flows, x.syn_only_flows, x.tcp_flows, x.udp_flows, x.icmp_flows, x.other_flows,
           x.tcp_bytes, x.udp_bytes, x.icmp_bytes, x.other_bytes);
}

template <class Inspector, class Key>
typename Inspector::result_type inspect(Inspector& f, top_entry<Key>& x) {
  return f(caf::meta::type_name("hostflow::top_entry"), x.key, x.count, x.error);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, window_summary& x) {
  return f(caf::meta::type_name("hostflow::window_summary"), x.granularity_s, x.start_ms,
           x.direction, x.counters, x.distinct_peers, x.distinct_peer_ports,
           x.distinct_local_ports, x.top_peers_by_bytes, x.top_peers_by_flows,
           x.top_peer_ports_by_bytes, x.top_peer_ports_by_flows, x.deviation);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, host_window& x) {
  return f(caf::meta::type_name("hostflow::host_window"), x.host, x.window);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, closed_external_window& x) {
  return f(caf::meta::type_name("hostflow::closed_external_window"), x.source, x.start_ms,
           x.flows, x.packets, x.bytes, x.syn_only_flows, x.destinations, x.ports);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, profile_update& x) {
  return f(caf::meta::type_name("hostflow::profile_update"), x.granularity_s, x.windows,
           x.externals);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, event_time_counters& x) {
  return f(caf::meta::type_name("hostflow::event_time_counters"), x.records, x.late_records,
           x.late_bytes, x.folded_records, x.folded_bytes, x.too_old_records, x.too_old_bytes);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shard_exporter_counters& x) {
  return f(caf::meta::type_name("hostflow::shard_exporter_counters"), x.exporter, x.counters);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, profile_table_counters& x) {
  return f(caf::meta::type_name("hostflow::profile_table_counters"), x.hosts_created,
           x.hosts_evicted_idle, x.hosts_evicted_at_cap, x.open_windows_discarded,
           x.external_created, x.external_evicted, x.windows_closed, x.buckets_closed_early);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shard_status& x) {
  return f(caf::meta::type_name("hostflow::shard_status"), x.shard, x.watermark_ms, x.batches,
           x.records, x.packets, x.bytes, x.hosts, x.external_hosts, x.host_memory_bytes,
           x.external_memory_bytes, x.clamped_records, x.table, x.windows_written,
           x.windows_not_written, x.store_errors, x.checkpoints, x.store_bytes, x.exporters);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, baseline_view& x) {
  return f(caf::meta::type_name("hostflow::baseline_view"), x.direction, x.metric, x.mean,
           x.stddev, x.samples, x.deviation);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, open_profile& x) {
  return f(caf::meta::type_name("hostflow::open_profile"), x.host, x.known, x.watermark_ms,
           x.last_seen_ms, x.open_windows, x.has_baseline, x.baseline_hour,
           x.baseline_window_ms, x.baseline);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cidr& x) {
  return f(caf::meta::type_name("hostflow::cidr"), x.network, x.length);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, window_query& x) {
  return f(caf::meta::type_name("hostflow::window_query"), x.granularity_s, x.direction,
           x.window_start_ms, x.metric, x.has_within, x.within, x.limit);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ranked_host& x) {
  return f(caf::meta::type_name("hostflow::ranked_host"), x.host, x.value);
}

} // namespace hostflow
