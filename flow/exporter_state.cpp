#include "flow/exporter_state.hpp"

#include "flow/decoder_limits.hpp"

namespace hostflow {

exporter_state::exporter_state(endpoint from, const decoder_limits& limits, size_t* pending_total)
  : address(from),
    pending(limits.max_pending_bytes_per_exporter, limits.max_pending_bytes_total, pending_total) {
}

void exporter_state::expire_pending(int64_t now_ms, int64_t max_age_ms) {
  auto dropped = pending.expire(now_ms, max_age_ms);
  counters.expired_data_sets += dropped;
  counters.errors[static_cast<size_t>(decode_error::pending_expired)] += dropped;
}

} // namespace hostflow
