#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "flow/byte_view.hpp"
#include "flow/decoder_limits.hpp"
#include "flow/exporter_state.hpp"
#include "flow/flow_record.hpp"
#include "flow/record_fields.hpp"
#include "flow/record_finisher.hpp"

namespace hostflow {

/// What the protocol decoders need while decoding one datagram.
struct decode_context {
  exporter_state& exporter;       ///< the sender's state and counters
  const decoder_limits& limits;   ///< bounds in force
  size_t& template_memory;        ///< template bytes over all exporters
  int64_t now_ms;                 ///< local receive time
  std::vector<flow_record>& out;  ///< decoded flow records are appended here
  /// Records of this message whose times await an IPFIX systemInitTime that
  /// may still come later in the same message: (index in out, raw fields).
  std::vector<std::pair<size_t, record_fields>>& unresolved;

  /// Counts one error of kind `e` for the exporter.
  void fail(decode_error e) noexcept { ++exporter.counters.errors[static_cast<size_t>(e)]; }
};

/// The domain a message belongs to, found or created within the limits;
/// nullptr (and a counted domain_limit error) when the exporter has too many.
domain_state* find_domain(decode_context& ctx, uint64_t key, sequence_tracker fresh);

/// Adds or replaces a template of `domain` within the template count and
/// memory limits; nullptr (and a counted error) when a limit refuses it.
/// Data sets waiting for it are left to the caller.
const flow_template* install_template(decode_context& ctx, domain_state& domain,
                                      flow_template&& tmpl);

/// Walks the template or options template records of one set payload and
/// installs, replaces or withdraws templates. `ipfix` selects the wire format.
void read_template_set(decode_context& ctx, domain_state& domain, uint64_t key, byte_view payload,
                       bool ipfix, bool options);

/// Decodes a data set with its template, or parks it until the template arrives.
/// Returns false when the template was unknown (the set was parked or dropped).
bool read_data_set(decode_context& ctx, domain_state& domain, uint64_t key, uint16_t set_id,
                   byte_view payload, const message_clock& clock);

/// Re-finishes the message's records that lacked a boot time, now that the
/// domain may know one; the rest stay estimated.
void resolve_times(decode_context& ctx, domain_state& domain, uint64_t key,
                   const message_clock& clock);

/// Walks the sets of a v9 or IPFIX message body (after its header) and hands
/// each to the readers above. Returns the number of data sets left undecoded.
size_t walk_sets(decode_context& ctx, domain_state& domain, uint64_t key, byte_view body,
                 const message_clock& clock, bool ipfix);

/// v5/v9: detects an exporter restart from the header uptime (it went back,
/// and not by a 2^32 wrap) and resets the domain's sequence tracking.
/// Returns true on a restart.
bool track_uptime(decode_context& ctx, domain_state& domain, const message_clock& clock);

/// Adds a sequence observation to the exporter's counters. `datagram_units`:
/// the tracker counted datagrams (v9), so a gap is lost datagrams.
void account_sequence(decode_context& ctx, const sequence_result& r, bool datagram_units);

// -- protocol entry points (one file each) ---------------------------------------

/// The sequence tracking a new NetFlow v9 source id starts with.
sequence_tracker netflow_v9_sequence();

/// The sequence tracking a new IPFIX observation domain starts with.
sequence_tracker ipfix_sequence();

/// Decodes a NetFlow v5 datagram.
void decode_netflow_v5(decode_context& ctx, byte_view datagram);

/// Decodes a NetFlow v9 datagram.
void decode_netflow_v9(decode_context& ctx, byte_view datagram);

/// Decodes one IPFIX message.
void decode_ipfix(decode_context& ctx, byte_view message);

} // namespace hostflow
