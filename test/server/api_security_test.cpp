// The API's TLS and bearer token: a real server on a loopback port with a
// certificate made for the test, asked by real gRPC clients with and
// without the right credentials. A call without the token must be refused
// before it reaches a shard, whichever RPC it is.

#include <chrono>
#include <fstream>
#include <memory>
#include <string>

#include <doctest/doctest.h>
#include <grpcpp/grpcpp.h>

#include "actors/profile_pipeline.hpp"
#include "server/api_security.hpp"
#include "server/api_server.hpp"
#include "state/store.hpp"

#include "actor_fixture.hpp"
#include "hostflow/v1/hostflow.grpc.pb.h"
#include "tls_files.hpp"

using namespace hostflow;
using namespace std::chrono_literals;

namespace {

// An empty one-shard pipeline behind an API server with `security`.
struct secured_server {
  test::actor_fixture actors;
  profile_pipeline pipeline;
  std::unique_ptr<api_server> server;

  explicit secured_server(api_security security) {
    profile_pipeline_settings s;
    s.monitored = {};
    s.monitor_all = true;
    s.shard.tick_interval = std::chrono::hours(1);
    s.shard.checkpoint_interval = std::chrono::milliseconds(0);
    pipeline =
        start_profile_pipeline(*actors.sys, s, std::shared_ptr<store>(open_memory_store()));
    api_server_settings settings;
    settings.listen = endpoint{*ip_address::parse("127.0.0.1"), 0};
    settings.security = std::move(security);
    std::string error;
    server = api_server::start(settings, *actors.sys, pipeline, ingest_monitor_actor{}, error);
    REQUIRE_MESSAGE(server, error);
  }

  ~secured_server() {
    server->stop(0ms);
    stop_profile_pipeline(*actors.sys, pipeline);
  }

  std::string address() const { return server->listening().to_string(); }
};

api_security tls_and_token(const test::tls_files& files) {
  grpc_config config;
  config.tls_cert_file = files.cert;
  config.tls_key_file = files.key;
  config.token_file = files.token_file;
  api_security security;
  auto problem = load_api_security(config, security);
  REQUIRE_MESSAGE(problem.empty(), problem);
  return security;
}

std::unique_ptr<v1::Hostflow::Stub> tls_stub(const std::string& address,
                                             const std::string& ca_pem) {
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = ca_pem;
  return v1::Hostflow::NewStub(grpc::CreateChannel(address, grpc::SslCredentials(options)));
}

std::unique_ptr<v1::Hostflow::Stub> plaintext_stub(const std::string& address) {
  return v1::Hostflow::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
}

// A context with a deadline and, unless empty, this authorization metadata.
std::unique_ptr<grpc::ClientContext> context(const std::string& authorization) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + 10s);
  if (!authorization.empty())
    ctx->AddMetadata("authorization", authorization);
  return ctx;
}

grpc::Status get_status(v1::Hostflow::Stub& stub, const std::string& authorization) {
  v1::GetStatusResponse response;
  return stub.GetStatus(context(authorization).get(), v1::GetStatusRequest{}, &response);
}

} // namespace

TEST_CASE("a TLS server with a token answers a TLS client that presents the token") {
  test::tls_files files;
  secured_server served{tls_and_token(files)};
  auto stub = tls_stub(served.address(), test::tls_files::read(files.cert));
  v1::GetStatusResponse response;
  auto status = stub->GetStatus(context("Bearer " + files.token).get(), {}, &response);
  CHECK_MESSAGE(status.ok(), status.error_message());
  CHECK(response.version() == HOSTFLOW_VERSION);
}

TEST_CASE("every RPC of a token-protected server refuses a call without the token") {
  test::tls_files files;
  secured_server served{tls_and_token(files)};
  auto stub = tls_stub(served.address(), test::tls_files::read(files.cert));
  auto check_refused = [](const grpc::Status& status) {
    CAPTURE(status.error_message());
    CHECK(status.error_code() == grpc::StatusCode::UNAUTHENTICATED);
    CHECK(status.error_message().find("bearer token") != std::string::npos);
  };
  v1::GetHostProfileRequest profile_request;
  profile_request.set_host("10.0.0.1");
  v1::GetHostProfileResponse profile;
  check_refused(stub->GetHostProfile(context("").get(), profile_request, &profile));
  v1::TopHostsResponse top;
  check_refused(stub->TopHosts(context("").get(), v1::TopHostsRequest{}, &top));
  v1::GetNetworkMapResponse map;
  check_refused(stub->GetNetworkMap(context("").get(), v1::GetNetworkMapRequest{}, &map));
  check_refused(get_status(*stub, ""));
  v1::StreamProfilesRequest stream_request;
  stream_request.add_hosts("10.0.0.0/8");
  auto ctx = context("");
  auto reader = stub->StreamProfiles(ctx.get(), stream_request);
  v1::StreamProfilesResponse update;
  CHECK_FALSE(reader->Read(&update));
  check_refused(reader->Finish());
}

