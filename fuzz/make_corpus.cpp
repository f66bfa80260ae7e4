// Writes fuzz seeds from real captures: for each capture (with the files it
// needs first), one seed in the fuzz_input.hpp format per protocol version,
// and the stored form of every template snapshot its decoding leaves.
//
// usage: make_corpus OUT_DIR CAPTURE...

#include <cstdio>
#include <optional>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "flow/byte_view.hpp"
#include "flow/capture_file.hpp"
#include "flow/flow_decoder.hpp"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s OUT_DIR CAPTURE...\n", argv[0]);
    return 2;
  }
  std::string out_dir = argv[1];
  int written = 0;
  for (int i = 2; i < argc; ++i) {
    std::string error;
    auto read = hostflow::read_capture(argv[i], error);
    if (!read) {
      std::fprintf(stderr, "%s\n", error.c_str());
      continue;
    }
    std::map<uint16_t, std::vector<uint8_t>> seeds; // by version
    hostflow::flow_decoder decoder;
    std::vector<hostflow::flow_record> records;
    for (const auto& dg : read->datagrams) {
      decoder.decode(dg.source, hostflow::byte_view{dg.payload.data(), dg.payload.size()},
                     dg.timestamp_ms, records);
      records.clear();
    }
    size_t snapshot = 0;
    for (const auto& s : decoder.save_templates()) {
      auto bytes = hostflow::encode_template_snapshot(s);
      std::string name =
        out_dir + "/snapshot_" + std::to_string(i) + "_" + std::to_string(snapshot++);
      std::ofstream(name, std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      ++written;
    }
    for (const auto& dg : read->datagrams) {
      if (dg.payload.size() < 2 || dg.payload.size() > 65535)
        continue;
      auto version = hostflow::load_be16(dg.payload.data());
      auto& seed = seeds[version];
      seed.push_back(static_cast<uint8_t>(dg.payload.size() >> 8));
      seed.push_back(static_cast<uint8_t>(dg.payload.size()));
      seed.insert(seed.end(), dg.payload.begin(), dg.payload.end());
      if (seed.size() > (256u << 10))
        break; // keep seeds small; the fuzzer mutates, it does not need whole captures
    }
    for (const auto& [version, seed] : seeds) {
      std::string name = out_dir + "/v" + std::to_string(version) + "_" + std::to_string(i);
      std::ofstream(name, std::ios::binary)
        .write(reinterpret_cast<const char*>(seed.data()), static_cast<std::streamsize>(seed.size()));
      ++written;
    }
  }
  std::printf("%d seeds written to %s\n", written, out_dir.c_str());
  return 0;
}
