#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "server/cli_options.hpp"
#include "server/config.hpp"
#include "server/config_fields.hpp"

using namespace hostflow;

namespace {

// The repository root seen from this file, so the test finds the shipped
// config wherever the build directory is.
std::string source_path(const std::string& relative) {
  std::string file = __FILE__;
  return file.substr(0, file.find_last_of('/')) + "/../../" + relative;
}

config_result parse(const std::string& text) {
  return parse_config(text, "test.json");
}

/// The error for `text`, which must be rejected.
std::string error_of(const std::string& text) {
  auto result = parse(text);
  CHECK_FALSE(result);
  return result.error;
}

/// Runs the options through CLI11 as hostflowd would, then resolve_config.
config_result resolve(std::vector<const char*> args) {
  CLI::App app{"hostflowd"};
  cli_overrides overrides;
  add_cli_options(app, overrides);
  args.insert(args.begin(), "hostflowd");
  app.parse(static_cast<int>(args.size()), args.data());
  return resolve_config(overrides);
}

endpoint at(const char* address, uint16_t port) {
  return endpoint{*ip_address::parse(address), port};
}

} // namespace

// -- defaults ------------------------------------------------------------------------

TEST_CASE("the built-in defaults are valid") {
  server_config defaults;
  CHECK(validate(defaults) == "");
  CHECK(defaults.udp_listen.size() == 4);
  CHECK(defaults.log_level == log_level::info);
  CHECK(defaults.scheduler.policy == scheduler_policy::sharing);
  CHECK(defaults.decoder.max_pending_age_ms == decoder_limits{}.max_pending_age_ms);
  CHECK(defaults.monitored_networks == default_monitored_networks());
  CHECK_FALSE(defaults.monitor_all);
  CHECK(defaults.exporters.empty());
  CHECK(defaults.store.path == "");
}

