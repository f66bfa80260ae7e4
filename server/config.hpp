#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "flow/cidr.hpp"
#include "flow/decoder_limits.hpp"
#include "flow/exporter_selection.hpp"
#include "flow/ip_address.hpp"
#include "server/profile_stream_limits.hpp"

namespace hostflow {

// -- enumerations -----------------------------------------------------------------

/// How much hostflowd logs. The names are the values of the `log_level` key.
enum class log_level { trace, debug, info, warn, error, off };

/// The config name of `level` ("info").
const char* to_string(log_level level) noexcept;

/// Parses a config name ("warn"); nullopt for anything else.
std::optional<log_level> parse_log_level(std::string_view text) noexcept;

/// CAF's scheduling policies. `sharing` keeps one queue for all workers, which
/// is cheap while few actors are busy; `stealing` gives each worker its own
/// queue and lets idle workers take from busy ones, which scales better when
/// many actors (receivers, shards) are busy at once.
enum class scheduler_policy { sharing, stealing };

/// The config name of `policy` ("sharing"); also the value CAF expects.
const char* to_string(scheduler_policy policy) noexcept;

/// Parses a config name ("stealing"); nullopt for anything else.
std::optional<scheduler_policy> parse_scheduler_policy(std::string_view text) noexcept;

// -- configuration -------------------------------------------------------------------

/// How receivers hand decoded records to the router (key `ingest`).
struct ingest_config {
  /// Records per batch message (`batch_records`). Larger batches cost fewer
  /// messages per record; smaller ones reach the shards sooner.
  size_t batch_records = 4096;

  /// Longest time a partly filled batch waits before it is sent
  /// (`batch_flush_milliseconds`); bounds the delay at low rates.
  std::chrono::milliseconds batch_flush{100};

  /// Batches one receiver may have sent but not yet had acknowledged
  /// (`max_batches_in_flight`). Past it the receiver drops and counts instead
  /// of queueing without bound.
  size_t max_batches_in_flight = 64;
};

/// The CAF scheduler (key `scheduler`).
struct scheduler_config {
  /// Worker threads (`threads`); 0 uses one per hardware thread.
  size_t threads = 0;

  /// How work is spread over the workers (`policy`).
  scheduler_policy policy = scheduler_policy::sharing;
};

/// The private ranges: 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7.
std::vector<cidr> default_monitored_networks();

/// Host profiles: shards, event time and memory bounds (key `profiles`).
struct profiles_config {
  /// host_shard actors (`shards`); 0 uses one per hardware thread. At most
  /// `virtual_shards`, since each shard owns whole virtual shards.
  size_t shards = 0;
  /// Virtual shards the address space is hashed into (`virtual_shards`).
  size_t virtual_shards = 4096;
  /// How late a record may arrive and still land in its own bucket
  /// (`allowed_lateness_seconds`).
  std::chrono::seconds allowed_lateness{120};
  /// Records ending this long before the watermark are dropped and counted
  /// (`hard_limit_seconds`); at least `allowed_lateness`.
  std::chrono::seconds hard_limit{3600};
  /// Event times further ahead of the wall clock are clamped
  /// (`max_future_seconds`).
  std::chrono::seconds max_future{300};
  /// Wall-clock quiet after which the watermark follows the wall clock
  /// (`idle_advance_seconds`).
  std::chrono::seconds idle_advance{120};
  /// Monitored hosts held in memory per node (`max_hosts`).
  size_t max_hosts = 1'000'000;
  /// External sources held in memory per node (`max_external_hosts`).
  size_t max_external_hosts = 1'000'000;
  /// Hosts without records this long (event time) leave memory
  /// (`idle_eviction_seconds`).
  std::chrono::seconds idle_eviction{1800};
  /// Shard housekeeping period (`tick_milliseconds`).
  std::chrono::milliseconds tick{1000};
};

/// Baselines (key `baseline`).
struct baseline_config {
  /// Weight of the newest 5 min window in the EWMA, in percent (`alpha_percent`).
  size_t alpha_percent = 10;
  /// Windows an hour-of-day slot needs before deviations are reported
  /// (`min_samples`).
  size_t min_samples = 3;
};

/// The embedded store (key `store`).
struct store_config {
  /// RocksDB directory (`path`); empty keeps state in memory only.
  std::string path;
  /// Time between checkpoints of open windows (`checkpoint_interval_seconds`);
  /// 0 checkpoints only at shutdown.
  std::chrono::seconds checkpoint_interval{10};
  /// Most bytes one stored window may take (`window_byte_budget`).
  size_t window_byte_budget = 1024;
  /// Retention per granularity, in hours (`retention_hours_10s`, `_30s`,
  /// `_1m`, `_5m`).
  size_t retention_hours_10s = 6;
  size_t retention_hours_30s = 24;
  size_t retention_hours_1m = 7 * 24;
  size_t retention_hours_5m = 90 * 24;
  /// RocksDB block cache (`block_cache_bytes`).
  size_t block_cache_bytes = 64u << 20;
  /// Most bytes the store may take (`max_bytes`); past it every
  /// granularity's retention shrinks, oldest data first. 0: no cap.
  size_t max_bytes = 0;
};

/// The gRPC API (key `grpc`).
struct grpc_config {
  /// TCP address the API listens on (`listen`). Loopback by default: with
  /// neither TLS nor a token configured anyone who reaches the port may ask,
  /// so serving other machines is a choice to make explicitly.
  endpoint listen{ip_address::from_v4(0x7f000001), 50051};
  /// PEM files of the server's certificate chain and private key
  /// (`tls_cert_file`, `tls_key_file`): both set serves TLS only, both empty
  /// serves plaintext.
  std::string tls_cert_file;
  std::string tls_key_file;
  /// A file holding the bearer token every call must carry in its
  /// `authorization` metadata (`token_file`); empty: no token is asked for.
  /// A file rather than the token itself, so the secret is never part of the
  /// config that hostflowd logs.
  std::string token_file;
  /// StreamProfiles calls open at once (`max_profile_streams`); past it
  /// calls are refused with RESOURCE_EXHAUSTED.
  size_t max_profile_streams = default_max_streams;
  /// Bytes of windows one stream may hold for a client that reads slower
  /// than windows close (`profile_stream_queue_bytes`); past it the stream
  /// ends with RESOURCE_EXHAUSTED. With `max_profile_streams` it bounds the
  /// memory slow clients can take.
  size_t profile_stream_queue_bytes = default_stream_queue_bytes;
};

/// The Prometheus metrics endpoint (key `metrics`).
struct metrics_config {
  /// TCP address of the HTTP endpoint serving /metrics (`listen`); unset
  /// (the empty string in the file) serves none. Loopback by default, like
  /// the API.
  std::optional<endpoint> listen = endpoint{ip_address::from_v4(0x7f000001), 9105};
};

/// Everything hostflowd reads from its JSON config, validated. The member
/// initialisers are the defaults: a key missing from the file keeps them, and
/// configs/hostflow.json spells them out. docs/CONFIG.md describes each key.
struct server_config {
  /// UDP sockets to receive flows on (`udp_listen`): NetFlow v5/v9 on 2055
  /// and IPFIX on 4739, each on every IPv4 and every IPv6 address.
  std::vector<endpoint> udp_listen = {
      {ip_address::from_v4(0), 2055},
      {ip_address{}, 2055},
      {ip_address::from_v4(0), 4739},
      {ip_address{}, 4739},
  };

