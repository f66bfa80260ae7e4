// `hostflow status`, `host`, `top` and `map` run as processes against a real
// hostflowd that received the attack scenario over UDP, checked against the
// oracle's aggregation of the same capture decoded offline.

#include <algorithm>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "client/scenario_daemon.hpp"

using namespace hostflow;
using namespace std::chrono_literals;
using namespace hostflow::test::cli;

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
  CHECK(lines[1]["kind"] == "node");
  CHECK(lines[1]["local"] == true);
  CHECK(lines[1]["shards"].size() == lines[0]["shards"].get<size_t>());
  CHECK(!lines[1]["name"].get<std::string>().empty());
  CHECK(lines[2]["kind"] == "ingest");
  CHECK(lines[2]["records"] == scenario_records);
  CHECK(lines[2]["decode_errors"] == 0);
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
