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
using totals_atom = caf::atom_constant<caf::atom("totals")>;

// -- interfaces ------------------------------------------------------------------

/// Downstream of the receivers (until the router exists: the ingest sink).
using flow_sink_actor = caf::typed_actor<
  /// Takes a batch of records; the reply (records accepted) returns the
  /// sender's credit for one batch.
  caf::replies_to<flow_batch>::with<uint64_t>,
  /// Totals of everything received so far.
  caf::replies_to<get_atom, totals_atom>::with<sink_totals>>;

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
