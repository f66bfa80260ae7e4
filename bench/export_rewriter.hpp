#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "flow/capture_file.hpp"
#include "flow/ip_address.hpp"

namespace hostflow::bench {

// -- what moves on each pass ----------------------------------------------------------

/// What a rewritten field counts, and so how far it moves per pass.
enum class shift_unit : uint8_t {
  seconds,      ///< epoch seconds (also the seconds half of NTP timestamps)
  milliseconds, ///< epoch or uptime milliseconds
  sequence,     ///< a header sequence number; moves by its stream's increment
};

/// One big-endian unsigned field of a datagram that moves forward each pass.
/// Addition wraps at the field's width, as the exporter's own counter would.
struct shift_site {
  uint32_t offset = 0; ///< byte offset in the datagram
  uint8_t length = 0;  ///< bytes: 4 or 8
  shift_unit unit = shift_unit::seconds;
  uint32_t stream = 0; ///< index into export_rewriter::streams() for sequence sites
};

/// How an exporter's header sequence number relates to a message's units.
enum class sequence_convention : uint8_t {
  before,       ///< units sent before this message (RFC 7011, NetFlow v5)
  including,    ///< units sent including this message (softflowd IPFIX)
  per_datagram, ///< counts datagrams (RFC 3954 NetFlow v9)
};

/// "before", "including" or "per datagram".
const char* to_string(sequence_convention c) noexcept;

/// One sequence space: an exporter's engine (v5), source id (v9) or
/// observation domain (IPFIX), as a collector keys it.
struct sequence_stream {
  endpoint exporter;    ///< source address of its datagrams in the capture
  uint16_t version = 0; ///< 5, 9 or 10
  uint32_t domain = 0;  ///< engine type/id, source id or observation domain id
  sequence_convention convention = sequence_convention::before; ///< learned from the capture
  bool counts_options = true; ///< options data records count as units (RFC 7011; not softflowd)
  uint64_t messages = 0;      ///< datagrams of this stream in one pass
  uint64_t breaks = 0;        ///< consecutive messages the learned reading does not explain (loss)
  uint32_t increment = 0;     ///< what its sequence advances by over one pass
};

/// Totals of one pass, from the walk of the capture.
struct capture_summary {
  uint64_t datagrams = 0;       ///< datagrams in the capture
  uint64_t bytes = 0;           ///< their payload bytes
  uint64_t data_records = 0;    ///< flow records (v5 records, v9/IPFIX data records)
  uint64_t options_records = 0; ///< v9/IPFIX options data records
  uint64_t shift_sites = 0;     ///< fields rewritten per pass
  uint64_t unknown_sets = 0;    ///< data sets whose template was unknown even on a repeat pass
  uint64_t unsupported = 0;     ///< datagrams of another version or too short to read
  uint64_t odd_time_fields = 0; ///< time fields of an unusual length, left alone
  int64_t first_export_s = 0;   ///< earliest header export time (epoch seconds)
  int64_t last_export_s = 0;    ///< latest header export time
};

// -- the rewriter ----------------------------------------------------------------------

/// Makes a looped capture look like one live, continuous export stream.
///
/// Replaying a capture again would show a collector the same sequence numbers
/// and times again: it would count a restart or a huge loss per pass and file
/// the flows in the past. The rewriter learns, once, every field that must
/// move (header times and sequence numbers, record times found through the
/// templates) and then advances a datagram in place by one pass at a time.
///
/// Times move by pass_seconds(): the capture's span of header export times
/// plus one second, whole seconds because v9 and IPFIX headers carry whole
/// seconds. The exporter is made to look as if it kept running: its boot time
/// stays where it was, so header sysUptime and the record uptimes (v5
/// First/Last, v9/IPFIX fields 21/22) advance together with the wall-clock
/// fields. Shifting only unix_secs would make uptime jump back each pass,
/// which collectors (hostflow included) take for an exporter reboot. For the
/// same reason IPFIX systemInitTimeMilliseconds (IE 160) is kept: records
/// timed by uptime move through their own fields, so they do not depend on an
/// options record arriving before them after the wrap.
///
/// Sequence numbers move by what the stream sent in one pass, learned from
/// the capture as (end of the last message) - (start of the first) under the
/// stream's reading: units before or including the message, with or without
/// options records, or (v9) datagrams, whichever explains the most
/// consecutive messages. This stays right when the capture itself lost
/// datagrams, where summing units would come out short.
class export_rewriter {
public:
  /// Walks `capture` twice: once to learn its templates, once more with
  /// those templates known, which is what a collector sees on every pass
  /// after the first, to find the fields and count records.
  explicit export_rewriter(const std::vector<captured_datagram>& capture);

  /// Adds one pass's shift to datagram `index` in place; `bytes` must hold
  /// the datagram as last sent (the capture's own bytes before the 2nd pass).
  void advance(size_t index, uint8_t* bytes, size_t size) const noexcept;

  /// How far times move per pass.
  int64_t pass_seconds() const noexcept { return pass_seconds_; }

  /// Data records (flow records) carried by datagram `index`.
  uint32_t data_records(size_t index) const noexcept { return plans_[index].data_records; }
  /// Options data records carried by datagram `index`.
  uint32_t options_records(size_t index) const noexcept { return plans_[index].options_records; }

  /// The sequence spaces found.
  const std::vector<sequence_stream>& streams() const noexcept { return streams_; }
  /// What one pass holds.
  const capture_summary& summary() const noexcept { return summary_; }

  /// A few lines for people: pass length, streams and their increments.
  std::string describe() const;

private:
  struct plan {
    uint32_t first_site = 0; ///< into sites_
    uint32_t site_count = 0;
    uint32_t data_records = 0;
    uint32_t options_records = 0;
  };

  std::vector<plan> plans_;       ///< one per datagram
  std::vector<shift_site> sites_; ///< all datagrams' sites, in datagram order
  std::vector<sequence_stream> streams_;
  capture_summary summary_;
  int64_t pass_seconds_ = 0;
};

} // namespace hostflow::bench
