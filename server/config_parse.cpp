#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/config.hpp"
#include "server/config_fields.hpp"

namespace hostflow {

namespace {

using nlohmann::json;

/// Why a config is rejected. Thrown inside this file only, so that a reader
/// deep in the tree can stop at once; parse_config turns it into a
/// config_result.
struct config_error {
  std::string message;
};

/// A value as JSON text, short enough for one log line. Quotes stay, so a
/// string "10" is told apart from the number 10.
std::string show(const json& value) {
  auto text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > 60)
    text = text.substr(0, 57) + "...";
  return text;
}

[[noreturn]] void reject(const std::string& path, const json& value, const std::string& reason) {
  throw config_error{path + ": " + show(value) + " is " + reason};
}

// -- values ------------------------------------------------------------------------

uint64_t read_integer(const json& value, const std::string& path, uint64_t min, uint64_t max) {
  if (value.is_number_unsigned()) {
    auto number = value.get<uint64_t>();
    if (number >= min && number <= max)
      return number;
  } else if (!value.is_number_integer()) {
    // Fractions are rejected too: 1.5 threads or 0.5 seconds would have to be
    // rounded, and rounding silently is worse than saying so.
    reject(path, value, "not an integer");
  }
  // Negative numbers land here as well.
  reject(path, value, "out of range (" + detail::range_text(min, max) + ")");
}

uint64_t read_integer(const json& value, const detail::integer_field& field) {
  return read_integer(value, field.path, field.min, field.max);
}

bool read_bool(const json& value, const std::string& path) {
  if (!value.is_boolean())
    reject(path, value, "not a boolean");
  return value.get<bool>();
}

std::string read_string(const json& value, const std::string& path) {
  if (!value.is_string())
    reject(path, value, "not a string");
  return value.get<std::string>();
}

void read_udp_listen(const json& value, server_config& config) {
  if (!value.is_array())
    reject("udp_listen", value, "not an array of \"address:port\" strings");
  std::vector<endpoint> addresses;
  for (size_t i = 0; i < value.size(); ++i) {
    auto path = "udp_listen[" + std::to_string(i) + "]";
    auto text = read_string(value[i], path);
    std::string reason;
    auto address = parse_listen_endpoint(text, reason);
    if (!address)
      throw config_error{path + ": " + detail::listen_error(text, reason)};
    addresses.push_back(*address);
  }
  config.udp_listen = std::move(addresses);
}

void read_grpc_listen(const json& value, server_config& config) {
  auto text = read_string(value, "grpc.listen");
  std::string reason;
  auto address = parse_listen_endpoint(text, reason);
  if (!address)
    throw config_error{"grpc.listen: " + detail::listen_error(text, reason)};
  config.grpc.listen = *address;
}

// "" turns the endpoint off; anything else must be an address:port.
std::optional<endpoint> read_optional_listen(const std::string& text, const std::string& where) {
  if (text.empty())
    return std::nullopt;
  std::string reason;
  auto address = parse_listen_endpoint(text, reason);
  if (!address)
    throw config_error{where + ": " + detail::listen_error(text, reason)};
  return address;
}

void read_monitored_networks(const json& value, server_config& config) {
  if (!value.is_array())
    reject("monitored_networks", value, "not an array of network strings (\"10.0.0.0/8\")");
  std::vector<cidr> networks;
  for (size_t i = 0; i < value.size(); ++i) {
    auto path = "monitored_networks[" + std::to_string(i) + "]";
    auto text = read_string(value[i], path);
    std::string reason;
    auto network = cidr::parse(text, reason);
    if (!network)
      throw config_error{path + ": " + detail::network_error(text, reason)};
    networks.push_back(*network);
  }
  config.monitored_networks = std::move(networks);
}

std::vector<uint32_t> read_interfaces(const json& value, const std::string& path) {
  if (!value.is_array())
    reject(path, value, "not an array of interface indexes");
  std::vector<uint32_t> interfaces;
  for (size_t i = 0; i < value.size(); ++i)
    interfaces.push_back(static_cast<uint32_t>(
        read_integer(value[i], path + "[" + std::to_string(i) + "]", 0, UINT32_MAX)));
  return interfaces;
}

exporter_rule read_exporter(const json& value, const std::string& path) {
  if (!value.is_object())
    reject(path, value, "not an object");
  if (!value.contains("address"))
    reject(path, value, "missing the key 'address'");
  exporter_rule rule;
  for (auto it = value.begin(); it != value.end(); ++it) {
    const auto& key = it.key();
    const auto& item = it.value();
    auto item_path = path + "." + key;
    if (key == "address") {
      auto text = read_string(item, item_path);
      // A literal address only, as for udp_listen: an exporter is known by
      // the source address of its datagrams, not by a name.
      auto address = ip_address::parse(text);
      if (!address)
        throw config_error{item_path + ": '" + text + "' is not an IP address"};
      rule.exporter = *address;
    } else if (key == "ignore") {
      rule.ignore = read_bool(item, item_path);
    } else if (key == "input_interfaces") {
      rule.input_interfaces = read_interfaces(item, item_path);
    } else if (key == "output_interfaces") {
      rule.output_interfaces = read_interfaces(item, item_path);
    } else if (key == "direction") {
      auto text = read_string(item, item_path);
      auto direction = parse_direction_filter(text);
      if (!direction)
        throw config_error{item_path + ": '" + text +
                           "' is not a direction (one of any, ingress, egress)"};
      rule.direction = *direction;
    } else {
      throw config_error{"unknown key '" + item_path + "'"};
    }
  }
  return rule;
}

void read_exporters(const json& value, server_config& config) {
  if (!value.is_array())
    reject("exporters", value, "not an array of objects");
  std::vector<exporter_rule> rules;
  for (size_t i = 0; i < value.size(); ++i)
    rules.push_back(read_exporter(value[i], "exporters[" + std::to_string(i) + "]"));
  config.exporters = std::move(rules);
}

void read_log_level(const json& value, server_config& config) {
  auto text = read_string(value, "log_level");
  auto level = parse_log_level(text);
  if (!level)
    throw config_error{"log_level: " + detail::log_level_error(text)};
  config.log_level = *level;
}

void read_scheduler_policy(const json& value, server_config& config) {
  auto text = read_string(value, "scheduler.policy");
  auto policy = parse_scheduler_policy(text);
  if (!policy)
    throw config_error{"scheduler.policy: '" + text +
                       "' is not a scheduler policy (one of sharing, stealing)"};
  config.scheduler.policy = *policy;
}

// -- objects -----------------------------------------------------------------------

/// Reads the keys of one object; `prefix` is its path ("" at the top level).
void read_section(const json& object, const std::string& prefix, server_config& config) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    const auto& key = it.key();
    const auto& value = it.value();
    auto path = prefix.empty() ? key : prefix + "." + key;
    // A dotted key would otherwise reach a nested setting from the wrong level.
    if (key.find('.') != std::string::npos)
      throw config_error{"unknown key '" + path + "'"};
    if (const auto* field = detail::find_integer_field(path)) {
      field->set(config, read_integer(value, *field));
    } else if (path == "udp_listen") {
      read_udp_listen(value, config);
    } else if (path == "log_level") {
      read_log_level(value, config);
    } else if (path == "scheduler.policy") {
      read_scheduler_policy(value, config);
    } else if (path == "monitored_networks") {
      read_monitored_networks(value, config);
    } else if (path == "monitor_all") {
      config.monitor_all = read_bool(value, path);
    } else if (path == "exporters") {
      read_exporters(value, config);
    } else if (path == "store.path") {
      config.store.path = read_string(value, path);
    } else if (path == "grpc.listen") {
      read_grpc_listen(value, config);
    } else if (path == "metrics.listen") {
      config.metrics.listen = read_optional_listen(read_string(value, path), path);
    } else if (path == "grpc.tls_cert_file") {
      config.grpc.tls_cert_file = read_string(value, path);
    } else if (path == "grpc.tls_key_file") {
      config.grpc.tls_key_file = read_string(value, path);
    } else if (path == "grpc.token_file") {
      config.grpc.token_file = read_string(value, path);
    } else if (detail::is_section(path)) {
      if (!value.is_object())
        reject(path, value, "not an object");
      read_section(value, path, config);
    } else {
      throw config_error{"unknown key '" + path + "'"};
    }
  }
}

