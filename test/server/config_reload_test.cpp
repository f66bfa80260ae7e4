// Reloading the configuration while hostflowd runs: the reloader's rules
// (apply what can change in flight, name what waits for a restart, refuse a
// bad file whole), then the real daemon re-reading its file on SIGHUP and on
// the ReloadConfig RPC while the attack scenario arrives over UDP.

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>
#include <grpcpp/grpcpp.h>

#include "actors/udp_socket.hpp"
#include "server/config_reload.hpp"

#include "capture_sender.hpp"
#include "daemon_process.hpp"
#include "hostflow/v1/hostflow.grpc.pb.h"

using namespace hostflow;
using namespace std::chrono_literals;

namespace {

using strings = std::vector<std::string>;

// A reloader whose "file" is `text`, counting the configurations applied.
struct reloader_under_test {
  std::string text = R"({"monitored_networks": ["10.0.0.0/8"]})";
  std::vector<server_config> applied;
  config_reloader reloader{*parse_config(text, "test.json").config,
                           [this] { return parse_config(text, "test.json"); },
                           [this](const server_config& c) { applied.push_back(c); }};
};

} // namespace

TEST_CASE("a reload applies changed monitored networks and names keys that need a restart") {
  reloader_under_test r;
  r.text = R"({"monitored_networks": ["10.0.0.0/8", "192.0.2.0/24"], "log_level": "debug",
               "udp_listen": ["127.0.0.1:9995"], "store": {"checkpoint_interval_seconds": 30}})";
  auto outcome = r.reloader.reload();
  REQUIRE(outcome.ok());
  CHECK(outcome.applied == strings{"log_level", "monitored_networks"});
  CHECK(outcome.restart_required == strings{"store", "udp_listen"});
  REQUIRE(r.applied.size() == 1);
  CHECK(r.applied[0].monitored_networks.size() == 2);
  CHECK(r.applied[0].log_level == log_level::debug);
  // Keys waiting for a restart keep their running values meanwhile.
  CHECK(r.applied[0].udp_listen == server_config{}.udp_listen);
  CHECK(r.applied[0].store.checkpoint_interval == std::chrono::seconds(10));
  CHECK(r.reloader.running().monitored_networks.size() == 2);
  CHECK(outcome.to_string() == "configuration reloaded: applied log_level, monitored_networks; "
                               "restart required for store, udp_listen");
}

TEST_CASE("a reload of an unchanged file applies nothing") {
  reloader_under_test r;
  auto outcome = r.reloader.reload();
  CHECK(outcome.ok());
  CHECK(outcome.applied.empty());
  CHECK(outcome.restart_required.empty());
  CHECK(r.applied.empty());
  CHECK(outcome.to_string() == "configuration reloaded: nothing changed");
}

TEST_CASE("a bad file is refused whole with the loader's reason and the running config stays") {
  reloader_under_test r;
  r.text = R"({"monitored_networks": ["10.0.0.0/33"], "log_level": "debug"})";
  auto outcome = r.reloader.reload();
  CHECK_FALSE(outcome.ok());
  CHECK(outcome.error.rfind("monitored_networks[0]: '10.0.0.0/33'", 0) == 0);
  CHECK(r.applied.empty());
  CHECK(r.reloader.running().log_level == log_level::info);
  CHECK(outcome.to_string().rfind(
            "configuration not reloaded, the running one stays in force: monitored_networks[0]", 0) ==
        0);
}

TEST_CASE("exporter rules and monitor_all are reloadable too") {
  reloader_under_test r;
  r.text = R"({"monitor_all": true, "monitored_networks": ["10.0.0.0/8"],
               "exporters": [{"address": "192.0.2.1", "input_interfaces": [3]}]})";
  auto outcome = r.reloader.reload();
  REQUIRE(outcome.ok());
  CAPTURE(outcome.to_string());
  CHECK(outcome.applied == strings{"exporters", "monitor_all"});
  CHECK(outcome.restart_required.empty());
  REQUIRE(r.applied.size() == 1);
  CHECK(r.applied[0].monitor_all);
  CHECK(r.applied[0].exporters.size() == 1);
}

// -- the daemon ------------------------------------------------------------------------

