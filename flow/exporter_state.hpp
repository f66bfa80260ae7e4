#pragma once

#include <cstdint>
#include <optional>
#include <unordered_map>

#include "flow/exporter_counters.hpp"
#include "flow/flow_template.hpp"
#include "flow/ip_address.hpp"
#include "flow/pending_sets.hpp"
#include "flow/sampling_table.hpp"
#include "flow/sequence_tracker.hpp"

namespace hostflow {

/// State of one observation domain (IPFIX) / source id (v9) / engine (v5) of
/// one exporter: its templates, sequence, sampling rates and clocks.
struct domain_state {
  explicit domain_state(sequence_tracker seq) : sequence(seq) {}

  std::unordered_map<uint16_t, flow_template> templates; ///< by template id
  sequence_tracker sequence;              ///< loss / reorder / restart detection
  sampling_table sampling;                ///< announced sampling rates
  std::optional<int64_t> system_init_ms;  ///< IPFIX systemInitTimeMilliseconds
  std::optional<int64_t> boot_ms;         ///< v5/v9: export time minus uptime, last message
  uint32_t last_uptime_ms = 0;            ///< v5/v9: header uptime, last message
  size_t template_bytes = 0;              ///< memory of `templates`
  /// Counts changes the exporter made to templates, sampling rates or the
  /// system init time; a snapshot is due while it differs from `saved_generation`.
  uint64_t generation = 0;
  uint64_t saved_generation = 0;          ///< `generation` when last saved (or restored)
};

/// Everything known about one exporter (address and port).
struct exporter_state {
  exporter_state(endpoint from, const struct decoder_limits& limits, size_t* pending_total);

  endpoint address;                  ///< where its datagrams come from
  exporter_counters counters;        ///< what it sent and what became of it
  std::unordered_map<uint64_t, domain_state> domains; ///< by domain_key()
  size_t template_count = 0;         ///< templates over all its domains
  pending_sets pending;              ///< data sets waiting for templates
  int64_t last_seen_ms = 0;          ///< local time of its last datagram

  /// Drops data sets that waited longer than `max_age_ms`, counting them.
  void expire_pending(int64_t now_ms, int64_t max_age_ms);

  /// Key of a domain: the protocol version keeps v9 source ids and IPFIX
  /// domains of one exporter apart.
  static uint64_t domain_key(uint16_t version, uint32_t domain) noexcept {
    return (uint64_t{version} << 32) | domain;
  }
};

} // namespace hostflow
