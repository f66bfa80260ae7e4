#pragma once

// The demo mode's exporter: a thread that sends the synthetic traffic of
// flow/demo_traffic as IPFIX over UDP to hostflowd's own listener, once a
// second, as a small router would.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "flow/ip_address.hpp"

namespace hostflow {

class udp_sender;

/// Where the demo sends: the first listen address on the IPFIX port 4739,
/// else the first one; an unspecified address (0.0.0.0, ::) becomes the
/// loopback address of its family.
endpoint demo_target(const std::vector<endpoint>& udp_listen);

/// Sends the demo traffic until stopped.
class demo_sender {
public:
  /// Starts sending to `target`, the attack cycle starting now. Returns null
  /// with `error` set when no socket can be opened.
  static std::unique_ptr<demo_sender> start(const endpoint& target, std::string& error);

  demo_sender(const demo_sender&) = delete;
  demo_sender& operator=(const demo_sender&) = delete;

  /// Stops the thread (see stop()).
  ~demo_sender();

  /// Stops sending and joins the thread; safe to call more than once.
  void stop();

  /// Datagrams and flow records sent so far.
  uint64_t datagrams() const noexcept { return datagrams_.load(); }
  uint64_t records() const noexcept { return records_.load(); }

private:
  demo_sender() = default;
  void run(udp_sender& sender);

  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::atomic<uint64_t> datagrams_{0};
  std::atomic<uint64_t> records_{0};
};

} // namespace hostflow
