#include "client/query_json.hpp"

#include <type_traits>

#include "client/query_names.hpp"
#include "client/time_args.hpp"

namespace hostflow::client {

int64_t epoch_ms_of(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000 + t.nanos() / 1'000'000;
}

int64_t ms_of(const google::protobuf::Duration& d) {
  return d.seconds() * 1000 + d.nanos() / 1'000'000;
}

void set_epoch_ms(google::protobuf::Timestamp& t, int64_t epoch_ms) {
  t.set_seconds(epoch_ms / 1000);
  t.set_nanos(static_cast<int32_t>(epoch_ms % 1000) * 1'000'000);
}

json time_or_null(bool has, const google::protobuf::Timestamp& t) {
  return has ? json(format_time(epoch_ms_of(t))) : json(nullptr);
}

namespace {

/// A metric's value: an integer for counts, so scripts compare them
/// exactly; a fraction only for deviations.
json metric_value(v1::Metric metric, double value) {
  if (metric != v1::METRIC_DEVIATION && value >= 0 && value < 1.8e19 &&
      value == static_cast<double>(static_cast<uint64_t>(value)))
    return static_cast<uint64_t>(value);
  return value;
}

/// The fields every line about one window of a ranking or map shares.
void add_window_fields(json& j, v1::Metric metric, v1::Direction direction,
                       v1::Granularity granularity, const google::protobuf::Timestamp& start,
                       bool open) {
  j["metric"] = to_name(metric);
  j["direction"] = to_name(direction);
  j["granularity"] = to_name(granularity);
  j["granularity_seconds"] = seconds_of(granularity);
  j["window_start"] = format_time(epoch_ms_of(start));
  j["window_open"] = open;
}

template <class Top>
json top_list(const google::protobuf::RepeatedPtrField<Top>& items) {
  json list = json::array();
  for (const auto& item : items) {
    json e;
    if constexpr (std::is_same_v<Top, v1::TopPeer>)
      e["address"] = item.address();
    else
      e["port"] = item.port();
    e["count"] = item.count();
    e["error"] = item.error();
    list.push_back(std::move(e));
  }
  return list;
}

} // namespace

// -- windows ----------------------------------------------------------------------------

json window_to_json(const std::string& host, const v1::Window& w, bool open) {
  json j;
  j["host"] = host;
  j["direction"] = to_name(w.direction());
  j["granularity"] = to_name(w.granularity());
  j["granularity_seconds"] = seconds_of(w.granularity());
  j["window_start"] = format_time(epoch_ms_of(w.start()));
  j["open"] = open;
  j["flows"] = w.flows();
  j["packets"] = w.packets();
  j["bytes"] = w.bytes();
  j["total_flow_duration_seconds"] = static_cast<double>(ms_of(w.total_flow_duration())) / 1000.0;
  const auto& f = w.tcp_flags();
  j["syn_flows"] = f.syn_flows();
  j["ack_flows"] = f.ack_flows();
  j["fin_flows"] = f.fin_flows();
  j["rst_flows"] = f.rst_flows();
  j["psh_flows"] = f.psh_flows();
  j["urg_flows"] = f.urg_flows();
  j["syn_only_flows"] = f.syn_only_flows();
  const auto& p = w.protocols();
  j["tcp_flows"] = p.tcp_flows();
  j["udp_flows"] = p.udp_flows();
  j["icmp_flows"] = p.icmp_flows();
  j["other_flows"] = p.other_flows();
  j["tcp_bytes"] = p.tcp_bytes();
  j["udp_bytes"] = p.udp_bytes();
  j["icmp_bytes"] = p.icmp_bytes();
  j["other_bytes"] = p.other_bytes();
  j["distinct_peers"] = w.distinct_peers();
  j["distinct_peer_ports"] = w.distinct_peer_ports();
  j["distinct_local_ports"] = w.distinct_local_ports();
  j["deviation"] = w.deviation();
  j["top_peers_by_bytes"] = top_list(w.top_peers_by_bytes());
  j["top_peers_by_flows"] = top_list(w.top_peers_by_flows());
  j["top_peer_ports_by_bytes"] = top_list(w.top_peer_ports_by_bytes());
  j["top_peer_ports_by_flows"] = top_list(w.top_peer_ports_by_flows());
  return j;
}

// -- rankings and maps --------------------------------------------------------------------

json ranked_host_to_json(const v1::TopHostsRequest& request, const v1::TopHostsResponse& response,
                         size_t index) {
  const auto& h = response.hosts(static_cast<int>(index));
  json j;
  j["rank"] = index + 1;
  j["host"] = h.address();
  j["value"] = metric_value(request.metric(), h.value());
  add_window_fields(j, request.metric(), request.direction(), response.granularity(),
                    response.window_start(), response.window_open());
  return j;
}

json map_cell_to_json(const v1::GetNetworkMapRequest& request,
                      const v1::GetNetworkMapResponse& response, size_t index) {
  const auto& c = response.cells(static_cast<int>(index));
  json j;
  j["prefix"] = c.prefix();
  j["value"] = metric_value(request.metric(), c.value());
  j["hosts"] = c.hosts();
  add_window_fields(j, request.metric(), request.direction(), response.granularity(),
                    response.window_start(), response.window_open());
  return j;
}

// -- status -----------------------------------------------------------------------------------

std::vector<json> status_to_json(const v1::GetStatusResponse& s) {
  std::vector<json> lines;
  json server;
  server["kind"] = "server";
  server["version"] = s.version();
  server["start_time"] = time_or_null(s.has_start_time(), s.start_time());
  server["uptime_seconds"] = static_cast<double>(ms_of(s.uptime())) / 1000.0;
  server["watermark"] = time_or_null(s.has_watermark(), s.watermark());
  server["hosts_in_memory"] = s.hosts_in_memory();
  server["external_hosts_in_memory"] = s.external_hosts_in_memory();
  server["store_bytes"] = s.store_bytes();
  server["profile_streams"] = s.profile_streams();
  server["shards"] = s.shards_size();
  server["receivers"] = s.ingest().receivers_size();
  lines.push_back(std::move(server));

  for (const auto& n : s.nodes()) {
    json node;
    node["kind"] = "node";
    node["name"] = n.name();
    node["local"] = n.local();
    node["shards"] = std::vector<uint32_t>(n.shards().begin(), n.shards().end());
    node["start_time"] = time_or_null(n.has_start_time(), n.start_time());
    lines.push_back(std::move(node));
  }

  const auto& in = s.ingest();
  json ingest;
  ingest["kind"] = "ingest";
  ingest["datagrams"] = in.datagrams();
  ingest["records"] = in.records();
  ingest["record_views_sent"] = in.record_views_sent();
  ingest["not_selected"] = in.not_selected();
  ingest["unmonitored"] = in.unmonitored();
  ingest["dropped_record_views"] = in.dropped_record_views();
  ingest["kernel_drops"] = in.kernel_drops();
  ingest["decode_errors"] = in.decode_errors();
  ingest["lost_records"] = in.lost_records();
  ingest["lost_datagrams"] = in.lost_datagrams();
  ingest["distinct_exporters"] = in.distinct_exporters();
  lines.push_back(std::move(ingest));

  // Every counter of a shard, receiver and exporter is a uint64 field of the
  // message: taken by reflection so a counter the server adds appears here
  // without a client change, under its proto name.
  auto add_counters = [](json& j, const google::protobuf::Message& m) {
    const auto* d = m.GetDescriptor();
    const auto* r = m.GetReflection();
    for (int i = 0; i < d->field_count(); ++i) {
      const auto* f = d->field(i);
      if (f->is_repeated())
        continue;
      switch (f->cpp_type()) {
      case google::protobuf::FieldDescriptor::CPPTYPE_UINT64:
        j[f->name()] = r->GetUInt64(m, f);
        break;
      case google::protobuf::FieldDescriptor::CPPTYPE_UINT32:
        j[f->name()] = r->GetUInt32(m, f);
        break;
      case google::protobuf::FieldDescriptor::CPPTYPE_STRING:
        j[f->name()] = r->GetString(m, f);
        break;
      default:
        break;
      }
    }
  };

  for (const auto& shard : s.shards()) {
    json j;
    j["kind"] = "shard";
    j["shard"] = shard.shard();
    j["watermark"] = time_or_null(shard.has_watermark(), shard.watermark());
    add_counters(j, shard);
    lines.push_back(std::move(j));
  }
  for (const auto& receiver : in.receivers()) {
    json j;
    j["kind"] = "receiver";
    add_counters(j, receiver);
    j["exporters"] = receiver.exporters_size();
    lines.push_back(std::move(j));
  }
  for (const auto& receiver : in.receivers()) {
    for (const auto& exporter : receiver.exporters()) {
      json j;
      j["kind"] = "exporter";
      j["listen"] = receiver.listen();
      j["receiver_index"] = receiver.receiver_index();
      add_counters(j, exporter);
      lines.push_back(std::move(j));
    }
  }
  return lines;
}

} // namespace hostflow::client
