#include "server/daemon.hpp"

#include <algorithm>
#include <csignal>
#include <functional>
#include <malloc.h>
#include <memory>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "actors/ingest_monitor.hpp"
#include "actors/profile_pipeline.hpp"
#include "actors/receiver.hpp"
#include "server/actor_runtime.hpp"
#include "server/api_server.hpp"
#include "server/config_reload.hpp"
#include "server/demo_sender.hpp"
#include "server/metrics_http.hpp"
#include "flow/demo_traffic.hpp"
#include "server/profile_settings.hpp"

namespace hostflow {

namespace {

spdlog::level::level_enum spdlog_level(log_level level) {
  switch (level) {
    case log_level::trace:
      return spdlog::level::trace;
    case log_level::debug:
      return spdlog::level::debug;
    case log_level::info:
      return spdlog::level::info;
    case log_level::warn:
      return spdlog::level::warn;
    case log_level::error:
      return spdlog::level::err;
    case log_level::off:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

// Opens every configured socket; on the first failure logs it and returns none.
std::vector<std::shared_ptr<udp_socket>> open_sockets(const server_config& config) {
  std::vector<std::shared_ptr<udp_socket>> sockets;
  udp_socket_options options;
  options.receive_buffer_bytes = config.udp_receive_buffer_bytes;
  options.reuse_port = config.receivers_per_listen > 1;
  for (const auto& listen : config.udp_listen) {
    for (size_t i = 0; i < config.receivers_per_listen; ++i) {
      auto sock = udp_socket::open(listen, options);
      if (!sock) {
        spdlog::error("cannot listen: {}", sock.error);
        return {};
      }
      const auto& buf = sock->receive_buffer();
      if (buf.capped)
        spdlog::warn("udp {}: receive buffer capped at {} bytes of {} requested; raise the "
                     "limit with: {}",
                     listen.to_string(), buf.granted, buf.requested, buf.advice());
      else
        spdlog::info("udp {}: listening, receive buffer {} bytes", sock->local_endpoint().to_string(),
                     buf.granted);
      sockets.push_back(std::make_shared<udp_socket>(std::move(*sock)));
    }
  }
  return sockets;
}

// Logs what a reload did: a refusal as an error, the rest as information.
void log_reload(const reload_outcome& outcome) {
  if (outcome.ok())
    spdlog::info("{}", outcome.to_string());
  else
    spdlog::error("{}", outcome.to_string());
}

// Waits for SIGINT or SIGTERM; SIGHUP reloads the configuration.
void wait_for_stop_signal(const sigset_t& signals, const std::function<reload_outcome()>& reload) {
  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0)
      continue;
    if (sig == SIGHUP) {
      spdlog::info("SIGHUP received: reloading the configuration");
      reload();
      continue;
    }
    spdlog::info("{} received: stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
    return;
  }
}

void log_final_ingest(caf::actor_system& sys, const ingest_monitor_actor& monitor) {
  caf::scoped_actor self{sys};
  self->request(monitor, std::chrono::seconds(1), get_atom::value, status_atom::value)
    .receive(
      [&](std::vector<receiver_report>& reports) {
        auto s = summarize(reports);
        spdlog::info("final ingest: {} datagrams, {} records, {} unmonitored, {} not selected, "
                     "{} views to shards, {} dropped (no credit), {} kernel drops, {} decode "
                     "errors, lost per sequence: {} records, {} datagrams",
                     s.datagrams, s.records, s.unmonitored, s.not_selected, s.views_sent,
                     s.dropped_records, s.kernel_drops, s.decode_errors, s.lost_records,
                     s.lost_datagrams);
      },
      [&](caf::error& err) { spdlog::warn("final ingest status unavailable: {}", sys.render(err)); });
}

void log_final_profiles(const std::vector<shard_status>& shards) {
  uint64_t views = 0, packets = 0, bytes = 0, hosts = 0, external = 0, written = 0,
           not_written = 0, late = 0, folded = 0, too_old = 0, store_bytes = 0;
  for (const auto& s : shards) {
    views += s.records;
    packets += s.packets;
    bytes += s.bytes;
    hosts += s.hosts;
    external += s.external_hosts;
    written += s.windows_written;
    not_written += s.windows_not_written;
    store_bytes = std::max(store_bytes, s.store_bytes);
    for (const auto& e : s.exporters) {
      late += e.counters.late_records;
      folded += e.counters.folded_records;
      too_old += e.counters.too_old_records;
    }
  }
  spdlog::info("final profiles: {} record views, {} packets, {} bytes; {} hosts, {} external "
               "sources; {} windows written, {} not written; late {}, folded {}, too old {}; "
               "store {} bytes",
               views, packets, bytes, hosts, external, written, not_written, late, folded,
               too_old, store_bytes);
}

// Opens the configured store: RocksDB at store.path, or memory.
std::shared_ptr<store> open_store(const server_config& config) {
  if (config.store.path.empty()) {
    spdlog::warn("store: in memory only; set store.path (or --data-dir) to keep profiles "
                 "across restarts");
    return std::shared_ptr<store>(open_memory_store());
  }
  store_status status;
  auto db = open_rocksdb_store(store_settings_from(config), status);
  if (!db) {
    spdlog::error("cannot open the store at '{}': {}", config.store.path, status.to_string());
    return nullptr;
  }
  spdlog::info("store: {} ({} bytes)", config.store.path, db->size_bytes());
  return std::shared_ptr<store>(std::move(db));
}

// A scrape's numbers: the shards' and receivers' counters asked for with a
// deadline, as GetStatus asks for them, and the API's stream counters.
metrics_endpoint::snapshot_source metrics_source(caf::actor_system& sys,
                                                 const profile_pipeline& profiles,
                                                 const ingest_monitor_actor& monitor,
                                                 const api_server& api) {
  auto started = std::chrono::steady_clock::now();
  return [&sys, &profiles, monitor, &api, started](std::string& error) {
    std::optional<metrics_snapshot> s{std::in_place};
    s->version = HOSTFLOW_VERSION;
    s->uptime_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    profile_source src{&sys, &profiles, std::chrono::milliseconds(2000)};
    if (auto e = query_shard_status(src, s->shards)) {
      error = e.message;
      return std::optional<metrics_snapshot>{};
    }
    if (auto e = query_ingest_reports(src, monitor, s->receivers)) {
      error = e.message;
      return std::optional<metrics_snapshot>{};
    }
    s->streams = api.stream_counters();
    return s;
  };
}

} // namespace

int run_daemon(const server_config& config, const daemon_options& options) {
  spdlog::set_level(spdlog_level(config.log_level));
  // Record batches (~150 KB) cross threads: allocated by a receiver, freed by
  // their consumer. Above glibc's default mmap threshold each one would be a
  // fresh mapping, page-faulted and zeroed by the kernel; from the heap they
  // are reused.
  mallopt(M_MMAP_THRESHOLD, 16 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  // Block the stop signals before any thread starts, so all inherit the mask
  // and only sigwait below sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // The API's files are read first: a missing key or token file stops
  // hostflowd before it binds anything.
  api_security security;
  if (auto problem = load_api_security(config.grpc, security); !problem.empty()) {
    spdlog::error("{}", problem);
    return 1;
  }
  auto sockets = open_sockets(config);
  if (sockets.empty())
    return 1;
  auto db = open_store(config);
  if (!db)
    return 1;

  caf::actor_system_config cfg;
  configure_actor_runtime(cfg, config.scheduler);
  caf::actor_system sys{cfg};
  auto profiles = start_profile_pipeline(
    sys, profile_settings_from(config, std::thread::hardware_concurrency()), db);
  auto monitor = sys.spawn(ingest_monitor, config.status_interval);
  // Reloads swap the routing table the receivers read; the shard map in it
  // stays the pipeline's.
  auto routing = std::make_shared<routing_updates>(profiles.routing);
  std::unique_ptr<config_reloader> reloader;
  if (options.reload_config)
    reloader = std::make_unique<config_reloader>(
      config, options.reload_config, [routing](const server_config& next) {
        spdlog::set_level(spdlog_level(next.log_level));
        routing->publish(
          routing->with_policy(next.monitored_networks, next.monitor_all, next.exporters));
      });
  // SIGHUP and the RPC reload alike, and both leave the outcome in the log.
  std::function<reload_outcome()> reload = [&reloader] {
    reload_outcome outcome;
    if (reloader)
      outcome = reloader->reload();
    else
      outcome.error = "this hostflowd was started without a way to read its configuration again";
    log_reload(outcome);
    return outcome;
  };
  // The API starts before the receivers, so a port that cannot be bound
  // stops hostflowd before any record is taken in.
  api_server_settings api_settings;
  api_settings.listen = config.grpc.listen;
  api_settings.security = std::move(security);
  api_settings.streams.max_streams = config.grpc.max_profile_streams;
  api_settings.streams.max_queued_bytes = config.grpc.profile_stream_queue_bytes;
  api_settings.reload = reload;
  std::string api_error;
  auto api = api_server::start(api_settings, sys, profiles, monitor, api_error);
  if (!api) {
    spdlog::error("{}", api_error);
    stop_profile_pipeline(sys, profiles);
    caf::anon_send_exit(monitor, caf::exit_reason::user_shutdown);
    return 1;
  }
  spdlog::info("grpc {}: listening ({}, {})", api->listening().to_string(),
               api_settings.security.tls() ? "TLS" : "plaintext",
               api_settings.security.token.empty() ? "no token" : "bearer token required");
  std::unique_ptr<metrics_endpoint> metrics;
  if (config.metrics.listen) {
    std::string metrics_error;
    metrics = metrics_endpoint::start(*config.metrics.listen,
                                      metrics_source(sys, profiles, monitor, *api), metrics_error);
    if (!metrics) {
      spdlog::error("{}", metrics_error);
      api->stop(std::chrono::milliseconds(0));
      stop_profile_pipeline(sys, profiles);
      caf::anon_send_exit(monitor, caf::exit_reason::user_shutdown);
      return 1;
    }
    spdlog::info("metrics {}: listening (GET /metrics)", metrics->listening().to_string());
  }
  receiver_settings settings;
  settings.batch_records = config.ingest.batch_records;
  settings.flush_interval = config.ingest.batch_flush;
  settings.max_batches_in_flight = config.ingest.max_batches_in_flight;
  settings.limits = config.decoder;
  settings.routing = routing;
  std::vector<receiver_actor> receivers;
  for (size_t i = 0; i < sockets.size(); ++i) {
    settings.index = static_cast<uint32_t>(i % config.receivers_per_listen);
    receivers.push_back(
      sys.spawn<caf::detached>(receiver, sockets[i], profiles.routing, monitor, db, settings));
  }
  std::unique_ptr<demo_sender> demo;
  if (options.demo) {
    auto target = demo_target(config.udp_listen);
    std::string demo_error;
    demo = demo_sender::start(target, demo_error);
    if (demo) {
      std::string attacks;
      for (const auto& a : demo_traffic::attacks())
        attacks += fmt::format("; {} at {}..{} s", a.name, a.from_s, a.to_s);
      spdlog::info("demo: sending synthetic IPFIX of {} to {} (every {} s{})",
                   demo_traffic::network(), target.to_string(), demo_traffic::cycle_seconds,
                   attacks);
    } else {
      spdlog::error("{}", demo_error);
    }
  }
  spdlog::info("effective configuration: {}", to_json(config).dump());
  spdlog::info("hostflowd {} running: {} receivers, {} host shards, {} scheduler threads",
               HOSTFLOW_VERSION, receivers.size(), profiles.shards.size(),
               sys.scheduler().num_workers());

  wait_for_stop_signal(signals, reload);

  if (demo)
    demo->stop();
  // Calls in flight get a moment to finish; the pipeline they query stops
  // only after the last one has.
  api->stop(std::chrono::milliseconds(500));
  if (metrics)
    metrics->stop();
  {
    caf::scoped_actor self{sys};
    for (const auto& r : receivers)
      self->send_exit(r, caf::exit_reason::user_shutdown);
    for (const auto& r : receivers)
      self->wait_for(r);
  }
  log_final_ingest(sys, monitor);
  // Receivers handed their last batches over on exit; the shards take them
  // before their own exit message, then write what closed and a checkpoint.
  flush_profile_pipeline(sys, profiles);
  log_final_profiles(profile_pipeline_status(sys, profiles));
  stop_profile_pipeline(sys, profiles);
  caf::anon_send_exit(monitor, caf::exit_reason::user_shutdown);
  spdlog::info("hostflowd stopped");
  return 0;
}

} // namespace hostflow