TEST_CASE("the default monitored networks are the private ranges") {
  auto json = to_json(server_config{});
  CHECK(json["monitored_networks"] ==
        nlohmann::json{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"});
}

TEST_CASE("configs/hostflow.json parses and equals the defaults") {
  auto path = source_path("configs/hostflow.json");
  auto result = load_config_file(path);
  REQUIRE_MESSAGE(result, result.error);
  CHECK(to_json(*result.config) == to_json(server_config{}));
}

TEST_CASE("configs/hostflow.json lists every key with its default") {
  auto result = load_config_file(source_path("configs/hostflow.json"));
  REQUIRE_MESSAGE(result, result.error);
  // Comparing the effective config alone would pass with keys left out.
  std::ifstream file(source_path("configs/hostflow.json"));
  CHECK(nlohmann::json::parse(file) == to_json(server_config{}));
}

TEST_CASE("an empty object keeps every default") {
  auto result = parse("{}");
  REQUIRE_MESSAGE(result, result.error);
  CHECK(to_json(*result.config) == to_json(server_config{}));
}

TEST_CASE("a partial config changes only the keys it names") {
  auto result = parse(R"({"ingest": {"batch_records": 10}, "log_level": "debug"})");
  REQUIRE_MESSAGE(result, result.error);
  auto expected = server_config{};
  expected.ingest.batch_records = 10;
  expected.log_level = log_level::debug;
  CHECK(to_json(*result.config) == to_json(expected));
}

TEST_CASE("to_json gives back a config that parses to the same values") {
  server_config config;
  config.udp_listen = {at("192.0.2.1", 9995), at("2001:db8::1", 4739)};
  config.log_level = log_level::warn;
  config.status_interval = std::chrono::seconds(60);
  config.decoder.max_pending_age_ms = 30'000;
  config.ingest.batch_flush = std::chrono::milliseconds(5);
  config.scheduler = {8, scheduler_policy::stealing};
  auto json = to_json(config);
  CHECK(json["udp_listen"][1] == "[2001:db8::1]:4739");
  CHECK(json["decoder"]["max_pending_age_seconds"] == 30);
  auto result = parse(json.dump());
  REQUIRE_MESSAGE(result, result.error);
  CHECK(to_json(*result.config) == json);
  CHECK(result.config->udp_listen == config.udp_listen);
}

TEST_CASE("every key of the newer sections round-trips through to_json") {
  server_config config;
  std::string reason;
  config.monitored_networks = {*cidr::parse("192.0.2.0/24", reason),
                               *cidr::parse("2001:db8::/32", reason),
                               *cidr::parse("198.51.100.7", reason)};
  config.monitor_all = true;
  exporter_rule border;
  border.exporter = *ip_address::parse("192.0.2.1");
  border.input_interfaces = {1, 4294967295u};
  border.output_interfaces = {0};
  border.direction = direction_filter::ingress;
  exporter_rule ignored;
  ignored.exporter = *ip_address::parse("2001:db8::2");
  ignored.ignore = true;
  ignored.direction = direction_filter::egress;
  config.exporters = {border, ignored};
  config.profiles.shards = 4;
  config.profiles.virtual_shards = 64;
  config.profiles.allowed_lateness = std::chrono::seconds(0);
  config.profiles.hard_limit = std::chrono::seconds(7 * 86400);
  config.profiles.max_future = std::chrono::seconds(0);
  config.profiles.idle_advance = std::chrono::seconds(30);
  config.profiles.max_hosts = 5;
  config.profiles.max_external_hosts = 6;
  config.profiles.idle_eviction = std::chrono::seconds(60);
  config.profiles.tick = std::chrono::milliseconds(250);
  config.baseline = {50, 0};
  config.store.path = "/var/lib/hostflow";
  config.store.checkpoint_interval = std::chrono::seconds(0);
  config.store.window_byte_budget = 4096;
  config.store.retention_hours_10s = 1;
  config.store.retention_hours_30s = 2;
  config.store.retention_hours_1m = 3;
  config.store.retention_hours_5m = 87600;
  config.store.block_cache_bytes = 1u << 20;
  REQUIRE(validate(config) == "");

  auto json = to_json(config);
  CHECK(json["monitored_networks"] ==
        nlohmann::json{"192.0.2.0/24", "2001:db8::/32", "198.51.100.7/32"});
  CHECK(json["exporters"][0] == nlohmann::json{{"address", "192.0.2.1"},
                                               {"ignore", false},
                                               {"input_interfaces", {1, 4294967295u}},
                                               {"output_interfaces", {0}},
                                               {"direction", "ingress"}});
  CHECK(json["profiles"]["hard_limit_seconds"] == 604800);
  CHECK(json["profiles"]["tick_milliseconds"] == 250);
  CHECK(json["store"]["path"] == "/var/lib/hostflow");
  auto result = parse(json.dump());
  REQUIRE_MESSAGE(result, result.error);
  CHECK(to_json(*result.config) == json);
  const auto& back = *result.config;
  CHECK(back.monitored_networks == config.monitored_networks);
  CHECK(back.monitor_all);
  REQUIRE(back.exporters.size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    CAPTURE(i);
    CHECK(back.exporters[i].exporter == config.exporters[i].exporter);
    CHECK(back.exporters[i].ignore == config.exporters[i].ignore);
    CHECK(back.exporters[i].input_interfaces == config.exporters[i].input_interfaces);
    CHECK(back.exporters[i].output_interfaces == config.exporters[i].output_interfaces);
    CHECK(back.exporters[i].direction == config.exporters[i].direction);
  }
  CHECK(back.profiles.tick == config.profiles.tick);
  CHECK(back.profiles.hard_limit == config.profiles.hard_limit);
  CHECK(back.baseline.alpha_percent == 50);
  CHECK(back.store.path == config.store.path);
  CHECK(back.store.retention_hours_5m == 87600);
}

TEST_CASE("comments are accepted so example configs can explain themselves") {
  auto result = parse("{\n  // quieter\n  \"log_level\": \"warn\" /* for now */\n}");
  REQUIRE_MESSAGE(result, result.error);
  CHECK(result.config->log_level == log_level::warn);
}

// -- unknown keys --------------------------------------------------------------------

TEST_CASE("an unknown top-level key is rejected with its name") {
  CHECK(error_of(R"({"udp_listn": []})") == "unknown key 'udp_listn' in test.json");
}

TEST_CASE("an unknown nested key is rejected with its full path") {
  auto result = parse_config(R"({"decoder": {"max_templatess": 5}})", "/etc/hostflow.json");
  CHECK(result.error == "unknown key 'decoder.max_templatess' in /etc/hostflow.json");
  CHECK(error_of(R"({"scheduler": {"policy": "sharing", "workers": 4}})") ==
        "unknown key 'scheduler.workers' in test.json");
}

TEST_CASE("unknown keys in the profiles, baseline and store sections are rejected") {
  CHECK(error_of(R"({"profiles": {"shard": 4}})") == "unknown key 'profiles.shard' in test.json");
  CHECK(error_of(R"({"baseline": {"alpha": 10}})") == "unknown key 'baseline.alpha' in test.json");
  CHECK(error_of(R"({"store": {"dir": "/tmp"}})") == "unknown key 'store.dir' in test.json");
  CHECK(error_of(R"({"store": "/tmp"})") == "store: \"/tmp\" is not an object in test.json");
}

TEST_CASE("a dotted key does not reach a nested setting") {
  CHECK(error_of(R"({"decoder.max_exporters": 5})") ==
        "unknown key 'decoder.max_exporters' in test.json");
  CHECK(error_of(R"({"decoder": {"decoder": {}}})") ==
        "unknown key 'decoder.decoder' in test.json");
}

// -- bad values ---------------------------------------------------------------------

TEST_CASE("a bad listen address is rejected naming the entry and the reason") {
  CHECK(error_of(R"({"udp_listen": ["0.0.0.0:2055", "10.0.0.1:99999"]})") ==
        "udp_listen[1]: '10.0.0.1:99999' is not a valid address:port "
        "(port must be 1..65535) in test.json");
  auto reason_for = [](const char* text) {
    std::string reason;
    CHECK_FALSE(parse_listen_endpoint(text, reason));
    return reason;
  };
  CHECK(reason_for("10.0.0.1") == "missing ':port'");
  CHECK(reason_for("10.0.0.1:0") == "port must be 1..65535");
  CHECK(reason_for("10.0.0.1:") == "port must be 1..65535");
  CHECK(reason_for("10.0.0.1:20x5") == "port must be 1..65535");
  CHECK(reason_for("999.0.0.1:2055") == "'999.0.0.1' is not an IP address");
  CHECK(reason_for("collector.example:2055") == "'collector.example' is not an IP address");
  CHECK(reason_for("::1:2055") == "IPv6 addresses go in brackets, as in [::]:2055");
  CHECK(reason_for("[::1:2055") == "missing ']' after the IPv6 address");
  CHECK(reason_for("[::1]2055") == "missing ':port'");
  CHECK(reason_for("[10.0.0.1]:2055") == "only IPv6 addresses go in brackets");
  CHECK(reason_for("") == "missing ':port'");
}

TEST_CASE("listen addresses of both families parse") {
  std::string reason;
  CHECK(parse_listen_endpoint("192.0.2.1:2055", reason) == at("192.0.2.1", 2055));
  CHECK(parse_listen_endpoint("[2001:db8::1]:65535", reason) == at("2001:db8::1", 65535));
  CHECK(parse_listen_endpoint("[::]:1", reason) == at("::", 1));
}

TEST_CASE("a listen address given twice is rejected") {
  CHECK(error_of(R"({"udp_listen": ["0.0.0.0:2055", "[::]:2055", "0.0.0.0:2055"]})") ==
        "udp_listen[2]: '0.0.0.0:2055' is listed twice (also udp_listen[0]) in test.json");
  // The same address spelt differently is still the same socket.
  CHECK(error_of(R"({"udp_listen": ["[::]:4739", "[0::0]:4739"]})") ==
        "udp_listen[1]: '[::]:4739' is listed twice (also udp_listen[0]) in test.json");
}

TEST_CASE("an empty listen list is rejected") {
  CHECK(error_of(R"({"udp_listen": []})") ==
        "udp_listen: [] is empty (at least one address:port is needed) in test.json");
}

TEST_CASE("a value out of range is rejected with the key, the value and the range") {
  CHECK(error_of(R"({"receivers_per_listen": 65})") ==
        "receivers_per_listen: 65 is out of range (must be 1..64) in test.json");
  CHECK(error_of(R"({"decoder": {"max_fields_per_template": 70000}})") ==
        "decoder.max_fields_per_template: 70000 is out of range (must be 1..65535) in test.json");
  CHECK(error_of(R"({"ingest": {"batch_records": -1}})") ==
        "ingest.batch_records: -1 is out of range (must be 1..65536) in test.json");
  CHECK(error_of(R"({"udp_receive_buffer_bytes": 1024})") ==
        "udp_receive_buffer_bytes: 1024 is out of range (must be 65536..1073741824) in test.json");
  CHECK(error_of(R"({"profiles": {"tick_milliseconds": 5}})") ==
        "profiles.tick_milliseconds: 5 is out of range (must be 10..60000) in test.json");
  CHECK(error_of(R"({"baseline": {"alpha_percent": 0}})") ==
        "baseline.alpha_percent: 0 is out of range (must be 1..100) in test.json");
  CHECK(
      error_of(R"({"store": {"block_cache_bytes": 1024}})") ==
      "store.block_cache_bytes: 1024 is out of range (must be 1048576..68719476736) in test.json");
  CHECK(error_of(R"({"store": {"retention_hours_5m": 87601}})") ==
        "store.retention_hours_5m: 87601 is out of range (must be 1..87600) in test.json");
}

TEST_CASE("every integer key accepts its bounds and rejects one past them") {
  for (const auto& field : detail::integer_fields()) {
    CAPTURE(field.path);
    auto with = [&](nlohmann::json value) {
      std::string pointer = "/" + std::string(field.path);
      std::replace(pointer.begin(), pointer.end(), '.', '/');
      // Room for either bound of both sides of the lateness rule.
      nlohmann::json config = {
          {"profiles", {{"allowed_lateness_seconds", 0}, {"hard_limit_seconds", 604800}}}};
      config[nlohmann::json::json_pointer(pointer)] = value;
      return parse(config.dump());
    };
    auto low = with(field.min);
    REQUIRE_MESSAGE(low, low.error);
    CHECK(field.get(*low.config) == field.min);
    auto high = with(field.max);
    REQUIRE_MESSAGE(high, high.error);
    CHECK(field.get(*high.config) == field.max);
    auto over = with(field.max + 1);
    CHECK(over.error.find(std::string(field.path) + ": ") == 0);
    if (field.min > 0)
      CHECK_FALSE(with(field.min - 1));
  }
}

TEST_CASE("a value of the wrong type is rejected with the key and the value") {
  CHECK(error_of(R"({"ingest": {"batch_records": "1024"}})") ==
        "ingest.batch_records: \"1024\" is not an integer in test.json");
  CHECK(error_of(R"({"status_interval_seconds": 1.5})") ==
        "status_interval_seconds: 1.5 is not an integer in test.json");
  CHECK(error_of(R"({"scheduler": {"threads": true}})") ==
        "scheduler.threads: true is not an integer in test.json");
  CHECK(error_of(R"({"decoder": 5})") == "decoder: 5 is not an object in test.json");
  CHECK(error_of(R"({"udp_listen": "0.0.0.0:2055"})") ==
        "udp_listen: \"0.0.0.0:2055\" is not an array of \"address:port\" strings in test.json");
  CHECK(error_of(R"({"udp_listen": [2055]})") ==
        "udp_listen[0]: 2055 is not a string in test.json");
  CHECK(error_of(R"({"log_level": 3})") == "log_level: 3 is not a string in test.json");
}

TEST_CASE("an unknown log level or scheduler policy is rejected") {
  CHECK(error_of(R"({"log_level": "verbose"})") ==
        "log_level: 'verbose' is not a log level "
        "(one of trace, debug, info, warn, error, off) in test.json");
  CHECK(
      error_of(R"({"scheduler": {"policy": "fifo"}})") ==
      "scheduler.policy: 'fifo' is not a scheduler policy (one of sharing, stealing) in test.json");
}

TEST_CASE("the hard limit may not be shorter than the allowed lateness") {
  CHECK(error_of(R"({"profiles": {"allowed_lateness_seconds": 600, "hard_limit_seconds": 300}})") ==
        "profiles.hard_limit_seconds: 300 is less than profiles.allowed_lateness_seconds (600); "
        "records too late for their own bucket must be kept, folded in, at least as long as "
        "on-time records are waited for in test.json");
  CHECK(parse(R"({"profiles": {"allowed_lateness_seconds": 600, "hard_limit_seconds": 600}})"));
}

TEST_CASE("there may not be more shards than virtual shards") {
  CHECK(error_of(R"({"profiles": {"shards": 16, "virtual_shards": 8}})") ==
        "profiles.shards: 16 is more than profiles.virtual_shards (8); every shard needs at "
        "least one virtual shard in test.json");
  CHECK(parse(R"({"profiles": {"shards": 8, "virtual_shards": 8}})"));
  // 0 shards means one per hardware thread; the daemon caps that itself.
  CHECK(parse(R"({"profiles": {"shards": 0, "virtual_shards": 1}})"));
}

// -- monitored networks -----------------------------------------------------------

TEST_CASE("monitored networks of both families and bare addresses parse") {
  auto result = parse(R"({"monitored_networks": ["192.0.2.0/24", "2001:DB8::/32", "10.0.0.1",
                                                 "0.0.0.0/0"]})");
  REQUIRE_MESSAGE(result, result.error);
  std::vector<std::string> texts;
  for (const auto& network : result.config->monitored_networks)
    texts.push_back(network.to_string());
  CHECK(texts ==
        std::vector<std::string>{"192.0.2.0/24", "2001:db8::/32", "10.0.0.1/32", "0.0.0.0/0"});
}

