// shutdown_bench: what hostflowd's stop costs with many hosts in memory.
//
//   shutdown_bench --hosts 100000 --changed-every 6
//
// Loads the hosts into a real profile pipeline (two host_shard actors over
// RocksDB in a temp dir) with the synthetic generator, writes a checkpoint
// (the last periodic one before the stop), then gives one host in
// `changed-every` records for one more 10 s bucket and stops the pipeline as
// hostflowd does: close and write what the watermark passed, checkpoint the
// hosts changed since the last checkpoint, flush the store. Prints the time
// of each step.

#include <cinttypes>
#include <cstdio>

#include <CLI/CLI.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/profile_pipeline.hpp"
#include "actors/type_registry.hpp"
#include "state/store.hpp"

#include "bench/profile_data.hpp"

using namespace hostflow;
using namespace hostflow::bench;
using steady = std::chrono::steady_clock;

namespace {

struct options {
  uint32_t hosts = 100'000;
  uint32_t minutes = 3;          ///< event time loaded before the checkpoint
  uint32_t changed_every = 1;    ///< one host in this many changes after it
  uint32_t active_every = 1;     ///< a host has records in one bucket of this many
  uint32_t shards = 2;
  std::string store = "rocksdb"; ///< or "memory": encoding without the disk
};

double seconds_since(steady::time_point t) {
  return std::chrono::duration<double>(steady::now() - t).count();
}

// Feeds bucket `b` of the hosts i with i % every == 0, 4096 hosts at a time.
void feed_bucket(caf::actor_system& sys, const profile_pipeline& p, record_router& router,
                 const synthetic_generator& gen, uint32_t hosts, int64_t b, uint32_t every) {
  std::vector<flow_record> chunk, kept;
  for (uint32_t first = 0; first < hosts; first += 4096) {
    chunk.clear();
    gen.bucket(b, first, std::min(hosts, first + 4096), chunk);
    if (every > 1) {
      kept.clear();
      for (const auto& r : chunk) {
        const auto& host = r.src_addr.bytes[12] == 10 ? r.src_addr : r.dst_addr;
        if (host.v4() % every == 0)
          kept.push_back(r);
      }
      feed_profile_pipeline(sys, p, router, kept);
    } else {
      feed_profile_pipeline(sys, p, router, chunk);
    }
  }
}

uint64_t checkpoint_all(caf::actor_system& sys, const profile_pipeline& p) {
  caf::scoped_actor self{sys};
  uint64_t hosts = 0;
  for (const auto& shard : p.shards)
    self->request(shard, std::chrono::minutes(5), checkpoint_atom::value)
      .receive([&](uint64_t n) { hosts += n; }, [](caf::error&) {});
  return hosts;
}

int run(const options& o) {
  caf::actor_system_config cfg;
  register_message_types(cfg);
  cfg.set("scheduler.max-threads", size_t{2});
  cfg.set("scheduler.policy", caf::atom("sharing"));
  cfg.set("logger.file-verbosity", caf::atom("quiet"));
  cfg.set("logger.console-verbosity", caf::atom("quiet"));
  caf::actor_system sys{cfg};

  temp_dir dir;
  rocksdb_settings rs;
  rs.path = dir.path() + "/db";
  rs.block_cache_bytes = 64u << 20;
  store_status status;
  std::shared_ptr<store> db = o.store == "memory" ? std::shared_ptr<store>(open_memory_store())
                                                  : open_rocksdb_store(rs, status);
  if (!db) {
    std::fprintf(stderr, "rocksdb: %s\n", status.to_string().c_str());
    return 1;
  }
  profile_pipeline_settings s;
  s.shards = o.shards;
  s.monitored = {parse_cidr("10.0.0.0/8")};
  s.shard.checkpoint_interval = std::chrono::milliseconds(0); // only when asked
  s.shard.tick_interval = std::chrono::hours(1);
  s.shard.table.max_hosts = o.hosts * 2ull;
  s.shard.table.max_external_hosts = o.hosts * 2ull;
  auto p = start_profile_pipeline(sys, s, db);
  record_router router{p.routing};

  synthetic_settings ss;
  ss.hosts = o.hosts;
  ss.active_every = o.active_every;
  synthetic_generator gen{ss};
  const int64_t buckets = int64_t{o.minutes} * 6;
  auto t0 = steady::now();
  for (int64_t b = 0; b < buckets; ++b)
    feed_bucket(sys, p, router, gen, o.hosts, b, 1);
  flush_profile_pipeline(sys, p);
  double load_s = seconds_since(t0);

  auto t1 = steady::now();
  uint64_t full = checkpoint_all(sys, p);
  double full_s = seconds_since(t1);
  auto io0 = io_write_bytes();

  feed_bucket(sys, p, router, gen, o.hosts, buckets, o.changed_every);
  uint64_t hosts_now = 0;
  for (const auto& st : profile_pipeline_status(sys, p))
    hosts_now += st.hosts;

  // The stop, as run_daemon does it after the receivers are gone.
  auto t2 = steady::now();
  flush_profile_pipeline(sys, p);
  double flush_s = seconds_since(t2);
  auto t3 = steady::now();
  stop_profile_pipeline(sys, p);
  double stop_s = seconds_since(t3);
  auto written = io_write_bytes() - io0;

  std::printf("shutdown hosts=%u in_memory=%" PRIu64 " changed_every=%u shards=%u store=%s\n",
              o.hosts, hosts_now, o.changed_every, o.shards, o.store.c_str());
  std::printf("  load %.1f s (%u min of event time); full checkpoint %" PRIu64
              " hosts in %.2f s\n",
              load_s, o.minutes, full, full_s);
  std::printf("  stop: close and write %.3f s, then checkpoint of changed hosts + store flush "
              "%.3f s; %.3f s in all; %.1f MB written by the stop\n",
              flush_s, stop_s, flush_s + stop_s, written / 1e6);
  std::printf("RESULT shutdown hosts=%u active_every=%u changed_every=%u full_checkpoint_s=%.2f "
              "stop_s=%.3f\n",
              o.hosts, o.active_every, o.changed_every, full_s, flush_s + stop_s);
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"shutdown_bench: the cost of stopping the profile pipeline"};
  options o;
  app.add_option("--hosts", o.hosts, "monitored hosts")->capture_default_str();
  app.add_option("--minutes", o.minutes, "event time loaded first")->capture_default_str();
  app.add_option("--changed-every", o.changed_every,
                 "one host in this many has records after the last checkpoint")
    ->capture_default_str();
  app.add_option("--shards", o.shards, "host_shard actors")->capture_default_str();
  app.add_option("--active-every", o.active_every,
                 "a host has records in one 10 s bucket of this many (1: every bucket)")
    ->capture_default_str();
  app.add_option("--store", o.store, "rocksdb | memory")
    ->check(CLI::IsMember({"rocksdb", "memory"}))
    ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  o.changed_every = std::max<uint32_t>(o.changed_every, 1);
  o.active_every = std::max<uint32_t>(o.active_every, 1);
  return run(o);
}
