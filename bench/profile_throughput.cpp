// The host-profile pipeline as a whole, three questions:
//
//   pipeline  records/s through the router and two host_shard actors (the
//             real pipeline: feed_profile_pipeline, or a receiver-like feeder
//             with batches in flight), memory or RocksDB store, over many
//             passes of the scenario capture moved forward in event time;
//             CPU seconds per million records.
//   memory    bytes per active monitored host and per external source, from
//             synthetic traffic (N hosts in 10.0.0.0/8, up to 64 peers each):
//             the table's own count, the heap and the RSS, and what a host's
//             memory is made of.
//   disk      bytes RocksDB stores per closed window of each granularity, what
//             checkpoints and baselines write, and per host per day at the
//             default retention.
//
// Run: build-pbench/bench/profile_throughput pipeline --store memory
// (see --help of each mode, and docs/BENCHMARKS.md, "Host profiles").

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/profile_pipeline.hpp"
#include "actors/type_registry.hpp"
#include "bench/profile_data.hpp"
#include "flow/profile_table.hpp"
#include "state/checkpoint_codec.hpp"
#include "state/profile_store.hpp"

using namespace hostflow;
using namespace hostflow::bench;

namespace {

using steady = std::chrono::steady_clock;

double seconds_since(steady::time_point t) {
  return std::chrono::duration<double>(steady::now() - t).count();
}

int64_t wall_now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

double load_average() {
  double l = 0;
  if (FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf", &l) != 1)
      l = 0;
    std::fclose(f);
  }
  return l;
}

// -- pipeline ------------------------------------------------------------------------------

struct pipeline_options {
  std::string store = "memory"; ///< memory | rocksdb
  uint64_t records = 20'000'000;
  size_t in_flight = 0; ///< 0: feed_profile_pipeline; else batches in flight per shard
  uint32_t shards = 2;
  size_t threads = 2;
  bool checkpoints = true;
};

/// A receiver's way of feeding the shards: each shard's batch goes out when
/// it holds 4096 views, with up to `in_flight` unanswered batches per shard
/// (the receiver's credit); the router never waits for a shard otherwise.
class pipelined_feeder {
public:
  pipelined_feeder(caf::actor_system& sys, const profile_pipeline& p, record_router& router,
                   size_t in_flight)
    : self_(sys), p_(p), router_(router), limit_(in_flight),
      outstanding_(router.pending().size()) {}

  void feed(const std::vector<flow_record>& records) {
    auto& pending = router_.pending();
    for (const auto& r : records) {
      router_.route(r);
      for (size_t s = 0; s < pending.size(); ++s)
        if (pending[s].records.size() >= 4096)
          send(s);
    }
  }

  /// Sends what is pending and waits for every answer.
  void finish() {
    for (size_t s = 0; s < router_.pending().size(); ++s)
      if (!router_.pending()[s].records.empty())
        send(s);
    while (!inflight_.empty())
      wait_oldest();
  }

private:
  using handle = decltype(std::declval<caf::scoped_actor&>()->request(
    std::declval<host_shard_actor&>(), caf::infinite, std::declval<shard_batch>()));

  void send(size_t s) {
    while (outstanding_[s] >= limit_)
      wait_oldest();
    auto& pending = router_.pending();
    inflight_.emplace_back(s, self_->request(p_.shards[s], caf::infinite, std::move(pending[s])));
    pending[s] = shard_batch{};
    ++outstanding_[s];
    router_.clear_pending_count();
  }

  void wait_oldest() {
    auto& [s, h] = inflight_.front();
    h.receive([](uint64_t) {}, [](caf::error&) {});
    --outstanding_[s];
    inflight_.pop_front();
  }

