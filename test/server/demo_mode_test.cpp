// hostflowd --demo: the server feeds itself synthetic IPFIX over UDP, so a
// newcomer sees live hosts at once. Checked through the gRPC API: records
// arrive without loss, the demo's hosts have open windows, and the busiest
// sender of a 10 s window is the demo's web server.

#include <chrono>
#include <csignal>
#include <string>
#include <thread>

#include <doctest/doctest.h>
#include <grpcpp/grpcpp.h>

#include "actors/udp_socket.hpp"
#include "server/demo_sender.hpp"

#include "daemon_process.hpp"
#include "hostflow/v1/hostflow.grpc.pb.h"

using namespace hostflow;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<grpc::ClientContext> context() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + 5s);
  return ctx;
}

} // namespace

TEST_CASE("the demo sends to the IPFIX listener, on loopback when it listens everywhere") {
  auto at = [](const char* address, uint16_t port) {
    return endpoint{*ip_address::parse(address), port};
  };
  CHECK(demo_target({at("0.0.0.0", 2055), at("0.0.0.0", 4739)}) == at("127.0.0.1", 4739));
  CHECK(demo_target({at("::", 4739)}) == at("::1", 4739));
  CHECK(demo_target({at("192.0.2.1", 9995)}) == at("192.0.2.1", 9995));
}

TEST_CASE("hostflowd --demo shows live hosts of the demo network within seconds") {
  auto sock = udp_socket::open(endpoint{*ip_address::parse("127.0.0.1"), 0}, 0, false);
  REQUIRE(sock);
  auto udp = sock->local_endpoint().to_string();
  sock.value.reset();
  auto grpc_address = test::loopback(test::free_tcp_port());
  test::daemon_process d({"--demo", "--udp-listen", udp, "--grpc-listen", grpc_address});
  REQUIRE_MESSAGE(d.wait_for_log("running", 10s), d.log());
  CHECK(d.log().find("demo: sending synthetic IPFIX of 10.20.0.0/24 to " + udp) !=
        std::string::npos);
  auto stub =
      v1::Hostflow::NewStub(grpc::CreateChannel(grpc_address, grpc::InsecureChannelCredentials()));

  // Polled for at most 20 s: the sender sends once a second.
  v1::GetHostProfileRequest web;
  web.set_host("10.20.0.10");
  web.add_granularities(v1::GRANULARITY_10_SECONDS);
  v1::GetHostProfileResponse profile;
  v1::GetStatusResponse status;
  uint64_t open_flows = 0;
  for (int poll = 0; poll < 100 && open_flows < 20; ++poll) {
    std::this_thread::sleep_for(200ms);
    profile.Clear();
    if (!stub->GetHostProfile(context().get(), web, &profile).ok())
      continue;
    open_flows = 0;
    for (const auto& w : profile.open_windows())
      open_flows += w.flows();
  }
  CHECK(open_flows >= 20);
  // Receivers report their counters about once a second.
  for (int poll = 0; poll < 50; ++poll) {
    status.Clear();
    REQUIRE(stub->GetStatus(context().get(), v1::GetStatusRequest{}, &status).ok());
    if (status.ingest().records() > 0)
      break;
    std::this_thread::sleep_for(100ms);
  }
  CHECK(status.ingest().records() > 0);
  CHECK(status.ingest().decode_errors() == 0);
  CHECK(status.ingest().lost_records() == 0);
  CHECK(status.ingest().unmonitored() == 0);

  // The web server answers every outside client: the top sender of the
  // oldest open 10 s window, the one with the most seconds of traffic.
  v1::TopHostsRequest top;
  top.set_metric(v1::METRIC_BYTES);
  top.set_granularity(v1::GRANULARITY_10_SECONDS);
  top.set_direction(v1::DIRECTION_OUT);
  top.set_limit(3);
  int64_t oldest_open = INT64_MAX;
  for (const auto& w : profile.open_windows())
    oldest_open = std::min<int64_t>(oldest_open, w.start().seconds());
  top.mutable_window_start()->set_seconds(oldest_open);
  v1::TopHostsResponse ranking;
  auto result = stub->TopHosts(context().get(), top, &ranking);
  REQUIRE_MESSAGE(result.ok(), result.error_message());
  REQUIRE(ranking.hosts_size() > 0);
  CHECK(ranking.hosts(0).address() == "10.20.0.10");

  REQUIRE(kill(d.pid, SIGTERM) == 0);
  CHECK(d.wait_exit(10s) == 0);
}
