#include "actors/ingest_monitor.hpp"

#include <set>

#include <spdlog/spdlog.h>

namespace hostflow {

ingest_summary summarize(const std::vector<receiver_report>& reports) {
  ingest_summary s;
  std::set<endpoint> exporters;
  for (const auto& r : reports) {
    s.datagrams += r.datagrams;
    s.records += r.records;
    s.views_sent += r.records_sent;
    s.not_selected += r.not_selected;
    s.unmonitored += r.unmonitored;
    s.dropped_records += r.dropped_records;
    s.kernel_drops += r.kernel_drops;
    for (const auto& e : r.exporters) {
      exporters.insert(e.exporter);
      s.decode_errors += e.counters.error_total();
      s.lost_records += e.counters.lost_records;
      s.lost_datagrams += e.counters.lost_datagrams;
    }
  }
  s.exporters = exporters.size();
  return s;
}

std::vector<receiver_report> ingest_monitor_state::all() const {
  std::vector<receiver_report> out;
  out.reserve(reports.size());
  for (const auto& [key, r] : reports)
    out.push_back(r);
  return out;
}

std::string ingest_monitor_state::status_line(std::chrono::steady_clock::time_point now) {
  auto s = summarize(all());
  double secs = std::chrono::duration<double>(now - last_logged_at).count();
  if (secs <= 0)
    secs = 1;
  auto rate = [&](uint64_t cur, uint64_t prev) { return static_cast<double>(cur - prev) / secs; };
  auto line = fmt::format(
    "ingest: {:.0f} records/s, {:.0f} datagrams/s, {} exporters; totals: {} records, "
    "{} unmonitored, {} not selected, {} views to shards, {} dropped (no credit), "
    "{} kernel drops, {} decode errors, lost per sequence: {} records, {} datagrams",
    rate(s.records, last_logged.records), rate(s.datagrams, last_logged.datagrams), s.exporters,
    s.records, s.unmonitored, s.not_selected, s.views_sent, s.dropped_records, s.kernel_drops,
    s.decode_errors, s.lost_records, s.lost_datagrams);
  last_logged = s;
  last_logged_at = now;
  return line;
}

ingest_monitor_actor::behavior_type
ingest_monitor(ingest_monitor_actor::stateful_pointer<ingest_monitor_state> self,
               std::chrono::seconds interval) {
  self->state.last_logged_at = std::chrono::steady_clock::now();
  if (interval.count() > 0)
    self->delayed_send(self, interval, tick_atom::value);
  return {
    [=](receiver_report& r) {
      auto key = std::make_pair(r.listen, r.receiver_index);
      self->state.reports[key] = std::move(r);
    },
    [=](tick_atom) {
      spdlog::info(self->state.status_line(std::chrono::steady_clock::now()));
      self->delayed_send(self, interval, tick_atom::value);
    },
    [=](get_atom, status_atom) { return self->state.all(); },
  };
}

} // namespace hostflow
