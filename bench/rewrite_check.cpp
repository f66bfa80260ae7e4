// Checks export_rewriter by hand: decodes several rewritten passes of a
// capture with hostflow's own flow_decoder, as a collector would see a looped
// replay, and prints whether times moved by exactly one pass length per pass
// and whether the sequence numbers joined up: the decoder's own loss and
// restart counters, and, independent of the decoder's sequence logic, a
// fresh export_rewriter walk over all passes joined, which must find no
// message its learned sequence reading cannot explain.
//
//   rewrite_check CAPTURE [PASSES] [--no-shift]    exit status 0 when every check holds
//
// --no-shift sends the passes unchanged: a negative control that the checks
// do catch a looped capture that was not rewritten.

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "flow/capture_file.hpp"
#include "flow/flow_decoder.hpp"
#include "flow/flow_record.hpp"

#include "bench/export_rewriter.hpp"

using namespace hostflow;

namespace {

/// Record times of one pass, in decode order.
struct pass_times {
  std::vector<int64_t> start_ms;
  std::vector<int64_t> end_ms;
};

} // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    fmt::print(stderr, "usage: {} CAPTURE [PASSES] [--no-shift]\n", argv[0]);
    return 2;
  }
  bool shift = !(argc > 3 && std::string{argv[3]} == "--no-shift");
  int passes = argc > 2 ? std::atoi(argv[2]) : 3;
  passes = std::clamp(passes, 1, 100);
  std::string error;
  auto capture = read_capture(argv[1], error);
  if (!capture) {
    fmt::print(stderr, "{}\n", error);
    return 1;
  }
  auto& datagrams = capture->datagrams;
  bench::export_rewriter rewriter{datagrams};
  fmt::print("{}\n", rewriter.describe());

  const int64_t pass_ms = rewriter.pass_seconds() * 1000;
  flow_decoder decoder;
  std::vector<flow_record> out;
  pass_times first;
  std::vector<captured_datagram> joined; // all passes as sent, for the independent check
  bool times_ok = true;
  bool decoder_ok = true;
  for (int pass = 0; pass < passes; ++pass) {
    if (pass > 0 && shift)
      for (size_t i = 0; i < datagrams.size(); ++i)
        rewriter.advance(i, datagrams[i].payload.data(), datagrams[i].payload.size());
    joined.insert(joined.end(), datagrams.begin(), datagrams.end());
    auto before = decoder.totals();
    out.clear();
    for (const auto& d : datagrams)
      decoder.decode(d.source, byte_view{d.payload.data(), d.payload.size()},
                     d.timestamp_ms + pass * pass_ms, out);
    auto now = decoder.totals();
    auto delta = now.since(before);
    // Every record must sit exactly pass * pass_ms after its twin of pass 0.
    uint64_t moved = 0, wrong = 0;
    if (pass == 0) {
      for (const auto& r : out) {
        first.start_ms.push_back(r.start_ms);
        first.end_ms.push_back(r.end_ms);
      }
    } else if (out.size() != first.start_ms.size()) {
      wrong = out.size();
    } else {
      for (size_t i = 0; i < out.size(); ++i) {
        bool exact = out[i].start_ms - first.start_ms[i] == pass * pass_ms &&
                     out[i].end_ms - first.end_ms[i] == pass * pass_ms;
        (exact ? moved : wrong) += 1;
      }
    }
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (const auto& r : out) {
      lo = std::min(lo, r.start_ms);
      hi = std::max(hi, r.end_ms);
    }
    fmt::print("pass {}: {} datagrams, {} records ({} options), flows {} .. {}", pass + 1,
               delta.datagrams, out.size(), delta.options_data_records,
               out.empty() ? "-" : format_epoch_ms(lo), out.empty() ? "-" : format_epoch_ms(hi));
    if (pass > 0)
      fmt::print("; vs pass 1: {} records moved by exactly {} s, {} not", moved,
                 pass * rewriter.pass_seconds(), wrong);
    fmt::print("\n  this pass: lost_records {}, lost_datagrams {}, restarts {}, reordered {}, "
               "duplicates {}, decode errors {}, undecoded data sets {}\n",
               delta.lost_records, delta.lost_datagrams, delta.restarts, delta.reordered_datagrams,
               delta.duplicate_datagrams, delta.error_total(), delta.undecoded_data_sets);
    times_ok = times_ok && wrong == 0;
    decoder_ok =
        decoder_ok && delta.lost_records == 0 && delta.lost_datagrams == 0 && delta.restarts == 0;
  }
  // An excerpt of a longer export has sequence gaps of its own; the decoder
  // counts those on every pass, so its verdict only binds a gapless capture.
  uint64_t capture_breaks = 0;
  for (const auto& st : rewriter.streams())
    capture_breaks += st.breaks;
  auto t = decoder.totals();
  fmt::print("decoder over {} passes: {} records, lost_records {}, lost_datagrams {}, restarts {}, "
             "reordered {} -> {}\n",
             passes, t.data_records + t.deferred_data_records, t.lost_records, t.lost_datagrams,
             t.restarts, t.reordered_datagrams,
             decoder_ok           ? "OK"
             : capture_breaks > 0 ? "counts the capture's own gaps"
                                  : "FAILED");

  // The joined passes must break exactly where each pass breaks on its own:
  // the wraps add none.
  bench::export_rewriter whole{joined};
  bool sequence_ok = whole.streams().size() == rewriter.streams().size();
  for (size_t i = 0; sequence_ok && i < whole.streams().size(); ++i) {
    const auto& s = whole.streams()[i];
    const auto& one = rewriter.streams()[i];
    bool joins = s.breaks == one.breaks * static_cast<uint64_t>(passes) &&
                 s.increment == static_cast<uint32_t>(one.increment * passes);
    fmt::print("sequence over {} passes joined, stream {}: {} messages, {} breaks (one pass: {}), "
               "spans {} (one pass: {}) -> {}\n",
               passes, s.domain, s.messages, s.breaks, one.breaks, s.increment, one.increment,
               joins ? "OK" : "FAILED");
    sequence_ok = sequence_ok && joins;
  }
  fmt::print("rewriter: times {}, sequences {}\n", times_ok ? "OK" : "FAILED",
             sequence_ok ? "OK" : "FAILED");
  return times_ok && sequence_ok && (decoder_ok || capture_breaks > 0) ? 0 : 1;
}