  /// Kernel receive buffer asked for per socket (`udp_receive_buffer_bytes`).
  /// Exporters send in bursts (flows of many sessions time out together); a
  /// large buffer rides a burst out where a small one drops datagrams.
  size_t udp_receive_buffer_bytes = 32u << 20;

  /// Sockets bound to each `udp_listen` address with SO_REUSEPORT
  /// (`receivers_per_listen`); the kernel spreads exporters over them, so
  /// one address can use several cores.
  size_t receivers_per_listen = 1;

  /// Least severe message that is logged (`log_level`).
  hostflow::log_level log_level = hostflow::log_level::info;

  /// Time between the one-line status log messages (`status_interval_seconds`).
  std::chrono::seconds status_interval{10};

  /// Bounds on decoder state (`decoder`); the defaults are those of
  /// flow/decoder_limits.hpp. `max_template_memory` is the key
  /// `max_template_memory_bytes`, and `max_pending_age_ms` is set from
  /// `max_pending_age_seconds`.
  decoder_limits decoder;

  /// Batching and back pressure between receivers and the router (`ingest`).
  ingest_config ingest;

  /// The actor scheduler (`scheduler`).
  scheduler_config scheduler;

  /// Networks whose hosts get full profiles (`monitored_networks`); the
  /// private ranges by default.
  std::vector<cidr> monitored_networks = default_monitored_networks();

  /// Profile every address, ignoring `monitored_networks` (`monitor_all`).
  /// With it off, `monitored_networks` must not be empty.
  bool monitor_all = false;

  /// Which records of which exporter count (`exporters`); exporters not
  /// listed have every record counted.
  std::vector<exporter_rule> exporters;

  /// Host profiles (`profiles`).
  profiles_config profiles;

  /// Baselines (`baseline`).
  baseline_config baseline;

  /// The store (`store`).
  store_config store;

  /// The gRPC API (`grpc`).
  grpc_config grpc;

  /// The metrics endpoint (`metrics`).
  metrics_config metrics;
};

// -- loading -----------------------------------------------------------------------

/// A validated configuration, or the sentence that says why there is none.
struct config_result {
  std::optional<server_config> config; ///< set on success
  std::string error;                   ///< set on failure: "unknown key 'x' in /etc/hostflow.json"

  /// True when `config` holds a value.
  explicit operator bool() const noexcept { return config.has_value(); }
};

/// Parses a JSON config on top of the defaults and validates the result.
/// Missing keys keep their defaults; unknown keys, wrong types and values out
/// of range are errors naming the key. `origin` names the text's source in
/// messages (a path, "test"); comments (// and /* */) are accepted.
config_result parse_config(const std::string& json_text, const std::string& origin);

/// Reads and parses the file at `path`; a file that cannot be read is an
/// error naming it.
config_result load_config_file(const std::string& path);

/// Checks what holds across keys (at least one listen address, no listen
/// address, network or exporter twice, hard limit not below the allowed
/// lateness, no more shards than virtual shards) and every range. Empty when
/// `config` is usable, else the first problem.
std::string validate(const server_config& config);

/// Parses a listen address: "192.0.2.1:2055" or "[2001:db8::1]:2055", port
/// 1..65535. Only literal addresses, so the bound address never depends on
/// DNS. On failure returns nullopt and sets `reason` ("port must be 1..65535").
std::optional<endpoint> parse_listen_endpoint(std::string_view text, std::string& reason);

/// The effective configuration as JSON, in the file's format; parsing it
/// gives `config` back. Include <nlohmann/json.hpp> to use the result.
nlohmann::json to_json(const server_config& config);

} // namespace hostflow
