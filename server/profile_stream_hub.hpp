#pragma once

// Every open StreamProfiles call, fed by the profile fan-out actor. The hub
// is that actor's sink: it hands each update to the streams of its
// granularity, which filter and queue it, and it refuses streams past a
// limit and while the server stops.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "actors/profile_fanout.hpp"
#include "server/profile_stream_limits.hpp"
#include "server/proto_requests.hpp"

#include "hostflow/v1/hostflow.grpc.pb.h"

namespace hostflow {

class profile_stream;

/// The reactor of a StreamProfiles call refused before it started: it
/// finishes at once with `status`.
grpc::ServerWriteReactor<v1::StreamProfilesResponse>* refuse_stream(grpc::Status status);

/// The open streams.
class profile_stream_hub final : public profile_update_sink {
public:
  /// A hub holding streams within `limits`.
  explicit profile_stream_hub(profile_stream_limits limits);
  ~profile_stream_hub() override;

  /// The reactor of a new call following `params`: a stream, or one that
  /// finishes at once with RESOURCE_EXHAUSTED (at the limit) or UNAVAILABLE
  /// (stopping).
  grpc::ServerWriteReactor<v1::StreamProfilesResponse>* open(stream_profiles_params params);

  /// Hands `update` to the streams of its granularity; never waits on a client.
  void deliver(const profile_update& update) override;

  /// Refuses new calls and finishes every open one with UNAVAILABLE now,
  /// whatever its client reads. Safe to call more than once.
  void stop();

  /// The counters now.
  profile_stream_counters counters() const;

  // -- for streams --

  /// A stream's call is done: it is let go.
  void remove(const profile_stream* stream);

  /// A stream's queue grew by `windows` and `bytes` to `stream_bytes`.
  void count_queued(size_t windows, size_t bytes, size_t stream_bytes) noexcept;

  /// A stream's queue shrank by `windows` and `bytes` (sent or dropped).
  void count_dequeued(size_t windows, size_t bytes) noexcept;

  /// A write reached the transport.
  void count_sent() noexcept { windows_sent_.fetch_add(1, std::memory_order_relaxed); }

  /// A stream fell behind and was finished.
  void count_overflow() noexcept { overflows_.fetch_add(1, std::memory_order_relaxed); }

private:
  const profile_stream_limits limits_;
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<profile_stream>> streams_;
  bool stopping_ = false;
  std::atomic<uint64_t> refused_{0};
  std::atomic<uint64_t> queued_windows_{0};
  std::atomic<uint64_t> queued_bytes_{0};
  std::atomic<uint64_t> peak_queued_bytes_{0};
  std::atomic<uint64_t> windows_queued_{0};
  std::atomic<uint64_t> windows_sent_{0};
  std::atomic<uint64_t> overflows_{0};
};

} // namespace hostflow