namespace {

constexpr uint64_t scenario_records = 143'481;
constexpr uint64_t scenario_views = 262'703;

endpoint free_udp_endpoint() {
  auto s = udp_socket::open(endpoint{*ip_address::parse("127.0.0.1"), 0}, 0, false);
  REQUIRE(s);
  return s->local_endpoint();
}

// Polls GetStatus (at most 100 times, 100 ms apart) until the receivers
// report `records`; the ingest counters then.
v1::IngestStatus wait_for_records(v1::Hostflow::Stub& stub, uint64_t records) {
  v1::GetStatusResponse status;
  for (int attempt = 0; attempt < 100; ++attempt) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + 5s);
    status.Clear();
    auto result = stub.GetStatus(&ctx, v1::GetStatusRequest{}, &status);
    REQUIRE_MESSAGE(result.ok(), result.error_message());
    if (status.ingest().records() >= records)
      break;
    std::this_thread::sleep_for(100ms);
  }
  REQUIRE(status.ingest().records() == records);
  return status.ingest();
}

grpc::Status reload(v1::Hostflow::Stub& stub, v1::ReloadConfigResponse& response) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + 10s);
  return stub.ReloadConfig(&ctx, v1::ReloadConfigRequest{}, &response);
}

} // namespace

TEST_CASE("hostflowd reloads monitored networks on SIGHUP and the RPC, and keeps them on a bad "
          "file") {
  auto dir = std::filesystem::temp_directory_path() /
             ("hostflow-reload-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto config_path = (dir / "hostflow.json").string();
  auto write_config = [&](const std::string& text) { std::ofstream{config_path} << text; };
  write_config(R"({"monitored_networks": ["10.99.0.0/16"]})");
  auto udp = free_udp_endpoint();
  auto grpc_address = test::loopback(test::free_tcp_port());
  test::daemon_process d({"--config", config_path, "--udp-listen", udp.to_string(),
                          "--grpc-listen", grpc_address});
  REQUIRE_MESSAGE(d.wait_for_log("running", 10s), d.log());
  auto stub =
      v1::Hostflow::NewStub(grpc::CreateChannel(grpc_address, grpc::InsecureChannelCredentials()));

  // No host of the scenario is monitored: every record is dropped as such.
  test::send_capture(test::scenario_capture("ipfix"), udp);
  auto first = wait_for_records(*stub, scenario_records);
  CHECK(first.unmonitored() == scenario_records);
  CHECK(first.record_views_sent() == 0);

  // SIGHUP: the scenario's network is monitored from now on; the store key
  // changed as well, which waits for a restart.
  write_config(R"({"monitored_networks": ["10.10.0.0/16"],
                   "store": {"checkpoint_interval_seconds": 30}})");
  REQUIRE(kill(d.pid, SIGHUP) == 0);
  REQUIRE_MESSAGE(d.wait_for_log("configuration reloaded: applied monitored_networks; restart "
                                 "required for store",
                                 10s),
                  d.log());
  test::send_capture(test::scenario_capture("ipfix"), udp);
  auto second = wait_for_records(*stub, 2 * scenario_records);
  CHECK(second.unmonitored() == scenario_records);
  CHECK(second.record_views_sent() == scenario_views);

  // A bad file: the RPC is refused with the reason, SIGHUP logs it, and
  // the networks loaded before stay in force.
  write_config(R"({"monitored_networks": ["10.99.0.0/33"]})");
  v1::ReloadConfigResponse response;
  auto refused = reload(*stub, response);
  CHECK(refused.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  CHECK(refused.error_message().find("the running one stays in force") != std::string::npos);
  CHECK(refused.error_message().find("monitored_networks[0]: '10.99.0.0/33'") !=
        std::string::npos);
  REQUIRE(kill(d.pid, SIGHUP) == 0);
  CHECK(d.wait_for_log("configuration not reloaded, the running one stays in force", 10s));
  test::send_capture(test::scenario_capture("ipfix"), udp);
  auto third = wait_for_records(*stub, 3 * scenario_records);
  CHECK(third.unmonitored() == scenario_records);
  CHECK(third.record_views_sent() == 2 * scenario_views);

  // The RPC with a good file answers what it applied.
  write_config(R"({"monitored_networks": ["10.99.0.0/16"]})");
  auto accepted = reload(*stub, response);
  REQUIRE_MESSAGE(accepted.ok(), accepted.error_message());
  CHECK(strings(response.applied_keys().begin(), response.applied_keys().end()) ==
        strings{"monitored_networks"});
  CHECK(response.restart_required_keys().empty());

  REQUIRE(kill(d.pid, SIGTERM) == 0);
  CHECK(d.wait_exit(10s) == 0);
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}
