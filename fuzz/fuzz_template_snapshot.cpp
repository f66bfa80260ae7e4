// libFuzzer target: the stored form of template snapshots. Whatever decodes
// must encode back to the same bytes and restore into a decoder within its
// limits.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "flow/flow_decoder.hpp"
#include "flow/template_snapshot.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes{reinterpret_cast<const char*>(data), size};
  auto snapshot = hostflow::decode_template_snapshot(bytes);
  if (!snapshot)
    return 0;
  if (hostflow::encode_template_snapshot(*snapshot) != bytes)
    __builtin_trap();
  hostflow::decoder_limits limits;
  limits.max_template_memory = 1u << 20; // keep the fuzzer's memory small
  limits.max_templates_per_exporter = 64;
  hostflow::flow_decoder decoder(limits);
  decoder.restore_templates(*snapshot, 0);
  if (decoder.template_memory() > limits.max_template_memory)
    __builtin_trap();
  for (const auto& saved : decoder.save_templates())
    if (!hostflow::decode_template_snapshot(hostflow::encode_template_snapshot(saved)))
      __builtin_trap();
  return 0;
}
