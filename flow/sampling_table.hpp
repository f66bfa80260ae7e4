#pragma once

#include <cstdint>
#include <unordered_map>

#include "flow/record_fields.hpp"

namespace hostflow {

/// Sampling rates an exporter announced for one observation domain: per
/// sampler / selector id (v9 sampler options, IPFIX selector options) and a
/// default for records that name no sampler (v5 header, unscoped options).
class sampling_table {
public:
  /// Most samplers one domain may define; more are ignored (bounded memory).
  static constexpr size_t max_samplers = 1024;

  /// The 1-in-N factor a record's own sampling fields state, or 0 when it has none.
  static uint32_t factor_of(const record_fields& f) noexcept;

  /// Learns from an options data record; returns true when it held a rate.
  bool learn(const record_fields& options);

  /// Sets the rate for records that name no sampler.
  void set_default(uint32_t factor) noexcept { default_ = factor; }

  /// The factor that applies to a data record: its own fields, else its
  /// sampler's announced rate, else the default, else 1 (unsampled).
  uint32_t factor_for(const record_fields& record) const noexcept;

  /// Number of samplers known.
  size_t size() const noexcept { return by_sampler_.size(); }

private:
  std::unordered_map<uint64_t, uint32_t> by_sampler_;
  uint32_t default_ = 0;
};

} // namespace hostflow