TEST_CASE("a bad monitored network is rejected naming the entry and the reason") {
  CHECK(error_of(R"({"monitored_networks": ["10.0.0.0/8", "fc00::/7", "10.1.0.0/8"]})") ==
        "monitored_networks[2]: '10.1.0.0/8' has host bits set (did you mean 10.0.0.0/8?) "
        "in test.json");
  CHECK(error_of(R"({"monitored_networks": ["10.0.0.0/33"]})") ==
        "monitored_networks[0]: '10.0.0.0/33' is not a network "
        "(prefix length '33' is not 0..32) in test.json");
  CHECK(error_of(R"({"monitored_networks": ["lan/24"]})") ==
        "monitored_networks[0]: 'lan/24' is not a network "
        "('lan' is not an IPv4 or IPv6 address) in test.json");
  CHECK(error_of(R"({"monitored_networks": [10]})") ==
        "monitored_networks[0]: 10 is not a string in test.json");
  CHECK(error_of(R"({"monitored_networks": "10.0.0.0/8"})") ==
        "monitored_networks: \"10.0.0.0/8\" is not an array of network strings "
        "(\"10.0.0.0/8\") in test.json");
}

TEST_CASE("a monitored network listed twice is rejected naming both entries") {
  CHECK(error_of(R"({"monitored_networks": ["10.0.0.0/8", "fc00::/7", "fc00:0::/7"]})") ==
        "monitored_networks[2]: 'fc00::/7' is listed twice (also monitored_networks[1]) "
        "in test.json");
}

