// `hostflow decode` run as a process on the shared captures, checked against
// the expectations in the JSON file beside each capture.

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "client/cli_process.hpp"
#include "flow/decode_error.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

const fs::path flows_dir = fs::path{HOSTFLOW_TESTDATA_DIR} / "flows";
const fs::path logstash_dir = flows_dir / "logstash-codec-netflow";

// -- running the binary ------------------------------------------------------------------

using run_result = hostflow::test::cli_result;

/// Runs `hostflow` with `args`, collecting stdout, stderr and the exit status.
run_result run_cli(const std::vector<std::string>& args) {
  return hostflow::test::run_hostflow(args);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in{text};
  for (std::string line; std::getline(in, line);)
    out.push_back(line);
  return out;
}

std::vector<json> json_lines(const std::string& text) {
  std::vector<json> out;
  for (const auto& line : lines_of(text))
    out.push_back(json::parse(line));
  return out;
}

json expectations(const fs::path& capture) {
  std::ifstream in{capture.string() + ".json"};
  return json::parse(in);
}

/// The files to decode for `capture`: its templates_from files, then itself.
std::vector<std::string> with_template_files(const fs::path& capture, const json& expected) {
  std::vector<std::string> files;
  if (expected.contains("templates_from") && expected["templates_from"].is_array()) {
    for (const auto& name : expected["templates_from"]) {
      fs::path p = capture.parent_path() / name.get<std::string>();
      // A few JSON files prefix the name with the folder ("goflow2_nfv9_...").
      std::string prefix = capture.parent_path().filename().string() + "_";
      if (!fs::exists(p) && name.get<std::string>().rfind(prefix, 0) == 0)
        p = capture.parent_path() / name.get<std::string>().substr(prefix.size());
      files.push_back(p.string());
    }
  }
  files.push_back(capture.string());
  return files;
}

void check_summary_counts(const json& summary, const json& expected) {
  const auto& e = expected["expected_summary"];
  CHECK(summary["datagrams"] == e["datagrams_or_messages"]);
  CHECK(summary["data_records"] == e["data_records"]);
  CHECK(summary["options_data_records"] == e["options_data_records"]);
  CHECK(summary["template_records"] == e["template_records"]);
  CHECK(summary["options_template_records"] == e["options_template_records"]);
  CHECK(summary["undecoded_data_sets"] == e["undecoded_data_sets"]);
}

} // namespace

// -- summaries ---------------------------------------------------------------------------

TEST_CASE("a summary of a template file then its data file gives each file's own counts") {
  auto tpl = logstash_dir / "netflow9_test_cisco_asa_1_tpl.dat";
  auto data = logstash_dir / "netflow9_test_cisco_asa_1_data.dat";
  auto r = run_cli({"decode", "--summary", "--json", tpl.string(), data.string()});
  CHECK(r.status == 0);
  CHECK(r.err.empty());
  auto summaries = json_lines(r.out);
  REQUIRE(summaries.size() == 2);
  CHECK(summaries[0]["file"] == tpl.string());
  CHECK(summaries[1]["file"] == data.string());
  check_summary_counts(summaries[0], expectations(tpl));
  check_summary_counts(summaries[1], expectations(data));
  CHECK(summaries[1]["data_records"] == 14);

  std::set<std::string> keys;
  for (const auto& [key, value] : summaries[1].items())
    keys.insert(key);
  CHECK(keys == std::set<std::string>{"file", "datagrams", "data_records", "options_data_records",
                                      "template_records", "options_template_records",
                                      "undecoded_data_sets", "errors", "exporters"});
  const auto& errors = summaries[1]["errors"];
  CHECK(errors.size() == hostflow::decode_error_count);
  for (size_t i = 0; i < hostflow::decode_error_count; ++i)
    CHECK(errors.at(hostflow::to_string(static_cast<hostflow::decode_error>(i))) == 0);

  // Exporter counters run over both files.
  const auto& exporters = summaries[1]["exporters"];
  REQUIRE(exporters.size() == 1);
  CHECK(exporters[0]["exporter"] == "0.0.0.0:0");
  CHECK(exporters[0]["datagrams"] == 2);
  CHECK(exporters[0]["data_records"] == 14);
  CHECK(exporters[0]["template_records"] == 13);
  for (const char* counter : {"datagram_bytes", "options_data_records", "template_withdrawals",
                              "undecoded_data_sets", "deferred_data_records", "lost_records",
                              "lost_datagrams", "restarts", "estimated_times", "errors"})
    CHECK_MESSAGE(exporters[0].contains(counter), counter);
}

