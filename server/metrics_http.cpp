#include "server/metrics_http.hpp"

#include <httplib.h>

namespace hostflow {

namespace {

constexpr const char* exposition_type = "text/plain; version=0.0.4; charset=utf-8";

} // namespace

metrics_endpoint::metrics_endpoint() = default;

metrics_endpoint::~metrics_endpoint() {
  stop();
}

std::unique_ptr<metrics_endpoint> metrics_endpoint::start(const endpoint& listen,
                                                          snapshot_source source,
                                                          std::string& error) {
  std::unique_ptr<metrics_endpoint> self{new metrics_endpoint};
  self->server_ = std::make_unique<httplib::Server>();
  auto& server = *self->server_;
  // Two workers: scrapes are rare and cheap; a third client waits its turn.
  server.new_task_queue = [] { return new httplib::ThreadPool(2); };
  server.set_read_timeout(5, 0);
  server.set_write_timeout(5, 0);
  server.set_keep_alive_max_count(10);
  server.Get("/metrics", [source](const httplib::Request&, httplib::Response& res) {
    std::string why;
    auto snapshot = source(why);
    if (!snapshot) {
      res.status = 503;
      res.set_content("metrics unavailable: " + why + "\n", "text/plain; charset=utf-8");
      return;
    }
    res.set_content(render_metrics(*snapshot), exposition_type);
  });
  server.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (res.status == 404)
      res.set_content("not found: " + req.path + " (metrics are at /metrics)\n",
                      "text/plain; charset=utf-8");
  });
  auto host = listen.address.to_string();
  int port = listen.port;
  if (port == 0)
    port = server.bind_to_any_port(host);
  else if (!server.bind_to_port(host, port))
    port = -1;
  if (port <= 0) {
    error = "cannot listen for metrics on " + listen.to_string() +
            ": the address is in use or not an address of this machine";
    return nullptr;
  }
  self->listening_ = endpoint{listen.address, static_cast<uint16_t>(port)};
  self->thread_ = std::thread([&server] { server.listen_after_bind(); });
  return self;
}

void metrics_endpoint::stop() {
  if (server_)
    server_->stop();
  if (thread_.joinable())
    thread_.join();
}

} // namespace hostflow
