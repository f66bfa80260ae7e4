// Retention in event time: closed windows older than their granularity's
// retention (counted back from the watermark) leave the store, and a store
// over its size cap gives up its oldest windows first.

#include <doctest/doctest.h>

#include <map>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/profile_pipeline.hpp"
#include "actor_fixture.hpp"
#include "capture_records.hpp"
#include "capture_sender.hpp"
#include "state/keys.hpp"
#include "state/store_fixtures.hpp"

using namespace hostflow;

namespace {

struct retention_fixture {
  test::actor_fixture actors;
  caf::actor_system* sys = actors.sys.get();
  std::shared_ptr<store> db = std::shared_ptr<store>(open_memory_store());
  profile_pipeline pipeline;
  int64_t last_end = 0;

  explicit retention_fixture(uint64_t max_store_bytes = 0, int64_t retention_ms = 0) {
    profile_pipeline_settings s;
    s.shards = 2;
    std::string error;
    s.monitored = {*cidr::parse("10.10.0.0/16", error)};
    s.shard.tick_interval = std::chrono::hours(1);
    s.shard.checkpoint_interval = std::chrono::milliseconds(0);
    s.shard.retention_ms = {{10, 60'000}, {30, 120'000}, {60, 600'000}, {300, 3'600'000}};
    if (retention_ms > 0)
      s.shard.retention_ms = {{10, retention_ms}, {30, retention_ms}, {60, retention_ms},
                              {300, retention_ms}};
    s.shard.max_store_bytes = max_store_bytes;
    pipeline = start_profile_pipeline(*sys, s, db);
    auto records = test::decode_capture(test::scenario_capture("ipfix"));
    for (const auto& r : records)
      last_end = std::max(last_end, r.end_ms);
    record_router router{pipeline.routing};
    feed_profile_pipeline(*sys, pipeline, router, records);
  }

  ~retention_fixture() { stop_profile_pipeline(*sys, pipeline); }

  // Closes everything up to `event_ms` and has shard 0 apply retention.
  void advance_and_checkpoint(int64_t event_ms) {
    drain_profile_pipeline(*sys, pipeline, event_ms);
    caf::scoped_actor self{*sys};
    self->request(pipeline.shards[0], std::chrono::seconds(30), checkpoint_atom::value)
      .receive([](uint64_t) {}, [](caf::error& e) { FAIL("checkpoint failed"); });
  }

  // Oldest and newest window start per granularity, and counts.
  struct span {
    int64_t oldest = INT64_MAX;
    int64_t newest = INT64_MIN;
    size_t windows = 0;
  };
  std::map<uint32_t, span> stored() {
    std::map<uint32_t, span> out;
    db->scan(column::windows, "", "", [&](std::string_view key, std::string_view) {
      auto parts = parse_window_key(key);
      REQUIRE(parts);
      auto& s = out[parts->granularity_seconds];
      int64_t start = parts->window_start_seconds * 1000;
      s.oldest = std::min(s.oldest, start);
      s.newest = std::max(s.newest, start);
      ++s.windows;
      return true;
    });
    return out;
  }
};

} // namespace

TEST_CASE("closed windows leave the store when the watermark passes their retention") {
  retention_fixture f;
  // Close everything: the watermark stands 10 min after the last record.
  int64_t watermark = f.last_end + 600'000;
  f.advance_and_checkpoint(watermark);
  REQUIRE(f.db->compact(column::windows).ok());
  auto after = f.stored();
  // 10 s windows are kept 60 s, 30 s ones 120 s: all are older than that now.
  CHECK(after.count(10) == 0);
  CHECK(after.count(30) == 0);
  // 1 min windows are kept 10 min: only those ending after the cutoff stay.
  REQUIRE(after.count(60) == 1);
  CHECK(after[60].oldest + 60'000 > watermark - 600'000);
  // 5 min windows are kept an hour: all of them stay.
  REQUIRE(after.count(300) == 1);
  CHECK(after[300].windows > 0);
  // The rankings of expired windows went with them (a range deletion).
  size_t rankings_10s = 0;
  std::string prefix;
  append_be32(prefix, 10);
  f.db->scan(column::rankings, prefix, prefix_end(prefix), [&](auto, auto) {
    ++rankings_10s;
    return true;
  });
  CHECK(rankings_10s == 0);
}

TEST_CASE("a store over its size cap gives up its oldest windows first") {
  uint64_t full = 0;
  std::map<uint32_t, retention_fixture::span> uncapped;
  {
    retention_fixture f(0, 86'400'000);
    f.advance_and_checkpoint(f.last_end + 60'000);
    full = f.db->size_bytes();
    uncapped = f.stored();
  }
  // Retention of a day everywhere, then a cap at half the full size: the
  // checkpoints trim retention until the store fits.
  retention_fixture f(full / 2, 86'400'000);
  int64_t watermark = f.last_end + 60'000;
  f.advance_and_checkpoint(watermark);
  for (int i = 0; i < 10 && f.db->size_bytes() > full / 2; ++i)
    f.advance_and_checkpoint(watermark);
  MESSAGE("store " << full << " bytes uncapped, " << f.db->size_bytes() << " with a cap of "
                   << full / 2);
  CHECK(f.db->size_bytes() <= full / 2);
  auto capped = f.stored();
  REQUIRE(capped.size() == uncapped.size());
  // What was given up is the oldest: the newest windows are all still there.
  for (const auto& [g, s] : capped) {
    CAPTURE(g);
    CHECK(s.newest == uncapped[g].newest);
    CHECK(s.oldest >= uncapped[g].oldest);
  }
  CHECK(capped[10].oldest > uncapped[10].oldest);
}

TEST_CASE("a store that refuses writes costs windows, counted, and nothing else") {
  // A real RocksDB store opened read-only: every write fails as on a full or
  // broken disk.
  test::temp_dir dir;
  rocksdb_settings settings;
  settings.path = (dir.path() / "db").string();
  {
    store_status status;
    auto created = open_rocksdb_store(settings, status);
    REQUIRE_MESSAGE(created, status.to_string());
  }
  settings.read_only = true;
  store_status status;
  auto read_only = open_rocksdb_store(settings, status);
  REQUIRE_MESSAGE(read_only, status.to_string());

  test::actor_fixture actors;
  profile_pipeline_settings s;
  s.shards = 2;
  std::string error;
  s.monitored = {*cidr::parse("10.10.0.0/16", error)};
  s.shard.tick_interval = std::chrono::hours(1);
  s.shard.checkpoint_interval = std::chrono::milliseconds(0);
  auto p = start_profile_pipeline(*actors.sys, s, std::shared_ptr<store>(std::move(read_only)));
  auto records = test::decode_capture(test::scenario_capture("ipfix"));
  int64_t last_end = 0;
  for (const auto& r : records)
    last_end = std::max(last_end, r.end_ms);
  record_router router{p.routing};
  feed_profile_pipeline(*actors.sys, p, router, records);
  drain_profile_pipeline(*actors.sys, p, last_end + 3'600'000);
  uint64_t views = 0, written = 0, not_written = 0, errors = 0, hosts = 0;
  for (const auto& st : profile_pipeline_status(*actors.sys, p)) {
    views += st.records;
    written += st.windows_written;
    not_written += st.windows_not_written;
    errors += st.store_errors;
    hosts += st.hosts;
  }
  stop_profile_pipeline(*actors.sys, p);
  CHECK(views == router.counters().outgoing + router.counters().incoming +
                   router.counters().external);
  CHECK(written == 0);
  CHECK(not_written > 10'000);
  CHECK(errors > 0);
  CHECK(hosts == 1035);
}
