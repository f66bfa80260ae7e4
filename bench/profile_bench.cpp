// Cost per record of each stage of the host-profile pipeline on one core,
// on pre-decoded records of the IPFIX scenario capture:
//
//   route/*            record_router::route (which shard sees a record, as what)
//   table_add          profile_table::add, one shard holding every host
//   table_close*       profile_table::close_ready, per closed window
//   store_commit/<g>   profile_store::add_windows + commit on RocksDB, per window
//
// Run: build-pbench/bench/profile_bench (--benchmark_filter=route,
// --benchmark_repetitions=5 ...). See docs/BENCHMARKS.md, "Host profiles".

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "actors/router.hpp"
#include "bench/profile_data.hpp"
#include "flow/profile_table.hpp"
#include "state/profile_store.hpp"
#include "state/store.hpp"

namespace {

using namespace hostflow;
using namespace hostflow::bench;

/// Views per shard batch, as feed_profile_pipeline and the receiver send them.
constexpr size_t batch_views = 4096;

int64_t wall_now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// -- (a) routing ---------------------------------------------------------------------------

std::vector<cidr> prefixes(int which) {
  if (which == 1)
    return {parse_cidr(scenario_network)};
  if (which == 16) {
    // More networks than cidr_set compares word by word: its trie answers.
    std::vector<cidr> many;
    for (int i = 0; i < 15; ++i)
      many.push_back(parse_cidr("172." + std::to_string(16 + i) + ".0.0/16"));
    many.push_back(parse_cidr(scenario_network));
    return many;
  }
  // Three networks, one of them IPv6; only the first has scenario hosts, so
  // both lists route the scenario alike and differ only in the lookup.
  return {parse_cidr("192.168.0.0/16"), parse_cidr("2001:db8::/32"),
          parse_cidr(scenario_network)};
}

/// record_router::route over whole passes of the scenario, two shards.
/// `fresh`: every full batch is moved out and replaced by an empty one, as
/// feed_profile_pipeline and the receiver do (so its vectors are grown
/// again, and the old batch freed); otherwise batches are cleared and their
/// capacity reused (the routing alone).
void route(benchmark::State& state, int which, bool fresh) {
  const auto& records = scenario_records();
  record_router router{detached_routing(prefixes(which), 2)};
  auto& pending = router.pending();
  uint64_t routed = 0;
  for (auto _ : state) {
    for (const auto& r : records) {
      router.route(r);
      if (router.pending_views() >= batch_views * pending.size()) {
        for (auto& b : pending) {
          if (fresh) {
            shard_batch gone = std::move(b);
            b = shard_batch{};
            benchmark::DoNotOptimize(gone.records.data());
          } else {
            b.clear();
          }
        }
        router.clear_pending_count();
      }
    }
    routed += records.size();
  }
  const auto& c = router.counters();
  state.SetItemsProcessed(static_cast<int64_t>(routed));
  state.counters["views_per_record"] =
    static_cast<double>(c.outgoing + c.incoming + c.external) / static_cast<double>(c.records);
  state.counters["unmonitored_share"] =
    static_cast<double>(c.unmonitored) / static_cast<double>(c.records);
}

BENCHMARK_CAPTURE(route, monitored_1prefix_reuse, 1, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(route, monitored_3prefixes_reuse, 3, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(route, monitored_16prefixes_reuse, 16, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(route, monitored_1prefix_fresh_batches, 1, true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(route, monitored_3prefixes_fresh_batches, 3, true)
  ->Unit(benchmark::kMillisecond);

// -- (b), (c) the shard core ------------------------------------------------------------------

/// One pass of the scenario as a single shard sees it (every view of
/// 10.10.0.0/16), replayed pass after pass with times moved forward, so the
/// watermark keeps moving and windows keep closing.
class view_stream {
public:
  view_stream() {
    record_router router{detached_routing({parse_cidr(scenario_network)}, 1)};
    for (const auto& r : scenario_records())
      router.route(r);
    pass_ = std::move(router.pending()[0]);
    shift_ = pass_shift_ms(scenario_records());
  }

  size_t pass_views() const noexcept { return pass_.records.size(); }

  /// Adds the next `n` views to `table`; moves the pass forward when it wraps.
  void add(profile_table& table, size_t n, int64_t wall_ms) {
    for (size_t i = 0; i < n; ++i) {
      if (pos_ == pass_.records.size())
        wrap();
      table.add(pass_.records[pos_], pass_.kinds[pos_], wall_ms, pass_.source_newest[pos_]);
      ++pos_;
    }
  }

  /// Index of the next view, and whether the next add will wrap.
  size_t position() const noexcept { return pos_; }
  bool at_end() const noexcept { return pos_ == pass_.records.size(); }

  void wrap() {
    shift_times(pass_.records, shift_);
    for (auto& t : pass_.source_newest)
      t += shift_;
    pos_ = 0;
  }

private:
  shard_batch pass_;
  int64_t shift_ = 0;
  size_t pos_ = 0;
};

/// Warms a table up with two passes so hosts, buckets and coarse windows are
/// in their steady state before timing.
void warm_up(view_stream& views, profile_table& table, int64_t wall_ms,
             std::vector<closed_host_window>& closed, std::vector<closed_external_window>& ext) {
  for (int pass = 0; pass < 2; ++pass) {
    for (size_t done = 0; done < views.pass_views(); done += batch_views) {
      views.add(table, std::min(batch_views, views.pass_views() - done), wall_ms);
      table.close_ready(closed, ext);
      closed.clear();
      ext.clear();
    }
  }
}

/// profile_table::add alone: one iteration adds one 4096-view batch; the
/// close that the shard runs after each batch happens outside the timing.
void table_add(benchmark::State& state) {
  view_stream views;
  profile_table table;
  int64_t wall = wall_now_ms();
  std::vector<closed_host_window> closed;
  std::vector<closed_external_window> ext;
  warm_up(views, table, wall, closed, ext);
  uint64_t added = 0;
  for (auto _ : state) {
    views.add(table, batch_views, wall);
    added += batch_views;
    state.PauseTiming();
    table.close_ready(closed, ext);
    closed.clear();
    ext.clear();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<int64_t>(added));
  state.counters["hosts"] = static_cast<double>(table.hosts());
  state.counters["externals"] = static_cast<double>(table.external_hosts());
  state.counters["views_per_pass"] = static_cast<double>(views.pass_views());
}
BENCHMARK(table_add)->Unit(benchmark::kMicrosecond);

/// profile_table::close_ready after each 4096-view batch (the add outside
/// the timing). Items are closed windows: host windows (all granularities,
/// one per host, direction and window) and external sources' 1 min windows;
/// `summarize`: also turns each host window into the window_summary that
/// host_shard publishes and stores.
void table_close(benchmark::State& state, bool summarize_too) {
  view_stream views;
  profile_table table;
  int64_t wall = wall_now_ms();
  std::vector<closed_host_window> closed;
  std::vector<closed_external_window> ext;
  std::vector<host_window> summaries;
  warm_up(views, table, wall, closed, ext);
  uint64_t host_windows = 0, external_windows = 0, by_g[4] = {};
  for (auto _ : state) {
    state.PauseTiming();
    closed.clear();
    ext.clear();
    summaries.clear();
    views.add(table, batch_views, wall);
    state.ResumeTiming();
    table.close_ready(closed, ext);
    if (summarize_too)
      for (auto& c : closed)
        summaries.push_back(host_window{c.host, summarize(c.window)});
    host_windows += closed.size();
    external_windows += ext.size();
    for (auto& c : closed)
      by_g[granularity_index(c.window.granularity_s)]++;
  }
  state.SetItemsProcessed(static_cast<int64_t>(host_windows + external_windows));
  state.counters["host_windows_per_batch"] =
    benchmark::Counter(static_cast<double>(host_windows), benchmark::Counter::kAvgIterations);
  state.counters["external_windows_per_batch"] =
    benchmark::Counter(static_cast<double>(external_windows), benchmark::Counter::kAvgIterations);
  for (int g = 0; g < 4; ++g)
    state.counters["share_" + std::to_string(granularities[g]) + "s"] =
      host_windows ? static_cast<double>(by_g[g]) / static_cast<double>(host_windows) : 0.0;
}
BENCHMARK_CAPTURE(table_close, close_ready, false)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(table_close, close_ready_and_summarize, true)->Unit(benchmark::kMicrosecond);

// -- (d) the store ------------------------------------------------------------------------------

/// Closed windows of the scenario by granularity (summaries, as host_shard
/// hands them to the store): three passes through one table.
const std::map<uint32_t, std::vector<host_window>>& scenario_windows() {
  static const auto windows = [] {
    std::map<uint32_t, std::vector<host_window>> out;
    view_stream views;
    profile_table table;
    int64_t wall = wall_now_ms();
    std::vector<closed_host_window> closed;
    std::vector<closed_external_window> ext;
    for (size_t done = 0; done < 3 * views.pass_views(); done += batch_views) {
      views.add(table, batch_views, wall);
      table.close_ready(closed, ext);
      for (auto& c : closed)
        out[c.window.granularity_s].push_back(host_window{c.host, summarize(c.window)});
      closed.clear();
      ext.clear();
    }
    return out;
  }();
  return windows;
}

/// profile_store::add_windows + commit on RocksDB in a temporary directory:
/// one iteration commits the windows of granularity `g` that closed
/// together in the scenario (one close, as one tick of a shard writes them),
/// moved forward in time on every round so keys are new. Items are stored
/// windows (one value per host and window, both directions).
void store_commit(benchmark::State& state) {
  const auto g = static_cast<uint32_t>(state.range(0));
  const auto& all = scenario_windows().at(g);
  // Group by window start: the windows that close together.
  std::vector<std::vector<host_window>> groups;
  {
    std::map<int64_t, std::vector<host_window>> by_start;
    for (const auto& w : all)
      by_start[w.window.start_ms].push_back(w);
    for (auto& [start, ws] : by_start)
      groups.push_back(std::move(ws));
  }
  temp_dir dir;
  rocksdb_settings settings;
  settings.path = dir.path() + "/db";
  store_status status;
  std::shared_ptr<store> db = open_rocksdb_store(settings, status);
  if (!db) {
    state.SkipWithError(status.to_string().c_str());
    return;
  }
  profile_store ps{db};
  const int64_t round_shift = (all.back().window.start_ms - all.front().window.start_ms) +
                              int64_t{g} * 1000 * 2;
  uint64_t windows = 0, payload = 0, round = 0;
  size_t next = 0;
  std::vector<host_window> batch;
  uint64_t size_before = db->size_bytes();
  uint64_t io_before = io_write_bytes();
  for (auto _ : state) {
    state.PauseTiming();
    if (next == groups.size()) {
      next = 0;
      ++round;
    }
    batch = groups[next++];
    for (auto& w : batch)
      w.window.start_ms += static_cast<int64_t>(round) * round_shift;
    state.ResumeTiming();
    ps.add_windows(batch);
    auto result = ps.commit();
    if (!result.status.ok()) {
      state.SkipWithError(result.status.to_string().c_str());
      break;
    }
    windows += result.windows;
    payload += result.bytes;
  }
  uint64_t size_memtable = db->size_bytes();
  db->flush();
  uint64_t size_flushed = db->size_bytes();
  uint64_t io_after = io_write_bytes();
  auto per = [&](uint64_t bytes) {
    return windows ? static_cast<double>(bytes) / static_cast<double>(windows) : 0.0;
  };
  state.SetItemsProcessed(static_cast<int64_t>(windows));
  state.counters["windows_per_commit"] =
    benchmark::Counter(static_cast<double>(windows), benchmark::Counter::kAvgIterations);
  state.counters["payload_B_per_window"] = per(payload);
  state.counters["memtable_B_per_window"] = per(size_memtable - size_before);
  state.counters["sst_B_per_window"] = per(size_flushed - size_before);
  state.counters["disk_write_B_per_window"] = per(io_after - io_before);
}
BENCHMARK(store_commit)->Arg(10)->Arg(30)->Arg(60)->Arg(300)->Unit(benchmark::kMicrosecond);

} // namespace

BENCHMARK_MAIN();
