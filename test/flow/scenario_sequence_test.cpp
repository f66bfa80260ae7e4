// Sequence accounting on real softflowd exports: datagrams removed from or
// swapped in a capture must show up as exactly that loss or reordering, in
// the unit each protocol's sequence counts (v5 flows, v9 datagrams, IPFIX
// flow records), and an untouched capture shows none.

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>

#include "flow/capture_file.hpp"
#include "flow/flow_decoder.hpp"

using namespace hostflow;

namespace {

struct replay_result {
  exporter_counters counters;
  uint64_t dropped_flow_records = 0; ///< flow records in the datagrams left out
};

// Decodes the scenario capture, leaving out datagrams `skip` (indices) and
// swapping datagram `swap` with the next one.
replay_result replay(const std::string& proto, std::vector<size_t> skip, size_t swap = SIZE_MAX) {
  std::string error;
  auto contents = read_capture(std::string(HOSTFLOW_TESTDATA_DIR) +
                                 "/scenarios/attacks-300s.softflowd-" + proto + ".pcap",
                               error);
  REQUIRE_MESSAGE(contents, error);
  auto& dgs = contents->datagrams;
  if (swap != SIZE_MAX && swap + 1 < dgs.size())
    std::swap(dgs[swap], dgs[swap + 1]);
  replay_result result;
  // Counts what a left-out datagram held, with a decoder that sees everything.
  flow_decoder all;
  flow_decoder decoder;
  std::vector<flow_record> out;
  for (size_t i = 0; i < dgs.size(); ++i) {
    byte_view view{dgs[i].payload.data(), dgs[i].payload.size()};
    auto before = all.totals();
    all.decode(dgs[i].source, view, 0, out);
    bool left_out = std::find(skip.begin(), skip.end(), i) != skip.end();
    if (left_out)
      result.dropped_flow_records += all.totals().since(before).data_records;
    else
      decoder.decode(dgs[i].source, view, 0, out);
    out.clear();
  }
  result.counters = decoder.totals();
  return result;
}

} // namespace

TEST_CASE("an untouched softflowd export shows no loss, reordering or restart") {
  for (const char* proto : {"v5", "v9", "ipfix"}) {
    CAPTURE(std::string(proto));
    auto r = replay(proto, {});
    CHECK(r.counters.lost_records == 0);
    CHECK(r.counters.lost_datagrams == 0);
    CHECK(r.counters.reordered_datagrams == 0);
    CHECK(r.counters.duplicate_datagrams == 0);
    CHECK(r.counters.restarts == 0);
  }
}

TEST_CASE("datagrams missing from a softflowd export are counted as lost in the protocol's unit") {
  // Indices well inside the capture, apart, not carrying the first templates.
  std::vector<size_t> skip = {700, 2500, 2501};
  auto v5 = replay("v5", skip);
  CHECK(v5.dropped_flow_records > 0);
  CHECK(v5.counters.lost_records == v5.dropped_flow_records);

  auto v9 = replay("v9", skip);
  CHECK(v9.counters.lost_datagrams == 3);
  CHECK(v9.counters.lost_records == 0);

  auto ipfix = replay("ipfix", skip);
  CHECK(ipfix.dropped_flow_records > 0);
  CHECK(ipfix.counters.lost_records == ipfix.dropped_flow_records);
}

TEST_CASE("two swapped datagrams are one reordering and no loss") {
  for (const char* proto : {"v5", "v9", "ipfix"}) {
    CAPTURE(std::string(proto));
    auto r = replay(proto, {}, 1200);
    CHECK(r.counters.reordered_datagrams == 1);
    CHECK(r.counters.lost_records == 0);
    CHECK(r.counters.lost_datagrams == 0);
  }
}
