#pragma once

// The `hostflow` binary of this build run as a child process, its output
// collected: shared by the client suites that test the CLI as users run it.

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

namespace hostflow::test {

/// What a run of the CLI left behind.
struct cli_result {
  int status = -1; ///< exit status, -1 when the process did not exit normally
  std::string out;
  std::string err;
};

/// `arg` quoted for /bin/sh.
inline std::string shell_quote(const std::string& arg) {
  std::string q = "'";
  for (char c : arg)
    q += c == '\'' ? std::string{"'\\''"} : std::string(1, c);
  return q + "'";
}

/// Runs `hostflow` with `args`, collecting stdout, stderr and the exit
/// status. The calls under test carry their own deadline (--timeout), so
/// this never waits on a server without bound.
inline cli_result run_hostflow(const std::vector<std::string>& args) {
  static int serial = 0;
  auto err_file =
      std::filesystem::temp_directory_path() /
      ("hostflow-cli-test-" + std::to_string(::getpid()) + "-" + std::to_string(++serial) + ".err");
  std::string cmd = shell_quote(HOSTFLOW_BINARY_DIR "/hostflow");
  for (const auto& a : args)
    cmd += ' ' + shell_quote(a);
  cmd += " 2>" + shell_quote(err_file.string());
  cli_result r;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0)
    r.out.append(buf, n);
  int wait_status = ::pclose(pipe);
  if (WIFEXITED(wait_status))
    r.status = WEXITSTATUS(wait_status);
  std::ifstream err{err_file};
  r.err.assign(std::istreambuf_iterator<char>{err}, std::istreambuf_iterator<char>{});
  std::filesystem::remove(err_file);
  return r;
}

/// Every line of `text` parsed as JSON.
inline std::vector<nlohmann::json> json_lines(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::istringstream in{text};
  for (std::string line; std::getline(in, line);)
    out.push_back(nlohmann::json::parse(line));
  return out;
}

} // namespace hostflow::test
