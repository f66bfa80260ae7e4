#pragma once

// Messages exchanged by hostflow's actors, with their CAF inspectors. Every
// type here is registered once in register_message_types (type_registry.hpp).

#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "flow/exporter_counters.hpp"
#include "flow/flow_record.hpp"

namespace hostflow {

/// Decoded records from one receiver, sent downstream in one message.
struct flow_batch {
  std::vector<flow_record> records;
};

/// One exporter's decoder counters as a receiver saw them.
struct exporter_report {
  endpoint exporter;
  exporter_counters counters;
};

/// A receiver's periodic account of its socket and decoder.
struct receiver_report {
  std::string listen;              ///< the address:port it listens on
  uint32_t receiver_index = 0;     ///< which of the sockets sharing the port
  uint64_t datagrams = 0;          ///< datagrams read from the socket
  uint64_t truncated_datagrams = 0; ///< larger than the receive buffer slot
  uint64_t kernel_drops = 0;       ///< dropped by the kernel (SO_RXQ_OVFL)
  uint64_t records_sent = 0;       ///< records handed downstream
  uint64_t dropped_records = 0;    ///< records dropped: downstream had no credit
  uint64_t dropped_batches = 0;    ///< batches dropped for the same reason
  uint64_t rejected_datagrams = 0; ///< from exporters beyond the exporter limit
  uint64_t template_memory = 0;    ///< bytes of templates held by its decoder
  uint64_t pending_bytes = 0;      ///< bytes of data sets waiting for templates
  std::vector<exporter_report> exporters; ///< per exporter, cumulative
};

/// Per-exporter totals of what reached the sink.
struct sink_exporter_totals {
  endpoint exporter;
  uint64_t records = 0;
  uint64_t packets = 0;         ///< as exported
  uint64_t bytes = 0;           ///< as exported
  uint64_t scaled_packets = 0;  ///< multiplied by each record's sampling interval
  uint64_t scaled_bytes = 0;
};

/// What the sink has received so far.
struct sink_totals {
  uint64_t batches = 0;
  uint64_t records = 0;
  std::vector<sink_exporter_totals> exporters;
};

// -- inspectors ----------------------------------------------------------------

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ip_address& x) {
  return f(caf::meta::type_name("hostflow::ip_address"), x.bytes);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, endpoint& x) {
  return f(caf::meta::type_name("hostflow::endpoint"), x.address, x.port);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, flow_record& x) {
  return f(caf::meta::type_name("hostflow::flow_record"), x.src_addr, x.dst_addr, x.next_hop,
           x.exporter, x.packets, x.bytes, x.start_ms, x.end_ms, x.observation_domain, x.input_if,
           x.output_if, x.src_as, x.dst_as, x.sampling_interval, x.src_port, x.dst_port,
           x.protocol, x.tcp_flags, x.tos, x.src_mask, x.dst_mask, x.icmp_type, x.icmp_code,
           x.direction, x.protocol_version, x.reverse_half);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, flow_batch& x) {
  return f(caf::meta::type_name("hostflow::flow_batch"), x.records);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, exporter_counters& x) {
  return f(caf::meta::type_name("hostflow::exporter_counters"), x.datagrams, x.datagram_bytes,
           x.data_records, x.options_data_records, x.reverse_records, x.template_records, x.options_template_records,
           x.template_withdrawals, x.undecoded_data_sets, x.deferred_data_records,
           x.deferred_options_records, x.expired_data_sets, x.lost_records, x.lost_datagrams,
           x.reordered_datagrams, x.duplicate_datagrams, x.restarts, x.estimated_times, x.errors);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, exporter_report& x) {
  return f(caf::meta::type_name("hostflow::exporter_report"), x.exporter, x.counters);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, receiver_report& x) {
  return f(caf::meta::type_name("hostflow::receiver_report"), x.listen, x.receiver_index,
           x.datagrams, x.truncated_datagrams, x.kernel_drops, x.records_sent, x.dropped_records,
           x.dropped_batches, x.rejected_datagrams, x.template_memory, x.pending_bytes,
           x.exporters);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, sink_exporter_totals& x) {
  return f(caf::meta::type_name("hostflow::sink_exporter_totals"), x.exporter, x.records,
           x.packets, x.bytes, x.scaled_packets, x.scaled_bytes);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, sink_totals& x) {
  return f(caf::meta::type_name("hostflow::sink_totals"), x.batches, x.records, x.exporters);
}

} // namespace hostflow
