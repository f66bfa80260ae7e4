#pragma once

// One StreamProfiles call: the windows waiting for its client, in a queue
// bounded in bytes, and the call's write side. Windows come in on an
// actor's thread (offer), writes complete on gRPC's threads; one mutex
// orders both. At most one write is in flight: the next one starts when the
// previous completes, so a client that does not read stalls its writes and
// its queue, never the actor.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>

#include <grpcpp/grpcpp.h>

#include "actors/message_types.hpp"
#include "server/proto_requests.hpp"

#include "hostflow/v1/hostflow.grpc.pb.h"

namespace hostflow {

class profile_stream_hub;

/// The memory a queued window holds, estimated from its size and its top
/// lists; what a stream's bound counts.
size_t queued_bytes_of(const host_window& w) noexcept;

/// The state of one stream; owned by its hub until the call is done.
class profile_stream {
public:
  using reactor_type = grpc::ServerWriteReactor<v1::StreamProfilesResponse>;

  /// A stream of the windows `params` selects, holding at most
  /// `max_queued_bytes` of them; `hub` counts for it and must outlive it.
  profile_stream(stream_profiles_params params, size_t max_queued_bytes, profile_stream_hub& hub);

  profile_stream(const profile_stream&) = delete;
  profile_stream& operator=(const profile_stream&) = delete;

  /// The call's reactor, which writes and finishes for this stream; set once
  /// before the first offer.
  void attach(reactor_type* reactor) noexcept { reactor_ = reactor; }

  /// The granularity it follows (seconds).
  uint32_t granularity_s() const noexcept { return params_.granularity_s; }

  /// Queues the windows of `update` it selects and starts a write when none
  /// is in flight; never waits. Past the bound the queue is dropped and the
  /// call finished with RESOURCE_EXHAUSTED.
  void offer(const profile_update& update);

  /// Drops the queue and finishes the call with `status`, with the end of
  /// the last window sent appended to its message; no-op once finished.
  void finish(grpc::StatusCode code, const std::string& message);

  /// A write completed (`ok`: it reached the transport).
  void on_write_done(bool ok);

private:
  // Both run with mutex_ held.
  void start_next_write();
  void finish_locked(grpc::StatusCode code, const std::string& message);

  const stream_profiles_params params_;
  const size_t max_queued_bytes_;
  profile_stream_hub& hub_;
  reactor_type* reactor_ = nullptr;

  std::mutex mutex_;
  std::deque<host_window> queue_;
  size_t queued_bytes_ = 0;
  bool writing_ = false;  ///< a write is in flight
  bool finished_ = false; ///< Finish was called: no more calls to the reactor
  v1::StreamProfilesResponse in_flight_;
  std::optional<int64_t> last_sent_end_ms_; ///< end of the last window handed to a write
};

} // namespace hostflow
