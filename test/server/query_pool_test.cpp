// The query threads: every accepted job runs, a full queue refuses instead
// of growing, and stopping runs what was queued.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include <doctest/doctest.h>

#include "server/query_pool.hpp"

using namespace hostflow;

TEST_CASE("every accepted job runs, on the pool's threads") {
  std::atomic<int> ran{0};
  {
    query_pool pool{3, 100};
    for (int i = 0; i < 100; ++i)
      REQUIRE(pool.post([&] { ++ran; }) == post_result::accepted);
    pool.stop();
  }
  CHECK(ran == 100);
}

TEST_CASE("a full queue refuses jobs, and takes them again once it drains") {
  query_pool pool{1, 2};
  std::mutex m;
  std::condition_variable cv;
  bool started = false, release = false;
  // Hold the only thread, so what follows waits in the queue.
  REQUIRE(pool.post([&] {
    std::unique_lock<std::mutex> lock{m};
    started = true;
    cv.notify_all();
    cv.wait_for(lock, std::chrono::seconds(10), [&] { return release; });
  }) == post_result::accepted);
  {
    std::unique_lock<std::mutex> lock{m};
    REQUIRE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return started; }));
  }
  std::atomic<int> ran{0};
  CHECK(pool.post([&] { ++ran; }) == post_result::accepted);
  CHECK(pool.post([&] { ++ran; }) == post_result::accepted);
  CHECK(pool.queued() == 2);
  CHECK(pool.post([&] { ++ran; }) == post_result::full);
  {
    std::lock_guard<std::mutex> guard{m};
    release = true;
  }
  cv.notify_all();
  pool.stop();
  CHECK(ran == 2);
}

TEST_CASE("a stopped pool refuses jobs and can be stopped again") {
  query_pool pool{2, 10};
  pool.stop();
  CHECK(pool.post([] {}) == post_result::stopped);
  pool.stop();
}