TEST_CASE("every capture decoded after its template files gives the counts its JSON expects") {
  size_t checked = 0;
  for (const auto& entry : fs::recursive_directory_iterator{flows_dir}) {
    if (entry.path().extension() != ".json")
      continue;
    fs::path capture = entry.path().parent_path() / entry.path().stem();
    auto expected = expectations(capture);
    CAPTURE(capture.string());
    auto r = run_cli([&] {
      std::vector<std::string> args{"decode", "--summary", "--json"};
      for (auto& f : with_template_files(capture, expected))
        args.push_back(f);
      return args;
    }());
    CHECK(r.status == 0);
    CHECK(r.err.empty());
    auto summaries = json_lines(r.out);
    REQUIRE(!summaries.empty());
    const auto& last = summaries.back();
    CHECK(last["file"] == capture.string());
    if (expected["protocol"].get<std::string>().rfind("sFlow", 0) == 0) {
      // Not decoded (yet): only the datagrams are comparable.
      CHECK(last["datagrams"] == expected["expected_summary"]["datagrams_or_messages"]);
    } else {
      check_summary_counts(last, expected);
    }
    ++checked;
  }
  CHECK(checked == 121);
}

TEST_CASE("a text summary lists each file's counts, errors and exporters in aligned columns") {
  auto capture = flows_dir / "pmacct/400-IPFIXv10-BMP-CISCO-SRv6-multiple-sources/traffic-00.pcap";
  auto r = run_cli({"decode", "--summary", capture.string()});
  CHECK(r.status == 0);
  auto lines = lines_of(r.out);
  REQUIRE(lines.size() >= 10);
  CHECK(lines[0] == capture.string() + " (pcap)");
  CHECK(lines[1] == "  datagrams                 583");
  CHECK(lines[2] == "  data records              657");
  CHECK(r.out.find("  errors: none\n") != std::string::npos);
  CHECK(r.out.find("23 not UDP") != std::string::npos);
  CHECK(r.out.find("203.0.113.90:51730") != std::string::npos);
}

// -- records -----------------------------------------------------------------------------