  caf::scoped_actor self_;
  const profile_pipeline& p_;
  record_router& router_;
  size_t limit_;
  std::vector<size_t> outstanding_;
  std::deque<std::pair<size_t, handle>> inflight_;
};

int run_pipeline(const pipeline_options& o) {
  caf::actor_system_config cfg;
  register_message_types(cfg);
  cfg.set("scheduler.max-threads", o.threads);
  cfg.set("scheduler.policy", caf::atom("sharing"));
  cfg.set("logger.file-verbosity", caf::atom("quiet"));
  cfg.set("logger.console-verbosity", caf::atom("quiet"));
  caf::actor_system sys{cfg};

  std::unique_ptr<temp_dir> dir;
  std::shared_ptr<store> db;
  if (o.store == "rocksdb") {
    dir = std::make_unique<temp_dir>();
    rocksdb_settings rs;
    rs.path = dir->path() + "/db";
    rs.block_cache_bytes = 64u << 20; // hostflowd's default
    store_status status;
    db = open_rocksdb_store(rs, status);
    if (!db) {
      std::fprintf(stderr, "rocksdb: %s\n", status.to_string().c_str());
      return 1;
    }
  } else {
    db = open_memory_store();
  }

  // hostflowd's defaults (server/config.hpp, server/profile_settings.cpp),
  // with the scenario's monitored network.
  profile_pipeline_settings s;
  s.shards = o.shards;
  s.monitored = {parse_cidr(scenario_network)};
  if (!o.checkpoints)
    s.shard.checkpoint_interval = std::chrono::milliseconds(0);
  s.shard.retention_ms = {{10, 6 * 3'600'000LL},
                          {30, 24 * 3'600'000LL},
                          {60, 7 * 24 * 3'600'000LL},
                          {300, 90 * 24 * 3'600'000LL}};
  auto p = start_profile_pipeline(sys, s, db);
  record_router router{p.routing};

  auto pass = scenario_records();
  const int64_t shift = pass_shift_ms(pass);
  const uint64_t passes = (o.records + pass.size() - 1) / pass.size();

  std::unique_ptr<pipelined_feeder> feeder;
  if (o.in_flight > 0)
    feeder = std::make_unique<pipelined_feeder>(sys, p, router, o.in_flight);
  auto feed = [&](const std::vector<flow_record>& records) {
    if (feeder)
      feeder->feed(records);
    else
      feed_profile_pipeline(sys, p, router, records);
  };

  // One pass to warm up: hosts exist and windows are in their steady state.
  feed(pass);
  if (feeder)
    feeder->finish();
  shift_times(pass, shift);

  const double load0 = load_average();
  const uint64_t io0 = io_write_bytes();
  const uint64_t rss0 = rss_bytes();
  const double cpu0 = cpu_seconds();
  double shift_s = 0;
  const auto t0 = steady::now();
  for (uint64_t k = 0; k < passes; ++k) {
    feed(pass);
    auto ts = steady::now();
    shift_times(pass, shift);
    shift_s += seconds_since(ts);
  }
  if (feeder)
    feeder->finish();
  const double wall = seconds_since(t0);
  const double cpu = cpu_seconds() - cpu0;
  const uint64_t io = io_write_bytes() - io0;
  const uint64_t records = passes * pass.size();

  auto status = profile_pipeline_status(sys, p);
  uint64_t views = 0, hosts = 0, externals = 0, windows = 0, checkpoints = 0, late = 0,
           folded = 0, too_old = 0, host_mem = 0;
  for (const auto& st : status) {
    views += st.records;
    hosts += st.hosts;
    externals += st.external_hosts;
    windows += st.windows_written;
    checkpoints += st.checkpoints;
    host_mem += st.host_memory_bytes;
    for (const auto& e : st.exporters) {
      late += e.counters.late_records;
      folded += e.counters.folded_records;
      too_old += e.counters.too_old_records;
    }
  }
  const uint64_t store_bytes = db->size_bytes();
  stop_profile_pipeline(sys, p);

  std::printf("pipeline store=%s shards=%u threads=%zu feeder=%s checkpoints=%s\n",
              o.store.c_str(), o.shards, o.threads,
              feeder ? ("in_flight=" + std::to_string(o.in_flight)).c_str()
                     : "feed_profile_pipeline",
              o.checkpoints ? "every_10s" : "off");
  std::printf("  records %" PRIu64 " (%" PRIu64 " passes of %zu, +1 warm-up pass), views %" PRIu64
              " (%.2f per record)\n",
              records, passes, pass.size(), views, static_cast<double>(views) / (records + pass.size()));
  std::printf("  wall %.2f s, records/s %.3f M (target 2 M: %s)\n", wall, records / wall / 1e6,
              records / wall >= 2e6 ? "met" : "MISSED");
  std::printf("  CPU %.2f s, CPU s per M records %.3f, cores busy %.2f\n", cpu, cpu / records * 1e6,
              cpu / wall);
  std::printf("  time shifting passes (in the loop) %.3f s\n", shift_s);
  std::printf("  hosts %" PRIu64 ", external sources %" PRIu64 ", host memory %.1f MiB\n", hosts,
              externals, host_mem / 1048576.0);
  std::printf("  windows written %" PRIu64 " (%.1f per M records), checkpoints %" PRIu64 "\n",
              windows, windows / (records / 1e6), checkpoints);
  std::printf("  late %" PRIu64 ", folded %" PRIu64 ", too_old %" PRIu64 " views\n", late, folded,
              too_old);
  std::printf("  store size %.1f MiB, disk write %.1f MiB (%.1f B per record), RSS +%.1f MiB\n",
              store_bytes / 1048576.0, io / 1048576.0, static_cast<double>(io) / records,
              (rss_bytes() - rss0) / 1048576.0);
  std::printf("  load average at start %.2f, at end %.2f\n", load0, load_average());
  std::printf("RESULT pipeline store=%s feeder=%s records_per_s=%.0f cpu_s_per_M=%.3f load=%.2f\n",
              o.store.c_str(), feeder ? std::to_string(o.in_flight).c_str() : "sync",
              records / wall, cpu / records * 1e6, load0);
  return 0;
}

// -- memory -----------------------------------------------------------------------------------

struct memory_options {
  uint32_t hosts = 100'000;
  uint32_t minutes = 5;
  uint32_t records_per_bucket = 8;
  uint32_t active_every = 1;
  std::string views = "hosts"; ///< hosts | externals | both
};

/// What the profiles of the hosts in a table are made of.
struct host_breakdown {
  uint64_t hosts = 0;
  uint64_t profiles = 0;     ///< sizeof(host_profile) per host
  uint64_t bucket_vecs = 0;  ///< capacity of the bucket vectors
  uint64_t coarse_vecs = 0;  ///< capacity of the rolled-window vectors
  uint64_t top_vecs = 0;     ///< capacity of the heavy-hitter vectors
  uint64_t distinct_heap = 0; ///< exact arrays and HyperLogLogs
  uint64_t counters_heap = 0; ///< counters widened to 64 bits
  uint64_t top = 0;          ///< heavy-hitter entries
  uint64_t baselines = 0;
  uint64_t buckets = 0, bucket_capacity = 0, coarse = 0, coarse_capacity = 0, tops = 0;
  uint64_t counters_exact = 0, counters_hll = 0, distinct_values = 0;
};

void note_keys(host_breakdown& b, const direction_profile::key_sets& k) {
  for (const auto* set : {&k.peers, &k.peer_ports, &k.local_ports}) {
    b.distinct_heap += set->memory_bytes() - sizeof(presence_set);
    if (set->is_exact()) {
      ++b.counters_exact;
      b.distinct_values += set->size();
    } else {
      ++b.counters_hll;
    }
  }
}

host_breakdown breakdown(const profile_table& table) {
  host_breakdown b;
  table.for_each_host([&](const host_profile& h) {
    ++b.hosts;
    b.profiles += sizeof(host_profile);
    if (h.baseline)
      b.baselines += sizeof(host_baseline);
    for (const auto& d : h.directions) {
      b.bucket_vecs += d.buckets().capacity() * sizeof(direction_profile::bucket);
      b.coarse_vecs += d.rolled().capacity() * sizeof(direction_profile::rolled_window);
      b.top_vecs += d.tops().capacity() * sizeof(direction_profile::top_window);
      b.buckets += d.buckets().size();
      b.bucket_capacity += d.buckets().capacity();
      b.coarse += d.rolled().size();
      b.coarse_capacity += d.rolled().capacity();
      note_keys(b, d.keys());
      for (const auto& k : d.buckets())
        b.counters_heap += k.counters.heap_bytes();
      for (const auto& w : d.rolled())
        b.counters_heap += w.counters.heap_bytes();
      for (const auto& t : d.tops()) {
        b.top += t.top.heap_bytes();
        ++b.tops;
      }
    }
  });
  return b;
}

int run_memory(const memory_options& o) {
  synthetic_settings ss;
  ss.hosts = o.hosts;
  ss.records_per_bucket = o.records_per_bucket;
  ss.active_every = std::max<uint32_t>(o.active_every, 1);
  synthetic_generator gen{ss};
  const bool want_hosts = o.views != "externals";
  const bool want_externals = o.views != "hosts";

  // Rough need, to refuse a run that would push a shared machine into the
  // OOM killer: measured RSS was about 32 KiB per host at 8 records per
  // bucket and 1.7 KiB per external source; allow some more.
  uint64_t need = (want_hosts ? (ss.active_every > 1 ? 16384ull : 4096ull * o.records_per_bucket +
                                                                 8192) * o.hosts
                              : 0) +
                  (want_externals ? 4096ull * o.hosts : 0);
  if (need > mem_available_bytes() * 7 / 10) {
    std::fprintf(stderr, "needs up to %.1f GiB, only %.1f GiB available: not run\n",
                 need / 1073741824.0, mem_available_bytes() / 1073741824.0);
    return 2;
  }

  profile_table_settings ts;
  ts.max_hosts = std::max<size_t>(ts.max_hosts, o.hosts * 2ull);
  ts.max_external_hosts = std::max<size_t>(ts.max_external_hosts, o.hosts * 2ull);
  // Room for every closed window of a bucket, allocated before measuring.
  std::vector<flow_record> chunk;
  chunk.reserve(4096ull * o.records_per_bucket);
  std::vector<closed_host_window> closed;
  std::vector<closed_external_window> ext;
  const int64_t wall = wall_now_ms();
  malloc_trim(0);
  const uint64_t rss0 = rss_bytes();
  const uint64_t heap0 = heap_in_use_bytes();
  auto table = std::make_unique<profile_table>(ts);
  const int64_t buckets = int64_t{o.minutes} * 6;
  uint64_t records = 0, windows = 0, ext_windows = 0;
  const auto t0 = steady::now();
  const double cpu0 = cpu_seconds();
  for (int64_t b = 0; b < buckets; ++b) {
    for (uint32_t first = 0; first < o.hosts; first += 4096) {
      chunk.clear();
      gen.bucket(b, first, std::min(o.hosts, first + 4096), chunk);
      for (const auto& r : chunk) {
        bool outgoing = r.src_addr.bytes[12] == 10;
        if (want_hosts)
          table->add(r, outgoing ? record_view_kind::outgoing : record_view_kind::incoming, wall);
        else // keep the watermark moving the same way
          table->tracker().observe({r.exporter, r.observation_domain}, r.end_ms, r.end_ms, wall);
        if (want_externals && !outgoing)
          table->add(r, record_view_kind::external_source, wall);
      }
      records += chunk.size();
    }
    table->close_ready(closed, ext);
    windows += closed.size();
    ext_windows += ext.size();
    closed.clear();
    closed.shrink_to_fit();
    ext.clear();
    ext.shrink_to_fit();
  }
  const double add_s = seconds_since(t0);
  const double cpu = cpu_seconds() - cpu0;
  const uint64_t rss = rss_bytes() - rss0;
  const uint64_t heap = heap_in_use_bytes() - heap0;
  const uint64_t host_bytes = table->host_memory_bytes();
  const uint64_t ext_bytes = table->external_memory_bytes();
  const double hosts = static_cast<double>(table->hosts());
  const double externals = static_cast<double>(table->external_hosts());

  std::printf("memory hosts=%u minutes=%u records_per_bucket=%u active_every=%u peers_per_host=%u "
              "views=%s\n",
              o.hosts, o.minutes, o.records_per_bucket, ss.active_every, ss.peers_per_host,
              o.views.c_str());
  std::printf("  records %" PRIu64 " in %.1f s (%.2f M/s, CPU %.1f s); windows closed: host %" PRIu64
              ", external %" PRIu64 "; watermark lag %.0f s behind the newest record\n",
              records, add_s, records / add_s / 1e6, cpu, windows, ext_windows,
              (gen.settings().start_ms + buckets * 10'000 - table->watermark()) / 1000.0);
  std::printf("  monitored hosts %.0f, external sources %.0f\n", hosts, externals);
  if (want_hosts && !want_externals) {
    std::printf("  per active monitored host: host_memory_bytes %.0f B, heap %.0f B, RSS %.0f B "
                "(target 4096: %s)\n",
                host_bytes / hosts, heap / hosts, rss / hosts,
                rss / hosts <= 4096 && host_bytes / hosts <= 4096 ? "met" : "MISSED");
  } else if (want_externals && !want_hosts) {
    std::printf("  per external source: external_memory_bytes %.0f B, heap %.0f B, RSS %.0f B "
                "(target 512: %s)\n",
                ext_bytes / externals, heap / externals, rss / externals,
                rss / externals <= 512 && ext_bytes / externals <= 512 ? "met" : "MISSED");
  } else {
    std::printf("  host_memory_bytes %.0f B per host, external_memory_bytes %.0f B per source; "
                "heap %.1f MiB, RSS %.1f MiB in all\n",
                host_bytes / hosts, ext_bytes / externals, heap / 1048576.0, rss / 1048576.0);
  }
  if (want_hosts) {
    auto b = breakdown(*table);
    double n = static_cast<double>(b.hosts);
    uint64_t structures = b.profiles + b.bucket_vecs + b.coarse_vecs + b.top_vecs +
                          b.distinct_heap + b.counters_heap + b.top + b.baselines;
    std::printf("  per host, what host_memory_bytes counts:\n");
    std::printf("    host_profile %.0f, bucket vectors %.0f, rolled-window vectors %.0f, "
                "heavy-hitter vectors %.0f, distinct-counter heap %.0f, wide counters %.0f, "
                "heavy-hitter entries %.0f, baselines %.0f, slot table and index %.0f B\n",
                b.profiles / n, b.bucket_vecs / n, b.coarse_vecs / n, b.top_vecs / n,
                b.distinct_heap / n, b.counters_heap / n, b.top / n, b.baselines / n,
                (host_bytes - structures) / n);
    std::printf("    open per host: %.2f buckets (capacity %.2f), %.2f rolled windows (capacity "
                "%.2f), %.2f heavy-hitter sets; presence sets %.1f exact (%.1f keys each), "
                "%.2f per window\n",
                b.buckets / n, b.bucket_capacity / n, b.coarse / n, b.coarse_capacity / n,
                b.tops / n, b.counters_exact / n,
                b.counters_exact ? static_cast<double>(b.distinct_values) / b.counters_exact : 0.0,
                b.counters_hll / n);
  }
  std::printf("RESULT memory hosts=%u every=%u views=%s host_B=%.0f ext_B=%.0f heap_B_per=%.0f "
              "rss_B_per=%.0f\n",
              o.hosts, ss.active_every, o.views.c_str(), hosts ? host_bytes / hosts : 0.0,
              externals ? ext_bytes / externals : 0.0,
              heap / (want_hosts ? hosts : externals), rss / (want_hosts ? hosts : externals));
  return 0;
}

void print_sizes() {
  distinct_counter d64;
  for (uint32_t v = 0; v < 64; ++v)
    d64.add(static_cast<uint32_t>(mix64(v)));
  distinct_counter d1;
  d1.add(1);
  std::printf("sizes (bytes):\n");
  std::printf("  host_profile %zu, direction_profile %zu, direction_profile::bucket %zu, "
              "rolled_window %zu, top_window %zu\n",
              sizeof(host_profile), sizeof(direction_profile), sizeof(direction_profile::bucket),
              sizeof(direction_profile::rolled_window), sizeof(direction_profile::top_window));
  std::printf("  packed_counters %zu, presence_set %zu, window_counters %zu, "
              "heavy_hitters %zu (+ %zu B per peer entry, %zu B per port entry), "
              "host_baseline %zu\n",
              sizeof(packed_counters), sizeof(presence_set),
              sizeof(window_counters), sizeof(heavy_hitters),
              sizeof(space_saving<ip_address, heavy_hitter_capacity>::entry),
              sizeof(space_saving<uint16_t, heavy_hitter_capacity>::entry),
              sizeof(host_baseline));
  std::printf("  distinct_counter %zu; memory_bytes with 1 value %zu, with 64 values %zu "
              "(glibc chunk of its array: %zu), as HyperLogLog %zu\n",
              sizeof(distinct_counter), d1.memory_bytes(), d64.memory_bytes(),
              size_t{((64 * 4 + 8 + 15) / 16) * 16}, sizeof(distinct_counter) + sizeof(hyperloglog));
  std::printf("  external_profile %zu, external_window %zu, flow_record %zu\n",
              sizeof(external_profile), sizeof(external_window), sizeof(flow_record));
}

// -- disk ----------------------------------------------------------------------------------------

struct disk_options {
  uint32_t passes = 6;        ///< scenario passes to collect windows from
  uint32_t hosts = 20'000;    ///< synthetic hosts
  uint32_t minutes = 30;      ///< synthetic event time
};

/// Closed windows (summaries) by granularity, and some hosts' open state.
struct window_source {
  std::string name;
  std::map<uint32_t, std::vector<host_window>> windows;
  double checkpoint_bytes_per_host = 0; ///< encode_host_checkpoint, averaged
  double hosts = 0;
};

window_source scenario_source(uint32_t passes) {
  window_source src;
  src.name = "scenario";
  record_router router{detached_routing({parse_cidr(scenario_network)}, 1)};
  for (const auto& r : scenario_records())
    router.route(r);
  shard_batch pass = std::move(router.pending()[0]);
  const int64_t shift = pass_shift_ms(scenario_records());
  profile_table table;
  const int64_t wall = wall_now_ms();
  std::vector<closed_host_window> closed;
  std::vector<closed_external_window> ext;
  for (uint32_t k = 0; k < passes; ++k) {
    for (size_t i = 0; i < pass.records.size(); ++i) {
      table.add(pass.records[i], pass.kinds[i], wall, pass.source_newest[i]);
      if (i % 4096 == 4095 || i + 1 == pass.records.size()) {
        table.close_ready(closed, ext);
        if (k > 0) // the first pass warms up
          for (auto& c : closed)
            src.windows[c.window.granularity_s].push_back(
              host_window{c.host, summarize(c.window)});
        closed.clear();
        ext.clear();
      }
    }
    shift_times(pass.records, shift);
    for (auto& t : pass.source_newest)
      t += shift;
  }
  std::string value;
  uint64_t total = 0;
  table.for_each_host([&](const host_profile& h) {
    value.clear();
    encode_host_checkpoint(h, value);
    total += value.size();
  });
  src.hosts = static_cast<double>(table.hosts());
  src.checkpoint_bytes_per_host = total / src.hosts;
  return src;
}

window_source synthetic_source(uint32_t hosts, uint32_t minutes) {
  window_source src;
  src.name = "synthetic";
  synthetic_settings ss;
  ss.hosts = hosts;
  synthetic_generator gen{ss};
  profile_table table;
  const int64_t wall = wall_now_ms();
  std::vector<flow_record> chunk;
  std::vector<closed_host_window> closed;
  std::vector<closed_external_window> ext;
  for (int64_t b = 0; b < int64_t{minutes} * 6; ++b) {
    chunk.clear();
    gen.bucket(b, chunk);
    for (const auto& r : chunk)
      table.add(r, r.src_addr.bytes[12] == 10 ? record_view_kind::outgoing
                                              : record_view_kind::incoming,
                wall);
    table.close_ready(closed, ext);
    for (auto& c : closed)
      if (c.window.start_ms >= ss.start_ms + 5 * 60'000) // after the first 5 min
        src.windows[c.window.granularity_s].push_back(host_window{c.host, summarize(c.window)});
    closed.clear();
    ext.clear();
  }
  std::string value;
  uint64_t total = 0;
  table.for_each_host([&](const host_profile& h) {
    value.clear();
    encode_host_checkpoint(h, value);
    total += value.size();
  });
  src.hosts = static_cast<double>(table.hosts());
  src.checkpoint_bytes_per_host = total / src.hosts;
  return src;
}

struct granularity_disk {
  uint64_t stored = 0;        ///< stored windows (values: both directions)
  double payload = 0;         ///< key + value bytes per stored window, windows + rankings
  double sst = 0;             ///< live SST bytes per stored window after flush
  double sst_compacted = 0;   ///< same after a full compaction
  double written = 0;         ///< bytes written to disk per stored window (WAL, flush, compaction)
};

granularity_disk measure_disk(const std::vector<host_window>& windows) {
  granularity_disk out;
  temp_dir dir;
  rocksdb_settings rs;
  rs.path = dir.path() + "/db";
  store_status status;
  std::shared_ptr<store> db = open_rocksdb_store(rs, status);
  if (!db) {
    std::fprintf(stderr, "rocksdb: %s\n", status.to_string().c_str());
    return out;
  }
  profile_store ps{db};
  // Commit per window start: what one shard writes when those windows close.
  std::vector<size_t> order(windows.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return windows[a].window.start_ms < windows[b].window.start_ms;
  });
  const uint64_t io0 = io_write_bytes();
  uint64_t payload = 0;
  std::vector<host_window> group;
  for (size_t i = 0; i < order.size(); ++i) {
    group.push_back(windows[order[i]]);
    if (i + 1 == order.size() ||
        windows[order[i + 1]].window.start_ms != group.back().window.start_ms) {
      ps.add_windows(group);
      auto r = ps.commit();
      out.stored += r.windows;
      payload += r.bytes;
      group.clear();
    }
  }
  db->flush();
  const double n = static_cast<double>(out.stored);
  out.payload = payload / n;
  out.sst = db->size_bytes() / n;
  db->compact(column::windows);
  db->compact(column::rankings);
  out.sst_compacted = db->size_bytes() / n;
  out.written = (io_write_bytes() - io0) / n;
  return out;
}

int run_disk(const disk_options& o) {
  // Default retention, hours (server/config.hpp).
  const std::map<uint32_t, double> retention_h = {{10, 6}, {30, 24}, {60, 7 * 24}, {300, 90 * 24}};
  for (auto src : {scenario_source(o.passes), synthetic_source(o.hosts, o.minutes)}) {
    std::printf("disk source=%s (%s)\n", src.name.c_str(),
                src.name == "scenario"
                  ? ("IPFIX scenario, " + std::to_string(o.passes - 1) + " passes after 1 warm-up")
                      .c_str()
                  : (std::to_string(o.hosts) + " hosts, 8 records per 10 s, 64 peers, " +
                     std::to_string(o.minutes) + " min")
                      .c_str());
    double written_day = 0, kept = 0, payload_day = 0;
    for (auto& [g, ws] : src.windows) {
      auto d = measure_disk(ws);
      const double per_day = 86400.0 / g;
      const double retained = retention_h.at(g) * 3600.0 / g;
      written_day += per_day * d.sst_compacted;
      payload_day += per_day * d.payload;
      kept += retained * d.sst_compacted;
      std::printf("  %4us: %8" PRIu64 " stored windows; per window: payload %.0f B, SST %.0f B "
                  "(flushed) %.0f B (compacted), disk writes %.0f B; per host per day %.0f "
                  "windows, kept %.0f\n",
                  g, d.stored, d.payload, d.sst, d.sst_compacted, d.written, per_day, retained);
      std::printf("RESULT disk source=%s g=%u payload=%.0f sst=%.0f sst_compacted=%.0f "
                  "written=%.0f\n",
                  src.name.c_str(), g, d.payload, d.sst, d.sst_compacted, d.written);
    }
    std::printf("  per host active all day: windows %.2f MB of payload, %.2f MB of SST written "
                "per day; at the default retention %.1f MB kept on disk\n",
                payload_day / 1e6, written_day / 1e6, kept / 1e6);
    std::printf("  checkpoint of a host's open windows: %.0f B (x 8640 checkpoints a day = "
                "%.1f MB per host per day, overwritten in place)\n",
                src.checkpoint_bytes_per_host, src.checkpoint_bytes_per_host * 8640 / 1e6);
  }
  std::string value;
  encode_hour_baseline(hour_baseline{}, value);
  std::printf("baseline slot: %zu B value + 17 B key, rewritten at every 5 min close "
              "(288 a day), 24 kept per host\n",
              value.size());
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"profile_throughput: throughput, memory and disk of the host-profile pipeline"};
  app.require_subcommand(1);

  pipeline_options po;
  auto* pipe = app.add_subcommand("pipeline", "records/s through router + host_shards");
  pipe->add_option("--store", po.store, "memory | rocksdb")->check(CLI::IsMember({"memory", "rocksdb"}));
  pipe->add_option("--records", po.records, "records to feed (whole passes), default 20 M");
  pipe->add_option("--in-flight", po.in_flight,
                   "0: feed_profile_pipeline (route, then wait for the shards); N: a receiver-like "
                   "feeder with up to N batches in flight per shard");
  pipe->add_option("--shards", po.shards, "host_shard actors, default 2");
  pipe->add_option("--threads", po.threads, "CAF scheduler threads, default 2");
  pipe->add_flag("!--no-checkpoints", po.checkpoints, "no periodic checkpoints");

  memory_options mo;
  auto* mem = app.add_subcommand("memory", "bytes per active host and external source");
  mem->add_option("--hosts", mo.hosts, "monitored hosts, default 100000");
  mem->add_option("--minutes", mo.minutes, "event time, default 5");
  mem->add_option("--records-per-bucket", mo.records_per_bucket,
                  "records per host and 10 s, half out, half in; default 8");
  mem->add_option("--active-every", mo.active_every,
                  "a host has records in one 10 s bucket of this many (default 1: every bucket)");
  mem->add_option("--views", mo.views, "hosts | externals | both")
    ->check(CLI::IsMember({"hosts", "externals", "both"}));

  disk_options dopt;
  auto* disk = app.add_subcommand("disk", "bytes on disk per closed window and per host per day");
  disk->add_option("--passes", dopt.passes, "scenario passes (the first warms up), default 6");
  disk->add_option("--hosts", dopt.hosts, "synthetic hosts, default 20000");
  disk->add_option("--minutes", dopt.minutes, "synthetic event time, default 30");

  app.add_subcommand("sizes", "sizes of the profile structures");

  CLI11_PARSE(app, argc, argv);
  if (*pipe)
    return run_pipeline(po);
  if (*mem) {
    print_sizes();
    return run_memory(mo);
  }
  if (*disk)
    return run_disk(dopt);
  print_sizes();
  return 0;
}