TEST_CASE("an empty monitored_networks is accepted only with monitor_all") {
  CHECK(error_of(R"({"monitored_networks": []})") ==
        "monitored_networks: [] is empty (list at least one network, or set monitor_all) "
        "in test.json");
  auto result = parse(R"({"monitored_networks": [], "monitor_all": true})");
  REQUIRE_MESSAGE(result, result.error);
  CHECK(result.config->monitored_networks.empty());
  CHECK(result.config->monitor_all);
}

TEST_CASE("monitor_all takes only a boolean") {
  CHECK(error_of(R"({"monitor_all": "yes"})") ==
        "monitor_all: \"yes\" is not a boolean in test.json");
  CHECK(error_of(R"({"monitor_all": 1})") == "monitor_all: 1 is not a boolean in test.json");
}

// -- exporters ---------------------------------------------------------------------

TEST_CASE("an exporter rule with only an address keeps every record") {
  auto result = parse(R"({"exporters": [{"address": "192.0.2.1"}]})");
  REQUIRE_MESSAGE(result, result.error);
  REQUIRE(result.config->exporters.size() == 1);
  const auto& rule = result.config->exporters[0];
  CHECK(rule.exporter == *ip_address::parse("192.0.2.1"));
  CHECK_FALSE(rule.ignore);
  CHECK(rule.input_interfaces.empty());
  CHECK(rule.output_interfaces.empty());
  CHECK(rule.direction == direction_filter::any);
}

