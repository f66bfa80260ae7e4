#include <algorithm>
#include <fstream>
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
}

TEST_CASE("every integer key accepts its bounds and rejects one past them") {
  for (const auto& field : detail::integer_fields()) {
    CAPTURE(field.path);
    auto with = [&](nlohmann::json value) {
      std::string pointer = "/" + std::string(field.path);
      std::replace(pointer.begin(), pointer.end(), '.', '/');
      nlohmann::json config;
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
  CHECK(result.config->ingest.batch_records == server_config{}.ingest.batch_records); // file value kept
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
