#pragma once

// The bounds and counters of the profile streams, apart from the streams
// themselves so that users of the front end need no gRPC header.

#include <cstddef>
#include <cstdint>

namespace hostflow {

// -- defaults ------------------------------------------------------------------------

/// Bytes of windows (estimated in memory) one stream may hold for a client
/// that reads slower than windows close: 16 MiB, some 50,000 windows of
/// 10 s (about 320 bytes each; 1 and 5 min windows weigh more with their
/// top lists). A tick closes every host's window at once, so the bound
/// must hold one tick's windows of the hosts a stream follows.
inline constexpr size_t default_stream_queue_bytes = 16u << 20;

/// Streams open at once; with the queue bound, at most 256 MiB held for
/// slow clients.
inline constexpr size_t default_max_streams = 16;

/// What a hub holds.
struct profile_stream_limits {
  size_t max_queued_bytes = default_stream_queue_bytes; ///< per stream
  size_t max_streams = default_max_streams;
};

/// The hub's counters (since it started, but for the current values).
struct profile_stream_counters {
  uint64_t open = 0;              ///< calls not yet done
  uint64_t queued_windows = 0;    ///< waiting now, over all streams
  uint64_t queued_bytes = 0;      ///< their estimated memory now
  uint64_t peak_queued_bytes = 0; ///< the most one stream held at once
  uint64_t windows_queued = 0;    ///< windows taken into queues (after filtering)
  uint64_t windows_sent = 0;      ///< writes that reached the transport
  uint64_t overflows = 0;         ///< streams finished with RESOURCE_EXHAUSTED
  uint64_t refused = 0;           ///< calls refused at the stream limit
};

} // namespace hostflow