TEST_CASE("an exporter rule reads every key") {
  auto result = parse(R"({"exporters": [
      {"address": "192.0.2.1", "input_interfaces": [3, 4294967295], "output_interfaces": [0],
       "direction": "ingress"},
      {"address": "2001:db8::1", "ignore": true, "direction": "egress"}]})");
  REQUIRE_MESSAGE(result, result.error);
  const auto& rules = result.config->exporters;
  REQUIRE(rules.size() == 2);
  CHECK(rules[0].input_interfaces == std::vector<uint32_t>{3, 4294967295u});
  CHECK(rules[0].output_interfaces == std::vector<uint32_t>{0});
  CHECK(rules[0].direction == direction_filter::ingress);
  CHECK(rules[1].exporter == *ip_address::parse("2001:db8::1"));
  CHECK(rules[1].ignore);
  CHECK(rules[1].direction == direction_filter::egress);
}

TEST_CASE("a bad exporter rule is rejected with the path of the key") {
  CHECK(error_of(R"({"exporters": [{"address": "192.0.2.1"},
                                   {"address": "192.0.2.2", "inputs": [1]}]})") ==
        "unknown key 'exporters[1].inputs' in test.json");
  CHECK(error_of(R"({"exporters": [{"ignore": true}]})") ==
        "exporters[0]: {\"ignore\":true} is missing the key 'address' in test.json");
  CHECK(error_of(R"({"exporters": [{"address": "router1"}]})") ==
        "exporters[0].address: 'router1' is not an IP address in test.json");
  CHECK(error_of(R"({"exporters": [{"address": "192.0.2.1:2055"}]})") ==
        "exporters[0].address: '192.0.2.1:2055' is not an IP address in test.json");
  CHECK(error_of(R"({"exporters": [{"address": "192.0.2.1", "direction": "in"}]})") ==
        "exporters[0].direction: 'in' is not a direction (one of any, ingress, egress) "
        "in test.json");
  CHECK(error_of(R"({"exporters": [{"address": "192.0.2.1", "ignore": "no"}]})") ==
        "exporters[0].ignore: \"no\" is not a boolean in test.json");
  CHECK(error_of(R"({"exporters": [{"address": "192.0.2.1", "input_interfaces": [1, -1]}]})") ==
        "exporters[0].input_interfaces[1]: -1 is out of range (must be 0..4294967295) "
        "in test.json");
  CHECK(
      error_of(R"({"exporters": [{"address": "192.0.2.1", "output_interfaces": [4294967296]}]})") ==
      "exporters[0].output_interfaces[0]: 4294967296 is out of range (must be 0..4294967295) "
      "in test.json");
  CHECK(
      error_of(R"({"exporters": [{"address": "192.0.2.1", "output_interfaces": ["ge-0/0/1"]}]})") ==
      "exporters[0].output_interfaces[0]: \"ge-0/0/1\" is not an integer in test.json");
  CHECK(error_of(R"({"exporters": [{"address": "192.0.2.1", "input_interfaces": 3}]})") ==
        "exporters[0].input_interfaces: 3 is not an array of interface indexes in test.json");
  CHECK(error_of(R"({"exporters": ["192.0.2.1"]})") ==
        "exporters[0]: \"192.0.2.1\" is not an object in test.json");
  CHECK(error_of(R"({"exporters": {"address": "192.0.2.1"}})") ==
        "exporters: {\"address\":\"192.0.2.1\"} is not an array of objects in test.json");
}

