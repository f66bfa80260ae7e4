#include "server/metrics_text.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>

namespace hostflow {

namespace {

/// Writes families: a header, then the samples of one family.
class exposition {
public:
  /// Starts a family: `type` is "counter" or "gauge".
  void family(const std::string& name, const char* type, const char* help) {
    name_ = "hostflow_" + name;
    text_ += "# HELP " + name_ + " " + help + "\n";
    text_ += "# TYPE " + name_ + " " + type + "\n";
  }

  /// One sample of the current family; `labels` already formatted
  /// ("exporter=\"...\"") or empty.
  void sample(const std::string& labels, double value) {
    char number[64];
    // Counters are integers, exact up to 2^53 in a double; other values
    // (seconds) need no more than milliseconds.
    if (value == static_cast<double>(static_cast<uint64_t>(value)))
      std::snprintf(number, sizeof(number), "%.0f", value);
    else
      std::snprintf(number, sizeof(number), "%.3f", value);
    text_ += name_ + (labels.empty() ? "" : "{" + labels + "}") + " " + number + "\n";
  }

  void sample(double value) { sample({}, value); }

  std::string take() { return std::move(text_); }

private:
  std::string text_;
  std::string name_;
};

std::string label(const char* name, const std::string& value) {
  return std::string{name} + "=\"" + escape_label_value(value) + "\"";
}

// -- per exporter ---------------------------------------------------------------------------

/// A receiver's view of one exporter, keyed by (receiver, exporter).
using exporter_key = std::pair<std::string, std::string>;

void exporter_family(exposition& out, const metrics_snapshot& s, const std::string& name,
                     const char* help,
                     const std::function<uint64_t(const exporter_counters&)>& get) {
  out.family(name, "counter", help);
  for (const auto& r : s.receivers)
    for (const auto& e : r.exporters)
      out.sample(label("receiver", r.listen) + "," + label("exporter", e.exporter.to_string()),
                 static_cast<double>(get(e.counters)));
}

/// The shards' event-time counters per exporter, summed over shards.
std::map<std::string, event_time_counters> event_time_by_exporter(const metrics_snapshot& s) {
  std::map<std::string, event_time_counters> out;
  for (const auto& shard : s.shards)
    for (const auto& e : shard.exporters) {
      auto& sum = out[e.exporter.to_string()];
      sum.records += e.counters.records;
      sum.late_records += e.counters.late_records;
      sum.folded_records += e.counters.folded_records;
      sum.too_old_records += e.counters.too_old_records;
    }
  return out;
}

void event_time_family(exposition& out, const std::map<std::string, event_time_counters>& by,
                       const std::string& name, const char* help,
                       uint64_t event_time_counters::*field) {
  out.family(name, "counter", help);
  for (const auto& [exporter, c] : by)
    out.sample(label("exporter", exporter), static_cast<double>(c.*field));
}

// -- per receiver and per shard -----------------------------------------------------------

void receiver_family(exposition& out, const metrics_snapshot& s, const std::string& name,
                     const char* help, uint64_t receiver_report::*field) {
  out.family(name, "counter", help);
  for (const auto& r : s.receivers)
    out.sample(label("receiver", r.listen), static_cast<double>(r.*field));
}

void shard_family(exposition& out, const metrics_snapshot& s, const std::string& name,
                  const char* type, const char* help,
                  const std::function<uint64_t(const shard_status&)>& get) {
  out.family(name, type, help);
  for (const auto& shard : s.shards)
    out.sample(label("shard", std::to_string(shard.shard)), static_cast<double>(get(shard)));
}

} // namespace

std::string escape_label_value(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string render_metrics(const metrics_snapshot& s) {
  exposition out;
  out.family("build_info", "gauge", "The running version, as a label; always 1.");
  out.sample(label("version", s.version), 1);
  out.family("uptime_seconds", "gauge", "Seconds since hostflowd started.");
  out.sample(s.uptime_seconds);

  // Receivers and their exporters: what came in and what was lost on the way.
  exporter_family(out, s, "exporter_datagrams_total", "Export datagrams (IPFIX messages) received.",
                  [](const exporter_counters& c) { return c.datagrams; });
  exporter_family(out, s, "exporter_records_total", "Flow records decoded.",
                  [](const exporter_counters& c) {
                    return c.data_records + c.deferred_data_records + c.reverse_records;
                  });
  exporter_family(out, s, "exporter_decode_errors_total",
                  "Datagrams, sets and records that failed to decode, all kinds.",
                  [](const exporter_counters& c) { return c.error_total(); });
  exporter_family(out, s, "exporter_lost_records_total",
                  "Records missing per the exporter's sequence numbers (v5, IPFIX).",
                  [](const exporter_counters& c) { return c.lost_records; });
  exporter_family(out, s, "exporter_lost_datagrams_total",
                  "Datagrams missing per the exporter's sequence numbers (v9).",
                  [](const exporter_counters& c) { return c.lost_datagrams; });
  exporter_family(out, s, "exporter_undecoded_data_sets_total",
                  "Data sets that arrived before their template.",
                  [](const exporter_counters& c) { return c.undecoded_data_sets; });
  exporter_family(out, s, "exporter_restarts_total", "Exporter restarts seen.",
                  [](const exporter_counters& c) { return c.restarts; });

  receiver_family(out, s, "receiver_datagrams_total", "Datagrams read from the socket.",
                  &receiver_report::datagrams);
  receiver_family(out, s, "receiver_kernel_drops_total",
                  "Datagrams the kernel dropped because the socket buffer was full.",
                  &receiver_report::kernel_drops);
  receiver_family(out, s, "receiver_dropped_records_total",
                  "Record views dropped because a host shard had no credit left.",
                  &receiver_report::dropped_records);
  receiver_family(out, s, "receiver_unmonitored_records_total",
                  "Records with neither end in a monitored network, dropped.",
                  &receiver_report::unmonitored);
  receiver_family(out, s, "receiver_not_selected_records_total",
                  "Records the per-exporter selection left out.", &receiver_report::not_selected);
  receiver_family(out, s, "receiver_rejected_datagrams_total",
                  "Datagrams of exporters beyond the exporter limit.",
                  &receiver_report::rejected_datagrams);

  // Event time, per exporter over all shards.
  auto by_exporter = event_time_by_exporter(s);
  event_time_family(out, by_exporter, "exporter_late_records_total",
                    "Record views wholly before the watermark on arrival, folded into the oldest "
                    "open bucket.",
                    &event_time_counters::late_records);
  event_time_family(out, by_exporter, "exporter_folded_records_total",
                    "Record views partly before the watermark.",
                    &event_time_counters::folded_records);
  event_time_family(out, by_exporter, "exporter_too_old_records_total",
                    "Record views older than the hard limit, dropped.",
                    &event_time_counters::too_old_records);

  // Host shards.
  shard_family(out, s, "shard_record_views_total", "counter", "Record views taken in.",
               [](const shard_status& x) { return x.records; });
  shard_family(out, s, "hosts", "gauge", "Monitored hosts in memory.",
               [](const shard_status& x) { return x.hosts; });
  shard_family(out, s, "external_hosts", "gauge", "External sources in memory.",
               [](const shard_status& x) { return x.external_hosts; });
  shard_family(out, s, "profile_memory_bytes", "gauge",
               "Estimated bytes of host and external profiles.",
               [](const shard_status& x) { return x.host_memory_bytes + x.external_memory_bytes; });
  shard_family(out, s, "windows_closed_total", "counter", "Windows closed.",
               [](const shard_status& x) { return x.table.windows_closed; });
  shard_family(out, s, "windows_written_total", "counter", "Closed windows written to the store.",
               [](const shard_status& x) { return x.windows_written; });
  shard_family(out, s, "windows_not_written_total", "counter",
               "Closed windows lost to store errors.",
               [](const shard_status& x) { return x.windows_not_written; });
  shard_family(out, s, "buckets_closed_early_total", "counter",
               "Buckets closed before the watermark passed them (exporter clocks minutes apart).",
               [](const shard_status& x) { return x.table.buckets_closed_early; });
  shard_family(out, s, "hosts_evicted_at_cap_total", "counter",
               "Hosts evicted because profiles.max_hosts was reached.",
               [](const shard_status& x) { return x.table.hosts_evicted_at_cap; });
  shard_family(out, s, "store_errors_total", "counter", "Failed store reads and writes.",
               [](const shard_status& x) { return x.store_errors; });

  uint64_t store_bytes = 0;
  for (const auto& shard : s.shards)
    store_bytes = std::max(store_bytes, shard.store_bytes);
  out.family("store_bytes", "gauge", "Size of the embedded store on disk.");
  out.sample(static_cast<double>(store_bytes));

  // The API's streams.
  out.family("grpc_profile_streams", "gauge", "StreamProfiles calls open (subscribers).");
  out.sample(static_cast<double>(s.streams.open));
  out.family("grpc_profile_stream_windows_sent_total", "counter",
             "Windows written to StreamProfiles subscribers.");
  out.sample(static_cast<double>(s.streams.windows_sent));
  out.family("grpc_profile_stream_overflows_total", "counter",
             "Streams ended with RESOURCE_EXHAUSTED because their client fell behind.");
  out.sample(static_cast<double>(s.streams.overflows));
  out.family("grpc_profile_streams_refused_total", "counter",
             "StreamProfiles calls refused at grpc.max_profile_streams.");
  out.sample(static_cast<double>(s.streams.refused));
  return out.take();
}

} // namespace hostflow
