#pragma once

// Argument checks shared by the store backends, so both reject the same
// calls with the same status before touching any data.

#include <string_view>

#include "state/store.hpp"

namespace hostflow::detail {

/// True for one of the enumerated columns (a cast integer may be anything).
inline bool valid_column(column cf) noexcept {
  return static_cast<size_t>(cf) < column_count;
}

/// invalid_argument for an unknown column or a range whose non-empty end is
/// before its begin; ok otherwise.
inline store_status check_range(column cf, std::string_view begin, std::string_view end) {
  if (!valid_column(cf))
    return {store_errc::invalid_argument, "unknown column"};
  if (!end.empty() && end < begin)
    return {store_errc::invalid_argument, "range end is before its begin"};
  return {};
}

/// Checks every operation of `batch`; the first failure rejects it whole.
inline store_status check_batch(const write_batch& batch) {
  for (auto& op : batch.ops()) {
    if (!valid_column(op.cf))
      return {store_errc::invalid_argument, "unknown column"};
    if (op.kind == write_batch::op_kind::erase_range) {
      if (auto st = check_range(op.cf, op.key, op.value); !st.ok())
        return st;
    }
  }
  return {};
}

} // namespace hostflow::detail
