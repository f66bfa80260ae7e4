// Sampling rates as another collector's own tests assert them: akvorado's
// expected flows (in the capture JSONs) give each record's SamplingRate, taken
// from v5 headers, v9 sampler options and IPFIX options data.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "flow/capture_file.hpp"
#include "flow/flow_decoder.hpp"

using namespace hostflow;
using json = nlohmann::json;
namespace fs = std::filesystem;

TEST_CASE("sampling rates match the rates akvorado's tests expect for the same captures") {
  const fs::path dir = fs::path(HOSTFLOW_TESTDATA_DIR) / "flows" / "akvorado";
  size_t compared = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".json")
      continue;
    std::ifstream in(entry.path());
    auto spec = json::parse(in);
    if (spec.value("protocol", "").rfind("sFlow", 0) == 0)
      continue;
    for (const auto& up : spec.value("upstream_expected", json::array())) {
      if (!up.contains("feed_order") || !up.contains("expected_flows"))
        continue;
      CAPTURE(entry.path().filename().string());
      decoder_limits single_pass; // akvorado does not hold data for late templates
      single_pass.max_pending_bytes_per_exporter = 0;
      flow_decoder decoder(single_pass);
      std::vector<flow_record> records; // akvorado lists the flows of all files fed
      for (const auto& name : up["feed_order"]) {
        std::string error;
        auto contents = read_capture((dir / name.get<std::string>()).string(), error);
        REQUIRE_MESSAGE(contents, error);
        for (const auto& dg : contents->datagrams)
          decoder.decode(dg.source, byte_view{dg.payload.data(), dg.payload.size()},
                         dg.timestamp_ms, records);
      }
      const auto& flows = up["expected_flows"];
      REQUIRE(records.size() >= flows.size());
      for (size_t i = 0; i < flows.size(); ++i) {
        CAPTURE(i);
        const auto& f = flows[i];
        CHECK(records[i].src_addr == ip_address::parse(f["SrcAddr"].get<std::string>()));
        CHECK(records[i].bytes == f["Bytes"].get<uint64_t>());
        auto rate = f.value("SamplingRate", uint64_t{0});
        CHECK(records[i].sampling_interval == (rate == 0 ? 1 : rate));
        ++compared;
      }
    }
  }
  CHECK(compared >= 10);
}
