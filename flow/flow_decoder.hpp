#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "flow/byte_view.hpp"
#include "flow/decoder_limits.hpp"
#include "flow/exporter_counters.hpp"
#include "flow/exporter_state.hpp"
#include "flow/flow_record.hpp"
#include "flow/template_snapshot.hpp"

namespace hostflow {

/// What flow_decoder::restore_templates made of one snapshot.
struct restore_result {
  size_t templates = 0; ///< templates installed
  size_t kept = 0;      ///< templates skipped: the exporter already sent its own
  size_t refused = 0;   ///< refused by validation or a limit (counted as the exporter's errors)
};

/// Decodes NetFlow v5, NetFlow v9 and IPFIX datagrams from any number of
/// exporters into flow records, keeping per-exporter template, sequence and
/// sampling state and counters. The protocol is detected from the version
/// field, so any port may carry any of them.
///
/// Not thread-safe: one decoder per receiving socket (an exporter's
/// datagrams always reach the same socket, so its templates stay together).
class flow_decoder {
public:
  explicit flow_decoder(decoder_limits limits = {});
  ~flow_decoder();
  flow_decoder(const flow_decoder&) = delete;
  flow_decoder& operator=(const flow_decoder&) = delete;

  /// Decodes one datagram (or IPFIX message) received from `from` at local
  /// time `now_ms`, appending its flow records to `out` (and records of
  /// earlier data sets whose template it carried).
  void decode(const endpoint& from, byte_view datagram, int64_t now_ms,
              std::vector<flow_record>& out);

  /// Drops data sets that waited longer than the limit for their template.
  void expire(int64_t now_ms);

  /// The counters of one exporter, or nullptr if it never sent anything.
  const exporter_counters* counters(const endpoint& exporter) const;

  /// Calls `fn(const endpoint&, const exporter_counters&)` for every exporter.
  template <class Fn>
  void for_each_exporter(Fn&& fn) const {
    for (const auto& [addr, state] : exporters_)
      fn(addr, state->counters);
  }

  /// Sum of all exporters' counters.
  exporter_counters totals() const;

  /// Datagrams rejected because the exporter table was full.
  uint64_t rejected_datagrams() const noexcept { return rejected_; }

  /// Template bytes held over all exporters.
  size_t template_memory() const noexcept { return template_memory_; }

  /// Bytes of data sets waiting for templates over all exporters.
  size_t pending_bytes() const noexcept { return pending_bytes_; }

  /// The limits in force.
  const decoder_limits& limits() const noexcept { return limits_; }

  // -- restarts -------------------------------------------------------------------

  /// Snapshots of the NetFlow v9 and IPFIX domains of every exporter, ordered
  /// by exporter, version and domain; with `changed_only`, only of the domains
  /// whose templates, sampling rates or system init time changed since they
  /// were saved or restored (possibly empty ones: their stored form is stale).
  std::vector<template_snapshot> save_templates(bool changed_only = false) const;

  /// Records that `s` is stored: its domain counts as unchanged until the
  /// exporter changes it again.
  void mark_saved(const template_snapshot& s);

  /// Re-installs the templates, sampling rates and system init time of `s`
  /// as if its exporter had just sent them: each template is written in its
  /// protocol's wire form and read by the same parser, within every limit
  /// (exporters, domains, templates per exporter, template memory; refusals
  /// count as the exporter's errors). What the exporter sent in this run
  /// wins over the snapshot. Data sets already waiting stay waiting for the
  /// exporter's own template. `now_ms` decides, like for a datagram, whether
  /// an idle exporter may be forgotten to make room; a restored exporter
  /// counts as idle until it sends.
  restore_result restore_templates(const template_snapshot& s, int64_t now_ms);

private:
  exporter_state* exporter_for(const endpoint& from, int64_t now_ms);

  decoder_limits limits_;
  size_t template_memory_ = 0;
  size_t pending_bytes_ = 0;
  uint64_t rejected_ = 0;
  std::unordered_map<endpoint, std::unique_ptr<exporter_state>> exporters_;
  std::vector<std::pair<size_t, record_fields>> unresolved_; ///< reused per message
  // The last exporter looked up: most datagrams come from the same one in a row.
  const endpoint* last_address_ = nullptr;
  exporter_state* last_state_ = nullptr;
};

} // namespace hostflow
