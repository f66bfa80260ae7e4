// libFuzzer target: NetFlow v5 decoding with template and sequence state
// carried across the datagrams of one input (see fuzz_input.hpp).

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hostflow::fuzz::decode_sequence(data, size, 5);
  return 0;
}
