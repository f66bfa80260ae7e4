#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "state/checkpoint_codec.hpp"

using namespace hostflow;

namespace {

constexpr int64_t t0 = 1'709'542'800'000; // a 5 min boundary
constexpr int64_t wall = t0 + 86'400'000;

flow_record record(uint32_t src, uint32_t dst, uint16_t dport, int64_t start, int64_t end) {
  flow_record r;
  r.src_addr = ip_address::from_v4(src);
  r.dst_addr = ip_address::from_v4(dst);
  r.exporter = endpoint{*ip_address::parse("192.0.2.1"), 2055};
  r.start_ms = start;
  r.end_ms = end;
  r.packets = 4;
  r.bytes = 900;
  r.protocol = 6;
  r.src_port = static_cast<uint16_t>(40000 + dst % 1000);
  r.dst_port = dport;
  r.tcp_flags = 0x1b;
  return r;
}

// A table whose host 10.0.0.1 has open buckets, rolled windows and heavy
// hitters in both directions; `peers` distinct peers per minute (past 1,024
// the key sets keep a counter per window).
profile_table busy_table(uint32_t peers) {
  profile_table t;
  std::vector<closed_host_window> closed;
  std::vector<closed_external_window> externals;
  for (int64_t s = 0; s < 400; s += 2) {
    for (uint32_t k = 0; k < peers / 30 + 1; ++k) {
      uint32_t peer = 0x0a010000u + static_cast<uint32_t>((s * 7 + k * 13) % peers);
      auto out = record(0x0a000001, peer, static_cast<uint16_t>(443 + k % 5), t0 + s * 1000,
                        t0 + s * 1000 + 12'000);
      t.add(out, record_view_kind::outgoing, wall);
      auto in = record(peer, 0x0a000001, 22, t0 + s * 1000, t0 + s * 1000 + 3'000);
      t.add(in, record_view_kind::incoming, wall);
    }
    t.close_ready(closed, externals);
  }
  return t;
}

// Everything a host's open windows would report, per granularity and window.
std::vector<window_summary> open_summaries(const host_profile& h) {
  std::vector<window_summary> out;
  for (auto d : {host_direction::out, host_direction::in}) {
    const auto& dir = h.at(d);
    for (uint32_t g : granularities)
      for (const auto& b : dir.buckets()) {
        int64_t w = window_of_bucket(b.index, g);
        out.push_back(summarize(g, w * int64_t{g} * 1000, d, dir.open_window(g, w), nullptr));
      }
  }
  return out;
}

// Closes everything of both directions and summarizes it.
std::vector<window_summary> close_all(host_profile& h) {
  std::vector<window_summary> out;
  for (auto d : {host_direction::out, host_direction::in}) {
    std::vector<closed_window> closed;
    h.at(d).close_through(bucket_of(t0) + 1000, d, closed);
    for (const auto& w : closed)
      out.push_back(summarize(w));
  }
  return out;
}

} // namespace

TEST_CASE("a host checkpoint restores open windows that report and close like the original") {
  for (uint32_t peers : {40u, 3'000u}) {
    CAPTURE(peers);
    auto t = busy_table(peers);
    auto* host = t.find(ip_address::from_v4(0x0a000001));
    REQUIRE(host);
    REQUIRE_FALSE(host->at(host_direction::out).buckets().empty());
    REQUIRE_FALSE(host->at(host_direction::out).rolled().empty());
    REQUIRE_FALSE(host->at(host_direction::out).tops().empty());
    CHECK(host->at(host_direction::in).keys().peers.is_exact() == (peers < 1'024));

    std::string bytes;
    encode_host_checkpoint(*host, bytes);
    auto back = decode_host_checkpoint(bytes);
    REQUIRE(back);
    CHECK(back->address == host->address);
    CHECK(back->last_seen_ms == host->last_seen_ms);
    CHECK(back->next_close() == host->next_close());
    CHECK(open_summaries(*back) == open_summaries(*host));

    // Encoding the restored host gives the same bytes.
    std::string again;
    encode_host_checkpoint(*back, again);
    CHECK(again == bytes);

    // Both go on to close the same windows, top lists included.
    auto original = close_all(*host);
    auto restored = close_all(*back);
    CHECK(original.size() > 10);
    CHECK(restored == original);
  }
}

TEST_CASE("a damaged host checkpoint is refused, never half read") {
  auto t = busy_table(40);
  const auto* host = t.find(ip_address::from_v4(0x0a000001));
  REQUIRE(host);
  std::string bytes;
  encode_host_checkpoint(*host, bytes);
  for (size_t n = 0; n < bytes.size(); ++n)
    CHECK_FALSE(decode_host_checkpoint(std::string_view(bytes).substr(0, n)));
  // Flipping bytes one at a time never crashes; most are refused.
  size_t refused = 0;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    auto damaged = bytes;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x5a);
    refused += decode_host_checkpoint(damaged) ? 0 : 1;
  }
  CHECK(refused > 0);
  std::string wrong_version = bytes;
  wrong_version[0] = 2;
  CHECK_FALSE(decode_host_checkpoint(wrong_version));
}
