#pragma once

// A throw-away TLS identity for tests of the secured API: a self-signed
// certificate for 127.0.0.1 and its key, made with the openssl command when
// the test runs, plus a token file, all in a temp directory removed on exit.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <doctest/doctest.h>

namespace hostflow::test {

/// Files of a TLS identity and a bearer token.
struct tls_files {
  std::string dir;
  std::string cert; ///< PEM certificate, subjectAltName IP:127.0.0.1; also its own CA
  std::string key;  ///< PEM private key (P-256)
  std::string token_file;
  std::string token = "k3y-for-tests-0f9e";

  tls_files() {
    char templ[] = "/tmp/hostflow-tls-XXXXXX";
    REQUIRE(mkdtemp(templ) != nullptr);
    dir = templ;
    cert = dir + "/server.pem";
    key = dir + "/server.key";
    token_file = dir + "/token";
    std::string command = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
                          "-nodes -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 "
                          "-keyout " +
                          key + " -out " + cert + " 2>" + dir + "/openssl.log";
    REQUIRE_MESSAGE(std::system(command.c_str()) == 0, read(dir + "/openssl.log"));
    std::ofstream{token_file} << token << "\n";
  }

  tls_files(const tls_files&) = delete;
  tls_files& operator=(const tls_files&) = delete;

  ~tls_files() {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }

  /// The whole file at `path` ("" when unreadable).
  static std::string read(const std::string& path) {
    std::ifstream in{path, std::ios::binary};
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }
};

} // namespace hostflow::test
