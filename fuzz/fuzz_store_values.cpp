// libFuzzer target: the stored forms of profiles (windows, rankings, host
// checkpoints, event-time checkpoints, baselines). A store file can be cut
// short or corrupted on disk; decoding must reject what it cannot read, and
// whatever it accepts must encode to a form that decodes to the same thing.
// The first input byte picks the decoder.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "state/checkpoint_codec.hpp"
#include "state/window_codec.hpp"

using namespace hostflow;

namespace {

void window_value(std::string_view in) {
  auto w = decode_window_value(in, 60, 1'700'000'000'000);
  if (!w)
    return;
  std::string once, twice;
  encode_window_value(*w, 1 << 20, once);
  auto again = decode_window_value(once, 60, 1'700'000'000'000);
  if (!again)
    __builtin_trap();
  encode_window_value(*again, 1 << 20, twice);
  if (once != twice)
    __builtin_trap();
}

void ranking(std::string_view in) {
  auto r = decode_ranking_value(in);
  if (!r)
    return;
  std::string out;
  encode_ranking_value(*r, out);
  if (!decode_ranking_value(out))
    __builtin_trap();
}

void host_checkpoint(std::string_view in) {
  auto h = decode_host_checkpoint(in);
  if (!h)
    return;
  std::string once, twice;
  encode_host_checkpoint(*h, once);
  auto again = decode_host_checkpoint(once);
  if (!again)
    __builtin_trap();
  encode_host_checkpoint(*again, twice);
  if (once != twice)
    __builtin_trap();
}

void time(std::string_view in) {
  auto t = decode_time_checkpoint(in);
  if (!t)
    return;
  std::string out;
  encode_time_checkpoint(*t, out);
  if (!decode_time_checkpoint(out))
    __builtin_trap();
}

void baseline(std::string_view in) {
  auto b = decode_hour_baseline(in);
  if (!b)
    return;
  std::string out;
  encode_hour_baseline(*b, out);
  if (out != in)
    __builtin_trap();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0)
    return 0;
  std::string_view in{reinterpret_cast<const char*>(data) + 1, size - 1};
  switch (data[0] % 5) {
    case 0:
      window_value(in);
      break;
    case 1:
      ranking(in);
      break;
    case 2:
      host_checkpoint(in);
      break;
    case 3:
      time(in);
      break;
    default:
      baseline(in);
      break;
  }
  return 0;
}
