#pragma once

// Typed interfaces of all hostflow actors, in one place.

#include <cstdint>

#include <caf/atom.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/message_types.hpp"

namespace hostflow {

// -- atoms ---------------------------------------------------------------------

using get_atom = caf::atom_constant<caf::atom("get")>;
using poll_atom = caf::atom_constant<caf::atom("poll")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using status_atom = caf::atom_constant<caf::atom("status")>;
using subscribe_atom = caf::atom_constant<caf::atom("subscribe")>;
using checkpoint_atom = caf::atom_constant<caf::atom("checkpoint")>;
using profile_atom = caf::atom_constant<caf::atom("profile")>;
using flush_atom = caf::atom_constant<caf::atom("flush")>;

// -- interfaces ------------------------------------------------------------------

/// Receives the windows that close, batched per shard tick.
using profile_subscriber_actor = caf::typed_actor<
  /// Windows of one granularity that closed.
  caf::reacts_to<profile_update>>;

/// Owns the profiles of the hosts of some virtual shards.
using host_shard_actor = caf::typed_actor<
  /// Takes a batch of record views; the reply (views accepted) returns the
  /// sender's credit for one batch.
  caf::replies_to<shard_batch>::with<uint64_t>,
  /// Periodic work: idle watermark advance, closing, writes, publishing
  /// (self-sent timer).
  caf::reacts_to<tick_atom>,
  /// Closes what the watermark has passed, writes it and publishes it now;
  /// replies with the shard's watermark.
  caf::replies_to<flush_atom>::with<int64_t>,
  /// Moves the watermark to at least the given event time (epoch ms; the
  /// end of a replay), then closes, writes and publishes; replies with the
  /// watermark.
  caf::replies_to<flush_atom, int64_t>::with<int64_t>,
  /// Writes a checkpoint now; replies with the number of hosts written.
  caf::replies_to<checkpoint_atom>::with<uint64_t>,
  /// Adds a subscriber for windows of one granularity (seconds).
  caf::reacts_to<subscribe_atom, uint32_t, profile_subscriber_actor>,
  /// The open windows of one host.
  caf::replies_to<get_atom, profile_atom, ip_address>::with<open_profile>,
  /// The hosts with an open window matching the query, with their values.
  caf::replies_to<get_atom, window_query>::with<std::vector<ranked_host>>,
  /// The shard's counters.
  caf::replies_to<get_atom, status_atom>::with<shard_status>>;

/// Collects receiver reports, logs a status line periodically and answers
/// status queries.
using ingest_monitor_actor = caf::typed_actor<
  /// A receiver's cumulative counters; replaces its previous report.
  caf::reacts_to<receiver_report>,
  /// Time to log the status line (self-sent timer).
  caf::reacts_to<tick_atom>,
  /// The latest report of every receiver.
  caf::replies_to<get_atom, status_atom>::with<std::vector<receiver_report>>>;

/// Owns one UDP socket and its decoder.
using receiver_actor = caf::typed_actor<
  /// Read the socket once more (self-sent; the actor runs on its own thread).
  caf::reacts_to<poll_atom>,
  /// The receiver's counters now.
  caf::replies_to<get_atom, status_atom>::with<receiver_report>>;

} // namespace hostflow
