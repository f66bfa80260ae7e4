#include "server/api_server.hpp"

#include <grpcpp/grpcpp.h>

#include "actors/profile_fanout.hpp"
#include "server/grpc_service.hpp"
#include "server/profile_stream_hub.hpp"
#include "server/query_pool.hpp"

namespace hostflow {

api_server::api_server() = default;

api_server::~api_server() {
  stop(std::chrono::milliseconds(500));
}

std::unique_ptr<api_server> api_server::start(const api_server_settings& settings,
                                              caf::actor_system& sys,
                                              const profile_pipeline& pipeline,
                                              ingest_monitor_actor ingest, std::string& error) {
  std::unique_ptr<api_server> self{new api_server};
  self->sys_ = &sys;
  self->pool_ = std::make_unique<query_pool>(settings.query_threads, settings.max_queued_queries);
  self->streams_ = std::make_shared<profile_stream_hub>(settings.streams);
  // Subscribed before the first call, so a stream sees every window that
  // closes after it opens.
  self->fanout_ = start_profile_fanout(sys, pipeline, self->streams_, settings.query_deadline);
  grpc_service_sources sources;
  sources.profiles = profile_source{&sys, &pipeline, settings.query_deadline};
  sources.ingest = std::move(ingest);
  sources.streams = self->streams_.get();
  sources.token = bearer_token_check{settings.security.token};
  sources.reload = settings.reload;
  self->service_ = std::make_unique<grpc_service>(std::move(sources), *self->pool_);
  grpc::ServerBuilder builder;
  // gRPC binds with SO_REUSEPORT by default, so a second server on the same
  // port would start and silently get half the calls; a taken port must be
  // an error instead.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  int port = 0;
  auto address = settings.listen.to_string();
  builder.AddListeningPort(address, server_credentials(settings.security), &port);
  builder.RegisterService(self->service_.get());
  self->server_ = builder.BuildAndStart();
  if (!self->server_ || port == 0) {
    error = "cannot listen for gRPC on " + address +
            ": the address is in use or not an address of this machine";
    // Stopping here, before the caller lets go, keeps the order of stop():
    // the server first, then the pool its calls run on.
    self->stop(std::chrono::milliseconds(0));
    return nullptr;
  }
  self->listening_ = endpoint{settings.listen.address, static_cast<uint16_t>(port)};
  return self;
}

void api_server::stop(std::chrono::milliseconds grace) {
  // Streams end first and at once: left open, each would last the whole
  // grace period, and one whose client does not read until the server
  // cancels it at the end.
  if (streams_)
    streams_->stop();
  if (server_) {
    // Calls in flight finish on the pool, which keeps running until the
    // server has waited for the last of them.
    server_->Shutdown(std::chrono::system_clock::now() + grace);
    server_->Wait();
    server_.reset();
  }
  if (pool_)
    pool_->stop();
  // After the server: every stream is done, no update has anywhere to go.
  if (sys_)
    stop_profile_fanout(*sys_, fanout_);
}

profile_stream_counters api_server::stream_counters() const {
  return streams_ ? streams_->counters() : profile_stream_counters{};
}

} // namespace hostflow
