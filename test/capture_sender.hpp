#pragma once

// Sends a capture's datagrams over real UDP at a steady, bounded pace, as an
// exporter would: shared by the receiver and daemon suites.

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "actors/udp_socket.hpp"
#include "flow/capture_file.hpp"

namespace hostflow::test {

/// The scenario capture of `proto` ("v5", "v9" or "ipfix").
inline std::string scenario_capture(const std::string& proto) {
  return std::string(HOSTFLOW_TESTDATA_DIR) + "/scenarios/attacks-300s.softflowd-" + proto +
         ".pcap";
}

/// Sends every datagram of the capture at `path` to `target`, 64 at a time
/// with 5 ms between bursts (about 12,800 datagrams/s). Returns how many went out.
inline size_t send_capture(const std::string& path, const endpoint& target) {
  std::string error;
  auto contents = read_capture(path, error);
  REQUIRE_MESSAGE(contents, error);
  auto sender = udp_sender::open(target);
  REQUIRE_MESSAGE(sender, sender.error);
  std::vector<byte_view> burst;
  size_t sent = 0;
  for (const auto& dg : contents->datagrams) {
    burst.emplace_back(dg.payload.data(), dg.payload.size());
    if (burst.size() == 64) {
      sent += sender->send(burst);
      burst.clear();
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  return sent + sender->send(burst);
}

} // namespace hostflow::test
