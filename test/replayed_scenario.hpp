#pragma once

// The attack scenario (IPFIX capture) replayed through a real profile
// pipeline into a memory store: the common ground of the suites that query
// profiles, directly or over gRPC.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "actors/profile_pipeline.hpp"
#include "actors/profile_queries.hpp"

#include "actor_fixture.hpp"
#include "capture_records.hpp"
#include "capture_sender.hpp"

namespace hostflow::test {

// Minutes of the scenario, by the start of their 1 min window.
inline constexpr int64_t minute_0901 = 1'709'542'860'000; // 2024-03-04T09:01:00Z
inline constexpr int64_t minute_0902 = 1'709'542'920'000;
inline constexpr int64_t minute_0903 = 1'709'542'980'000;

/// The address `text`, which must parse.
inline ip_address ip(const char* text) {
  auto a = ip_address::parse(text);
  REQUIRE_MESSAGE(a, text);
  return *a;
}

/// The prefix `text`, which must parse.
inline cidr net(const char* text) {
  std::string error;
  auto c = cidr::parse(text, error);
  REQUIRE_MESSAGE(c, error);
  return *c;
}

/// The scenario replayed through two shards (hosts of 10.10.0.0/16
/// monitored) into a memory store; with `drain`, every window closed.
struct replayed_scenario {
  actor_fixture actors;
  caf::actor_system* sys = actors.sys.get();
  profile_pipeline pipeline;
  std::vector<flow_record> records;

  explicit replayed_scenario(bool drain = true) {
    profile_pipeline_settings s;
    s.shards = 2;
    s.monitored = {net("10.10.0.0/16")};
    s.shard.tick_interval = std::chrono::hours(1);
    s.shard.checkpoint_interval = std::chrono::milliseconds(0);
    pipeline = start_profile_pipeline(*sys, s, std::shared_ptr<store>(open_memory_store()));
    records = decode_capture(scenario_capture("ipfix"));
    record_router router{pipeline.routing};
    feed_profile_pipeline(*sys, pipeline, router, records);
    if (drain)
      drain_profile_pipeline(*sys, pipeline, minute_0903 + 3'600'000);
  }

  replayed_scenario(const replayed_scenario&) = delete;
  replayed_scenario& operator=(const replayed_scenario&) = delete;

  ~replayed_scenario() { stop_profile_pipeline(*sys, pipeline); }

  profile_source source() const { return profile_source{sys, &pipeline}; }
};

} // namespace hostflow::test
