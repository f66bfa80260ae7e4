#include "flow/rank_metric.hpp"

namespace hostflow {

namespace {

constexpr rank_metric all_metrics[] = {
  rank_metric::bytes,          rank_metric::packets,        rank_metric::flows,
  rank_metric::distinct_peers, rank_metric::distinct_ports, rank_metric::syn_only_flows,
  rank_metric::deviation,
};

} // namespace

const char* to_string(rank_metric m) noexcept {
  switch (m) {
    case rank_metric::bytes:
      return "bytes";
    case rank_metric::packets:
      return "packets";
    case rank_metric::flows:
      return "flows";
    case rank_metric::distinct_peers:
      return "distinct_peers";
    case rank_metric::distinct_ports:
      return "distinct_ports";
    case rank_metric::syn_only_flows:
      return "syn_only_flows";
    case rank_metric::deviation:
      return "deviation";
  }
  return "unknown";
}

std::optional<rank_metric> parse_rank_metric(std::string_view text) noexcept {
  for (auto m : all_metrics)
    if (text == to_string(m))
      return m;
  return std::nullopt;
}

double metric_value(const window_summary& w, rank_metric m) noexcept {
  switch (m) {
    case rank_metric::bytes:
      return static_cast<double>(w.counters.bytes);
    case rank_metric::packets:
      return static_cast<double>(w.counters.packets);
    case rank_metric::flows:
      return static_cast<double>(w.counters.flows);
    case rank_metric::distinct_peers:
      return static_cast<double>(w.distinct_peers);
    case rank_metric::distinct_ports:
      return static_cast<double>(w.direction == host_direction::out ? w.distinct_peer_ports
                                                                    : w.distinct_local_ports);
    case rank_metric::syn_only_flows:
      return static_cast<double>(w.counters.syn_only_flows);
    case rank_metric::deviation:
      return w.deviation;
  }
  return 0;
}

} // namespace hostflow
