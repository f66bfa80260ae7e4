#pragma once

#include <cstdint>

#include "flow/decode_error.hpp"

namespace hostflow {

/// What one exporter (address and port) has sent and what became of it.
/// Counters only grow; differences of two snapshots give per-interval figures.
struct exporter_counters {
  uint64_t datagrams = 0;                ///< export datagrams (v5/v9) or IPFIX messages
  uint64_t datagram_bytes = 0;           ///< their payload bytes
  uint64_t data_records = 0;             ///< flow records decoded when their set arrived
  uint64_t options_data_records = 0;     ///< options data records decoded
  uint64_t reverse_records = 0;  ///< extra flow records made from biflow reverse counters
  uint64_t template_records = 0;         ///< data template records received (incl. refreshes)
  uint64_t options_template_records = 0; ///< options template records received
  uint64_t template_withdrawals = 0;     ///< IPFIX template withdrawals honoured
  uint64_t undecoded_data_sets = 0;      ///< data sets whose template was unknown on arrival
  uint64_t deferred_data_records = 0;    ///< data records decoded later, once their template came
  uint64_t deferred_options_records = 0; ///< options records decoded later, likewise
  uint64_t expired_data_sets = 0;        ///< waiting data sets dropped: no template in time or no room
  uint64_t lost_records = 0;     ///< records missing per sequence numbers (v5 flows, IPFIX records)
  uint64_t lost_datagrams = 0;   ///< datagrams missing per sequence numbers (v9)
  uint64_t reordered_datagrams = 0; ///< datagrams that arrived after a later one
  uint64_t duplicate_datagrams = 0; ///< datagrams whose sequence was seen already
  uint64_t restarts = 0;            ///< exporter restarts (uptime or sequence reset)
  uint64_t estimated_times = 0;     ///< records whose times had to be estimated (no clock base)
  error_counters errors{};          ///< decode errors by kind

  /// Sum of all error kinds.
  uint64_t error_total() const noexcept;

  /// Adds every counter of `other` to this one.
  exporter_counters& operator+=(const exporter_counters& other) noexcept;

  /// Counter-wise difference (this - earlier), for per-interval figures.
  exporter_counters since(const exporter_counters& earlier) const noexcept;
};

} // namespace hostflow
