#pragma once

// hostflowd's gRPC front end as one object: the listening server, the
// service and the threads that run its queries, started and stopped
// together. No gRPC header is needed to use it.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "actors/actors.hpp"
#include "actors/profile_queries.hpp"
#include "flow/ip_address.hpp"
#include "server/api_security.hpp"
#include "server/config_reload.hpp"
#include "server/profile_stream_limits.hpp"

namespace grpc {
class Server;
} // namespace grpc

namespace hostflow {

class grpc_service;
class profile_stream_hub;
class query_pool;

/// How the front end runs.
struct api_server_settings {
  /// Where it listens (TCP); port 0 lets the kernel pick one.
  endpoint listen{ip_address::from_v4(0x7f000001), 50051};
  /// Threads that run queries: as many queries wait on shards and the store
  /// at once.
  size_t query_threads = 4;
  /// Calls that may wait for a query thread; past it calls are refused with
  /// RESOURCE_EXHAUSTED rather than queued without bound.
  size_t max_queued_queries = 256;
  /// The longest a query waits for a shard (shorter when the client's
  /// deadline is).
  std::chrono::milliseconds query_deadline{2000};
  /// Bounds of the profile streams: bytes queued per stream for a slow
  /// client (past it the stream ends with RESOURCE_EXHAUSTED) and streams
  /// open at once (past it calls are refused with RESOURCE_EXHAUSTED).
  profile_stream_limits streams;
  /// TLS for the port and the token calls must carry; both off by default.
  api_security security;
  /// Reloads the configuration for the ReloadConfig RPC; null: the RPC is
  /// refused with FAILED_PRECONDITION.
  std::function<reload_outcome()> reload;
};

/// A running gRPC front end.
class api_server {
public:
  /// Listens on `settings.listen` and serves the profiles of `pipeline` (and
  /// the receiver counters of `ingest`, which may be null). Subscribes to
  /// every shard's windows for the streams first, waiting up to
  /// `settings.query_deadline` for each. Returns null and
  /// sets `error` when the address cannot be bound (in use, or not an
  /// address of this machine). `sys` and `pipeline` must outlive the server.
  static std::unique_ptr<api_server> start(const api_server_settings& settings,
                                           caf::actor_system& sys, const profile_pipeline& pipeline,
                                           ingest_monitor_actor ingest, std::string& error);

  api_server(const api_server&) = delete;
  api_server& operator=(const api_server&) = delete;

  /// Stops with a short grace period (see stop()).
  ~api_server();

  /// The bound address, with the port the kernel picked for port 0.
  const endpoint& listening() const noexcept { return listening_; }

  /// Ends every profile stream with UNAVAILABLE at once, refuses new calls,
  /// lets calls in flight finish until `grace` has passed, cancels the rest
  /// (streams whose client does not read among them), and returns once every
  /// call has finished and the query threads have stopped. Safe to call more
  /// than once.
  void stop(std::chrono::milliseconds grace);

  /// The profile streams' counters now.
  profile_stream_counters stream_counters() const;

private:
  api_server();

  endpoint listening_;
  caf::actor_system* sys_ = nullptr;
  std::shared_ptr<profile_stream_hub> streams_;
  profile_subscriber_actor fanout_;
  std::unique_ptr<query_pool> pool_;
  std::unique_ptr<grpc_service> service_;
  std::unique_ptr<grpc::Server> server_;
};

} // namespace hostflow
