#include "server/grpc_service.hpp"

#include "server/profile_stream_hub.hpp"
#include "server/proto_convert.hpp"
#include "server/proto_requests.hpp"

namespace hostflow {

namespace {

int64_t wall_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// Finishes a call at once, without a query.
grpc::ServerUnaryReactor* finish_now(grpc::CallbackServerContext* ctx, grpc::Status status) {
  auto* reactor = ctx->DefaultReactor();
  reactor->Finish(std::move(status));
  return reactor;
}

} // namespace

grpc::Status to_grpc_status(const query_error& error) {
  switch (error.code) {
  case query_errc::ok:
    return grpc::Status::OK;
  case query_errc::invalid_argument:
    return {grpc::StatusCode::INVALID_ARGUMENT, error.message};
  case query_errc::not_found:
    return {grpc::StatusCode::NOT_FOUND, error.message};
  case query_errc::deadline_exceeded:
    return {grpc::StatusCode::DEADLINE_EXCEEDED, error.message};
  case query_errc::unavailable:
    return {grpc::StatusCode::UNAVAILABLE, error.message};
  case query_errc::internal:
    return {grpc::StatusCode::INTERNAL, error.message};
  }
  return {grpc::StatusCode::INTERNAL, error.message};
}

std::optional<std::chrono::milliseconds>
query_deadline(std::chrono::milliseconds longest,
               std::chrono::system_clock::time_point client_deadline,
               std::chrono::system_clock::time_point now) {
  // A call without a deadline has one at the end of time: no overflow here,
  // both lie after the epoch.
  if (client_deadline <= now)
    return std::nullopt;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(client_deadline - now);
  if (left.count() < 1)
    return std::nullopt;
  return std::min(longest, left);
}

grpc_service::grpc_service(grpc_service_sources sources, query_pool& pool)
    : sources_(std::move(sources)), pool_(pool),
      start_wall_ms_(wall_ms(std::chrono::system_clock::now())), node_name_(local_node_name()),
      start_(std::chrono::steady_clock::now()) {}

template <class Work>
grpc::ServerUnaryReactor* grpc_service::run_query(grpc::CallbackServerContext* ctx, Work work) {
  auto* reactor = ctx->DefaultReactor();
  auto job = [this, ctx, reactor, work]() {
    // Queued while the client gave up: nobody waits for the answer.
    if (ctx->IsCancelled()) {
      reactor->Finish(grpc::Status::CANCELLED);
      return;
    }
    auto deadline = query_deadline(sources_.profiles.deadline, ctx->deadline(),
                                   std::chrono::system_clock::now());
    if (!deadline) {
      reactor->Finish({grpc::StatusCode::DEADLINE_EXCEEDED,
                       "the call's deadline passed before its query could start"});
      return;
    }
    auto source = sources_.profiles;
    source.deadline = *deadline;
    reactor->Finish(work(source));
  };
  switch (pool_.post(std::move(job))) {
  case post_result::accepted:
    break;
  case post_result::full:
    reactor->Finish({grpc::StatusCode::RESOURCE_EXHAUSTED,
                     "hostflowd has " + std::to_string(pool_.max_queued()) +
                         " queries waiting already; retry shortly"});
    break;
  case post_result::stopped:
    reactor->Finish({grpc::StatusCode::UNAVAILABLE, "hostflowd is shutting down"});
    break;
  }
  return reactor;
}

// -- unary calls -------------------------------------------------------------------------

grpc::ServerUnaryReactor* grpc_service::GetHostProfile(grpc::CallbackServerContext* ctx,
                                                       const v1::GetHostProfileRequest* request,
                                                       v1::GetHostProfileResponse* response) {
  if (auto denied = sources_.token.check(*ctx); !denied.ok())
    return finish_now(ctx, denied);
  host_profile_params params;
  if (auto e = read_request(*request, params))
    return finish_now(ctx, to_grpc_status(e));
  return run_query(ctx, [params, response](const profile_source& src) {
    // A range the request leaves open counts from the watermark.
    std::optional<int64_t> watermark;
    if (!params.from_ms || !params.to_ms) {
      query_error error;
      watermark = current_watermark(src, error);
      if (error)
        return to_grpc_status(error);
    }
    auto range = resolve_range(params, watermark, wall_ms(std::chrono::system_clock::now()));
    host_profile_answer answer;
    if (auto e = query_host_profile(src, params.host, params.granularities_s, range.from_ms,
                                    range.to_ms, answer))
      return to_grpc_status(e);
    to_proto(answer, range, *response);
    return grpc::Status::OK;
  });
}

grpc::ServerUnaryReactor* grpc_service::TopHosts(grpc::CallbackServerContext* ctx,
                                                 const v1::TopHostsRequest* request,
                                                 v1::TopHostsResponse* response) {
  if (auto denied = sources_.token.check(*ctx); !denied.ok())
    return finish_now(ctx, denied);
  top_hosts_params params;
  if (auto e = read_request(*request, params))
    return finish_now(ctx, to_grpc_status(e));
  return run_query(ctx, [params, response](const profile_source& src) {
    top_hosts_answer answer;
    if (auto e = query_top_hosts(src, params.selector, params.limit, answer))
      return to_grpc_status(e);
    to_proto(answer, params.selector.granularity_s, *response);
    return grpc::Status::OK;
  });
}

grpc::ServerUnaryReactor* grpc_service::GetNetworkMap(grpc::CallbackServerContext* ctx,
                                                      const v1::GetNetworkMapRequest* request,
                                                      v1::GetNetworkMapResponse* response) {
  if (auto denied = sources_.token.check(*ctx); !denied.ok())
    return finish_now(ctx, denied);
  network_map_params params;
  if (auto e = read_request(*request, params))
    return finish_now(ctx, to_grpc_status(e));
  return run_query(ctx, [params, response](const profile_source& src) {
    network_map_answer answer;
    if (auto e =
            query_network_map(src, params.network, params.cell_length, params.selector, answer))
      return to_grpc_status(e);
    to_proto(answer, params.selector.granularity_s, *response);
    return grpc::Status::OK;
  });
}

grpc::ServerUnaryReactor* grpc_service::GetStatus(grpc::CallbackServerContext* ctx,
                                                  const v1::GetStatusRequest*,
                                                  v1::GetStatusResponse* response) {
  if (auto denied = sources_.token.check(*ctx); !denied.ok())
    return finish_now(ctx, denied);
  return run_query(ctx, [this, response](const profile_source& src) {
    server_status status;
    status.version = HOSTFLOW_VERSION;
    status.node_name = node_name_;
    status.start_wall_ms = start_wall_ms_;
    status.uptime_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - start_)
                           .count();
    if (auto e = query_shard_status(src, status.shards))
      return to_grpc_status(e);
    if (auto e = query_ingest_reports(src, sources_.ingest, status.receivers))
      return to_grpc_status(e);
    if (sources_.streams)
      status.profile_streams = sources_.streams->counters().open;
    to_proto(status, *response);
    return grpc::Status::OK;
  });
}

