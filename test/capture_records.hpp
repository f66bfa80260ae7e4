#pragma once

// Decodes a capture offline into its flow records, as a receiver would: the
// reference the pipeline suites compare against.

#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "flow/capture_file.hpp"
#include "flow/flow_decoder.hpp"

namespace hostflow::test {

/// Every record of the capture at `path`, in order; each datagram is
/// decoded at its capture time.
inline std::vector<flow_record> decode_capture(const std::string& path) {
  std::string error;
  auto contents = read_capture(path, error);
  REQUIRE_MESSAGE(contents, error);
  flow_decoder decoder;
  std::vector<flow_record> records;
  for (const auto& dg : contents->datagrams)
    decoder.decode(dg.source, byte_view{dg.payload.data(), dg.payload.size()}, dg.timestamp_ms,
                   records);
  return records;
}

} // namespace hostflow::test
