#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>

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
/// exporters (softflowd's IPFIX) count them *including* it; some count flow
/// records only, others options records too; some v9 exporters count records
/// where RFC 3954 counts datagrams. The tracker keeps one reading per
/// candidate convention. The readings that explained the previous message are
/// the viable ones; a gap counts only when all viable readings agree on it, and
/// a message that one of them explains exactly is not a gap. So a convention
/// difference is never reported as loss, while real loss is.
class sequence_tracker {
public:
  /// How the header sequence number relates to the units of a message.
  enum class convention : uint8_t {
    before,       ///< sequence = units sent before this message (RFC 7011, v5)
    including,    ///< sequence = units sent including this message
    per_datagram, ///< sequence counts datagrams (RFC 3954 v9); units ignored
  };

  /// Which of a message's unit counts a candidate counts (see observe()).
  enum class unit : uint8_t {
    all = 0,   ///< every record (data and options records)
    flows = 1, ///< flow (data) records only
  };

  /// One way to read the sequence numbers.
  struct candidate_spec {
    convention kind;
    unit counts = unit::all;
  };

  /// Most candidates a tracker weighs.
  static constexpr size_t max_candidates = 4;

  /// `candidates`: the readings to choose from, the standard one first.
  /// `restart_window`: a backwards jump larger than this is a restart.
  sequence_tracker(std::initializer_list<candidate_spec> candidates, uint32_t restart_window);

  /// Feeds one message: its header sequence and its unit counts, indexed by `unit`.
  sequence_result observe(uint32_t sequence, std::array<uint32_t, 2> units);

  /// Forgets the stream (after a restart detected by other means, e.g. uptime,
  /// or a message whose records could not be counted).
  void reset() noexcept;

  /// The reading that best explains the stream so far: the first viable one,
  /// else the one that explained the most messages.
  candidate_spec reading() const noexcept;

  /// True while the exporter repeats one sequence number (it does not keep one).
  bool frozen() const noexcept { return unchanged_ >= frozen_after; }

private:
  /// Messages with an unchanged sequence before it is taken as not maintained.
  static constexpr uint8_t frozen_after = 2;
  struct candidate {
    candidate_spec spec{convention::before};
    uint32_t next = 0;         ///< expected start of the next message
    bool viable = true;        ///< explained the previous message
    uint64_t explained = 0;    ///< messages it explained, over the stream's life
  };

  /// Index of reading(); `viable_only` restricts it to viable readings.
  uint8_t best(bool viable_only) const noexcept;

  static uint32_t start_of(const candidate_spec& c, uint32_t sequence, uint32_t units) noexcept;
  static uint32_t end_of(const candidate_spec& c, uint32_t sequence, uint32_t units) noexcept;
  void restart_at(uint32_t sequence, const std::array<uint32_t, 2>& units) noexcept;
  bool seen_recently(uint32_t start) const noexcept;
  void remember(uint32_t start) noexcept;

  std::array<candidate, max_candidates> candidates_;
  uint8_t count_ = 0;
  uint32_t restart_window_;
  bool started_ = false;
  uint32_t last_sequence_ = 0; ///< raw sequence of the previous message
  uint8_t unchanged_ = 0;      ///< messages in a row with the same raw sequence
  std::array<uint32_t, 16> recent_starts_{}; ///< for telling duplicates from reordering
  uint8_t recent_count_ = 0;
  uint8_t recent_pos_ = 0;
};

} // namespace hostflow