TEST_CASE("JSON records of v5 captures carry the fields tshark decoded") {
  for (const char* name : {"python-netflow-v9-softflowd/PACKET_V5.bin", "akvorado/nfv5.pcap"}) {
    CAPTURE(name);
    auto capture = flows_dir / name;
    auto expected = expectations(capture);
    auto r = run_cli({"decode", "--json", capture.string()});
    CHECK(r.status == 0);
    auto records = json_lines(r.out);
    REQUIRE(records.size() == expected["expected_summary"]["data_records"].get<size_t>());
    const auto& header = expected["decoded"]["datagrams"][0];
    int64_t export_ms =
        header["unix_secs"].get<int64_t>() * 1000 + header["unix_nsecs"].get<int64_t>() / 1'000'000;
    int64_t uptime_ms = header["sys_uptime_ms"].get<int64_t>();
    const auto& first = expected["decoded"]["first_records"];
    REQUIRE(first.size() <= records.size());
    for (size_t i = 0; i < first.size(); ++i) {
      CAPTURE(i);
      const auto& core = first[i]["core"];
      const auto& rec = records[i];
      CHECK(rec["file"] == capture.string());
      CHECK(rec["version"] == 5);
      CHECK(rec["observation_domain"] ==
            header["engine_type"].get<int>() * 256 + header["engine_id"].get<int>());
      for (const char* field :
           {"src_addr", "dst_addr", "src_port", "dst_port", "protocol", "packets", "bytes",
            "tcp_flags", "tos", "src_mask", "dst_mask", "src_as", "dst_as", "next_hop"})
        CHECK_MESSAGE(rec[field] == core[field], field);
      CHECK(rec["input_if"] == core["in_if"]);
      CHECK(rec["output_if"] == core["out_if"]);
      CHECK(rec["start_ms"] ==
            export_ms - (uptime_ms - core["first_switched_uptime_ms"].get<int64_t>()));
      CHECK(rec["end_ms"] ==
            export_ms - (uptime_ms - core["last_switched_uptime_ms"].get<int64_t>()));
      CHECK(rec["start"].get<std::string>().size() == 24); // 2020-03-29T15:54:22.942Z
      CHECK(rec["direction"] == "unknown");
      CHECK(rec["sampling_interval"] == 1);
    }
  }
  auto pcap =
      json_lines(run_cli({"decode", "--json", (flows_dir / "akvorado/nfv5.pcap").string()}).out);
  REQUIRE(!pcap.empty());
  CHECK(pcap[0]["exporter"] == "10.19.144.41:40000");
  CHECK(pcap[0]["start"] == "2023-04-04T16:44:24.000Z");
}

TEST_CASE("without options every record is one line of text") {
  auto r = run_cli({"decode", (flows_dir / "python-netflow-v9-softflowd/PACKET_V5.bin").string()});
  CHECK(r.status == 0);
  auto lines = lines_of(r.out);
  REQUIRE(lines.size() == 3);
  CHECK(lines[2] == "2020-03-29T15:55:08.206Z 2020-03-29T15:55:08.206Z 172.17.0.1:5353 -> "
                    "224.0.0.251:5353 proto 17 pkts 1 bytes 169");
}

// -- failures ----------------------------------------------------------------------------

TEST_CASE("a missing file exits 1 naming the file, and the other files are still decoded") {
  auto missing = flows_dir / "no-such-capture.pcap";
  auto good = flows_dir / "python-netflow-v9-softflowd/PACKET_V5.bin";
  auto r = run_cli({"decode", missing.string(), good.string()});
  CHECK(r.status == 1);
  CHECK(r.err == "hostflow decode: " + missing.string() + ": No such file or directory\n");
  CHECK(lines_of(r.out).size() == 3);
}

TEST_CASE("a file that is no capture exits 1 with the reason") {
  auto not_capture = flows_dir / "SOURCES.md";
  auto r = run_cli({"decode", "--json", not_capture.string()});
  CHECK(r.status == 1);
  CHECK(r.out.empty());
  CHECK(r.err == "hostflow decode: " + not_capture.string() +
                     ": not a pcap, pcapng or NetFlow/IPFIX file\n");
}

TEST_CASE("usage errors exit 2") {
  auto capture = (flows_dir / "akvorado/nfv5.pcap").string();
  CHECK(run_cli({"decode", "--bogus", capture}).status == 2);
  CHECK(run_cli({"decode"}).status == 2);
  CHECK(run_cli({}).status == 2);
  CHECK(run_cli({"frobnicate"}).status == 2);
  auto r = run_cli({"decode", "--bogus", capture});
  CHECK(r.err.find("--bogus") != std::string::npos);
  CHECK(r.out.empty());
}

TEST_CASE("help describes the commands and their options") {
  auto top = run_cli({"--help"});
  CHECK(top.status == 0);
  CHECK(top.out.find("decode") != std::string::npos);
  auto decode = run_cli({"decode", "--help"});
  CHECK(decode.status == 0);
  for (const char* text : {"--json", "--summary", "FILE", "pcapng", "Exit status"})
    CHECK_MESSAGE(decode.out.find(text) != std::string::npos, text);
}
