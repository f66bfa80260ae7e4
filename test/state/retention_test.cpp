#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "state/keys.hpp"
#include "state/retention.hpp"

using namespace hostflow;

namespace {

const ip_address host = ip_address::from_v4(0xc0000207);

} // namespace

TEST_CASE("a window expires once its end reaches the cutoff of its granularity") {
  window_retention retention{{60, 3600}};
  CHECK(retention.set_cutoff(60, 1000));
  CHECK(retention.cutoff(60) == 1000);
  CHECK(retention.expired(window_key(60, host, 900), "v"));  // ended at 960
  CHECK(retention.expired(window_key(60, host, 940), "v"));  // ended exactly at the cutoff
  CHECK_FALSE(retention.expired(window_key(60, host, 941), "v"));
  CHECK_FALSE(retention.expired(window_key(60, host, 1000), "v"));
  // The other granularity keeps its windows until its own cutoff is set.
  CHECK(retention.cutoff(3600) == std::nullopt);
  CHECK_FALSE(retention.expired(window_key(3600, host, 0), "v"));
  CHECK(retention.set_cutoff(3600, 7200));
  CHECK(retention.expired(window_key(3600, host, 3600), "v"));
  CHECK_FALSE(retention.expired(window_key(3600, host, 3601), "v"));
  // Cutoffs may move back, e.g. after a configuration change.
  CHECK(retention.set_cutoff(60, 0));
  CHECK_FALSE(retention.expired(window_key(60, host, 900), "v"));
}

TEST_CASE("unknown granularities and keys that are not window keys never expire") {
  window_retention retention{{300, 60, 300}};
  CHECK_FALSE(retention.set_cutoff(120, 1'000'000));
  CHECK(retention.cutoff(120) == std::nullopt);
  CHECK(retention.set_cutoff(60, 1'000'000));
  CHECK(retention.set_cutoff(300, 1'000'000));
  CHECK_FALSE(retention.expired(window_key(120, host, 0), "v"));
  CHECK_FALSE(retention.expired("format_version", "1"));
  CHECK_FALSE(retention.expired("", ""));
  auto key = window_key(60, host, 0);
  CHECK(retention.expired(key, ""));
  CHECK_FALSE(retention.expired(key.substr(0, 27), ""));
  // Negative cutoffs expire nothing: no window ends before 1970.
  CHECK(retention.set_cutoff(60, -5));
  CHECK_FALSE(retention.expired(key, ""));
  window_retention none{{}};
  CHECK_FALSE(none.expired(key, ""));
}

TEST_CASE("windows at the far end of time do not overflow the end computation") {
  window_retention retention{{4'000'000'000u}};
  CHECK(retention.set_cutoff(4'000'000'000u, INT64_MAX));
  CHECK_FALSE(retention.expired(window_key(4'000'000'000u, host, INT64_MAX), ""));
  CHECK(retention.expired(window_key(4'000'000'000u, host, INT64_MAX - 4'000'000'000), ""));
}

TEST_CASE("cutoffs move while other threads ask about expiry") {
  // Run under TSan to see the races this would have without atomics; here
  // it checks that a reader never sees a cutoff that was not set.
  window_retention retention{{60}};
  constexpr int64_t steps = 20'000;
  std::atomic<bool> done{false};
  std::thread mover{[&] {
    for (int64_t c = 1; c <= steps; ++c)
      retention.set_cutoff(60, c * 60);
    done = true;
  }};
  int64_t last_seen = 0;
  bool monotonic = true;
  while (!done.load()) {
    auto c = retention.cutoff(60).value_or(0);
    monotonic = monotonic && c >= last_seen && c % 60 == 0;
    last_seen = c;
  }
  mover.join();
  CHECK(monotonic);
  CHECK(retention.cutoff(60) == steps * 60);
  CHECK(retention.expired(window_key(60, host, (steps - 1) * 60), ""));
}
