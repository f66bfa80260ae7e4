#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <tuple>
#include <vector>

#include "flow/byte_view.hpp"
#include "flow/decoder_limits.hpp"
#include "flow/flow_template.hpp"

#include "bench/export_rewriter.hpp"

// The capture walk behind export_rewriter; not meant for other users.
namespace hostflow::bench::detail {

/// How a record field holds a point in time, as far as moving it goes.
enum class time_kind : uint8_t { none, uptime_ms, seconds, milliseconds, ntp };

/// The kind of IANA information element `id` (v9 shares the numbering).
time_kind time_kind_of(uint16_t id) noexcept;

/// One message of a sequence stream, as far as sequence learning needs it.
struct message_seq {
  uint32_t sequence = 0;
  uint32_t data = 0;    ///< v5 records, v9/IPFIX data records
  uint32_t options = 0; ///< v9/IPFIX options data records
};

/// A way to read a stream's sequence numbers. RFC 7011 counts options data
/// records too; softflowd's IPFIX counts flow records only.
struct sequence_reading {
  sequence_convention convention;
  bool counts_options;

  /// What the message adds to the sequence under this reading.
  uint32_t units(const message_seq& m) const noexcept {
    return convention == sequence_convention::per_datagram
               ? 1
               : m.data + (counts_options ? m.options : 0);
  }
  /// The sequence value before the message.
  uint32_t start(const message_seq& m) const noexcept {
    return convention == sequence_convention::including ? m.sequence - units(m) : m.sequence;
  }
  /// The sequence value the next message should start at.
  uint32_t end(const message_seq& m) const noexcept {
    return convention == sequence_convention::including ? m.sequence : m.sequence + units(m);
  }
};

/// The candidate readings. Index 0 is the standard one of v5 and IPFIX,
/// index 4 (datagrams) that of v9 and only tried for v9.
constexpr std::array<sequence_reading, 5> readings{{
    {sequence_convention::before, true},
    {sequence_convention::including, true},
    {sequence_convention::before, false},
    {sequence_convention::including, false},
    {sequence_convention::per_datagram, false},
}};

/// Learns templates from datagrams in file order and, on the final walk,
/// records each datagram's shift sites, record counts and sequence evidence.
class export_walker {
public:
  /// Results go to the rewriter's own containers.
  export_walker(std::vector<shift_site>& sites, std::vector<sequence_stream>& streams,
                capture_summary& summary)
      : sites_(sites), streams_(streams), summary_(summary) {}

  /// Walks one datagram. Only a `final` walk records sites and evidence; an
  /// earlier one just learns templates. Sets the records it carries.
  void walk(const captured_datagram& d, bool final, uint32_t& data_records,
            uint32_t& options_records);

  /// Picks each stream's reading and per-pass increment, after the final walk.
  void finish();

private:
  using template_key =
      std::tuple<endpoint, uint16_t, uint32_t, uint16_t>;      ///< exporter, version, domain, id
  using stream_key = std::tuple<endpoint, uint16_t, uint32_t>; ///< exporter, version, domain

  struct stream_stats {
    size_t index = 0; ///< into streams_
    message_seq first;
    message_seq last;
    std::array<uint64_t, readings.size()> votes{}; ///< consecutive pairs each reading explains
  };

  void site(size_t offset, uint8_t length, shift_unit unit, uint32_t stream = 0) {
    if (final_)
      sites_.push_back({static_cast<uint32_t>(offset), length, unit, stream});
  }
  void time_site(time_kind kind, size_t offset, size_t length);
  size_t stream_for(const endpoint& from, uint16_t version, uint32_t domain);
  void observe_sequence(size_t stream, uint32_t sequence);
  void walk_v5(const captured_datagram& d);
  void walk_sets(const captured_datagram& d, uint16_t version, uint32_t domain, size_t offset,
                 size_t end);
  void read_templates(const endpoint& from, uint16_t version, uint32_t domain, byte_view set,
                      uint16_t set_id);
  void read_records(const flow_template& tmpl, bool v9, size_t base, byte_view payload);
  /// Walks the record at `pos`, moving `pos` past it; false when it is cut short.
  bool read_record(const flow_template& tmpl, bool v9, size_t base, byte_view payload, size_t& pos);

  std::vector<shift_site>& sites_;
  std::vector<sequence_stream>& streams_;
  capture_summary& summary_;
  std::map<template_key, flow_template> templates_;
  std::map<stream_key, stream_stats> stats_;
  decoder_limits limits_;
  bool final_ = false;
  bool seen_export_ = false;     ///< first_export_s/last_export_s hold a value
  uint32_t data_records_ = 0;    ///< of the datagram being walked
  uint32_t options_records_ = 0; ///< likewise
};

} // namespace hostflow::bench::detail
