// The CLI against a hostflowd that serves TLS and asks for a bearer token,
// both named in its config file: the right CA and token get an answer, a
// missing token or CA gets exit 1 and one line that says what went wrong.

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "actors/udp_socket.hpp"
#include "client/cli_process.hpp"

#include "daemon_process.hpp"
#include "tls_files.hpp"

using namespace hostflow;
using namespace std::chrono_literals;

namespace {

// "127.0.0.1:<a UDP port that was free a moment ago>".
std::string free_udp_address() {
  auto s = udp_socket::open(endpoint{*ip_address::parse("127.0.0.1"), 0}, 0, false);
  REQUIRE(s);
  return s->local_endpoint().to_string();
}

// A hostflowd on free loopback ports whose API needs TLS and the token.
struct secured_daemon {
  test::tls_files files;
  std::string config_path = files.dir + "/hostflow.json";
  std::string server = test::loopback(test::free_tcp_port());
  std::unique_ptr<test::daemon_process> daemon;

  secured_daemon() {
    nlohmann::json config;
    config["grpc"]["tls_cert_file"] = files.cert;
    config["grpc"]["tls_key_file"] = files.key;
    config["grpc"]["token_file"] = files.token_file;
    std::ofstream{config_path} << config.dump();
    daemon = std::make_unique<test::daemon_process>(std::vector<std::string>{
        "--config", config_path, "--udp-listen", free_udp_address(), "--grpc-listen", server});
    REQUIRE_MESSAGE(daemon->wait_for_log("running", 10s), daemon->log());
    CHECK(daemon->log().find("(TLS, bearer token required)") != std::string::npos);
  }

  test::cli_result status(std::vector<std::string> extra) const {
    std::vector<std::string> args{"status", "--json", "--server", server, "--timeout", "10s"};
    args.insert(args.end(), extra.begin(), extra.end());
    return test::run_hostflow(args);
  }
};

} // namespace

TEST_CASE("hostflow reaches a TLS, token-protected hostflowd with --tls-ca and --token-file") {
  secured_daemon d;
  auto r = d.status({"--tls-ca", d.files.cert, "--token-file", d.files.token_file});
  CAPTURE(r.err);
  CHECK(r.status == 0);
  CHECK(r.out.find("\"version\"") != std::string::npos);
}

TEST_CASE("hostflow without the token is refused with UNAUTHENTICATED and exit 1") {
  secured_daemon d;
  ::unsetenv("HOSTFLOW_TOKEN");
  auto r = d.status({"--tls-ca", d.files.cert});
  CHECK(r.status == 1);
  CHECK(r.out.empty());
  CHECK(r.err.rfind("hostflow: server " + d.server + ": UNAUTHENTICATED: this hostflowd requires a "
                    "bearer token",
                    0) == 0);
}

TEST_CASE("hostflow takes the token from HOSTFLOW_TOKEN when no --token-file is given") {
  secured_daemon d;
  ::setenv("HOSTFLOW_TOKEN", d.files.token.c_str(), 1);
  auto r = d.status({"--tls-ca", d.files.cert});
  ::unsetenv("HOSTFLOW_TOKEN");
  CAPTURE(r.err);
  CHECK(r.status == 0);
}

TEST_CASE("hostflow without TLS gets no answer from a TLS server, and says it could not connect") {
  secured_daemon d;
  auto r = d.status({"--token-file", d.files.token_file});
  CHECK(r.status == 1);
  CHECK(r.err.find("UNAVAILABLE") != std::string::npos);
}

TEST_CASE("hostflow refuses an unreadable token or CA file as a usage error") {
  auto r = test::run_hostflow({"status", "--token-file", "/nonexistent/token"});
  CHECK(r.status == 2);
  CHECK(r.err == "hostflow: --token-file: cannot read '/nonexistent/token': No such file or "
                 "directory\n");
  r = test::run_hostflow({"status", "--tls-ca", "/nonexistent/ca.pem"});
  CHECK(r.status == 2);
  CHECK(r.err.find("--tls-ca: cannot read '/nonexistent/ca.pem'") != std::string::npos);
}

TEST_CASE("hostflowd refuses to start when its token file is missing, naming it") {
  test::tls_files files;
  std::string config_path = files.dir + "/hostflow.json";
  std::ofstream{config_path} << R"({"grpc": {"token_file": ")" << files.dir << R"(/gone"}})";
  test::daemon_process d({"--config", config_path, "--udp-listen", free_udp_address(),
                          "--grpc-listen", test::loopback(test::free_tcp_port())});
  CHECK(d.wait_exit(10s) == 1);
  CHECK(d.log().find("grpc.token_file: cannot read '" + files.dir +
                     "/gone': No such file or directory") != std::string::npos);
}
