#include "server/demo_sender.hpp"

#include <chrono>

#include <spdlog/spdlog.h>

#include "actors/udp_socket.hpp"
#include "flow/demo_traffic.hpp"
#include "flow/ipfix_encoder.hpp"

namespace hostflow {

namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

} // namespace

endpoint demo_target(const std::vector<endpoint>& udp_listen) {
  endpoint target = udp_listen.empty() ? endpoint{ip_address::from_v4(0), 4739} : udp_listen[0];
  for (const auto& e : udp_listen)
    if (e.port == 4739) {
      target = e;
      break;
    }
  if (target.address.is_unspecified())
    target.address = target.address.is_v4() ? ip_address::from_v4(0x7f000001)
                                            : *ip_address::parse("::1");
  return target;
}

std::unique_ptr<demo_sender> demo_sender::start(const endpoint& target, std::string& error) {
  // Opened here, so a failure is reported before the thread starts; the
  // thread then owns it.
  auto opened = udp_sender::open(target);
  if (!opened) {
    error = "demo: cannot send to " + target.to_string() + ": " + opened.error;
    return nullptr;
  }
  auto sender = std::make_shared<udp_sender>(std::move(*opened));
  std::unique_ptr<demo_sender> self{new demo_sender};
  self->thread_ = std::thread([s = self.get(), sender] { s->run(*sender); });
  return self;
}

demo_sender::~demo_sender() {
  stop();
}

void demo_sender::stop() {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

void demo_sender::run(udp_sender& sender) {
  const auto& target = sender.destination();
  int64_t start = now_ms();
  demo_traffic traffic{start};
  ipfix_encoder encoder{1};
  int64_t sent_until = start - 1000;
  std::unique_lock<std::mutex> lock{mutex_};
  while (!stopping_) {
    // Once a second, the flows that ended since the last round, as an
    // exporter with a one-second flush would send them.
    int64_t now = now_ms();
    auto records = traffic.generate(sent_until, now);
    sent_until = now;
    auto messages = encoder.encode(records, static_cast<uint32_t>(now / 1000));
    std::vector<byte_view> views;
    for (const auto& m : messages)
      views.emplace_back(m.data(), m.size());
    size_t sent = sender.send(views);
    datagrams_ += sent;
    records_ += records.size();
    if (sent < views.size())
      spdlog::warn("demo: {} of {} datagrams not sent to {}: {}", views.size() - sent, views.size(),
                   target.to_string(), sender.last_error());
    wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; });
  }
}

} // namespace hostflow
