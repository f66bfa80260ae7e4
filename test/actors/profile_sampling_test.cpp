// Sampling through the pipeline: a Juniper export with per-interface
// sampling rates; every host's packets, bytes and flows come out multiplied
// by each record's own rate, distinct counts do not.

#include <doctest/doctest.h>

#include <set>
#include <string>

#include "actor_fixture.hpp"
#include "actors/profile_pipeline.hpp"
#include "flow/capture_file.hpp"
#include "flow/flow_decoder.hpp"
#include "state/profile_store.hpp"

using namespace hostflow;

namespace {

// The four files of one exporter session: options template, sampler
// options, data template, data.
std::vector<flow_record> sampled_records() {
  flow_decoder decoder;
  std::vector<flow_record> records;
  for (const char* name :
       {"multiplesamplingrates-options-template.pcap", "multiplesamplingrates-options-data.pcap",
        "multiplesamplingrates-template.pcap", "multiplesamplingrates-data.pcap"}) {
    std::string error;
    auto contents =
      read_capture(std::string(HOSTFLOW_TESTDATA_DIR) + "/flows/akvorado/" + name, error);
    REQUIRE_MESSAGE(contents, error);
    for (const auto& dg : contents->datagrams)
      decoder.decode(dg.source, byte_view{dg.payload.data(), dg.payload.size()},
                     dg.timestamp_ms, records);
  }
  return records;
}

} // namespace

TEST_CASE("window counts are scaled by each record's sampling rate and distinct counts are not") {
  auto records = sampled_records();
  REQUIRE(!records.empty());
  std::set<uint32_t> rates;
  uint64_t packets = 0, bytes = 0, flows = 0, last_end = 0;
  std::set<ip_address> sources;
  for (const auto& r : records) {
    rates.insert(r.sampling_interval);
    packets += r.packets * r.sampling_interval;
    bytes += r.bytes * r.sampling_interval;
    flows += r.sampling_interval;
    last_end = std::max<uint64_t>(last_end, static_cast<uint64_t>(r.end_ms));
    sources.insert(r.src_addr);
  }
  MESSAGE(records.size() << " records, sampling rates " << *rates.begin() << ".."
                         << *rates.rbegin());
  REQUIRE(*rates.rbegin() > 1);

  test::actor_fixture f;
  profile_pipeline_settings s;
  s.shards = 2;
  s.monitor_all = true;
  s.shard.tick_interval = std::chrono::hours(1);
  s.shard.checkpoint_interval = std::chrono::milliseconds(0);
  auto db = std::shared_ptr<store>(open_memory_store());
  auto p = start_profile_pipeline(*f.sys, s, db);
  record_router router{p.routing};
  feed_profile_pipeline(*f.sys, p, router, records);
  drain_profile_pipeline(*f.sys, p, static_cast<int64_t>(last_end) + 3'600'000);
  stop_profile_pipeline(*f.sys, p);

  uint64_t got_packets = 0, got_bytes = 0, got_flows = 0, max_peers = 0;
  profile_store reader{db};
  for (const auto& host : sources) {
    auto status = reader.windows_of(host, 10, 0, static_cast<int64_t>(last_end) + 3'600'000,
                                    [&](stored_window&& w) {
                                      if (w.out) {
                                        got_packets += w.out->counters.packets;
                                        got_bytes += w.out->counters.bytes;
                                        got_flows += w.out->counters.flows;
                                        max_peers = std::max(max_peers, w.out->distinct_peers);
                                      }
                                      return true;
                                    });
    REQUIRE(status.ok());
  }
  CHECK(got_packets == packets);
  CHECK(got_bytes == bytes);
  CHECK(got_flows == flows);
  CHECK(max_peers <= records.size());
}
