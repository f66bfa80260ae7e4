// Every exporter capture in the shared test data, decoded and compared with
// the counts and first records its JSON file expects (tshark and an
// independent decoder agree on them). The list comes from the JSON files
// themselves: a new capture is tested without touching this file.

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "flow/capture_file.hpp"
#include "flow/flow_decoder.hpp"

using namespace hostflow;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

const fs::path flows_dir = fs::path(HOSTFLOW_TESTDATA_DIR) / "flows";

std::vector<fs::path> expectation_files() {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(flows_dir))
    if (e.is_regular_file() && e.path().extension() == ".json")
      out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// A templates_from entry: a file beside the capture, named either plainly or
// with its folder as a prefix ("goflow2_nfv9_template260.bin").
fs::path sibling(const fs::path& capture, const std::string& name) {
  auto dir = capture.parent_path();
  auto prefix = dir.filename().string() + "_";
  if (!fs::exists(dir / name) && name.rfind(prefix, 0) == 0)
    return dir / name.substr(prefix.size());
  return dir / name;
}

// Decodes `files` in order through `decoder`; returns the records of the last one.
std::vector<flow_record> decode_files(flow_decoder& decoder, const std::vector<fs::path>& files) {
  std::vector<flow_record> records;
  for (const auto& f : files) {
    std::string error;
    auto contents = read_capture(f.string(), error);
    REQUIRE_MESSAGE(contents, error);
    records.clear();
    for (const auto& dg : contents->datagrams)
      decoder.decode(dg.source, byte_view{dg.payload.data(), dg.payload.size()},
                     dg.timestamp_ms, records);
  }
  return records;
}

flow_direction direction_of(const json& v) {
  auto d = v.get<int>();
  return d == 0 ? flow_direction::ingress : d == 1 ? flow_direction::egress : flow_direction::unknown;
}

// Header clock of the datagram that carried each of the first records
// (v5/v9: records count off the data sets of the datagrams in order).
std::vector<const json*> record_datagrams(const json& decoded, size_t n) {
  std::vector<const json*> out;
  for (const auto& dg : decoded["datagrams"]) {
    size_t records = 0;
    if (dg.contains("sets")) {
      for (const auto& s : dg["sets"])
        if (s.value("kind", "") == "data")
          records += s.value("records", 0);
    } else {
      records = dg.value("records", dg.value("count", 0));
    }
    for (size_t i = 0; i < records && out.size() < n; ++i)
      out.push_back(&dg);
  }
  return out;
}

void check_times(const json& core, const json* dg, const flow_record& r) {
  // The reference renders an uptime-relative time it could not place as 1970;
  // only real absolute times are compared.
  constexpr int64_t year_2000_ms = 946684800000;
  if (core.contains("flow_start_epoch_ms") && core["flow_start_epoch_ms"] > year_2000_ms)
    CHECK(r.start_ms == core["flow_start_epoch_ms"].get<int64_t>());
  if (core.contains("flow_end_epoch_ms") && core["flow_end_epoch_ms"] > year_2000_ms)
    CHECK(r.end_ms == core["flow_end_epoch_ms"].get<int64_t>());
  if (!core.contains("first_switched_uptime_ms") || !core.contains("last_switched_uptime_ms"))
    return;
  auto first = core["first_switched_uptime_ms"].get<uint32_t>();
  auto last = core["last_switched_uptime_ms"].get<uint32_t>();
  CHECK(r.end_ms - r.start_ms == static_cast<int32_t>(last - first));
  if (dg != nullptr && dg->contains("sys_uptime_ms") && dg->contains("unix_secs")) {
    int64_t export_ms = (*dg)["unix_secs"].get<int64_t>() * 1000 +
                        dg->value("unix_nsecs", int64_t{0}) / 1'000'000;
    auto uptime = (*dg)["sys_uptime_ms"].get<uint32_t>();
    CHECK(r.start_ms == export_ms - static_cast<int32_t>(uptime - first));
    CHECK(r.end_ms == export_ms - static_cast<int32_t>(uptime - last));
  }
}

