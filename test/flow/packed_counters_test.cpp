#include <doctest/doctest.h>

#include "flow/window_stats.hpp"

using namespace hostflow;

namespace {

flow_record tcp_record(int64_t start_ms, int64_t end_ms, uint8_t flags) {
  flow_record r;
  r.protocol = 6;
  r.tcp_flags = flags;
  r.start_ms = start_ms;
  r.end_ms = end_ms;
  return r;
}

// Feeds the same adds to packed and full-width counters.
struct twin {
  packed_counters packed;
  window_counters wide;

  void flow(const flow_record& r, uint64_t scale) {
    packed.add_flow(r, scale);
    uint64_t d = r.end_ms > r.start_ms ? static_cast<uint64_t>(r.end_ms - r.start_ms) * scale : 0;
    wide.add_flow(r, scale, d);
  }
  void volume(uint8_t protocol, uint64_t packets, uint64_t bytes) {
    packed.add_volume(protocol, packets, bytes);
    wide.add_volume(protocol, packets, bytes);
  }
};

} // namespace

TEST_CASE("packed counters stay 32-bit while they fit and equal full-width counters") {
  twin t;
  t.flow(tcp_record(0, 1'500, tcp_flag::syn), 1);
  t.flow(tcp_record(0, 40, tcp_flag::syn | tcp_flag::ack), 10);
  t.volume(6, 12, 1'800);
  t.volume(17, 3, 300);
  CHECK_FALSE(t.packed.is_wide());
  CHECK(t.packed.heap_bytes() == 0);
  CHECK(t.packed.unpacked() == t.wide);
  CHECK(t.packed.unpacked().syn_only_flows == 1);
  CHECK(t.packed.unpacked().duration_ms == 1'500 + 400);
}

TEST_CASE("packed counters widen instead of wrapping when bytes, packets, flows or durations pass 2^32") {
  SUBCASE("bytes") {
    twin t;
    t.volume(6, 1, 3'000'000'000);
    CHECK_FALSE(t.packed.is_wide());
    t.volume(6, 1, 3'000'000'000);
    CHECK(t.packed.is_wide());
    CHECK(t.packed.unpacked() == t.wide);
    CHECK(t.packed.unpacked().tcp_bytes == 6'000'000'000);
  }
  SUBCASE("packets of one huge sampled record") {
    twin t;
    t.volume(17, uint64_t{1} << 33, 10);
    CHECK(t.packed.is_wide());
    CHECK(t.packed.unpacked() == t.wide);
  }
  SUBCASE("flows scaled by a large sampling interval") {
    twin t;
    t.flow(tcp_record(0, 0, tcp_flag::syn), 4'000'000'000);
    CHECK_FALSE(t.packed.is_wide());
    t.flow(tcp_record(0, 0, tcp_flag::syn), 400'000'000);
    CHECK(t.packed.is_wide());
    CHECK(t.packed.unpacked() == t.wide);
  }
  SUBCASE("summed durations") {
    twin t;
    t.flow(tcp_record(0, 3'600'000, tcp_flag::ack), 2'000);
    CHECK(t.packed.is_wide());
    CHECK(t.packed.unpacked() == t.wide);
    CHECK(t.packed.unpacked().duration_ms == 7'200'000'000);
  }
}

TEST_CASE("merging packed counters widens on overflow and keeps every sum") {
  twin a, b;
  a.volume(6, 10, 2'500'000'000);
  a.flow(tcp_record(0, 10, tcp_flag::fin), 1);
  b.volume(1, 20, 2'500'000'000);
  b.flow(tcp_record(0, 10, tcp_flag::rst), 1);
  window_counters expected = a.wide;
  expected.merge(b.wide);

  packed_counters narrow_into_narrow = a.packed;
  narrow_into_narrow.merge(b.packed);
  CHECK(narrow_into_narrow.is_wide());
  CHECK(narrow_into_narrow.unpacked() == expected);

  // A wide side merged into a narrow one, and the reverse.
  packed_counters wide = narrow_into_narrow;
  CHECK(wide.is_wide());
  packed_counters small;
  small.add_volume(17, 1, 1);
  packed_counters into_small = small;
  into_small.merge(wide);
  expected.add_volume(17, 1, 1);
  CHECK(into_small.unpacked() == expected);
  wide.merge(small);
  CHECK(wide.unpacked() == expected);

  // Built from full-width counters: narrow when they fit, wide otherwise.
  CHECK_FALSE(packed_counters(a.wide).is_wide());
  CHECK(packed_counters(a.wide).unpacked() == a.wide);
  CHECK(packed_counters(expected).is_wide());
  CHECK(packed_counters(expected).unpacked() == expected);
}
