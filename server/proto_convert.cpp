#include "server/proto_convert.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "actors/ingest_monitor.hpp"
#include "flow/event_time.hpp"

namespace hostflow {

namespace {

template <class Key, class Out>
void top_list(const std::vector<top_entry<Key>>& entries, Out& out) {
  for (const auto& e : entries) {
    auto* item = out.Add();
    if constexpr (std::is_same_v<Key, ip_address>)
      item->set_address(e.key.to_string());
    else
      item->set_port(e.key);
    item->set_count(e.count);
    item->set_error(e.error);
  }
}

void to_proto(const baseline_view& b, v1::BaselineMetric& out) {
  out.set_direction(to_proto(b.direction));
  out.set_metric(to_proto(b.metric));
  out.set_mean(b.mean);
  out.set_stddev(b.stddev);
  out.set_samples(b.samples);
  out.set_deviation(b.deviation);
}

void to_proto(const shard_status& s, v1::ShardStatus& out) {
  out.set_shard(s.shard);
  if (s.watermark_ms != watermark_tracker::none)
    to_timestamp(s.watermark_ms, *out.mutable_watermark());
  out.set_batches(s.batches);
  out.set_record_views(s.records);
  out.set_packets(s.packets);
  out.set_bytes(s.bytes);
  out.set_hosts(s.hosts);
  out.set_external_hosts(s.external_hosts);
  out.set_host_memory_bytes(s.host_memory_bytes);
  out.set_external_memory_bytes(s.external_memory_bytes);
  out.set_clamped_records(s.clamped_records);
  out.set_hosts_created(s.table.hosts_created);
  out.set_hosts_evicted_idle(s.table.hosts_evicted_idle);
  out.set_hosts_evicted_at_cap(s.table.hosts_evicted_at_cap);
  out.set_open_windows_discarded(s.table.open_windows_discarded);
  out.set_external_hosts_created(s.table.external_created);
  out.set_external_hosts_evicted(s.table.external_evicted);
  out.set_windows_closed(s.table.windows_closed);
  out.set_buckets_closed_early(s.table.buckets_closed_early);
  out.set_windows_written(s.windows_written);
  out.set_windows_not_written(s.windows_not_written);
  out.set_store_errors(s.store_errors);
  out.set_checkpoints(s.checkpoints);
  // The shard counts these per exporter; the API reports the shard's sum.
  for (const auto& e : s.exporters) {
    out.set_late_records(out.late_records() + e.counters.late_records);
    out.set_late_bytes(out.late_bytes() + e.counters.late_bytes);
    out.set_folded_records(out.folded_records() + e.counters.folded_records);
    out.set_folded_bytes(out.folded_bytes() + e.counters.folded_bytes);
    out.set_too_old_records(out.too_old_records() + e.counters.too_old_records);
    out.set_too_old_bytes(out.too_old_bytes() + e.counters.too_old_bytes);
  }
}

void to_proto(const exporter_report& e, v1::ExporterStatus& out) {
  const auto& c = e.counters;
  out.set_exporter(e.exporter.to_string());
  out.set_datagrams(c.datagrams);
  out.set_datagram_bytes(c.datagram_bytes);
  out.set_data_records(c.data_records);
  out.set_options_data_records(c.options_data_records);
  out.set_reverse_records(c.reverse_records);
  out.set_template_records(c.template_records);
  out.set_options_template_records(c.options_template_records);
  out.set_template_withdrawals(c.template_withdrawals);
  out.set_undecoded_data_sets(c.undecoded_data_sets);
  out.set_deferred_data_records(c.deferred_data_records);
  out.set_deferred_options_records(c.deferred_options_records);
  out.set_expired_data_sets(c.expired_data_sets);
  out.set_lost_records(c.lost_records);
  out.set_lost_datagrams(c.lost_datagrams);
  out.set_reordered_datagrams(c.reordered_datagrams);
  out.set_duplicate_datagrams(c.duplicate_datagrams);
  out.set_restarts(c.restarts);
  out.set_estimated_times(c.estimated_times);
  out.set_decode_errors(c.error_total());
}

void to_proto(const receiver_report& r, v1::ReceiverStatus& out) {
  out.set_listen(r.listen);
  out.set_receiver_index(r.receiver_index);
  out.set_datagrams(r.datagrams);
  out.set_truncated_datagrams(r.truncated_datagrams);
  out.set_kernel_drops(r.kernel_drops);
  out.set_records(r.records);
  out.set_record_views_sent(r.records_sent);
  out.set_dropped_record_views(r.dropped_records);
  out.set_dropped_batches(r.dropped_batches);
  out.set_not_selected(r.not_selected);
  out.set_unmonitored(r.unmonitored);
  out.set_rejected_datagrams(r.rejected_datagrams);
  out.set_template_memory_bytes(r.template_memory);
  out.set_pending_bytes(r.pending_bytes);
  out.set_template_store_errors(r.template_store_errors);
  for (const auto& e : r.exporters)
    to_proto(e, *out.add_exporters());
}

void to_proto(const std::vector<receiver_report>& receivers, v1::IngestStatus& out) {
  auto s = summarize(receivers);
  out.set_datagrams(s.datagrams);
  out.set_records(s.records);
  out.set_record_views_sent(s.views_sent);
  out.set_not_selected(s.not_selected);
  out.set_unmonitored(s.unmonitored);
  out.set_dropped_record_views(s.dropped_records);
  out.set_kernel_drops(s.kernel_drops);
  out.set_decode_errors(s.decode_errors);
  out.set_lost_records(s.lost_records);
  out.set_lost_datagrams(s.lost_datagrams);
  out.set_distinct_exporters(s.exporters);
  for (const auto& r : receivers)
    to_proto(r, *out.add_receivers());
}

} // namespace

void to_proto(const window_summary& w, v1::Window& out) {
  const auto& c = w.counters;
  out.set_granularity(to_proto_granularity(w.granularity_s));
  to_timestamp(w.start_ms, *out.mutable_start());
  out.set_direction(to_proto(w.direction));
  out.set_flows(c.flows);
  out.set_packets(c.packets);
  out.set_bytes(c.bytes);
  to_duration(static_cast<int64_t>(c.duration_ms), *out.mutable_total_flow_duration());
  auto& flags = *out.mutable_tcp_flags();
  flags.set_syn_flows(c.syn_flows);
  flags.set_ack_flows(c.ack_flows);
  flags.set_fin_flows(c.fin_flows);
  flags.set_rst_flows(c.rst_flows);
  flags.set_psh_flows(c.psh_flows);
  flags.set_urg_flows(c.urg_flows);
  flags.set_syn_only_flows(c.syn_only_flows);
  auto& mix = *out.mutable_protocols();
  mix.set_tcp_flows(c.tcp_flows);
  mix.set_udp_flows(c.udp_flows);
  mix.set_icmp_flows(c.icmp_flows);
  mix.set_other_flows(c.other_flows);
  mix.set_tcp_bytes(c.tcp_bytes);
  mix.set_udp_bytes(c.udp_bytes);
  mix.set_icmp_bytes(c.icmp_bytes);
  mix.set_other_bytes(c.other_bytes);
  out.set_distinct_peers(w.distinct_peers);
  out.set_distinct_peer_ports(w.distinct_peer_ports);
  out.set_distinct_local_ports(w.distinct_local_ports);
  top_list(w.top_peers_by_bytes, *out.mutable_top_peers_by_bytes());
  top_list(w.top_peers_by_flows, *out.mutable_top_peers_by_flows());
  top_list(w.top_peer_ports_by_bytes, *out.mutable_top_peer_ports_by_bytes());
  top_list(w.top_peer_ports_by_flows, *out.mutable_top_peer_ports_by_flows());
  out.set_deviation(w.deviation);
}

void to_proto(const host_profile_answer& answer, const time_span& range,
              v1::GetHostProfileResponse& out) {
  const auto& open = answer.open;
  out.set_host(answer.host.to_string());
  if (answer.watermark_ms != watermark_tracker::none)
    to_timestamp(answer.watermark_ms, *out.mutable_watermark());
  to_time_range(range, *out.mutable_time_range());
  out.set_in_memory(open.known);
  if (open.known)
    to_timestamp(open.last_seen_ms, *out.mutable_last_seen());
  for (const auto& w : answer.closed)
    to_proto(w, *out.add_closed_windows());
  for (const auto& w : open.open_windows)
    to_proto(w, *out.add_open_windows());
  if (open.has_baseline) {
    auto& baseline = *out.mutable_baseline();
    baseline.set_hour_of_day(open.baseline_hour);
    to_timestamp(open.baseline_window_ms, *baseline.mutable_scored_window_start());
    double largest = 0;
    for (const auto& b : open.baseline) {
      to_proto(b, *baseline.add_metrics());
      largest = std::max(largest, std::fabs(b.deviation));
    }
    out.set_deviation(largest);
  }
}

void to_proto(const top_hosts_answer& answer, uint32_t granularity_s, v1::TopHostsResponse& out) {
  to_timestamp(answer.window_start_ms, *out.mutable_window_start());
  out.set_granularity(to_proto_granularity(granularity_s));
  out.set_window_open(answer.window_open);
  for (const auto& h : answer.hosts) {
    auto& item = *out.add_hosts();
    item.set_address(h.host.to_string());
    item.set_value(h.value);
  }
}

void to_proto(const network_map_answer& answer, uint32_t granularity_s,
              v1::GetNetworkMapResponse& out) {
  to_timestamp(answer.window_start_ms, *out.mutable_window_start());
  out.set_granularity(to_proto_granularity(granularity_s));
  out.set_window_open(answer.window_open);
  for (const auto& c : answer.cells) {
    auto& item = *out.add_cells();
    item.set_prefix(c.cell.to_string());
    item.set_value(c.value);
    item.set_hosts(c.hosts);
  }
}

void to_proto(const server_status& status, v1::GetStatusResponse& out) {
  out.set_version(status.version);
  to_timestamp(status.start_wall_ms, *out.mutable_start_time());
  to_duration(status.uptime_ms, *out.mutable_uptime());
  std::optional<int64_t> newest;
  uint64_t hosts = 0, external = 0, store_bytes = 0;
  for (const auto& s : status.shards) {
    to_proto(s, *out.add_shards());
    if (s.watermark_ms != watermark_tracker::none)
      newest = std::max(newest.value_or(s.watermark_ms), s.watermark_ms);
    hosts += s.hosts;
    external += s.external_hosts;
    // Every shard measures the one shared store.
    store_bytes = std::max(store_bytes, s.store_bytes);
  }
  if (newest)
    to_timestamp(*newest, *out.mutable_watermark());
  out.set_hosts_in_memory(hosts);
  out.set_external_hosts_in_memory(external);
  out.set_store_bytes(store_bytes);
  to_proto(status.receivers, *out.mutable_ingest());
  out.set_profile_streams(status.profile_streams);
  auto& node = *out.add_nodes();
  node.set_name(status.node_name);
  node.set_local(true);
  for (const auto& s : status.shards)
    node.add_shards(s.shard);
  to_timestamp(status.start_wall_ms, *node.mutable_start_time());
}

std::string local_node_name() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0')
    return "localhost";
  return name;
}

} // namespace hostflow