void check_core(const json& core, const flow_record& r) {
  auto addr = [](const json& v) { return ip_address::parse(v.get<std::string>()); };
  if (core.contains("src_addr"))
    CHECK(r.src_addr == addr(core["src_addr"]));
  if (core.contains("dst_addr"))
    CHECK(r.dst_addr == addr(core["dst_addr"]));
  if (core.contains("next_hop"))
    CHECK(r.next_hop == addr(core["next_hop"]));
  auto num = [&](const std::string& key, uint64_t mine) {
    if (core.contains(key) && core[key].is_number()) {
      CAPTURE(key);
      CHECK(mine == core[key].get<uint64_t>());
    }
  };
  num("src_port", r.src_port);
  num("dst_port", r.dst_port);
  num("protocol", r.protocol);
  num("packets", r.packets);
  num("bytes", r.bytes);
  num("in_if", r.input_if);
  num("out_if", r.output_if);
  num("tcp_flags", r.tcp_flags);
  num("tos", r.tos);
  num("src_mask", r.src_mask);
  num("dst_mask", r.dst_mask);
  num("src_as", r.src_as);
  num("dst_as", r.dst_as);
  if (core.contains("ip_version"))
    CHECK(r.src_addr.is_v4() == (core["ip_version"].get<int>() == 4));
  if (core.contains("direction"))
    CHECK(r.direction == direction_of(core["direction"]));
}

} // namespace

TEST_CASE("every exporter capture decodes to its expected counts and first records") {
  auto files = expectation_files();
  REQUIRE(files.size() >= 100);
  size_t checked = 0, skipped = 0;
  for (const auto& json_path : files) {
    std::ifstream in(json_path);
    json spec = json::parse(in);
    fs::path capture = json_path.parent_path() / json_path.stem(); // strip ".json"
    std::string name = fs::relative(capture, flows_dir).string();
    CAPTURE(name);
    std::string protocol = spec.value("protocol", "");
    if (protocol.rfind("sFlow", 0) == 0) {
      MESSAGE("skipped until sFlow is supported: " << name);
      ++skipped;
      continue;
    }
    std::vector<fs::path> inputs;
    for (const auto& t : spec.value("templates_from", json::array()))
      inputs.push_back(sibling(capture, t.get<std::string>()));

    // Counts: the decoder as configured in production (data may wait for templates).
    flow_decoder decoder;
    decode_files(decoder, inputs);
    auto before = decoder.totals();
    inputs.push_back(capture);
    decode_files(decoder, {capture});
    auto got = decoder.totals().since(before);
    const auto& expected = spec["expected_summary"];
    std::string basis = expected.value("basis", "");
    CHECK(got.datagrams == expected["datagrams_or_messages"].get<uint64_t>());
    if (basis.find("malformed") != std::string::npos) {
      ++checked; // decoded without a crash; its counts are not meaningful
      continue;
    }
    CHECK(got.data_records == expected["data_records"].get<uint64_t>());
    CHECK(got.options_data_records == expected["options_data_records"].get<uint64_t>());
    CHECK(got.template_records == expected["template_records"].get<uint64_t>());
    CHECK(got.options_template_records == expected["options_template_records"].get<uint64_t>());
    CHECK(got.undecoded_data_sets == expected["undecoded_data_sets"].get<uint64_t>());
    // Negative tests (corrupt headers) must count their defect; the rest are clean.
    bool negative = spec.value("features", "").rfind("negative test", 0) == 0;
    CHECK((got.error_total() > 0) == negative);

    // First records: single pass, as the reference decoders read them (no
    // waiting for templates, so records come in wire order).
    decoder_limits single_pass;
    single_pass.max_pending_bytes_per_exporter = 0;
    flow_decoder reference(single_pass);
    auto records = decode_files(reference, inputs);
    // The references list wire records; biflow reverse halves are hostflow's own.
    records.erase(std::remove_if(records.begin(), records.end(),
                                 [](const flow_record& r) { return r.reverse_half; }),
                  records.end());
    const auto& decoded = spec["decoded"];
    const auto& firsts = decoded.value("first_records", json::array());
    REQUIRE(records.size() >= firsts.size());
    auto datagrams = record_datagrams(decoded, firsts.size());
    for (size_t i = 0; i < firsts.size(); ++i) {
      CAPTURE(i);
      check_core(firsts[i]["core"], records[i]);
      check_times(firsts[i]["core"], i < datagrams.size() ? datagrams[i] : nullptr, records[i]);
    }
    ++checked;
  }
  MESSAGE(checked << " captures checked, " << skipped << " sFlow captures skipped");
  CHECK(checked + skipped == files.size());
}
