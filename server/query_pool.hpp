#pragma once

// A few threads that run queries for the gRPC front end. A query waits on
// host shards and reads the store; run on gRPC's own callback threads it
// would hold them up, so every call hands its work over here instead.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace hostflow {

/// Why a job was not taken.
enum class post_result {
  accepted,
  full,    ///< `max_queued` jobs are waiting already
  stopped, ///< stop() has been called
};

/// A fixed set of threads taking jobs from a bounded queue, oldest first.
class query_pool {
public:
  /// Starts `threads` threads (at least one); at most `max_queued` jobs wait.
  query_pool(size_t threads, size_t max_queued);

  query_pool(const query_pool&) = delete;
  query_pool& operator=(const query_pool&) = delete;

  /// Stops (see stop()).
  ~query_pool();

  /// Queues `job`. A job that is not accepted is dropped unrun: the caller
  /// answers for it.
  post_result post(std::function<void()> job);

  /// Refuses new jobs, runs those already queued and joins the threads.
  /// Safe to call more than once.
  void stop();

  /// Jobs waiting (not yet running).
  size_t queued() const;

  /// Most jobs that may wait.
  size_t max_queued() const noexcept { return max_queued_; }

private:
  void work();

  const size_t max_queued_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

} // namespace hostflow