grpc::ServerUnaryReactor* grpc_service::ReloadConfig(grpc::CallbackServerContext* ctx,
                                                     const v1::ReloadConfigRequest*,
                                                     v1::ReloadConfigResponse* response) {
  if (auto denied = sources_.token.check(*ctx); !denied.ok())
    return finish_now(ctx, denied);
  if (!sources_.reload)
    return finish_now(ctx, {grpc::StatusCode::FAILED_PRECONDITION,
                            "this hostflowd cannot reload its configuration"});
  // On the pool: loading reads a file, which gRPC's own threads must not
  // wait for.
  return run_query(ctx, [this, response](const profile_source&) {
    auto outcome = sources_.reload();
    if (!outcome.ok())
      return grpc::Status{grpc::StatusCode::FAILED_PRECONDITION,
                          "the configuration was not reloaded, the running one stays in force: " +
                            outcome.error};
    for (const auto& key : outcome.applied)
      response->add_applied_keys(key);
    for (const auto& key : outcome.restart_required)
      response->add_restart_required_keys(key);
    return grpc::Status::OK;
  });
}

// -- streams ---------------------------------------------------------------------------

grpc::ServerWriteReactor<v1::StreamProfilesResponse>*
grpc_service::StreamProfiles(grpc::CallbackServerContext* ctx,
                             const v1::StreamProfilesRequest* request) {
  if (auto denied = sources_.token.check(*ctx); !denied.ok())
    return refuse_stream(denied);
  stream_profiles_params params;
  if (auto e = read_request(*request, params))
    return refuse_stream(to_grpc_status(e));
  if (!sources_.streams)
    return refuse_stream(
        {grpc::StatusCode::UNAVAILABLE, "this hostflowd does not stream profiles"});
  return sources_.streams->open(std::move(params));
}

} // namespace hostflow
