#include "actors/receiver.hpp"

#include <thread>

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

namespace hostflow {

namespace {

using clock = std::chrono::steady_clock;

int64_t wall_clock_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Sends the filled batch downstream if credit allows, else drops and counts it.
void flush(receiver_actor::stateful_pointer<receiver_state> self) {
  auto& st = self->state;
  st.last_flush = clock::now();
  if (st.batch.empty())
    return;
  if (st.in_flight >= st.settings.max_batches_in_flight) {
    st.dropped_records += st.batch.size();
    ++st.dropped_batches;
    st.batch.clear();
    return;
  }
  ++st.in_flight;
  st.records_sent += st.batch.size();
  flow_batch msg{std::move(st.batch)};
  st.batch = {};
  st.batch.reserve(st.settings.batch_records + 64);
  self->request(st.sink, caf::infinite, std::move(msg))
    .then([self](uint64_t) { --self->state.in_flight; },
          [self](caf::error&) { --self->state.in_flight; });
}

void report(receiver_actor::stateful_pointer<receiver_state> self) {
  auto& st = self->state;
  st.last_report = clock::now();
  st.decoder->expire(wall_clock_ms());
  if (st.monitor)
    self->send(st.monitor, st.report());
}

} // namespace

receiver_report receiver_state::report() const {
  receiver_report r;
  r.listen = socket->local_endpoint().to_string();
  r.receiver_index = settings.index;
  auto sc = socket->counters();
  r.datagrams = sc.datagrams;
  r.truncated_datagrams = sc.truncated;
  r.kernel_drops = sc.kernel_drops;
  r.records_sent = records_sent;
  r.dropped_records = dropped_records;
  r.dropped_batches = dropped_batches;
  r.rejected_datagrams = decoder->rejected_datagrams();
  r.template_memory = decoder->template_memory();
  r.pending_bytes = decoder->pending_bytes();
  decoder->for_each_exporter([&](const endpoint& e, const exporter_counters& c) {
    r.exporters.push_back(exporter_report{e, c});
  });
  return r;
}

receiver_actor::behavior_type receiver(receiver_actor::stateful_pointer<receiver_state> self,
                                       std::shared_ptr<udp_socket> socket, flow_sink_actor sink,
                                       ingest_monitor_actor monitor, receiver_settings settings) {
  auto& st = self->state;
  st.socket.emplace(std::move(*socket));
  st.decoder = std::make_unique<flow_decoder>(settings.limits);
  st.settings = settings;
  st.sink = std::move(sink);
  st.monitor = std::move(monitor);
  st.batch.reserve(settings.batch_records + 64);
  st.last_flush = st.last_report = clock::now();
  self->send(self, poll_atom::value);
  self->set_exit_handler([self](caf::exit_msg& msg) {
    // Hand over what was decoded before going away, so a clean stop loses
    // nothing, and leave final counters with the monitor.
    auto& st = self->state;
    if (!st.batch.empty()) {
      st.records_sent += st.batch.size();
      caf::anon_send(st.sink, flow_batch{std::move(st.batch)});
      st.batch.clear();
    }
    report(self);
    self->quit(msg.reason);
  });
  return {
    [self](poll_atom) {
      auto& st = self->state;
      // A trickle of datagrams would cost a wake-up and two system calls
      // each; waiting briefly lets the kernel queue a batch (it holds
      // seconds of traffic) and costs flows nothing that matters.
      size_t light = 4 * st.buffers.capacity();
      if (st.last_poll_datagrams > 0 && st.last_poll_datagrams < light)
        std::this_thread::sleep_for(st.settings.coalesce_interval);
      st.last_poll_datagrams = 0;
      for (size_t round = 0; round < st.settings.max_rounds_per_poll; ++round) {
        size_t n = st.socket->receive(st.buffers, round == 0 ? st.settings.poll_timeout_ms : 0);
        st.last_poll_datagrams += n;
        if (n == 0)
          break;
        int64_t now_ms = wall_clock_ms();
        for (size_t i = 0; i < n; ++i) {
          st.decoder->decode(st.buffers.sender(i), st.buffers.payload(i), now_ms, st.batch);
          if (st.batch.size() >= st.settings.batch_records)
            flush(self);
        }
      }
      auto now = clock::now();
      if (now - st.last_flush >= st.settings.flush_interval)
        flush(self);
      if (now - st.last_report >= st.settings.report_interval)
        report(self);
      self->send(self, poll_atom::value);
    },
    [self](get_atom, status_atom) { return self->state.report(); },
  };
}

} // namespace hostflow
