#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "flow/byte_view.hpp"
#include "flow/record_finisher.hpp"

namespace hostflow {

/// A data set that arrived before its template, kept with the clock of its
/// message so it decodes as if it had been understood on arrival.
struct pending_set {
  uint64_t domain_key = 0;   ///< which observation domain it belongs to
  uint16_t template_id = 0;  ///< the set id it needs
  int64_t arrived_ms = 0;    ///< local receive time, for the age limit
  message_clock clock;       ///< its message's clocks
  std::vector<uint8_t> payload; ///< set payload (after the set header)
};

/// One exporter's data sets waiting for their templates, bounded in bytes
/// (per exporter and, through a shared counter, over all exporters) and in age.
class pending_sets {
public:
  /// `total_bytes` is shared by all exporters' buffers and may be null.
  pending_sets(size_t max_bytes, size_t max_total_bytes, size_t* total_bytes)
    : max_bytes_(max_bytes), max_total_bytes_(max_total_bytes), total_bytes_(total_bytes) {}
  pending_sets(const pending_sets&) = delete;
  pending_sets& operator=(const pending_sets&) = delete;
  ~pending_sets();

  /// Keeps a copy of `payload`; false when it does not fit (counted by the caller).
  bool add(uint64_t domain_key, uint16_t template_id, int64_t now_ms, const message_clock& clock,
           byte_view payload);

  /// Removes and returns the sets waiting for (domain, template), oldest first.
  std::vector<pending_set> take(uint64_t domain_key, uint16_t template_id);

  /// Drops sets older than `max_age_ms`; returns how many were dropped.
  size_t expire(int64_t now_ms, int64_t max_age_ms);

  /// Bytes held by this buffer.
  size_t bytes() const noexcept { return bytes_; }

  /// Sets held.
  size_t size() const noexcept { return sets_.size(); }

private:
  void release(size_t n) noexcept;

  std::deque<pending_set> sets_;
  size_t bytes_ = 0;
  size_t max_bytes_;
  size_t max_total_bytes_;
  size_t* total_bytes_;
};

} // namespace hostflow