TEST_CASE("an exporter listed twice is rejected naming both entries") {
  CHECK(error_of(R"({"exporters": [{"address": "2001:db8::1"}, {"address": "192.0.2.1"},
                                   {"address": "2001:DB8:0::1", "ignore": true}]})") ==
        "exporters[2].address: '2001:db8::1' is listed twice (also exporters[0]) in test.json");
}

// -- store ---------------------------------------------------------------------------

TEST_CASE("store.path is a string, empty for memory only") {
  auto result = parse(R"({"store": {"path": "/var/lib/hostflow"}})");
  REQUIRE_MESSAGE(result, result.error);
  CHECK(result.config->store.path == "/var/lib/hostflow");
  CHECK(error_of(R"({"store": {"path": 5}})") == "store.path: 5 is not a string in test.json");
}

// -- syntax and files ---------------------------------------------------------------

TEST_CASE("a syntax error names its line and column") {
  auto error = error_of("{\n  \"log_level\": \"info\",\n}");
  CHECK(error.find("invalid JSON at line 3, column 1 in test.json: ") == 0);
  CHECK(error_of("").find("invalid JSON at line 1, column 1 in test.json") == 0);
}

TEST_CASE("a top level that is not an object is rejected") {
  CHECK(error_of(R"(["0.0.0.0:2055"])") == "the top level is not a JSON object in test.json");
}

