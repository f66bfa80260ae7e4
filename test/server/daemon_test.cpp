// hostflowd as a user runs it: the real binary, real UDP on loopback, real
// signals. Exit codes and log lines are its interface here.

#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "actors/udp_socket.hpp"
#include "capture_sender.hpp"
#include "daemon_process.hpp"

using namespace hostflow;
using namespace std::chrono_literals;

namespace {

using test::daemon_process;
using test::free_tcp_port;
using test::loopback;

// A free UDP port on 127.0.0.1 (bound and released).
uint16_t free_udp_port() {
  auto s = udp_socket::open(endpoint{*ip_address::parse("127.0.0.1"), 0}, 0, false);
  REQUIRE(s);
  return s->local_endpoint().port;
}

} // namespace

TEST_CASE("hostflowd receives a whole export over UDP and exits 0 within 2 s of SIGTERM") {
  auto port = free_udp_port();
  daemon_process d({"--udp-listen", "127.0.0.1:" + std::to_string(port), "--monitor",
                    "10.10.0.0/16", "--grpc-listen", loopback(free_tcp_port())});
  REQUIRE(d.wait_for_log("running", 5s));

  test::send_capture(test::scenario_capture("ipfix"),
                     endpoint{*ip_address::parse("127.0.0.1"), port});
  std::this_thread::sleep_for(500ms); // let the receiver drain its socket

  auto stop = std::chrono::steady_clock::now();
  REQUIRE(kill(d.pid, SIGTERM) == 0);
  int code = d.wait_exit(5s);
  auto took = std::chrono::steady_clock::now() - stop;
  CHECK(code == 0);
  CHECK(took < 2s);
  auto log = d.log();
  INFO(log);
  CHECK(log.find("final ingest: 4586 datagrams, 143481 records, 0 unmonitored, 0 not selected, "
                 "262703 views to shards, 0 dropped (no credit)") != std::string::npos);
  // Records between two monitored hosts are two views (the source's
  // outgoing, the destination's incoming), the others one; the totals are
  // those of the capture decoded offline.
  CHECK(log.find("final profiles: 262703 record views, 1162751 packets, 903467685 bytes") !=
        std::string::npos);
  CHECK(log.find("0 kernel drops, 0 decode errors, lost per sequence: 0 records, 0 datagrams") != std::string::npos);
}

TEST_CASE("hostflowd spreads one port over several SO_REUSEPORT receivers without losing a record") {
  auto port = free_udp_port();
  char tmpl[] = "/tmp/hostflowd-config-XXXXXX";
  int fd = mkstemp(tmpl);
  REQUIRE(fd >= 0);
  std::string config = R"({"receivers_per_listen": 3, "monitored_networks": ["10.10.0.0/16"], "udp_listen": ["127.0.0.1:)" +
                       std::to_string(port) + R"("], "grpc": {"listen": ")" +
                       loopback(free_tcp_port()) + R"("}})";
  REQUIRE(write(fd, config.data(), config.size()) == static_cast<ssize_t>(config.size()));
  close(fd);
  daemon_process d({"--config", tmpl});
  REQUIRE(d.wait_for_log("running: 3 receivers", 5s));
  // Three exporters (three source ports): the kernel hashes each to one socket.
  for (const char* proto : {"v5", "v9", "ipfix"})
    test::send_capture(test::scenario_capture(proto),
                       endpoint{*ip_address::parse("127.0.0.1"), port});
  std::this_thread::sleep_for(500ms);
  REQUIRE(kill(d.pid, SIGTERM) == 0);
  CHECK(d.wait_exit(5s) == 0);
  auto log = d.log();
  INFO(log);
  CHECK(log.find("final profiles: 788109 record views, 3488253 packets, 2710403055 bytes") !=
        std::string::npos);
  std::remove(tmpl);
}

TEST_CASE("hostflowd refuses a bad config with the key's name and exit code 2") {
  char tmpl[] = "/tmp/hostflowd-config-XXXXXX";
  int fd = mkstemp(tmpl);
  REQUIRE(fd >= 0);
  std::string bad = R"({"decoder": {"max_templatess": 10}})";
  REQUIRE(write(fd, bad.data(), bad.size()) == static_cast<ssize_t>(bad.size()));
  close(fd);
  daemon_process d({"--config", tmpl});
  CHECK(d.wait_exit(5s) == 2);
  CHECK(d.log().find("decoder.max_templatess") != std::string::npos);
  std::remove(tmpl);
}

TEST_CASE("hostflowd exits 1 with the address named when it cannot listen") {
  auto held = udp_socket::open(endpoint{*ip_address::parse("127.0.0.1"), 0}, 0, false);
  REQUIRE(held);
  auto addr = held->local_endpoint().to_string();
  daemon_process d({"--udp-listen", addr, "--grpc-listen", loopback(free_tcp_port())});
  CHECK(d.wait_exit(5s) == 1);
  CHECK(d.log().find(addr) != std::string::npos);
}
