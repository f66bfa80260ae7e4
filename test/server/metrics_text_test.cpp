// The exposition text of a constructed snapshot: every family once with its
// HELP and TYPE before its samples, the snapshot's numbers on the lines
// with the right labels, label values escaped.

#include <doctest/doctest.h>

#include <map>
#include <set>
#include <sstream>
#include <string>

#include "server/metrics_text.hpp"

using namespace hostflow;

namespace {

metrics_snapshot sample_snapshot() {
  metrics_snapshot s;
  s.version = "0.1.0";
  s.uptime_seconds = 12.5;
  receiver_report r;
  r.listen = "127.0.0.1:4739";
  r.datagrams = 4586;
  r.kernel_drops = 3;
  r.dropped_records = 11;
  r.unmonitored = 7;
  exporter_report e;
  e.exporter = endpoint{*ip_address::parse("192.0.2.1"), 40000};
  e.counters.datagrams = 4586;
  e.counters.data_records = 143'481;
  e.counters.lost_records = 2;
  r.exporters = {e};
  s.receivers = {r};
  for (uint32_t i = 0; i < 2; ++i) {
    shard_status shard;
    shard.shard = i;
    shard.records = 1000 + i;
    shard.hosts = 40 + i;
    shard.windows_written = 500 + i;
    shard.store_bytes = 1 << 20;
    shard.exporters = {{e.exporter, event_time_counters{}}};
    shard.exporters[0].counters.late_records = 5 + i;
    s.shards.push_back(shard);
  }
  s.streams.open = 4;
  s.streams.overflows = 1;
  return s;
}

// Sample lines by "name{labels}".
std::map<std::string, std::string> samples(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in{text};
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] != '#') {
      auto space = line.rfind(' ');
      out[line.substr(0, space)] = line.substr(space + 1);
    }
  return out;
}

} // namespace

TEST_CASE("each family has one HELP and one TYPE line, before its samples") {
  auto text = render_metrics(sample_snapshot());
  std::istringstream in{text};
  std::set<std::string> helped, typed;
  std::string current;
  for (std::string line; std::getline(in, line);) {
    REQUIRE(!line.empty());
    if (line.rfind("# HELP ", 0) == 0) {
      current = line.substr(7, line.find(' ', 7) - 7);
      CHECK_MESSAGE(helped.insert(current).second, current);
    } else if (line.rfind("# TYPE ", 0) == 0) {
      auto name = line.substr(7, line.find(' ', 7) - 7);
      CHECK(name == current);
      CHECK(typed.insert(name).second);
      auto type = line.substr(line.rfind(' ') + 1);
      CHECK((type == "counter" || type == "gauge"));
      if (type == "counter")
        CHECK(name.size() > 6);
      if (type == "counter")
        CHECK(name.compare(name.size() - 6, 6, "_total") == 0);
    } else {
      CAPTURE(line);
      CHECK(line.rfind(current, 0) == 0); // a sample of the family just announced
      CHECK(line.rfind("hostflow_", 0) == 0);
    }
  }
  CHECK(helped == typed);
  CHECK(helped.size() > 25);
}

TEST_CASE("the snapshot's numbers appear on the lines with their labels") {
  auto s = samples(render_metrics(sample_snapshot()));
  const std::string exporter = "receiver=\"127.0.0.1:4739\",exporter=\"192.0.2.1:40000\"";
  CHECK(s["hostflow_build_info{version=\"0.1.0\"}"] == "1");
  CHECK(s["hostflow_uptime_seconds"] == "12.500");
  CHECK(s["hostflow_exporter_records_total{" + exporter + "}"] == "143481");
  CHECK(s["hostflow_exporter_datagrams_total{" + exporter + "}"] == "4586");
  CHECK(s["hostflow_exporter_lost_records_total{" + exporter + "}"] == "2");
  CHECK(s["hostflow_receiver_kernel_drops_total{receiver=\"127.0.0.1:4739\"}"] == "3");
  CHECK(s["hostflow_receiver_dropped_records_total{receiver=\"127.0.0.1:4739\"}"] == "11");
  CHECK(s["hostflow_receiver_unmonitored_records_total{receiver=\"127.0.0.1:4739\"}"] == "7");
  // Summed over the shards.
  CHECK(s["hostflow_exporter_late_records_total{exporter=\"192.0.2.1:40000\"}"] == "11");
  CHECK(s["hostflow_hosts{shard=\"0\"}"] == "40");
  CHECK(s["hostflow_hosts{shard=\"1\"}"] == "41");
  CHECK(s["hostflow_windows_written_total{shard=\"1\"}"] == "501");
  CHECK(s["hostflow_store_bytes"] == "1048576");
  CHECK(s["hostflow_grpc_profile_streams"] == "4");
  CHECK(s["hostflow_grpc_profile_stream_overflows_total"] == "1");
}

TEST_CASE("label values are escaped") {
  CHECK(escape_label_value(R"(a\b"c)") == R"(a\\b\"c)");
  CHECK(escape_label_value("line\nbreak") == "line\\nbreak");
  auto s = sample_snapshot();
  s.version = "1.0 \"beta\"";
  CHECK(render_metrics(s).find("hostflow_build_info{version=\"1.0 \\\"beta\\\"\"} 1\n") !=
        std::string::npos);
}

TEST_CASE("large counters are printed exactly") {
  auto s = sample_snapshot();
  s.shards[0].records = (uint64_t{1} << 53) - 1;
  CHECK(samples(render_metrics(s))["hostflow_shard_record_views_total{shard=\"0\"}"] ==
        "9007199254740991");
  s.uptime_seconds = 4.2156;
  CHECK(samples(render_metrics(s))["hostflow_uptime_seconds"] == "4.216");
}
