// `hostflow profiles --follow` against a real hostflowd fed the attack
// scenario over UDP: the windows it prints as they close are the oracle's,
// number for number, and it ends as documented: exit 1 naming UNAVAILABLE
// when the server stops, exit 0 on Ctrl-C, exit 2 without --follow.

#include <csignal>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "client/scenario_daemon.hpp"

using namespace hostflow;
using namespace hostflow::test::cli;
using namespace std::chrono_literals;

namespace {

/// `hostflow profiles --follow ARGS` running against `d`, its output in a log.
std::unique_ptr<test::daemon_process> follow(const served_daemon& d, std::vector<std::string> args) {
  args.insert(args.begin(), {"profiles", "--follow"});
  args.insert(args.end(), {"--server", d.server});
  return std::make_unique<test::daemon_process>(args, HOSTFLOW_BINARY_DIR "/hostflow");
}

/// Polls `status --json` (at most 50 times, 100 ms apart) until `n` streams are open.
void wait_for_streams(const served_daemon& d, uint64_t n) {
  uint64_t open = 0;
  for (int poll = 0; poll < 50 && open != n; ++poll) {
    auto r = d.run({"status", "--json"});
    for (const auto& line : test::json_lines(r.out))
      if (line["kind"] == "server")
        open = line["profile_streams"].get<uint64_t>();
    if (open != n)
      std::this_thread::sleep_for(100ms);
  }
  REQUIRE(open == n);
}

/// The JSON lines of a log that also holds an error line.
std::vector<json> window_lines(const std::string& log) {
  std::vector<json> out;
  std::istringstream in{log};
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] == '{')
      out.push_back(json::parse(line));
  return out;
}

} // namespace

TEST_CASE("hostflow profiles --follow prints the oracle's windows as they close, exit 1 on "
          "shutdown") {
  served_daemon d;
  auto cli = follow(d, {"10.10.0.0/16", "--granularity", "1m", "--json"});
  wait_for_streams(d, 1);
  test::send_capture(test::scenario_capture("ipfix"),
                     endpoint{*ip_address::parse("127.0.0.1"), d.udp_port});
  wait_for_scenario(d);
  // Every window the watermark passed has been streamed once the stream
  // queue is empty; give the client a moment to print the last ones.
  size_t lines = 0;
  for (int poll = 0; poll < 30; ++poll) {
    std::this_thread::sleep_for(200ms);
    auto now = window_lines(cli->log()).size();
    if (now > 0 && now == lines)
      break;
    lines = now;
  }

  REQUIRE(kill(d.daemon->pid, SIGTERM) == 0);
  CHECK(d.daemon->wait_exit(10s) == 0);
  CHECK(cli->wait_exit(10s) == 1);
  auto log = cli->log();
  CHECK(log.find("hostflow: server " + d.server + ": UNAVAILABLE: ") != std::string::npos);

  auto windows = window_lines(log);
  REQUIRE(windows.size() > 50);
  std::map<std::string, std::map<window_key, window_sums>> by_host;
  for (const auto& w : windows) {
    CHECK(w["granularity_seconds"] == 60);
    CHECK(w["open"] == false);
    auto host = w["host"].get<std::string>();
    window_key key{w["direction"].get<std::string>(), time_of(w["window_start"])};
    CHECK_MESSAGE(by_host[host].count(key) == 0, w.dump());
    by_host[host][key] = {w["flows"].get<uint64_t>(), w["packets"].get<uint64_t>(),
                          w["bytes"].get<uint64_t>()};
  }
  for (const auto& [host, streamed] : by_host) {
    auto expected = oracle_windows(host, 60);
    for (const auto& [key, sums] : streamed) {
      CAPTURE(host);
      CAPTURE(key.first);
      CAPTURE(key.second);
      REQUIRE(expected.count(key) == 1);
      CHECK(sums == expected.at(key));
    }
  }
}

TEST_CASE("hostflow profiles --follow ends with exit 0 on Ctrl-C, and needs --follow") {
  served_daemon d;
  auto cli = follow(d, {"10.10.0.1", "10.10.0.2", "--direction", "in"});
  wait_for_streams(d, 1);
  REQUIRE(kill(cli->pid, SIGINT) == 0);
  CHECK(cli->wait_exit(10s) == 0);
  CHECK(cli->log().rfind("window start", 0) == 0); // the table's header, then nothing
  wait_for_streams(d, 0);

  auto r = d.run({"profiles", "10.10.0.0/16"});
  CHECK(r.status == 2);
  CHECK(r.err.rfind("hostflow: profiles streams windows as they close: add --follow", 0) == 0);
  r = d.run({"profiles", "--follow", "10.0.0.0/8", "10.10.0.0/16"});
  CHECK(r.status == 2);
  CHECK(r.err == "hostflow: one network at a time: \"10.0.0.0/8\" and \"10.10.0.0/16\"\n");
  r = d.run({"profiles", "--follow", "host-a"});
  CHECK(r.status == 2);
  CHECK(r.err.find("is neither an IP address nor a network") != std::string::npos);
}