TEST_CASE("a missing config file is reported with its path") {
  auto result = load_config_file("/nonexistent/hostflow.json");
  CHECK_FALSE(result);
  CHECK(result.error ==
        "config file '/nonexistent/hostflow.json' cannot be opened: No such file or directory");
}

TEST_CASE("a directory given as the config file is reported") {
  auto result = load_config_file("/");
  CHECK_FALSE(result);
  CHECK(result.error.find("config file '/' cannot be read") == 0);
}

// -- command line ---------------------------------------------------------------------

TEST_CASE("without --config the built-in defaults apply") {
  auto result = resolve({});
  REQUIRE_MESSAGE(result, result.error);
  CHECK(to_json(*result.config) == to_json(server_config{}));
}

TEST_CASE("command-line options replace udp_listen and log_level") {
  auto path = source_path("configs/hostflow.json");
  auto result = resolve({"--config", path.c_str(), "--udp-listen", "127.0.0.1:9995", "--udp-listen",
                         "[::1]:9995", "--log-level", "debug"});
  REQUIRE_MESSAGE(result, result.error);
  CHECK(result.config->udp_listen == std::vector<endpoint>{at("127.0.0.1", 9995), at("::1", 9995)});
  CHECK(result.config->log_level == log_level::debug);
  CHECK(result.config->ingest.batch_records ==
        server_config{}.ingest.batch_records); // file value kept
}

TEST_CASE("bad command-line values are rejected naming the option") {
  CHECK(resolve({"--udp-listen", "127.0.0.1"}).error ==
        "--udp-listen: '127.0.0.1' is not a valid address:port (missing ':port')");
  CHECK(resolve({"--log-level", "loud"}).error ==
        "--log-level: 'loud' is not a log level (one of trace, debug, info, warn, error, off)");
  CHECK(resolve({"--udp-listen", "[::]:2055", "--udp-listen", "[::]:2055"}).error ==
        "udp_listen[1]: '[::]:2055' is listed twice (also udp_listen[0]) "
        "(with the command-line options applied)");
  CHECK(resolve({"--config", "/nonexistent/hostflow.json"}).error.find("/nonexistent") !=
        std::string::npos);
}

TEST_CASE("--monitor replaces monitored_networks; --monitor-all and --data-dir set their keys") {
  auto path = source_path("configs/hostflow.json");
  auto result = resolve({"--config", path.c_str(), "--monitor", "192.0.2.0/24", "--monitor",
                         "2001:db8::/32", "--monitor-all", "--data-dir", "/var/lib/hostflow"});
  REQUIRE_MESSAGE(result, result.error);
  std::string reason;
  CHECK(result.config->monitored_networks ==
        std::vector<cidr>{*cidr::parse("192.0.2.0/24", reason),
                          *cidr::parse("2001:db8::/32", reason)});
  CHECK(result.config->monitor_all);
  CHECK(result.config->store.path == "/var/lib/hostflow");
}

TEST_CASE("without --monitor, --monitor-all and --data-dir the file's values stay") {
  auto result = resolve({"--log-level", "warn"});
  REQUIRE_MESSAGE(result, result.error);
  CHECK(result.config->monitored_networks == default_monitored_networks());
  CHECK_FALSE(result.config->monitor_all);
  CHECK(result.config->store.path == "");
}

TEST_CASE("bad --monitor and --data-dir values are rejected naming the option") {
  CHECK(resolve({"--monitor", "10.1.0.0/8"}).error ==
        "--monitor: '10.1.0.0/8' has host bits set (did you mean 10.0.0.0/8?)");
  CHECK(resolve({"--monitor", "10.0.0.0/40"}).error ==
        "--monitor: '10.0.0.0/40' is not a network (prefix length '40' is not 0..32)");
  CHECK(resolve({"--monitor", "10.0.0.0/8", "--monitor", "10.0.0.0/8"}).error ==
        "monitored_networks[1]: '10.0.0.0/8' is listed twice (also monitored_networks[0]) "
        "(with the command-line options applied)");
  CHECK(resolve({"--data-dir", ""}).error ==
        "--data-dir: '' is empty (leave the option out to keep state in memory)");
}

// -- the gRPC address ------------------------------------------------------------------