/// "invalid JSON at line 3, column 1<where>: syntax error while parsing ...".
/// The position is computed from the byte offset, which is stable across
/// nlohmann versions where the wording of what() is not.
std::string syntax_error(const std::string& text, const json::parse_error& error,
                         const std::string& where) {
  // `byte` is 1-based and may point one past the end of the input.
  auto index = std::min<size_t>(error.byte > 0 ? error.byte - 1 : 0, text.size());
  auto line = 1 + std::count(text.begin(), text.begin() + static_cast<ptrdiff_t>(index), '\n');
  auto line_start = index == 0 ? std::string::npos : text.rfind('\n', index - 1);
  auto column = line_start == std::string::npos ? index + 1 : index - line_start;
  std::string detail = error.what();
  auto colon = detail.find(": ", detail.find("parse error"));
  if (colon != std::string::npos)
    detail = detail.substr(colon + 2);
  return "invalid JSON at line " + std::to_string(line) + ", column " + std::to_string(column) +
         where + ": " + detail;
}

} // namespace

config_result parse_config(const std::string& json_text, const std::string& origin) {
  auto where = origin.empty() ? std::string{} : " in " + origin;
  config_result result;
  json root;
  try {
    root = json::parse(json_text, nullptr, true, true);
  } catch (const json::parse_error& error) {
    result.error = syntax_error(json_text, error, where);
    return result;
  }
  if (!root.is_object()) {
    result.error = "the top level is not a JSON object" + where;
    return result;
  }
  server_config config;
  try {
    read_section(root, "", config);
  } catch (const config_error& error) {
    result.error = error.message + where;
    return result;
  }
  if (auto problem = validate(config); !problem.empty()) {
    result.error = problem + where;
    return result;
  }
  result.config = std::move(config);
  return result;
}

} // namespace hostflow
