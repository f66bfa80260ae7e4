#include "server/query_pool.hpp"

#include <algorithm>

namespace hostflow {

query_pool::query_pool(size_t threads, size_t max_queued) : max_queued_(max_queued) {
  threads = std::max<size_t>(threads, 1);
  threads_.reserve(threads);
  for (size_t i = 0; i < threads; ++i)
    threads_.emplace_back([this] { work(); });
}

query_pool::~query_pool() {
  stop();
}

post_result query_pool::post(std::function<void()> job) {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    if (stopping_)
      return post_result::stopped;
    if (jobs_.size() >= max_queued_)
      return post_result::full;
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
  return post_result::accepted;
}

void query_pool::stop() {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_)
    if (t.joinable())
      t.join();
  threads_.clear();
}

size_t query_pool::queued() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return jobs_.size();
}

void query_pool::work() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock<std::mutex> lock{mutex_};
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      // Queued jobs still run after stop(): each one owes its caller an answer.
      if (jobs_.empty())
        return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
}

} // namespace hostflow
