#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "actors/actors.hpp"

#include <caf/typed_event_based_actor.hpp>

namespace hostflow {

/// Ingest figures summed over all receivers, for the status line.
struct ingest_summary {
  uint64_t datagrams = 0;
  uint64_t records = 0;          ///< records decoded
  uint64_t views_sent = 0;       ///< record views handed to shards
  uint64_t not_selected = 0;     ///< left out by the exporter selection
  uint64_t unmonitored = 0;      ///< neither end monitored
  uint64_t dropped_records = 0;  ///< record views dropped: a shard had no credit
  uint64_t kernel_drops = 0;     ///< datagrams the kernel dropped
  uint64_t decode_errors = 0;
  uint64_t lost_records = 0;     ///< per sequence numbers that count records (v5, IPFIX)
  uint64_t lost_datagrams = 0;   ///< per sequence numbers that count datagrams (v9)
  uint64_t exporters = 0;        ///< distinct exporters seen
};

/// Sums the latest receiver reports.
ingest_summary summarize(const std::vector<receiver_report>& reports);

/// State of the ingest monitor: the latest report of every receiver.
struct ingest_monitor_state {
  std::map<std::pair<std::string, uint32_t>, receiver_report> reports;
  ingest_summary last_logged;  ///< summary at the previous status line
  std::chrono::steady_clock::time_point last_logged_at;

  /// All reports, in listen-address order.
  std::vector<receiver_report> all() const;

  /// The one-line status: rates since the previous line and totals.
  std::string status_line(std::chrono::steady_clock::time_point now);

  static inline const char* name = "ingest_monitor";
};

/// Spawns the monitor; it logs a status line every `interval` (0 = never).
ingest_monitor_actor::behavior_type
ingest_monitor(ingest_monitor_actor::stateful_pointer<ingest_monitor_state> self,
               std::chrono::seconds interval);

} // namespace hostflow
