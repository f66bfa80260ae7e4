// `hostflow status`, `host`, `top` and `map` run as processes against a real
// hostflowd that received the attack scenario over UDP, checked against the
// oracle's aggregation of the same capture decoded offline.

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
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

using namespace hostflow;
using namespace std::chrono_literals;
using json = nlohmann::json;
namespace fs = std::filesystem;
namespace of = test::oracle_field;

namespace {

// The scenario's totals, as test/server/daemon_test.cpp has them.
constexpr uint64_t scenario_records = 143'481;
constexpr uint64_t scenario_views = 262'703;

// 130 s of lateness covers the capture: no record is late, so every window
// of the daemon equals the oracle's exactly.
constexpr int64_t lateness_ms = 130'000;

const std::string minute_0901 = "2024-03-04T09:01:00Z";

uint16_t free_udp_port() {
  auto s = udp_socket::open(endpoint{*ip_address::parse("127.0.0.1"), 0}, 0, false);
  REQUIRE(s);
  return s->local_endpoint().port;
}

ip_address ip(const std::string& text) {
  auto a = ip_address::parse(text);
  REQUIRE_MESSAGE(a, text);
  return *a;
}

int64_t time_of(const json& text) {
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
std::vector<json> wait_for_scenario(const served_daemon& d) {
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
const served_daemon& scenario_daemon() {
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
const test::profile_oracle& scenario_oracle() {
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
std::map<window_key, window_sums> oracle_windows(const std::string& host, uint32_t seconds) {
  std::map<window_key, window_sums> out;
  for (int dir : {0, 1})
    for (const auto& [start, w] : scenario_oracle().windows(ip(host), dir, seconds))
      out[{dir == 0 ? "out" : "in", start}] = {w.counters[of::flows], w.counters[of::packets],
                                               w.counters[of::bytes]};
  return out;
}

/// The same from `hostflow host --json` lines; counts the open ones.
std::map<window_key, window_sums> cli_windows(const std::vector<json>& lines, size_t& open) {
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
std::map<ip_address, uint64_t> oracle_bytes_out_0901() {
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

} // namespace

// -- queries against the scenario -------------------------------------------------------

TEST_CASE("hostflow status --json counts every record of the scenario, one line per kind") {
  const auto& d = scenario_daemon();
  auto r = d.run({"status", "--json"});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  auto lines = test::json_lines(r.out);
  REQUIRE(lines.size() >= 5);
  CHECK(lines[0]["kind"] == "server");
  CHECK(lines[0]["version"] == "0.1.0");
  CHECK(lines[0]["watermark"].is_string());
  CHECK(lines[1]["kind"] == "ingest");
  CHECK(lines[1]["records"] == scenario_records);
  CHECK(lines[1]["decode_errors"] == 0);
  std::map<std::string, size_t> kinds;
  for (const auto& l : lines)
    ++kinds[l["kind"].get<std::string>()];
  CHECK(kinds["shard"] == lines[0]["shards"].get<size_t>());
  CHECK(kinds["receiver"] == 1);
  CHECK(kinds["exporter"] == 1);
  CHECK(lines.back()["kind"] == "exporter");
  CHECK(lines.back()["data_records"] == scenario_records);

  // The table for people says the same.
  auto text = d.run({"status"});
  REQUIRE(text.status == 0);
  CHECK(text.out.find("143k") != std::string::npos);
  CHECK(text.out.find("shards") != std::string::npos);
}

TEST_CASE("hostflow host --json gives the oracle's flows, packets and bytes per window") {
  const auto& d = scenario_daemon();
  struct query {
    std::string host, granularity;
    uint32_t seconds;
  };
  // The horizontal scanner in 5 min windows (all open: the watermark stays
  // inside the capture's last 5 minutes), the SYN flood's victim in 1 min
  // windows (closed ones from the store, open ones from memory).
  for (const auto& q : {query{"10.10.10.77", "5m", 300}, query{"10.10.1.10", "1m", 60}}) {
    CAPTURE(q.host);
    auto r = d.run({"host", q.host, "--json", "--granularity", q.granularity, "--since", "3h"});
    REQUIRE_MESSAGE(r.status == 0, r.err);
    auto lines = test::json_lines(r.out);
    for (const auto& l : lines) {
      CHECK(l["host"] == q.host);
      CHECK(l["granularity"] == q.granularity);
      CHECK(l["granularity_seconds"] == q.seconds);
      CHECK(l["open"].is_boolean());
      CHECK(l.contains("distinct_peers"));
    }
    size_t open = 0;
    auto got = cli_windows(lines, open);
    auto want = oracle_windows(q.host, q.seconds);
    REQUIRE(!want.empty());
    CHECK(got.size() == want.size());
    CHECK(open > 0);
    for (const auto& [key, sums] : want) {
      CAPTURE(key.first);
      CAPTURE(client::format_time(key.second));
      auto it = got.find(key);
      REQUIRE_MESSAGE(it != got.end(), "window missing in the CLI's output");
      CHECK(std::get<0>(it->second) == std::get<0>(sums));
      CHECK(std::get<1>(it->second) == std::get<1>(sums));
      CHECK(std::get<2>(it->second) == std::get<2>(sums));
    }
  }
}

TEST_CASE("hostflow top --json ranks the oracle's heaviest hosts, largest first, within --limit") {
  const auto& d = scenario_daemon();
  auto r = d.run({"top", "--json", "--by", "bytes", "--direction", "out", "--granularity", "1m",
                  "--window", minute_0901, "--limit", "5"});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  auto lines = test::json_lines(r.out);
  REQUIRE(lines.size() == 5);

  // The oracle's ranking: largest first, ties in address order.
  std::vector<std::pair<uint64_t, ip_address>> want;
  for (const auto& [host, bytes] : oracle_bytes_out_0901())
    want.emplace_back(bytes, host);
  std::sort(want.begin(), want.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  REQUIRE(want.size() >= 5);
  for (size_t i = 0; i < lines.size(); ++i) {
    CAPTURE(lines[i].dump());
    CHECK(lines[i]["rank"] == i + 1);
    CHECK(lines[i]["host"] == want[i].second.to_string());
    CHECK(lines[i]["value"] == want[i].first);
    CHECK(lines[i]["metric"] == "bytes");
    CHECK(lines[i]["direction"] == "out");
    CHECK(lines[i]["window_start"] == "2024-03-04T09:01:00.000Z");
    CHECK(lines[i]["window_open"] == false);
  }

  // Without --window: the latest closed window, which the watermark
  // (09:02:50) makes the one from 09:01.
  auto latest = d.run({"top", "--json"});
  REQUIRE_MESSAGE(latest.status == 0, latest.err);
  auto latest_lines = test::json_lines(latest.out);
  REQUIRE(latest_lines.size() == 10);
  CHECK(latest_lines[0]["window_start"] == "2024-03-04T09:01:00.000Z");
  CHECK(latest_lines[0]["host"] == want[0].second.to_string());
}

TEST_CASE("hostflow map --json cells add up to the ranking of the same window") {
  const auto& d = scenario_daemon();
  auto r = d.run({"map", "10.10.0.0/16", "--cell", "/24", "--json", "--by", "bytes", "--direction",
                  "out", "--window", minute_0901});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  auto cells = test::json_lines(r.out);
  REQUIRE(!cells.empty());
  uint64_t bytes = 0, hosts = 0;
  std::optional<ip_address> previous;
  for (const auto& c : cells) {
    auto prefix = c["prefix"].get<std::string>();
    REQUIRE(prefix.size() > 3);
    CHECK(prefix.substr(prefix.size() - 3) == "/24");
    auto network = ip(prefix.substr(0, prefix.size() - 3));
    if (previous)
      CHECK(*previous < network); // address order
    previous = network;
    bytes += c["value"].get<uint64_t>();
    hosts += c["hosts"].get<uint64_t>();
  }
  auto ranked = d.run({"top", "--json", "--by", "bytes", "--direction", "out", "--window",
                       minute_0901, "--limit", "10000"});
  REQUIRE_MESSAGE(ranked.status == 0, ranked.err);
  auto all = test::json_lines(ranked.out);
  uint64_t ranked_bytes = 0;
  for (const auto& l : all)
    ranked_bytes += l["value"].get<uint64_t>();
  CHECK(hosts == all.size());
  CHECK(bytes == ranked_bytes);
  uint64_t oracle_bytes = 0;
  for (const auto& [host, b] : oracle_bytes_out_0901())
    oracle_bytes += b;
  CHECK(bytes == oracle_bytes);
}

// -- errors -------------------------------------------------------------------------------

TEST_CASE("hostflow refuses bad values locally with exit 2 and one clear line") {
  struct bad {
    std::vector<std::string> args;
    std::string message;
  };
  for (const auto& b : {
           bad{{"host", "10.0.0.300"}, "hostflow: host: \"10.0.0.300\" is not an IP address\n"},
           bad{{"host", "10.0.0.1", "--since", "5x"},
               "hostflow: --since: \"5x\" is not a duration"},
           bad{{"host", "10.0.0.1", "--from", "yesterday"}, "hostflow: --from: \"yesterday\""},
           bad{{"host", "10.0.0.1", "--to", "1709542860"}, "hostflow: --to needs --from"},
           bad{{"top", "--by", "weight"}, "hostflow: --by: \"weight\" is not a metric"},
           bad{{"top", "--cidr", "10.1.0.0/8"}, "hostflow: --cidr: "},
           bad{{"map", "10.0.0.0/33"}, "hostflow: network: "},
           bad{{"map", "10.0.0.0/8", "--cell", "/40"}, "hostflow: --cell: \"/40\""},
           bad{{"status", "--timeout", "soon"}, "hostflow: --timeout: \"soon\""},
       }) {
    CAPTURE(b.args.front());
    CAPTURE(b.message);
    auto r = test::run_hostflow(b.args);
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(r.err.rfind(b.message, 0) == 0);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
}

TEST_CASE("hostflow reports the server's refusal with exit 1, the code name and its message") {
  served_daemon d; // no traffic: a refusal needs none
  auto too_fine = d.run({"map", "10.0.0.0/8", "--cell", "/32"});
  CHECK(too_fine.status == 1);
  CHECK(too_fine.out.empty());
  CHECK(too_fine.err.rfind("hostflow: server " + d.server +
                               ": INVALID_ARGUMENT: cell_prefix_length: 32 is too fine",
                           0) == 0);
  auto unknown = d.run({"host", "10.10.0.1"});
  CHECK(unknown.status == 1);
  CHECK(unknown.err.rfind("hostflow: server " + d.server + ": NOT_FOUND: ", 0) == 0);
}

TEST_CASE("hostflow says an unreachable server is unreachable, with exit 1") {
  auto server = test::loopback(test::free_tcp_port());
  auto r = test::run_hostflow({"status", "--server", server, "--timeout", "5s"});
  CHECK(r.status == 1);
  CHECK(r.out.empty());
  CHECK(r.err.rfind("hostflow: server " + server + ": UNAVAILABLE: cannot connect", 0) == 0);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}
