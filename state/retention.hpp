#pragma once

// Retention of closed windows: each granularity keeps its windows until a
// cutoff that the owner moves forward; compaction then drops what ended
// before it (see expiry_rule in state/store.hpp).

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "state/store.hpp"

namespace hostflow {

/// Expires window keys (state/keys.hpp) whose window ended at or before the
/// cutoff of their granularity. The set of granularities is fixed at
/// construction; cutoffs move with set_cutoff, from any thread, while
/// compactions consult them on background threads.
class window_retention : public expiry_rule {
public:
  /// Knows the given granularities (seconds; duplicates are ignored). Until
  /// set_cutoff is called for one, none of its windows expire.
  explicit window_retention(std::vector<uint32_t> granularities);

  /// Sets the cutoff (epoch seconds) of `granularity_seconds`: a window
  /// [start, start + granularity) expires when start + granularity <= cutoff.
  /// Returns false, changing nothing, for an unknown granularity.
  bool set_cutoff(uint32_t granularity_seconds, int64_t cutoff_seconds);

  /// The current cutoff of `granularity_seconds`; nullopt for an unknown
  /// granularity or one whose cutoff was never set.
  std::optional<int64_t> cutoff(uint32_t granularity_seconds) const;

  /// True for a window key of a known granularity that ended at or before its
  /// cutoff. Other keys (unparsable, unknown granularity) never expire: a
  /// rule that cannot read a key must not delete it.
  bool expired(std::string_view key, std::string_view value) const override;

private:
  /// Index of `granularity_seconds` in granularities_, or nullopt.
  std::optional<size_t> index_of(uint32_t granularity_seconds) const;

  std::vector<uint32_t> granularities_;              ///< sorted, unique
  std::unique_ptr<std::atomic<int64_t>[]> cutoffs_; ///< parallel to granularities_
};

} // namespace hostflow
