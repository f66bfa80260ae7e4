#pragma once

// A hostflowd fed the attack scenario over UDP and the oracle's aggregation
// of the same capture: the common ground of the suites that run the CLI
// against a real server and compare its numbers with the oracle's.

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "actors/udp_socket.hpp"
#include "client/cli_process.hpp"
#include "client/time_args.hpp"
#include "flow/cidr.hpp"

#include "capture_records.hpp"
#include "capture_sender.hpp"
#include "daemon_process.hpp"
#include "profile_oracle.hpp"

namespace hostflow::test::cli {

using namespace std::chrono_literals;
using json = nlohmann::json;
namespace fs = std::filesystem;
namespace of = test::oracle_field;

// The scenario's totals, as test/server/daemon_test.cpp has them.
constexpr uint64_t scenario_records = 143'481;
constexpr uint64_t scenario_views = 262'703;

// 130 s of lateness covers the capture: no record is late, so every window
// of the daemon equals the oracle's exactly.
constexpr int64_t lateness_ms = 130'000;

const std::string minute_0901 = "2024-03-04T09:01:00Z";

inline uint16_t free_udp_port() {
  auto s = udp_socket::open(endpoint{*ip_address::parse("127.0.0.1"), 0}, 0, false);
  REQUIRE(s);
  return s->local_endpoint().port;
}

inline ip_address ip(const std::string& text) {
  auto a = ip_address::parse(text);
  REQUIRE_MESSAGE(a, text);
  return *a;
}

inline int64_t time_of(const json& text) {
  std::string error;
  auto ms = client::parse_time(text.get<std::string>(), error);
  REQUIRE_MESSAGE(ms, error);
  return *ms;
}

// -- the daemon under test ---------------------------------------------------------------

/// A hostflowd with its own store, ports and config; stopped and cleaned up
/// when it goes out of scope.
struct served_daemon {
  std::string data_dir;
  std::string config_path;
  uint16_t udp_port = free_udp_port();
  std::string server = test::loopback(test::free_tcp_port());
  std::unique_ptr<test::daemon_process> daemon;

  served_daemon() {
    char dir[] = "/tmp/hostflow-cli-data-XXXXXX";
    REQUIRE(mkdtemp(dir) != nullptr);
    data_dir = dir;
    config_path = data_dir + ".json";
    {
      std::ofstream config{config_path};
      // Idle advance at a day: the watermark moves with the records only,
      // so no window closes while the queries run.
      config << R"({"monitored_networks": ["10.10.0.0/16"], "profiles": )"
             << R"({"allowed_lateness_seconds": )" << lateness_ms / 1000
             << R"(, "idle_advance_seconds": 86400}})";
    }
    daemon = std::make_unique<test::daemon_process>(std::vector<std::string>{
        "--config", config_path, "--udp-listen", "127.0.0.1:" + std::to_string(udp_port),
        "--grpc-listen", server, "--data-dir", data_dir});
    REQUIRE_MESSAGE(daemon->wait_for_log("running", 10s), daemon->log());
  }

  served_daemon(const served_daemon&) = delete;
  served_daemon& operator=(const served_daemon&) = delete;

  ~served_daemon() {
    daemon.reset();
    std::error_code ignored;
    fs::remove_all(data_dir, ignored);
    fs::remove(config_path, ignored);
  }

  /// Runs `hostflow ARGS --server this --timeout 10s`.
  test::cli_result run(std::vector<std::string> args) const {
    args.insert(args.end(), {"--server", server, "--timeout", "10s"});
    return test::run_hostflow(args);
  }
};

/// Polls `hostflow status --json` until the daemon has taken in every
/// record and view of the scenario: at most 150 polls over at most 30 s.
inline std::vector<json> wait_for_scenario(const served_daemon& d) {
  auto deadline = std::chrono::steady_clock::now() + 30s;
  std::string last;
  for (int poll = 0; poll < 150 && std::chrono::steady_clock::now() < deadline; ++poll) {
    auto r = d.run({"status", "--json"});
    last = r.out + r.err;
    if (r.status == 0) {
      auto lines = test::json_lines(r.out);
      uint64_t records = 0, views = 0;
      for (const auto& line : lines) {
        if (line["kind"] == "ingest")
          records = line["records"].get<uint64_t>();
        if (line["kind"] == "shard")
          views += line["record_views"].get<uint64_t>();
      }
      if (records == scenario_records && views == scenario_views)
        return lines;
    }
    std::this_thread::sleep_for(200ms);
  }
  FAIL("the daemon did not take in the whole scenario; last status: " << last << "\nlog: "
                                                                      << d.daemon->log());
  return {};
}

/// The daemon with the scenario sent to it, started once per test process.
inline const served_daemon& scenario_daemon() {
  static served_daemon d;
  static bool sent = false;
  if (!sent) {
    sent = true;
    test::send_capture(test::scenario_capture("ipfix"),
                       endpoint{*ip_address::parse("127.0.0.1"), d.udp_port});
    wait_for_scenario(d);
  }
  return d;
}

/// The oracle's windows of the scenario, with the daemon's settings.
inline const test::profile_oracle& scenario_oracle() {
  static const test::profile_oracle oracle = [] {
    std::string error;
    auto net = cidr::parse("10.10.0.0/16", error);
    REQUIRE_MESSAGE(net, error);
    test::oracle_settings s;
    s.allowed_lateness_ms = lateness_ms;
    test::profile_oracle o({*net}, s);
    for (const auto& r : test::decode_capture(test::scenario_capture("ipfix")))
      o.add(r);
    return o;
  }();
  return oracle;
}

using window_key = std::pair<std::string, int64_t>;           // direction, start
using window_sums = std::tuple<uint64_t, uint64_t, uint64_t>; // flows, packets, bytes

/// Flows, packets and bytes of every window of `host` the oracle has.
inline std::map<window_key, window_sums> oracle_windows(const std::string& host, uint32_t seconds) {
  std::map<window_key, window_sums> out;
  for (int dir : {0, 1})
    for (const auto& [start, w] : scenario_oracle().windows(ip(host), dir, seconds))
      out[{dir == 0 ? "out" : "in", start}] = {w.counters[of::flows], w.counters[of::packets],
                                               w.counters[of::bytes]};
  return out;
}

/// The same from `hostflow host --json` lines; counts the open ones.
inline std::map<window_key, window_sums> cli_windows(const std::vector<json>& lines, size_t& open) {
  std::map<window_key, window_sums> out;
  open = 0;
  for (const auto& l : lines) {
    window_key key{l["direction"].get<std::string>(), time_of(l["window_start"])};
    CHECK_MESSAGE(out.count(key) == 0, l.dump());
    out[key] = {l["flows"].get<uint64_t>(), l["packets"].get<uint64_t>(),
                l["bytes"].get<uint64_t>()};
    if (l["open"].get<bool>())
      ++open;
  }
  return out;
}

/// Bytes per host the oracle has in the outgoing 1 min window from 09:01.
inline std::map<ip_address, uint64_t> oracle_bytes_out_0901() {
  std::map<ip_address, uint64_t> out;
  int64_t start = time_of(minute_0901);
  for (const auto& host : scenario_oracle().hosts()) {
    auto windows = scenario_oracle().windows(host, 0, 60);
    auto it = windows.find(start);
    if (it != windows.end())
      out[host] = it->second.counters[of::bytes];
  }
  return out;
}

} // namespace hostflow::test::cli
