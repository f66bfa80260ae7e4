#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "flow/capture_file.hpp"

using namespace hostflow;
namespace fs = std::filesystem;

namespace {

const fs::path flows_dir = fs::path{HOSTFLOW_TESTDATA_DIR} / "flows";
const fs::path scenarios_dir = fs::path{HOSTFLOW_TESTDATA_DIR} / "scenarios";

capture_contents read_ok(const fs::path& path) {
  std::string error;
  auto contents = read_capture(path.string(), error);
  INFO(error);
  REQUIRE(contents.has_value());
  return std::move(*contents);
}

std::string read_error(const fs::path& path) {
  std::string error;
  auto contents = read_capture(path.string(), error);
  CHECK_FALSE(contents.has_value());
  return error;
}

std::vector<uint8_t> file_bytes(const fs::path& path) {
  std::ifstream in{path, std::ios::binary};
  return {std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

/// A file in the temp directory, removed when the test ends.
struct temp_file {
  fs::path path;

  temp_file(const std::string& name, const std::vector<uint8_t>& bytes)
      : path(fs::temp_directory_path() / ("hostflow-" + std::to_string(::getpid()) + "-" + name)) {
    std::ofstream out{path, std::ios::binary};
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
  }
  ~temp_file() {
    std::error_code ec;
    fs::remove(path, ec);
  }
};

size_t total_size(const capture_contents& c) {
  return std::accumulate(c.datagrams.begin(), c.datagrams.end(), size_t{0},
                         [](size_t n, const captured_datagram& d) { return n + d.payload.size(); });
}

} // namespace

// -- the shared test captures ------------------------------------------------------

TEST_CASE("every capture in the test data yields the datagram count its JSON expects") {
  size_t captures = 0;
  for (const auto& entry : fs::recursive_directory_iterator{flows_dir}) {
    if (entry.path().extension() != ".json")
      continue;
    std::ifstream in{entry.path()};
    auto expected = nlohmann::json::parse(in);
    fs::path capture = entry.path().parent_path() / entry.path().stem(); // drops ".json"
    CAPTURE(capture.string());
    CAPTURE(expected["protocol"].get<std::string>());
    auto contents = read_ok(capture);
    CHECK(contents.datagrams.size() ==
          expected["expected_summary"]["datagrams_or_messages"].get<size_t>());
    const auto& s = contents.stats;
    CHECK(s.datagrams == contents.datagrams.size());
    CHECK(s.frames == s.datagrams + s.non_ip + s.non_udp + s.truncated);
    CHECK(s.truncated == 0);
    CHECK(s.fragments == 0);
    ++captures;
  }
  CHECK(captures == 121); // as SOURCES.md lists them
}

TEST_CASE("the scenario captures yield every datagram softflowd exported") {
  struct scenario {
    const char* file;
    size_t datagrams;
    uint16_t version;
  };
  for (auto [file, datagrams, version] :
       {scenario{"attacks-300s.softflowd-v5.pcap", 4946, 5},
        scenario{"attacks-300s.softflowd-v9.pcap", 4586, 9},
        scenario{"attacks-300s.softflowd-ipfix.pcap", 4586, 10}}) {
    CAPTURE(file);
    auto contents = read_ok(scenarios_dir / file);
    CHECK(contents.format == capture_format::pcap);
    REQUIRE(contents.datagrams.size() == datagrams);
    int64_t previous_ms = 0;
    for (const auto& dg : contents.datagrams) {
      REQUIRE(dg.payload.size() >= 2);
      CHECK(((dg.payload[0] << 8) | dg.payload[1]) == version);
      // The README: exports run from 09:01:06 to 09:05:00 on 2024-03-04.
      CHECK(dg.timestamp_ms >= 1709542866000);
      CHECK(dg.timestamp_ms <= 1709543100000);
      CHECK(dg.timestamp_ms >= previous_ms);
      previous_ms = dg.timestamp_ms;
    }
  }
}

TEST_CASE("TCP frames beside the export datagrams are skipped and counted") {
  auto contents = read_ok(flows_dir / "pmacct/400-IPFIXv10-BMP-CISCO-SRv6-multiple-sources" /
                          "traffic-00.pcap");
  CHECK(contents.stats.frames == 606);
  CHECK(contents.stats.datagrams == 583);
  CHECK(contents.stats.non_udp == 23);
  CHECK(contents.stats.non_ip == 0);
}

TEST_CASE("a datagram from a pcap carries its addresses, ports and capture time") {
  auto v4 = read_ok(flows_dir / "akvorado/nfv5.pcap");
  REQUIRE(v4.datagrams.size() == 1);
  const auto& dg = v4.datagrams[0];
  CHECK(dg.source.to_string() == "10.19.144.41:40000");
  CHECK(dg.destination.to_string() == "10.19.144.26:9990");
  CHECK(dg.timestamp_ms == 1680655485099);
  CHECK(dg.payload.size() == 1424 - 8);

  // Linux cooked capture over IPv6.
  auto v6 =
      read_ok(flows_dir / "pmacct/112-IPFIXv10-CISCO-options-map-reassignment" / "traffic-00.pcap");
  REQUIRE(v6.datagrams.size() == 21);
  CHECK(v6.datagrams[0].source.to_string() == "[2001:db8:90::1]:61853");
  CHECK(v6.datagrams[0].destination.to_string() == "[2a02:a90:4007::2:20]:9991");
  CHECK(v6.datagrams[0].timestamp_ms == 1783600495690);
  CHECK(v6.datagrams[0].payload.size() == 44 - 8);
}

TEST_CASE("a raw v5 file splits on the record count") {
  auto contents = read_ok(flows_dir / "logstash-codec-netflow/netflow5.dat");
  CHECK(contents.format == capture_format::raw_netflow_v5);
  REQUIRE(contents.datagrams.size() == 12);
  for (const auto& dg : contents.datagrams) {
    size_t count = (size_t{dg.payload[2]} << 8) | dg.payload[3];
    CHECK(dg.payload.size() == 24 + count * 48);
    CHECK(dg.source.to_string() == "0.0.0.0:0");
    CHECK(dg.timestamp_ms == 0);
  }
  CHECK(total_size(contents) == fs::file_size(flows_dir / "logstash-codec-netflow/netflow5.dat"));
}

TEST_CASE("trailing bytes of a raw v5 file stay with the last datagram") {
  auto trailing = read_ok(flows_dir / "vflow/nfv5_29records.bin");
  REQUIRE(trailing.datagrams.size() == 1);
  CHECK(trailing.datagrams[0].payload.size() == 24 + 29 * 48 + 6);

  // The header claims 55582 records: the rest of the file is the datagram.
  auto lying = read_ok(flows_dir / "logstash-codec-netflow/netflow5_test_invalid01.dat");
  REQUIRE(lying.datagrams.size() == 1);
  CHECK(lying.datagrams[0].payload.size() == 1464);
}

TEST_CASE("an IPFIX file splits on the message length, empty messages included") {
  auto contents = read_ok(flows_dir / "ipfixcol2/example_flows.ipfix");
  CHECK(contents.format == capture_format::raw_ipfix);
  REQUIRE(contents.datagrams.size() == 68);
  size_t empty = 0;
  for (const auto& dg : contents.datagrams) {
    CHECK(dg.payload.size() == ((size_t{dg.payload[2]} << 8) | dg.payload[3]));
    empty += dg.payload.size() == 16;
  }
  CHECK(empty == 1);
  CHECK(total_size(contents) == 200032);
  CHECK(read_ok(flows_dir / "logstash-codec-netflow/ipfix.dat").datagrams.size() == 3);
}

TEST_CASE("a raw v9 or sFlow file is one datagram") {
  auto v9 = read_ok(flows_dir / "python-netflow-v9-softflowd/PACKET_V9_WITH_ZEROS.bin");
  CHECK(v9.format == capture_format::raw_netflow_v9);
  REQUIRE(v9.datagrams.size() == 1);
  CHECK(v9.datagrams[0].payload.size() == 1000);
  auto sflow = read_ok(flows_dir / "vflow/sflow_raw.bin");
  CHECK(sflow.format == capture_format::raw_sflow);
  CHECK(sflow.datagrams.size() == 1);
}

TEST_CASE("raw IPFIX bytes after the last message that cannot start another belong to it") {
  auto bytes = file_bytes(flows_dir / "logstash-codec-netflow/ipfix.dat");
  bytes.insert(bytes.end(), {0, 10, 0}); // too short for another header
  temp_file file{"trailing.ipfix", bytes};
  auto contents = read_ok(file.path);
  REQUIRE(contents.datagrams.size() == 3);
  CHECK(total_size(contents) == bytes.size());
}

// -- files that are not captures ------------------------------------------------------

TEST_CASE("a missing file is an error naming the file") {
  auto error = read_error(flows_dir / "no-such-capture.pcap");
  CHECK(error == (flows_dir / "no-such-capture.pcap").string() + ": No such file or directory");
}

TEST_CASE("an empty file is an error, not an empty capture") {
  temp_file file{"empty.pcap", {}};
  auto error = read_error(file.path);
  CHECK(error == file.path.string() + ": empty file");
}

TEST_CASE("a directory is an error") {
  auto error = read_error(flows_dir);
  CHECK(error == flows_dir.string() + ": Is a directory");
}

TEST_CASE("a file of random bytes is an error saying what was expected") {
  std::mt19937 rng{42};
  std::vector<uint8_t> bytes(4096);
  for (auto& b : bytes)
    b = static_cast<uint8_t>(rng());
  bytes[0] = 0xde; // no magic number or export version by chance
  temp_file file{"random.pcap", bytes};
  auto error = read_error(file.path);
  CHECK(error == file.path.string() + ": not a pcap, pcapng or NetFlow/IPFIX file");
}

TEST_CASE("a raw file too short for its version's header is not taken as one") {
  temp_file file{"short.dat", {0, 5, 0, 1, 0, 0}};
  auto error = read_error(file.path);
  CHECK(error.find("not a pcap, pcapng or NetFlow/IPFIX file") != std::string::npos);
}

TEST_CASE("a pcap cut inside a frame yields the whole frames, then a truncation error") {
  auto bytes = file_bytes(scenarios_dir / "attacks-300s.softflowd-v5.pcap");
  bytes.resize(100'000);
  temp_file file{"cut.pcap", bytes};
  std::string error;
  auto reader = capture_reader::open(file.path.string(), error);
  REQUIRE(reader.has_value());
  captured_datagram dg;
  size_t datagrams = 0;
  while (reader->next(dg))
    ++datagrams;
  CHECK(datagrams > 50);
  CHECK(reader->stats().datagrams == datagrams);
  CHECK(reader->error().find(file.path.string() + ": truncated") == 0);
  // read_capture reports the file as bad rather than returning part of it.
  CHECK(read_error(file.path).find("truncated") != std::string::npos);
}

TEST_CASE("a pcap cut inside its file header is an error at open") {
  auto bytes = file_bytes(scenarios_dir / "attacks-300s.softflowd-v5.pcap");
  bytes.resize(10);
  temp_file file{"header.pcap", bytes};
  auto error = read_error(file.path);
  CHECK(error.find(file.path.string() + ": ") == 0);
  CHECK(error.find("truncated") != std::string::npos);
}

TEST_CASE("every prefix of a pcap reads without crashing") {
  // Cuts across the file header, the record headers and the frames.
  auto bytes = file_bytes(flows_dir / "akvorado/data+templates.pcap");
  for (size_t n = 1; n < bytes.size(); n += n < 128 ? 1 : 37) {
    CAPTURE(n);
    temp_file file{"prefix.pcap", {bytes.begin(), bytes.begin() + static_cast<long>(n)}};
    std::string error;
    auto contents = read_capture(file.path.string(), error);
    CHECK((contents.has_value() || !error.empty()));
    if (contents)
      CHECK(contents->datagrams.size() <= 1);
  }
}
