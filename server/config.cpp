#include "server/config.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include <nlohmann/json.hpp>

#include "server/config_fields.hpp"

namespace hostflow {

// -- enumerations -----------------------------------------------------------------

namespace {

// Indexed by the enumerators' values.
constexpr const char* log_level_names[] = {"trace", "debug", "info", "warn", "error", "off"};
constexpr const char* scheduler_policy_names[] = {"sharing", "stealing"};

template <class Enum, size_t N>
std::optional<Enum> parse_name(const char* const (&names)[N], std::string_view text) noexcept {
  for (size_t i = 0; i < N; ++i)
    if (text == names[i])
      return static_cast<Enum>(i);
  return std::nullopt;
}

} // namespace

const char* to_string(log_level level) noexcept {
  return log_level_names[static_cast<size_t>(level)];
}

std::optional<log_level> parse_log_level(std::string_view text) noexcept {
  return parse_name<log_level>(log_level_names, text);
}

const char* to_string(scheduler_policy policy) noexcept {
  return scheduler_policy_names[static_cast<size_t>(policy)];
}

std::optional<scheduler_policy> parse_scheduler_policy(std::string_view text) noexcept {
  return parse_name<scheduler_policy>(scheduler_policy_names, text);
}

// -- listen addresses -------------------------------------------------------------

namespace {

std::optional<uint16_t> parse_port(std::string_view text) {
  if (text.empty() || text.size() > 5)
    return std::nullopt;
  uint32_t port = 0;
  for (char ch : text) {
    if (ch < '0' || ch > '9')
      return std::nullopt;
    port = port * 10 + static_cast<uint32_t>(ch - '0');
  }
  // Port 0 would let the kernel pick one, and no exporter could be told it.
  if (port == 0 || port > 65535)
    return std::nullopt;
  return static_cast<uint16_t>(port);
}

} // namespace

std::optional<endpoint> parse_listen_endpoint(std::string_view text, std::string& reason) {
  std::string_view address;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) {
      reason = "missing ']' after the IPv6 address";
      return std::nullopt;
    }
    address = text.substr(1, close - 1);
    if (address.find(':') == std::string_view::npos) {
      reason = "only IPv6 addresses go in brackets";
      return std::nullopt;
    }
    if (close + 1 >= text.size() || text[close + 1] != ':') {
      reason = "missing ':port'";
      return std::nullopt;
    }
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      reason = "missing ':port'";
      return std::nullopt;
    }
    address = text.substr(0, colon);
    // Without brackets the port of "::1:2055" is ambiguous.
    if (address.find(':') != std::string_view::npos) {
      reason = "IPv6 addresses go in brackets, as in [::]:2055";
      return std::nullopt;
    }
    port = text.substr(colon + 1);
  }
  auto ip = ip_address::parse(address);
  if (!ip) {
    reason = "'" + std::string(address) + "' is not an IP address";
    return std::nullopt;
  }
  auto number = parse_port(port);
  if (!number) {
    reason = "port must be 1..65535";
    return std::nullopt;
  }
  return endpoint{*ip, *number};
}

