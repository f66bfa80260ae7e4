#pragma once

// The HTTP endpoint Prometheus scrapes: GET /metrics answers the exposition
// text of a fresh snapshot; everything else is 404. Its own small thread
// pool, short socket timeouts: a stuck scraper cannot hold it.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "flow/ip_address.hpp"
#include "server/metrics_text.hpp"

namespace httplib {
class Server;
} // namespace httplib

namespace hostflow {

/// A running metrics endpoint.
class metrics_endpoint {
public:
  /// Takes a snapshot for one scrape; nullopt with `error` set when the
  /// numbers cannot be had in time (the scrape is answered 503).
  using snapshot_source = std::function<std::optional<metrics_snapshot>(std::string& error)>;

  /// Listens on `listen` (port 0: the kernel picks one). Returns null and
  /// sets `error` when the address cannot be bound.
  static std::unique_ptr<metrics_endpoint> start(const endpoint& listen, snapshot_source source,
                                                 std::string& error);

  metrics_endpoint(const metrics_endpoint&) = delete;
  metrics_endpoint& operator=(const metrics_endpoint&) = delete;

  /// Stops (see stop()).
  ~metrics_endpoint();

  /// Stops listening and waits for scrapes in flight; safe to call twice.
  void stop();

  /// The bound address, with the port the kernel picked for port 0.
  const endpoint& listening() const noexcept { return listening_; }

private:
  metrics_endpoint();

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  endpoint listening_;
};

} // namespace hostflow
