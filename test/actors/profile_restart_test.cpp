// Durable profiles: two replays of a capture store identical windows and
// baselines, and a pipeline stopped at a checkpoint mid-capture and started
// again on the same store ends with exactly what an uninterrupted run stores.

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/profile_pipeline.hpp"
#include "actor_fixture.hpp"
#include "capture_records.hpp"
#include "capture_sender.hpp"
#include "state/store_fixtures.hpp"

using namespace hostflow;

namespace {

using test::actor_fixture;

const std::vector<flow_record>& scenario_records() {
  static const auto records = test::decode_capture(test::scenario_capture("ipfix"));
  return records;
}

int64_t end_of(const std::vector<flow_record>& records) {
  int64_t end = 0;
  for (const auto& r : records)
    end = std::max(end, r.end_ms);
  return end;
}

profile_pipeline_settings pipeline_settings() {
  profile_pipeline_settings s;
  s.shards = 2;
  std::string error;
  s.monitored = {*cidr::parse("10.10.0.0/16", error)};
  s.shard.table.time.allowed_lateness_ms = 130'000;
  // No timers: every close is driven by the records, so runs are repeatable.
  s.shard.tick_interval = std::chrono::hours(1);
  s.shard.checkpoint_interval = std::chrono::milliseconds(0);
  return s;
}

std::shared_ptr<store> open_db(const test::temp_dir& dir) {
  rocksdb_settings settings;
  settings.path = (dir.path() / "db").string();
  store_status status;
  auto db = open_rocksdb_store(settings, status);
  REQUIRE_MESSAGE(db, status.to_string());
  return std::shared_ptr<store>(std::move(db));
}

// Runs the pipeline over `records` on `db`; drains to the end when asked.
void run(const std::shared_ptr<store>& db, const std::vector<flow_record>& records, bool drain) {
  actor_fixture f;
  auto p = start_profile_pipeline(*f.sys, pipeline_settings(), db);
  record_router router{p.routing};
  feed_profile_pipeline(*f.sys, p, router, records);
  if (drain)
    drain_profile_pipeline(*f.sys, p, end_of(scenario_records()) + 3'600'000);
  stop_profile_pipeline(*f.sys, p);
}

using column_dump = std::map<std::string, std::string>;

column_dump dump(store& db, column cf) {
  column_dump out;
  auto status = db.scan(cf, "", "", [&](std::string_view k, std::string_view v) {
    out.emplace(std::string(k), std::string(v));
    return true;
  });
  REQUIRE_MESSAGE(status.ok(), status.to_string());
  return out;
}

// Compares two stores column by column, naming the first difference.
void check_same(store& a, store& b, column cf) {
  auto x = dump(a, cf);
  auto y = dump(b, cf);
  INFO("column " << to_string(cf));
  CHECK(x.size() == y.size());
  auto mismatch = std::mismatch(x.begin(), x.end(), y.begin(), y.end());
  CHECK_MESSAGE(mismatch.first == x.end(), "first difference at entry "
                                               << std::distance(x.begin(), mismatch.first));
}

} // namespace

TEST_CASE("two replays of a capture store identical windows, rankings and baselines") {
  test::temp_dir dir_a, dir_b;
  auto a = open_db(dir_a), b = open_db(dir_b);
  run(a, scenario_records(), true);
  run(b, scenario_records(), true);
  auto windows = dump(*a, column::windows);
  MESSAGE(windows.size() << " stored host windows, "
                         << dump(*a, column::baselines).size() << " baseline slots");
  REQUIRE(windows.size() > 10'000);
  CHECK(!dump(*a, column::baselines).empty());
  for (auto cf : {column::windows, column::rankings, column::baselines})
    check_same(*a, *b, cf);
}

TEST_CASE("a pipeline stopped at a checkpoint and restarted on its store ends as an uninterrupted run") {
  const auto& records = scenario_records();
  test::temp_dir dir_whole, dir_split;
  auto whole = open_db(dir_whole);
  run(whole, records, true);

  for (double cut : {0.3, 0.7}) {
    CAPTURE(cut);
    test::temp_dir dir;
    auto split = open_db(dir);
    auto middle = records.begin() + static_cast<ptrdiff_t>(records.size() * cut);
    // First part: the shards stop with a checkpoint of their open windows.
    run(split, std::vector<flow_record>(records.begin(), middle), false);
    // The daemon restarts: a fresh store handle, fresh shards restored from it.
    split.reset();
    split = open_db(dir);
    std::string checkpoint_entries = std::to_string(dump(*split, column::checkpoints).size());
    MESSAGE("checkpoint entries at the cut: " << checkpoint_entries);
    run(split, std::vector<flow_record>(middle, records.end()), true);
    for (auto cf : {column::windows, column::rankings, column::baselines})
      check_same(*whole, *split, cf);
  }
}
