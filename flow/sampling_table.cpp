#include "flow/sampling_table.hpp"

#include <cmath>
#include <limits>

namespace hostflow {

namespace {

uint32_t clamp_factor(double v) noexcept {
  if (!(v >= 1.0))
    return 0;
  if (v > std::numeric_limits<uint32_t>::max())
    return std::numeric_limits<uint32_t>::max();
  return static_cast<uint32_t>(std::lround(v));
}

} // namespace

uint32_t sampling_table::factor_of(const record_fields& f) noexcept {
  using rf = record_fields;
  // Systematic count-based selection (RFC 5475): take `interval` packets, skip `space`.
  if ((f.present & rf::packet_interval) && (f.present & rf::packet_space) && f.systematic_interval > 0)
    return clamp_factor(static_cast<double>(f.systematic_interval + f.systematic_space) /
                        static_cast<double>(f.systematic_interval));
  // Random n-out-of-N.
  if ((f.present & rf::sampling_size) && (f.present & rf::sampling_population) && f.size > 0)
    return clamp_factor(static_cast<double>(f.population) / static_cast<double>(f.size));
  if ((f.present & rf::sampling_probability) && f.probability > 0)
    return clamp_factor(1.0 / f.probability);
  if ((f.present & rf::sampling_interval) && f.interval > 0)
    return clamp_factor(static_cast<double>(f.interval));
  return 0;
}

bool sampling_table::learn(const record_fields& options) {
  auto factor = factor_of(options);
  if (factor == 0)
    return false;
  if (options.present & record_fields::sampler_id) {
    auto it = by_sampler_.find(options.sampler);
    if (it != by_sampler_.end()) {
      if (it->second == factor)
        return false;
      it->second = factor;
      return true;
    }
    if (by_sampler_.size() >= max_samplers)
      return false;
    by_sampler_.emplace(options.sampler, factor);
    return true;
  }
  if (default_ == factor)
    return false;
  default_ = factor;
  return true;
}

bool sampling_table::restore(uint64_t sampler, uint32_t factor) {
  if (factor == 0 || by_sampler_.size() >= max_samplers)
    return false;
  return by_sampler_.emplace(sampler, factor).second;
}

uint32_t sampling_table::factor_for(const record_fields& record) const noexcept {
  if (auto own = factor_of(record); own != 0)
    return own;
  if (record.present & record_fields::sampler_id) {
    auto it = by_sampler_.find(record.sampler);
    if (it != by_sampler_.end())
      return it->second;
  }
  return default_ != 0 ? default_ : 1;
}

} // namespace hostflow