TEST_CASE("grpc.listen defaults to loopback port 50051 and takes IPv4 and IPv6 addresses") {
  CHECK(server_config{}.grpc.listen == at("127.0.0.1", 50051));
  CHECK(to_json(server_config{})["grpc"]["listen"] == "127.0.0.1:50051");
  auto result = parse(R"({"grpc": {"listen": "[::1]:6000"}})");
  REQUIRE_MESSAGE(result, result.error);
  CHECK(result.config->grpc.listen == at("::1", 6000));
  CHECK(to_json(*result.config)["grpc"]["listen"] == "[::1]:6000");
}

TEST_CASE("a bad grpc.listen is rejected naming the key") {
  CHECK(error_of(R"({"grpc": {"listen": "127.0.0.1"}})") ==
        "grpc.listen: '127.0.0.1' is not a valid address:port (missing ':port') in test.json");
  CHECK(error_of(R"({"grpc": {"listen": "localhost:50051"}})") ==
        "grpc.listen: 'localhost:50051' is not a valid address:port ('localhost' is not an IP "
        "address) in test.json");
  CHECK(error_of(R"({"grpc": {"listen": 50051}})") ==
        "grpc.listen: 50051 is not a string in test.json");
  CHECK(error_of(R"({"grpc": {"port": 50051}})") == "unknown key 'grpc.port' in test.json");
  CHECK(error_of(R"({"grpc": "127.0.0.1:50051"})") ==
        "grpc: \"127.0.0.1:50051\" is not an object in test.json");
}

TEST_CASE("grpc TLS and token files are off by default, read as paths and need a cert and key together") {
  CHECK(server_config{}.grpc.tls_cert_file.empty());
  CHECK(server_config{}.grpc.token_file.empty());
  auto result = parse(R"({"grpc": {"tls_cert_file": "/etc/h/c.pem", "tls_key_file": "/etc/h/k.pem",
                                   "token_file": "/etc/h/token"}})");
  REQUIRE_MESSAGE(result, result.error);
  CHECK(result.config->grpc.tls_cert_file == "/etc/h/c.pem");
  CHECK(result.config->grpc.tls_key_file == "/etc/h/k.pem");
  CHECK(to_json(*result.config)["grpc"]["token_file"] == "/etc/h/token");
  CHECK(error_of(R"({"grpc": {"tls_cert_file": "/etc/h/c.pem"}})") ==
        "grpc.tls_key_file: empty while grpc.tls_cert_file is set (TLS needs both) in test.json");
  CHECK(error_of(R"({"grpc": {"tls_key_file": "/etc/h/k.pem"}})") ==
        "grpc.tls_cert_file: empty while grpc.tls_key_file is set (TLS needs both) in test.json");
  CHECK(error_of(R"({"grpc": {"token_file": true}})") ==
        "grpc.token_file: true is not a string in test.json");
}

TEST_CASE("--grpc-listen replaces grpc.listen and is checked like it") {
  auto result = resolve({"--grpc-listen", "127.0.0.1:6001"});
  REQUIRE_MESSAGE(result, result.error);
  CHECK(result.config->grpc.listen == at("127.0.0.1", 6001));
  CHECK(resolve({"--grpc-listen", "127.0.0.1:0"}).error ==
        "--grpc-listen: '127.0.0.1:0' is not a valid address:port (port must be 1..65535)");
}

// -- documentation -----------------------------------------------------------------------

TEST_CASE("docs/CONFIG.md names every key") {
  std::ifstream file(source_path("docs/CONFIG.md"));
  REQUIRE(file);
  std::string doc((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  auto json = to_json(server_config{});
  for (auto it = json.begin(); it != json.end(); ++it) {
    std::vector<std::string> paths;
    if (it.value().is_object())
      for (auto inner = it.value().begin(); inner != it.value().end(); ++inner)
        paths.push_back(it.key() + "." + inner.key());
    else
      paths.push_back(it.key());
    for (const auto& path : paths) {
      CAPTURE(path);
      CHECK(doc.find("| `" + path + "` |") != std::string::npos);
    }
  }
  for (std::string key :
       {"address", "ignore", "input_interfaces", "output_interfaces", "direction"}) {
    CAPTURE(key);
    CHECK(doc.find("| `exporters[]." + key + "` |") != std::string::npos);
  }
}