TEST_CASE("a wrong or malformed token is refused with a message that says which") {
  test::tls_files files;
  secured_server served{tls_and_token(files)};
  auto stub = tls_stub(served.address(), test::tls_files::read(files.cert));
  auto wrong = get_status(*stub, "Bearer " + files.token + "x");
  CHECK(wrong.error_code() == grpc::StatusCode::UNAUTHENTICATED);
  CHECK(wrong.error_message() == "the bearer token is not the one this hostflowd accepts");
  auto basic = get_status(*stub, "Basic " + files.token);
  CHECK(basic.error_code() == grpc::StatusCode::UNAUTHENTICATED);
  CHECK(basic.error_message() == "the authorization metadata must read 'Bearer <token>'");
}

TEST_CASE("a TLS server does not answer a plaintext client") {
  test::tls_files files;
  secured_server served{tls_and_token(files)};
  auto status = get_status(*plaintext_stub(served.address()), "Bearer " + files.token);
  CHECK_FALSE(status.ok());
  CHECK(status.error_code() == grpc::StatusCode::UNAVAILABLE);
}

TEST_CASE("a plaintext server asks for the token alone when only a token is set") {
  test::tls_files files;
  api_security security;
  security.token = files.token;
  secured_server served{security};
  auto stub = plaintext_stub(served.address());
  CHECK(get_status(*stub, "").error_code() == grpc::StatusCode::UNAUTHENTICATED);
  auto status = get_status(*stub, "Bearer " + files.token);
  CHECK_MESSAGE(status.ok(), status.error_message());
}

TEST_CASE("a server without a token answers every call") {
  secured_server served{api_security{}};
  auto status = get_status(*plaintext_stub(served.address()), "");
  CHECK_MESSAGE(status.ok(), status.error_message());
}

TEST_CASE("the API's files are checked: missing, empty or not PEM is an error naming the key") {
  test::tls_files files;
  api_security security;
  grpc_config config;
  config.token_file = files.dir + "/none";
  CHECK(load_api_security(config, security) ==
        "grpc.token_file: cannot read '" + files.dir + "/none': No such file or directory");
  std::ofstream{files.dir + "/empty"} << " \n";
  config.token_file = files.dir + "/empty";
  CHECK(load_api_security(config, security) ==
        "grpc.token_file: '" + files.dir +
            "/empty' is empty (an empty token would let every call through)");
  std::ofstream{files.dir + "/two"} << "one two\n";
  config.token_file = files.dir + "/two";
  CHECK(load_api_security(config, security).find("holds more than one word") !=
        std::string::npos);
  config.token_file = files.token_file;
  config.tls_cert_file = files.key;
  config.tls_key_file = files.key;
  CHECK(load_api_security(config, security) ==
        "grpc.tls_cert_file: '" + files.key + "' holds no PEM certificate");
  config.tls_cert_file = files.cert;
  config.tls_key_file = files.cert;
  CHECK(load_api_security(config, security) ==
        "grpc.tls_key_file: '" + files.cert + "' holds no PEM private key");
  config.tls_key_file = files.key;
  REQUIRE(load_api_security(config, security).empty());
  CHECK(security.tls());
  CHECK(security.token == files.token);
}

TEST_CASE("tokens compare equal only when every byte and the length agree") {
  CHECK(constant_time_equal("Bearer abc", "Bearer abc"));
  CHECK_FALSE(constant_time_equal("Bearer abc", "Bearer abd"));
  CHECK_FALSE(constant_time_equal("Bearer abc", "Bearer ab"));
  CHECK_FALSE(constant_time_equal("", "x"));
  CHECK(constant_time_equal("", ""));
}
