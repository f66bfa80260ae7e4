#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/actors.hpp"
#include "actors/router.hpp"
#include "actors/udp_socket.hpp"
#include "flow/decoder_limits.hpp"
#include "flow/flow_decoder.hpp"
#include "state/store.hpp"

#include <caf/typed_event_based_actor.hpp>

namespace hostflow {

/// How a receiver batches and bounds what it sends downstream.
struct receiver_settings {
  size_t batch_records = 4096;           ///< record views per batch message to a shard
  std::chrono::milliseconds flush_interval{100}; ///< a partial batch waits at most this long
  size_t max_batches_in_flight = 64;     ///< unacknowledged batches before dropping
  std::chrono::milliseconds report_interval{1000}; ///< how often counters go to the monitor
  int poll_timeout_ms = 20;              ///< longest wait on an idle socket
  size_t max_rounds_per_poll = 16;       ///< recvmmsg calls before the mailbox is served again
  /// Under light traffic, how long the receiver lets datagrams gather in the
  /// socket before reading again, so one wake-up takes many of them.
  std::chrono::microseconds coalesce_interval{25000};
  decoder_limits limits;                 ///< bounds of the receiver's decoder
  /// How often templates and sampling rates that changed go to the store,
  /// so that a restarted daemon decodes at once; 0: only when the receiver stops.
  std::chrono::milliseconds template_save_interval{10'000};
  uint32_t index = 0;                    ///< which of the sockets sharing a port
  /// Where a reloaded routing table appears; null: the table given at spawn
  /// stays in force.
  std::shared_ptr<const routing_updates> routing;
};

/// State of a receiver: its socket, decoder, the batch being filled and the
/// counters it reports.
struct receiver_state {
  std::optional<udp_socket> socket;
  std::unique_ptr<flow_decoder> decoder;
  receive_batch buffers;
  receiver_settings settings;
  std::optional<record_router> router; ///< pending batches, one per shard
  ingest_monitor_actor monitor;
  std::shared_ptr<store> db;           ///< where templates persist; nullptr: nowhere
  std::vector<flow_record> decoded;    ///< records of the datagrams being read
  std::vector<size_t> in_flight;       ///< per shard: batches sent and not yet acknowledged
  uint64_t records_decoded = 0;
  uint64_t records_sent = 0;           ///< record views handed to shards
  uint64_t dropped_records = 0;
  uint64_t dropped_batches = 0;
  uint64_t template_store_errors = 0;  ///< failed template loads and saves, malformed snapshots
  size_t last_poll_datagrams = 0;      ///< datagrams the previous poll took
  uint64_t routing_version = 0;        ///< version of settings.routing in force
  std::chrono::steady_clock::time_point last_flush;
  std::chrono::steady_clock::time_point last_report;
  std::chrono::steady_clock::time_point last_template_save;
  std::optional<std::chrono::steady_clock::time_point> last_store_error_log;

  /// The counters as a report for the monitor.
  receiver_report report() const;

  static inline const char* name = "receiver";
};

/// Spawn detached (its own thread: it waits on its socket):
/// `sys.spawn<caf::detached>(receiver, std::move(sock), routing, monitor, db, settings)`.
/// Reads datagrams in bulk, decodes them, routes the records and sends one
/// batch per host_shard; never blocks on a shard: past
/// `max_batches_in_flight` to a shard it drops and counts.
///
/// With a store (`db` may be nullptr), it starts by restoring every template
/// snapshot of column::templates into its decoder (all receivers of a daemon
/// load them all: an exporter's datagrams reach one of them), and saves the
/// snapshots of domains that changed every `template_save_interval` and when
/// it stops. Store failures are counted and logged, never fatal.
receiver_actor::behavior_type receiver(receiver_actor::stateful_pointer<receiver_state> self,
                                       std::shared_ptr<udp_socket> socket,
                                       std::shared_ptr<const routing_table> routing,
                                       ingest_monitor_actor monitor, std::shared_ptr<store> db,
                                       receiver_settings settings);

} // namespace hostflow
