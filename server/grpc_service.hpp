#pragma once

// The Hostflow gRPC service on the callback API. A call's request is checked
// on gRPC's thread; its query then runs on the query pool, which may wait
// on host shards (never blocking an actor) and the store, and finishes the
// call from there.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

#include <grpcpp/grpcpp.h>

#include "actors/profile_queries.hpp"
#include "server/api_security.hpp"
#include "server/config_reload.hpp"
#include "server/query_pool.hpp"

#include "hostflow/v1/hostflow.grpc.pb.h"

namespace hostflow {

class profile_stream_hub;

/// What the service answers from.
struct grpc_service_sources {
  /// The pipeline; its deadline is the longest a query waits for a shard.
  profile_source profiles;
  /// Receiver counters; null when the pipeline is fed without receivers.
  ingest_monitor_actor ingest;
  /// The open profile streams; null: StreamProfiles is UNAVAILABLE.
  profile_stream_hub* streams = nullptr;
  /// The token every call must present; by default none.
  bearer_token_check token;
  /// Reloads the configuration; null: ReloadConfig is FAILED_PRECONDITION.
  std::function<reload_outcome()> reload;
};

/// The gRPC status of a query's outcome, with its message:
/// invalid_argument is INVALID_ARGUMENT, not_found NOT_FOUND,
/// deadline_exceeded DEADLINE_EXCEEDED, unavailable UNAVAILABLE, internal
/// INTERNAL, ok OK.
grpc::Status to_grpc_status(const query_error& error);

/// How long a query may wait for a shard: `longest`, or what is left of the
/// client's deadline when that is shorter; nullopt when less than a
/// millisecond is left.
std::optional<std::chrono::milliseconds>
query_deadline(std::chrono::milliseconds longest,
               std::chrono::system_clock::time_point client_deadline,
               std::chrono::system_clock::time_point now);

/// Implements GetHostProfile, TopHosts, GetNetworkMap, GetStatus,
/// StreamProfiles and ReloadConfig. Every handler checks the bearer token first: gRPC C++
/// offers no hook that refuses a plaintext call before its handler runs.
class grpc_service final : public v1::Hostflow::CallbackService {
public:
  /// Answers from `sources`, running queries on `pool`, which must outlive
  /// every call (stop the gRPC server before the pool).
  grpc_service(grpc_service_sources sources, query_pool& pool);

  /// A host's windows and baseline; a range left open counts from the watermark.
  grpc::ServerUnaryReactor* GetHostProfile(grpc::CallbackServerContext* ctx,
                                           const v1::GetHostProfileRequest* request,
                                           v1::GetHostProfileResponse* response) override;

  /// The hosts with the largest values of a metric in one window.
  grpc::ServerUnaryReactor* TopHosts(grpc::CallbackServerContext* ctx,
                                     const v1::TopHostsRequest* request,
                                     v1::TopHostsResponse* response) override;

  /// A metric summed per cell of a network.
  grpc::ServerUnaryReactor* GetNetworkMap(grpc::CallbackServerContext* ctx,
                                          const v1::GetNetworkMapRequest* request,
                                          v1::GetNetworkMapResponse* response) override;

  /// Version, uptime and the counters of shards, receivers and exporters.
  grpc::ServerUnaryReactor* GetStatus(grpc::CallbackServerContext* ctx,
                                      const v1::GetStatusRequest* request,
                                      v1::GetStatusResponse* response) override;

  /// The windows of the selected hosts as they close, through the stream
  /// hub, until the client cancels or the server stops.
  grpc::ServerWriteReactor<v1::StreamProfilesResponse>*
  StreamProfiles(grpc::CallbackServerContext* ctx,
                 const v1::StreamProfilesRequest* request) override;

  /// Reads the configuration again and applies what can change in flight.
  grpc::ServerUnaryReactor* ReloadConfig(grpc::CallbackServerContext* ctx,
                                         const v1::ReloadConfigRequest* request,
                                         v1::ReloadConfigResponse* response) override;

private:
  /// Runs `work(source)` on the pool with the call's deadline applied and
  /// finishes the call with its status.
  template <class Work>
  grpc::ServerUnaryReactor* run_query(grpc::CallbackServerContext* ctx, Work work);

  grpc_service_sources sources_;
  query_pool& pool_;
  int64_t start_wall_ms_;
  std::string node_name_;
  std::chrono::steady_clock::time_point start_;
};

} // namespace hostflow
