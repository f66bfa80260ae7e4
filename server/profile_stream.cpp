#include "server/profile_stream.hpp"

#include "flow/flow_record.hpp"
#include "server/profile_stream_hub.hpp"
#include "server/proto_convert.hpp"

namespace hostflow {

size_t queued_bytes_of(const host_window& w) noexcept {
  const auto& s = w.window;
  return sizeof(host_window) +
         (s.top_peers_by_bytes.size() + s.top_peers_by_flows.size()) *
             sizeof(top_entry<ip_address>) +
         (s.top_peer_ports_by_bytes.size() + s.top_peer_ports_by_flows.size()) *
             sizeof(top_entry<uint16_t>);
}

profile_stream::profile_stream(stream_profiles_params params, size_t max_queued_bytes,
                               profile_stream_hub& hub)
    : params_(std::move(params)), max_queued_bytes_(max_queued_bytes), hub_(hub) {}

void profile_stream::offer(const profile_update& update) {
  // Filtered before the lock: the writer is not held up by the hosts this
  // stream does not follow.
  std::vector<const host_window*> selected;
  for (const auto& w : update.windows)
    if (params_.matches(w.host))
      selected.push_back(&w);
  if (selected.empty())
    return;
  std::lock_guard<std::mutex> guard{mutex_};
  if (finished_)
    return;
  size_t windows = 0, bytes = 0;
  for (const auto* w : selected) {
    auto size = queued_bytes_of(*w);
    if (queued_bytes_ + size > max_queued_bytes_) {
      hub_.count_queued(windows, bytes, queued_bytes_);
      hub_.count_overflow();
      auto waiting = queue_.size() + (selected.size() - windows);
      finish_locked(grpc::StatusCode::RESOURCE_EXHAUSTED,
                    "the client fell behind: " + std::to_string(waiting) +
                        " windows were waiting for it, more than the " +
                        std::to_string(max_queued_bytes_) +
                        " bytes a stream may hold, so the stream was dropped");
      return;
    }
    queue_.push_back(*w);
    queued_bytes_ += size;
    ++windows;
    bytes += size;
  }
  hub_.count_queued(windows, bytes, queued_bytes_);
  if (!writing_)
    start_next_write();
}

void profile_stream::finish(grpc::StatusCode code, const std::string& message) {
  std::lock_guard<std::mutex> guard{mutex_};
  finish_locked(code, message);
}

void profile_stream::on_write_done(bool ok) {
  std::lock_guard<std::mutex> guard{mutex_};
  writing_ = false;
  if (ok)
    hub_.count_sent();
  if (finished_)
    return;
  // A write fails only when the call is gone (cancelled, or the connection
  // closed); the call still needs its Finish.
  if (!ok) {
    finish_locked(grpc::StatusCode::CANCELLED, "the stream's connection is gone");
    return;
  }
  if (!queue_.empty())
    start_next_write();
}

void profile_stream::start_next_write() {
  auto& next = queue_.front();
  auto size = queued_bytes_of(next);
  in_flight_.Clear();
  in_flight_.set_host(next.host.to_string());
  to_proto(next.window, *in_flight_.mutable_window());
  last_sent_end_ms_ = next.window.end_ms();
  queue_.pop_front();
  queued_bytes_ -= size;
  hub_.count_dequeued(1, size);
  writing_ = true;
  // Neither StartWrite nor Finish runs a reaction inline, so both may be
  // called with the mutex held; holding it keeps the reactor alive, since
  // it cannot be done before Finish.
  reactor_->StartWrite(&in_flight_);
}

void profile_stream::finish_locked(grpc::StatusCode code, const std::string& message) {
  if (finished_)
    return;
  finished_ = true;
  hub_.count_dequeued(queue_.size(), queued_bytes_);
  queue_.clear();
  queued_bytes_ = 0;
  auto last = last_sent_end_ms_
                  ? "; the last window sent ended at " + format_epoch_ms(*last_sent_end_ms_)
                  : std::string{"; no window was sent yet"};
  // A write still in flight reaches the client before the status does.
  reactor_->Finish(grpc::Status{code, message + last});
}

} // namespace hostflow
