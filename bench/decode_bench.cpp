// Decode throughput of flow_decoder on one core, per export protocol, over the
// labelled scenario captures. Run: build-bench/bench/decode_bench
// (--benchmark_filter=ipfix, --benchmark_repetitions=5 ...).

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "flow/capture_file.hpp"
#include "flow/flow_decoder.hpp"
#include "flow/flow_record.hpp"

#include "bench/export_rewriter.hpp"

namespace {

using namespace hostflow;

/// A scenario capture held in memory, with what one pass of it decodes to.
struct loaded_capture {
  std::vector<captured_datagram> datagrams;
  std::unique_ptr<bench::export_rewriter> rewriter;
  uint64_t bytes = 0;
  std::string error; ///< set when the file could not be read
};

/// Loads each capture once per process: reading the pcap is not part of
/// what is measured, and every benchmark of a protocol shares the copy.
loaded_capture& capture(const std::string& name) {
  static std::map<std::string, loaded_capture> cache;
  auto [it, added] = cache.try_emplace(name);
  loaded_capture& c = it->second;
  if (!added)
    return c;
  std::string path = std::string{HOSTFLOW_TESTDATA_DIR} + "/scenarios/" + name;
  auto contents = read_capture(path, c.error);
  if (!contents)
    return c;
  c.datagrams = std::move(contents->datagrams);
  for (const auto& d : c.datagrams)
    c.bytes += d.payload.size();
  c.rewriter = std::make_unique<bench::export_rewriter>(c.datagrams);
  return c;
}

// The receiver hands records downstream in batches of this many and starts
// a new batch; reusing one vector cleared at the same size keeps the output
// side as warm as it is in the daemon.
constexpr size_t batch_records = 1024;

/// Decodes every datagram of `c` once; returns the records produced.
uint64_t decode_all(flow_decoder& decoder, const loaded_capture& c, std::vector<flow_record>& out,
                    int64_t time_offset_ms) {
  uint64_t records = 0;
  for (const auto& d : c.datagrams) {
    decoder.decode(d.source, byte_view{d.payload.data(), d.payload.size()},
                   d.timestamp_ms + time_offset_ms, out);
    if (out.size() >= batch_records) {
      records += out.size();
      out.clear();
    }
  }
  records += out.size();
  out.clear();
  return records;
}

void report(benchmark::State& state, const loaded_capture& c, uint64_t records) {
  state.SetItemsProcessed(static_cast<int64_t>(records));
  state.SetBytesProcessed(static_cast<int64_t>(c.bytes * state.iterations()));
  state.counters["records_per_pass"] =
      benchmark::Counter(static_cast<double>(records), benchmark::Counter::kAvgIterations);
  state.counters["datagrams_per_pass"] = static_cast<double>(c.datagrams.size());
}

/// A collector meeting the exporter for the first time: each iteration uses a
/// fresh decoder, so templates are learned and exporter state is built in
/// the run.
void decode_fresh(benchmark::State& state, const std::string& name) {
  auto& c = capture(name);
  if (!c.error.empty()) {
    state.SkipWithError(c.error.c_str());
    return;
  }
  std::vector<flow_record> out;
  out.reserve(batch_records + 64);
  uint64_t records = 0;
  for (auto _ : state) {
    flow_decoder decoder;
    records += decode_all(decoder, c, out, 0);
    benchmark::ClobberMemory();
  }
  report(state, c, records);
}

/// A collector in steady state: one decoder for the whole run, so templates
/// and exporter state are known. Between iterations the capture is moved one
/// pass forward (outside the timing) so the decoder sees one continuous
/// stream rather than the same sequence numbers and uptimes over again,
/// which it would take for restarts.
void decode_steady(benchmark::State& state, const std::string& name) {
  auto& c = capture(name);
  if (!c.error.empty()) {
    state.SkipWithError(c.error.c_str());
    return;
  }
  loaded_capture stream; // a copy: its bytes are rewritten, the cache's stay as captured
  stream.datagrams = c.datagrams;
  stream.bytes = c.bytes;
  const int64_t pass_ms = c.rewriter->pass_seconds() * 1000;
  int64_t offset_ms = 0;
  auto next_pass = [&] {
    for (size_t i = 0; i < stream.datagrams.size(); ++i) {
      auto& p = stream.datagrams[i].payload;
      c.rewriter->advance(i, p.data(), p.size());
    }
    offset_ms += pass_ms;
  };
  std::vector<flow_record> out;
  out.reserve(batch_records + 64);
  flow_decoder decoder;
  decode_all(decoder, stream, out, offset_ms); // learn templates before timing
  uint64_t records = 0;
  for (auto _ : state) {
    state.PauseTiming();
    next_pass();
    state.ResumeTiming();
    records += decode_all(decoder, stream, out, offset_ms);
    benchmark::ClobberMemory();
  }
  auto totals = decoder.totals();
  state.counters["lost_records"] = static_cast<double>(totals.lost_records);
  state.counters["restarts"] = static_cast<double>(totals.restarts);
  report(state, c, records);
}

const char* const v5 = "attacks-300s.softflowd-v5.pcap";
const char* const v9 = "attacks-300s.softflowd-v9.pcap";
const char* const ipfix = "attacks-300s.softflowd-ipfix.pcap";

BENCHMARK_CAPTURE(decode_fresh, v5, v5)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(decode_fresh, v9, v9)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(decode_fresh, ipfix, ipfix)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(decode_steady, v5, v5)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(decode_steady, v9, v9)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(decode_steady, ipfix, ipfix)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
