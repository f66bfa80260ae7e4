#pragma once

// hostflowd as a child process with its output in a temp file, and the
// loopback ports to point it at: shared by the suites that run the real
// binary.

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <netinet/in.h>
#include <spawn.h>
#include <sstream>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <doctest/doctest.h>

extern char** environ;

namespace hostflow::test {

/// The hostflowd binary of this build.
inline std::string daemon_path() {
  return std::string(HOSTFLOW_BINARY_DIR) + "/hostflowd";
}

/// A TCP socket listening on 127.0.0.1 at a port the kernel picked, closed
/// when it goes out of scope: a port that is taken.
struct tcp_listener {
  int fd = -1;
  uint16_t port = 0;

  tcp_listener() {
    fd = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    REQUIRE(listen(fd, 4) == 0);
    socklen_t len = sizeof(addr);
    REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port = ntohs(addr.sin_port);
  }

  tcp_listener(const tcp_listener&) = delete;
  tcp_listener& operator=(const tcp_listener&) = delete;

  ~tcp_listener() {
    if (fd >= 0)
      close(fd);
  }
};

/// A TCP port on 127.0.0.1 that was free a moment ago (bound and released),
/// for a daemon's gRPC API: each daemon under test gets its own, so suites
/// run side by side.
inline uint16_t free_tcp_port() {
  tcp_listener probe;
  return probe.port;
}

/// "127.0.0.1:<port>".
inline std::string loopback(uint16_t port) {
  return "127.0.0.1:" + std::to_string(port);
}

/// A hostflowd child process (or another of this build's binaries, such
/// as a following `hostflow profiles`) with its output in a temp file;
/// killed (SIGKILL) if still running when it goes out of scope.
struct daemon_process {
  pid_t pid = -1;
  std::string log_path;

  explicit daemon_process(std::vector<std::string> args, std::string path = daemon_path()) {
    char tmpl[] = "/tmp/hostflowd-test-XXXXXX";
    int fd = mkstemp(tmpl);
    REQUIRE(fd >= 0);
    log_path = tmpl;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fd, 1);
    posix_spawn_file_actions_adddup2(&actions, fd, 2);
    // Every daemon under test gets its own metrics port, so suites run side
    // by side without fighting over the default 9105.
    if (path == daemon_path() &&
        std::find(args.begin(), args.end(), "--metrics-listen") == args.end())
      args.insert(args.end(), {"--metrics-listen", loopback(free_tcp_port())});
    args.insert(args.begin(), path);
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    REQUIRE(posix_spawn(&pid, path.c_str(), &actions, nullptr, argv.data(), environ) == 0);
    posix_spawn_file_actions_destroy(&actions);
    close(fd);
  }

  daemon_process(const daemon_process&) = delete;
  daemon_process& operator=(const daemon_process&) = delete;

  ~daemon_process() {
    if (pid > 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
    std::remove(log_path.c_str());
  }

  /// Everything it has written so far.
  std::string log() const {
    std::ifstream in(log_path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  /// Waits up to `limit` for the log to contain `text`.
  bool wait_for_log(const std::string& text, std::chrono::milliseconds limit) const {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (log().find(text) != std::string::npos)
        return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  /// Waits up to `limit` for the process to exit; its exit code, or -1.
  int wait_exit(std::chrono::milliseconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid, &status, WNOHANG) == pid) {
        pid = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return -1;
  }
};


} // namespace hostflow::test