std::vector<cidr> default_monitored_networks() {
  std::vector<cidr> networks;
  std::string error;
  for (const char* text : {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"})
    networks.push_back(*cidr::parse(text, error));
  return networks;
}

// -- validation and output ------------------------------------------------------------

namespace {

std::string validate_networks(const server_config& config) {
  const auto& networks = config.monitored_networks;
  // An empty list with monitor_all off would profile no host at all.
  if (networks.empty() && !config.monitor_all)
    return "monitored_networks: [] is empty (list at least one network, or set monitor_all)";
  for (size_t i = 0; i < networks.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (networks[j] == networks[i])
        return "monitored_networks[" + std::to_string(i) + "]: '" + networks[i].to_string() +
               "' is listed twice (also monitored_networks[" + std::to_string(j) + "])";
  return {};
}

std::string validate_profiles(const profiles_config& profiles) {
  if (profiles.hard_limit < profiles.allowed_lateness)
    return "profiles.hard_limit_seconds: " + std::to_string(profiles.hard_limit.count()) +
           " is less than profiles.allowed_lateness_seconds (" +
           std::to_string(profiles.allowed_lateness.count()) +
           "); records too late for their own bucket must be kept, folded in, at least as "
           "long as on-time records are waited for";
  // Shards own whole virtual shards; a shard beyond their number would own none.
  if (profiles.shards > profiles.virtual_shards)
    return "profiles.shards: " + std::to_string(profiles.shards) +
           " is more than profiles.virtual_shards (" + std::to_string(profiles.virtual_shards) +
           "); every shard needs at least one virtual shard";
  return {};
}

} // namespace

std::string validate(const server_config& config) {
  const auto& listen = config.udp_listen;
  if (listen.empty())
    return "udp_listen: [] is empty (at least one address:port is needed)";
  for (size_t i = 0; i < listen.size(); ++i) {
    auto key = "udp_listen[" + std::to_string(i) + "]: ";
    if (listen[i].port == 0)
      return key + detail::listen_error(listen[i].to_string(), "port must be 1..65535");
    for (size_t j = 0; j < i; ++j)
      if (listen[j] == listen[i])
        return key + "'" + listen[i].to_string() + "' is listed twice (also udp_listen[" +
               std::to_string(j) + "])";
  }
  if (config.grpc.listen.port == 0)
    return "grpc.listen: " +
           detail::listen_error(config.grpc.listen.to_string(), "port must be 1..65535");
  if (config.metrics.listen && config.metrics.listen->port == 0)
    return "metrics.listen: " +
           detail::listen_error(config.metrics.listen->to_string(), "port must be 1..65535");
  if (config.grpc.tls_cert_file.empty() != config.grpc.tls_key_file.empty())
    return config.grpc.tls_cert_file.empty()
             ? "grpc.tls_cert_file: empty while grpc.tls_key_file is set (TLS needs both)"
             : "grpc.tls_key_file: empty while grpc.tls_cert_file is set (TLS needs both)";
  for (const auto& field : detail::integer_fields()) {
    auto value = field.get(config);
    if (value < field.min || value > field.max)
      return std::string(field.path) + ": " + std::to_string(value) + " is out of range (" +
             detail::range_text(field) + ")";
  }
  if (auto problem = validate_networks(config); !problem.empty())
    return problem;
  const auto& exporters = config.exporters;
  for (size_t i = 0; i < exporters.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (exporters[j].exporter == exporters[i].exporter)
        return "exporters[" + std::to_string(i) + "].address: '" +
               exporters[i].exporter.to_string() + "' is listed twice (also exporters[" +
               std::to_string(j) + "])";
  return validate_profiles(config.profiles);
}

nlohmann::json to_json(const server_config& config) {
  auto result = nlohmann::json::object();
  auto listen = nlohmann::json::array();
  for (const auto& address : config.udp_listen)
    listen.push_back(address.to_string());
  result["udp_listen"] = std::move(listen);
  result["log_level"] = to_string(config.log_level);
  for (const auto& field : detail::integer_fields()) {
    // A JSON pointer creates the enclosing section objects on the way.
    std::string pointer = "/" + std::string(field.path);
    std::replace(pointer.begin(), pointer.end(), '.', '/');
    result[nlohmann::json::json_pointer(pointer)] = field.get(config);
  }
  result["scheduler"]["policy"] = to_string(config.scheduler.policy);
  auto networks = nlohmann::json::array();
  for (const auto& network : config.monitored_networks)
    networks.push_back(network.to_string());
  result["monitored_networks"] = std::move(networks);
  result["monitor_all"] = config.monitor_all;
  auto exporters = nlohmann::json::array();
  for (const auto& rule : config.exporters) {
    // Every key, defaults included, so the effective selection reads whole.
    exporters.push_back({
        {"address", rule.exporter.to_string()},
        {"ignore", rule.ignore},
        {"input_interfaces", rule.input_interfaces},
        {"output_interfaces", rule.output_interfaces},
        {"direction", to_string(rule.direction)},
    });
  }
  result["exporters"] = std::move(exporters);
  result["store"]["path"] = config.store.path;
  result["grpc"]["listen"] = config.grpc.listen.to_string();
  result["grpc"]["tls_cert_file"] = config.grpc.tls_cert_file;
  result["grpc"]["tls_key_file"] = config.grpc.tls_key_file;
  result["grpc"]["token_file"] = config.grpc.token_file;
  result["metrics"]["listen"] = config.metrics.listen ? config.metrics.listen->to_string() : "";
  return result;
}

// -- files ---------------------------------------------------------------------------

config_result load_config_file(const std::string& path) {
  auto fail = [&](const char* what) {
    config_result result;
    result.error = "config file '" + path + "' " + what + ": " + std::strerror(errno);
    return result;
  };
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (!file)
    return fail("cannot be opened");
  std::string text;
  char buffer[16 * 1024];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof(buffer), file.get())) > 0)
    text.append(buffer, n);
  // fopen succeeds on a directory; the read is what fails (EISDIR).
  if (std::ferror(file.get()))
    return fail("cannot be read");
  return parse_config(text, path);
}

} // namespace hostflow
