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

  /// Learns from an options data record; returns true when a rate changed
  /// (exporters repeat the same options records every few seconds).
  bool learn(const record_fields& options);

  /// Sets the rate for records that name no sampler.
  void set_default(uint32_t factor) noexcept { default_ = factor; }

  /// The factor that applies to a data record: its own fields, else its
  /// sampler's announced rate, else the default, else 1 (unsampled).
  uint32_t factor_for(const record_fields& record) const noexcept;

  /// Number of samplers known.
  size_t size() const noexcept { return by_sampler_.size(); }

  // -- restart snapshots -----------------------------------------------------------

  /// The rate for records that name no sampler; 0 when none was set.
  uint32_t default_factor() const noexcept { return default_; }

  /// Calls `fn(uint64_t sampler, uint32_t factor)` for every sampler, in no order.
  template <class Fn>
  void for_each_sampler(Fn&& fn) const {
    for (const auto& [sampler, factor] : by_sampler_)
      fn(sampler, factor);
  }

  /// Adds a saved sampler rate unless the sampler is known (a rate learned
  /// since is newer) or the table is full; false when not added.
  bool restore(uint64_t sampler, uint32_t factor);

private:
  std::unordered_map<uint64_t, uint32_t> by_sampler_;
  uint32_t default_ = 0;
};

} // namespace hostflow
