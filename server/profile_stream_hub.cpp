#include "server/profile_stream_hub.hpp"

#include <algorithm>

#include "server/profile_stream.hpp"

namespace hostflow {

namespace {

// The call's side of a stream: forwards gRPC's reactions to it.
class stream_reactor final : public profile_stream::reactor_type {
public:
  stream_reactor(std::shared_ptr<profile_stream> stream, profile_stream_hub& hub)
      : stream_(std::move(stream)), hub_(hub) {
    stream_->attach(this);
  }

  void OnWriteDone(bool ok) override { stream_->on_write_done(ok); }

  void OnCancel() override {
    stream_->finish(grpc::StatusCode::CANCELLED, "the stream was cancelled");
  }

  void OnDone() override {
    hub_.remove(stream_.get());
    delete this;
  }

private:
  std::shared_ptr<profile_stream> stream_;
  profile_stream_hub& hub_;
};

// A call refused before it started.
class refused_stream final : public profile_stream::reactor_type {
public:
  explicit refused_stream(grpc::Status status) { Finish(std::move(status)); }

  void OnDone() override { delete this; }
};

void raise_to(std::atomic<uint64_t>& peak, uint64_t value) noexcept {
  auto seen = peak.load(std::memory_order_relaxed);
  while (seen < value && !peak.compare_exchange_weak(seen, value, std::memory_order_relaxed))
    ;
}

} // namespace

grpc::ServerWriteReactor<v1::StreamProfilesResponse>* refuse_stream(grpc::Status status) {
  return new refused_stream(std::move(status));
}

profile_stream_hub::profile_stream_hub(profile_stream_limits limits) : limits_(limits) {}

profile_stream_hub::~profile_stream_hub() = default;

grpc::ServerWriteReactor<v1::StreamProfilesResponse>*
profile_stream_hub::open(stream_profiles_params params) {
  std::lock_guard<std::mutex> guard{mutex_};
  if (stopping_)
    return refuse_stream({grpc::StatusCode::UNAVAILABLE, "hostflowd is shutting down"});
  if (streams_.size() >= limits_.max_streams) {
    refused_.fetch_add(1, std::memory_order_relaxed);
    return refuse_stream(
        {grpc::StatusCode::RESOURCE_EXHAUSTED,
         "hostflowd serves at most " + std::to_string(limits_.max_streams) +
             " profile streams at once; close one or retry later"});
  }
  auto stream = std::make_shared<profile_stream>(std::move(params), limits_.max_queued_bytes, *this);
  // The reactor is attached before the stream joins the list, so the first
  // update that reaches the stream has a call to write to.
  auto* reactor = new stream_reactor(stream, *this);
  streams_.push_back(std::move(stream));
  return reactor;
}

void profile_stream_hub::deliver(const profile_update& update) {
  std::vector<std::shared_ptr<profile_stream>> targets;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    for (const auto& s : streams_)
      if (s->granularity_s() == update.granularity_s)
        targets.push_back(s);
  }
  for (const auto& s : targets)
    s->offer(update);
}

void profile_stream_hub::stop() {
  std::vector<std::shared_ptr<profile_stream>> open;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    stopping_ = true;
    open = streams_;
  }
  for (const auto& s : open)
    s->finish(grpc::StatusCode::UNAVAILABLE,
              "hostflowd is shutting down; subscribe again once it is back");
}

profile_stream_counters profile_stream_hub::counters() const {
  profile_stream_counters c;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    c.open = streams_.size();
  }
  c.queued_windows = queued_windows_.load(std::memory_order_relaxed);
  c.queued_bytes = queued_bytes_.load(std::memory_order_relaxed);
  c.peak_queued_bytes = peak_queued_bytes_.load(std::memory_order_relaxed);
  c.windows_queued = windows_queued_.load(std::memory_order_relaxed);
  c.windows_sent = windows_sent_.load(std::memory_order_relaxed);
  c.overflows = overflows_.load(std::memory_order_relaxed);
  c.refused = refused_.load(std::memory_order_relaxed);
  return c;
}

void profile_stream_hub::remove(const profile_stream* stream) {
  std::lock_guard<std::mutex> guard{mutex_};
  streams_.erase(std::remove_if(streams_.begin(), streams_.end(),
                                [stream](const auto& s) { return s.get() == stream; }),
                 streams_.end());
}

void profile_stream_hub::count_queued(size_t windows, size_t bytes, size_t stream_bytes) noexcept {
  queued_windows_.fetch_add(windows, std::memory_order_relaxed);
  queued_bytes_.fetch_add(bytes, std::memory_order_relaxed);
  windows_queued_.fetch_add(windows, std::memory_order_relaxed);
  raise_to(peak_queued_bytes_, stream_bytes);
}

void profile_stream_hub::count_dequeued(size_t windows, size_t bytes) noexcept {
  queued_windows_.fetch_sub(windows, std::memory_order_relaxed);
  queued_bytes_.fetch_sub(bytes, std::memory_order_relaxed);
}

} // namespace hostflow
