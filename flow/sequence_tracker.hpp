#pragma once

#include <array>
#include <cstdint>

namespace hostflow {

/// What one message's sequence number says about the stream.
struct sequence_result {
  uint64_t lost = 0;       ///< units (records or datagrams) missing before this message
  uint64_t recovered = 0;  ///< units of an earlier gap this late message filled in
  bool reordered = false;  ///< arrived after a later message
  bool duplicate = false;  ///< its sequence range was seen already
  bool restart = false;    ///< sequence jumped back too far: the exporter restarted
};

/// Turns export sequence numbers into loss, reordering and restart counts.
///
/// Exporters disagree on what the 32-bit header sequence counts. RFC 7011
/// (IPFIX) and the v5 format count units sent *before* this message; some
/// exporters (softflowd's IPFIX) count them *including* it, and some v9
/// exporters count records where RFC 3954 counts datagrams. The tracker keeps
/// a candidate reading for each convention and locks onto the one that
/// explains consecutive messages, so a convention difference is not reported
/// as a gap on every message. Until a convention is known, only gaps that
/// every candidate agrees on are counted.
class sequence_tracker {
public:
  /// How the header sequence number relates to the units of a message.
  enum class convention : uint8_t {
    before,    ///< sequence = units sent before this message (RFC 7011, v5)
    including, ///< sequence = units sent including this message
    per_datagram, ///< sequence counts datagrams (RFC 3954 v9); units ignored
    unknown,
  };

  /// `first` is the standard reading, `second` the alternative to learn.
  /// `restart_window`: a backwards jump larger than this (in units) is a restart.
  sequence_tracker(convention first, convention second, uint32_t restart_window);

  /// Feeds one message: its header sequence and the units it carries.
  sequence_result observe(uint32_t sequence, uint32_t units);

  /// Forgets the stream (after a restart detected by other means, e.g. uptime).
  void reset() noexcept;

  /// True while the exporter repeats one sequence number (it does not keep one).
  bool frozen() const noexcept { return unchanged_ >= frozen_after; }

  /// The convention in force, or unknown while it is being learned.
  convention locked() const noexcept { return locked_ ? candidates_[active_].kind : convention::unknown; }

private:
  /// Messages with an unchanged sequence before it is taken as not maintained.
  static constexpr uint8_t frozen_after = 2;

  struct candidate {
    convention kind;
    uint32_t next = 0;      ///< expected start of the next message
    uint32_t mismatches = 0; ///< consecutive messages this reading failed to explain
    uint32_t matches = 0;    ///< consecutive messages it explained
  };

  static uint32_t start_of(convention c, uint32_t sequence, uint32_t units) noexcept;
  static uint32_t end_of(convention c, uint32_t sequence, uint32_t units) noexcept;
  bool seen_recently(uint32_t start) const noexcept;
  void remember(uint32_t start) noexcept;

  std::array<candidate, 2> candidates_;
  uint32_t last_sequence_ = 0; ///< raw sequence of the previous message
  uint8_t unchanged_ = 0;      ///< messages in a row with the same raw sequence

  uint32_t restart_window_;
  bool started_ = false;
  bool locked_ = false;
  uint8_t active_ = 0;
  std::array<uint32_t, 16> recent_starts_{}; ///< for telling duplicates from reordering
  uint8_t recent_count_ = 0;
  uint8_t recent_pos_ = 0;
};

} // namespace hostflow
