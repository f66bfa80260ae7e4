// The metrics endpoint of the real hostflowd: scraped over HTTP after the
// attack scenario arrived over UDP, its counters are the daemon's, other
// paths are 404, and a taken port stops the daemon with exit 1.

#include <chrono>
#include <csignal>
#include <string>
#include <thread>

#include <doctest/doctest.h>
#include <httplib.h>

#include "actors/udp_socket.hpp"

#include "capture_sender.hpp"
#include "daemon_process.hpp"

using namespace hostflow;
using namespace std::chrono_literals;

namespace {

endpoint free_udp_endpoint() {
  auto s = udp_socket::open(endpoint{*ip_address::parse("127.0.0.1"), 0}, 0, false);
  REQUIRE(s);
  return s->local_endpoint();
}

// The value of the sample line starting with `series` ("name{labels}"), or
// "" when there is none.
std::string value_of(const std::string& text, const std::string& series) {
  auto at = text.find("\n" + series + " ");
  if (at == std::string::npos)
    return {};
  auto start = at + series.size() + 2;
  return text.substr(start, text.find('\n', start) - start);
}

} // namespace

TEST_CASE("hostflowd serves its counters at /metrics in the Prometheus text format") {
  auto udp = free_udp_endpoint();
  uint16_t metrics_port = test::free_tcp_port();
  test::daemon_process d({"--udp-listen", udp.to_string(), "--grpc-listen",
                          test::loopback(test::free_tcp_port()), "--metrics-listen",
                          test::loopback(metrics_port), "--monitor", "10.10.0.0/16"});
  REQUIRE_MESSAGE(d.wait_for_log("running", 10s), d.log());
  CHECK(d.log().find("metrics " + test::loopback(metrics_port) + ": listening") !=
        std::string::npos);
  test::send_capture(test::scenario_capture("ipfix"), udp);

  httplib::Client client{"127.0.0.1", metrics_port};
  client.set_read_timeout(5, 0);
  std::string text;
  std::string records_series;
  // Receivers report about once a second: scrape until every record is in
  // (at most 100 times, 100 ms apart).
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto res = client.Get("/metrics");
    REQUIRE(res);
    REQUIRE(res->status == 200);
    CHECK(res->get_header_value("Content-Type") == "text/plain; version=0.0.4; charset=utf-8");
    text = "\n" + res->body;
    auto at = text.find("\nhostflow_exporter_records_total{");
    if (at != std::string::npos) {
      records_series = text.substr(at + 1, text.find(' ', at + 1) - at - 1);
      if (value_of(text, records_series) == "143481")
        break;
    }
    std::this_thread::sleep_for(100ms);
  }
  CHECK(value_of(text, records_series) == "143481");
  CHECK(records_series.find("receiver=\"" + udp.to_string() + "\"") != std::string::npos);
  CHECK(value_of(text, "hostflow_receiver_datagrams_total{receiver=\"" + udp.to_string() +
                         "\"}") == "4586");
  CHECK(value_of(text, "hostflow_receiver_kernel_drops_total{receiver=\"" + udp.to_string() +
                         "\"}") == "0");
  CHECK(value_of(text, "hostflow_grpc_profile_streams") == "0");
  CHECK(value_of(text, "hostflow_build_info{version=\"" HOSTFLOW_VERSION "\"}") == "1");
  // Hosts in memory, summed over however many shards this machine runs.
  uint64_t hosts = 0;
  for (size_t at = text.find("\nhostflow_hosts{"); at != std::string::npos;
       at = text.find("\nhostflow_hosts{", at + 1))
    hosts += std::stoull(text.substr(text.find(' ', at) + 1));
  CHECK(hosts > 100);

  auto missing = client.Get("/nope");
  REQUIRE(missing);
  CHECK(missing->status == 404);
  CHECK(missing->body.find("metrics are at /metrics") != std::string::npos);

  REQUIRE(kill(d.pid, SIGTERM) == 0);
  CHECK(d.wait_exit(10s) == 0);
}

TEST_CASE("hostflowd exits 1 naming the address when its metrics port is taken") {
  test::tcp_listener taken;
  auto address = test::loopback(taken.port);
  test::daemon_process d({"--udp-listen", free_udp_endpoint().to_string(), "--grpc-listen",
                          test::loopback(test::free_tcp_port()), "--metrics-listen", address});
  CHECK(d.wait_exit(10s) == 1);
  CHECK(d.log().find("cannot listen for metrics on " + address +
                     ": the address is in use or not an address of this machine") !=
        std::string::npos);
}

TEST_CASE("--metrics-listen '' serves no endpoint") {
  test::daemon_process d({"--udp-listen", free_udp_endpoint().to_string(), "--grpc-listen",
                          test::loopback(test::free_tcp_port()), "--metrics-listen", ""});
  REQUIRE_MESSAGE(d.wait_for_log("running", 10s), d.log());
  CHECK(d.log().find("metrics ") == std::string::npos);
  REQUIRE(kill(d.pid, SIGTERM) == 0);
  CHECK(d.wait_exit(10s) == 0);
}
