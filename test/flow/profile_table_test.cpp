#include <doctest/doctest.h>

#include <set>

#include "flow/profile_table.hpp"
#include "flow/window_summary.hpp"

using namespace hostflow;

namespace {

constexpr int64_t t0 = 1'709'542'800'000; // 2024-03-04T09:00:00Z, a bucket boundary
// Arrival (wall-clock) time: a day later, as when replaying a capture, so
// no event time counts as in the future.
constexpr int64_t wall = t0 + 86'400'000;

flow_record make_record(const char* src, const char* dst, int64_t start, int64_t end,
                        uint64_t packets, uint64_t bytes) {
  flow_record r;
  r.src_addr = *ip_address::parse(src);
  r.dst_addr = *ip_address::parse(dst);
  r.exporter = endpoint{*ip_address::parse("192.0.2.1"), 2055};
  r.start_ms = start;
  r.end_ms = end;
  r.packets = packets;
  r.bytes = bytes;
  r.protocol = 6;
  r.src_port = 40000;
  r.dst_port = 443;
  r.tcp_flags = 0x1b;
  return r;
}

profile_table_settings settings_with_lateness(int64_t lateness_ms) {
  profile_table_settings s;
  s.time.allowed_lateness_ms = lateness_ms;
  return s;
}

struct closed_sets {
  std::vector<closed_host_window> hosts;
  std::vector<closed_external_window> externals;
};

closed_sets close_all(profile_table& t) {
  closed_sets c;
  t.close_ready(c.hosts, c.externals);
  return c;
}

const closed_host_window* find_window(const closed_sets& c, const char* host, uint32_t g,
                                      int64_t start, host_direction d) {
  auto a = *ip_address::parse(host);
  for (const auto& w : c.hosts)
    if (w.host == a && w.window.granularity_s == g && w.window.start_ms == start &&
        w.window.direction == d)
      return &w;
  return nullptr;
}

} // namespace

TEST_CASE("a record spanning buckets spreads its volume in proportion and counts once at its end") {
  profile_table t{settings_with_lateness(30'000)};
  // 25 s from t0+5s to t0+30s: 5 s in bucket 0, 10 s in bucket 1, 10 s in bucket 2.
  t.add(make_record("10.0.0.1", "10.0.0.2", t0 + 5'000, t0 + 30'000, 100, 10'000),
        record_view_kind::outgoing, wall);
  // A later record pushes the watermark to t0 + 50 s.
  t.add(make_record("10.0.0.9", "10.0.0.2", t0 + 80'000, t0 + 80'000, 1, 40),
        record_view_kind::outgoing, wall);
  auto c = close_all(t);
  auto* b0 = find_window(c, "10.0.0.1", 10, t0, host_direction::out);
  auto* b1 = find_window(c, "10.0.0.1", 10, t0 + 10'000, host_direction::out);
  auto* b2 = find_window(c, "10.0.0.1", 10, t0 + 20'000, host_direction::out);
  auto* b3 = find_window(c, "10.0.0.1", 10, t0 + 30'000, host_direction::out);
  REQUIRE(b0);
  REQUIRE(b1);
  REQUIRE(b2);
  REQUIRE(b3);
  CHECK(b0->window.stats.counters.packets == 20);
  CHECK(b1->window.stats.counters.packets == 40);
  CHECK(b2->window.stats.counters.packets == 40);
  CHECK(b3->window.stats.counters.packets == 0);
  CHECK(b0->window.stats.counters.bytes + b1->window.stats.counters.bytes +
          b2->window.stats.counters.bytes + b3->window.stats.counters.bytes ==
        10'000);
  CHECK(b0->window.stats.counters.flows == 0);
  // The end lies exactly on the boundary of bucket 3: the flow counts there.
  CHECK(b3->window.stats.counters.flows == 1);
  CHECK(b3->window.stats.counters.duration_ms == 25'000);
  // The 30 s window holds buckets 0..2.
  auto* w30 = find_window(c, "10.0.0.1", 30, t0, host_direction::out);
  REQUIRE(w30);
  CHECK(w30->window.stats.counters.packets == 100);
  CHECK(w30->window.stats.counters.flows == 0);
  CHECK(w30->window.stats.distinct_peers == 1);
}

TEST_CASE("records before the watermark are folded into the oldest open bucket and counted") {
  profile_table t{settings_with_lateness(30'000)};
  t.add(make_record("10.0.0.1", "10.0.0.2", t0 + 100'000, t0 + 100'000, 1, 100),
        record_view_kind::outgoing, wall);
  REQUIRE(t.watermark() == t0 + 70'000);
  // Wholly late: ends at t0+20s, before the watermark.
  t.add(make_record("10.0.0.1", "10.0.0.3", t0 + 10'000, t0 + 20'000, 7, 700),
        record_view_kind::outgoing, wall);
  // Partly late: 60 s from t0+40s to t0+100s; 30 s of it lie before the watermark.
  t.add(make_record("10.0.0.1", "10.0.0.4", t0 + 40'000, t0 + 100'000, 60, 6'000),
        record_view_kind::outgoing, wall);
  const auto& ec = t.exporter_counters().begin()->second;
  CHECK(ec.late_records == 1);
  CHECK(ec.late_bytes == 700);
  CHECK(ec.folded_records == 1);
  CHECK(ec.folded_bytes == 3'000);
  const auto* host = t.find(*ip_address::parse("10.0.0.1"));
  REQUIRE(host);
  const auto& buckets = host->at(host_direction::out).buckets();
  REQUIRE(!buckets.empty());
  // The oldest open bucket holds the watermark (t0+70s): bucket 7.
  CHECK(buckets.front().index == bucket_of(t0 + 70'000));
  // It got the late record whole plus 30 s + 10 s of the folded one.
  CHECK(buckets.front().counters.unpacked().packets == 7 + 40);
  CHECK(buckets.front().counters.unpacked().flows == 1);
  uint64_t total_packets = 0, total_flows = 0;
  for (const auto& b : buckets) {
    total_packets += b.counters.unpacked().packets;
    total_flows += b.counters.unpacked().flows;
  }
  CHECK(total_packets == 1 + 7 + 60);
  CHECK(total_flows == 3);
}

TEST_CASE("records older than the hard limit are dropped and counted") {
  auto s = settings_with_lateness(30'000);
  s.time.hard_limit_ms = 600'000;
  profile_table t{s};
  t.add(make_record("10.0.0.1", "10.0.0.2", t0 + 3'600'000, t0 + 3'600'000, 1, 100),
        record_view_kind::outgoing, wall);
  t.add(make_record("10.0.0.1", "10.0.0.2", t0, t0 + 1'000, 5, 500), record_view_kind::outgoing,
        wall);
  const auto& ec = t.exporter_counters().begin()->second;
  CHECK(ec.too_old_records == 1);
  CHECK(ec.too_old_bytes == 500);
  CHECK(ec.late_records == 0);
}

TEST_CASE("sampled records are scaled by their sampling interval, distinct counts are not") {
  profile_table t{settings_with_lateness(10'000)};
  auto r = make_record("10.0.0.1", "10.0.0.2", t0 + 1'000, t0 + 1'000, 3, 300);
  r.sampling_interval = 100;
  t.add(r, record_view_kind::incoming, wall);
  t.add(make_record("10.0.0.9", "10.0.0.8", t0 + 60'000, t0 + 60'000, 1, 1),
        record_view_kind::outgoing, wall);
  auto c = close_all(t);
  auto* w = find_window(c, "10.0.0.2", 10, t0, host_direction::in);
  REQUIRE(w);
  CHECK(w->window.stats.counters.packets == 300);
  CHECK(w->window.stats.counters.bytes == 30'000);
  CHECK(w->window.stats.counters.flows == 100);
  CHECK(w->window.stats.counters.syn_flows == 100);
  CHECK(w->window.stats.distinct_peers == 1);
  CHECK(w->window.stats.distinct_local_ports == 1);
}

TEST_CASE("an idle stream's watermark follows the wall clock so its last windows close") {
  auto s = settings_with_lateness(120'000);
  s.time.idle_advance_ms = 5'000;
  profile_table t{s};
  t.add(make_record("10.0.0.1", "10.0.0.2", t0, t0 + 1'000, 1, 100), record_view_kind::outgoing,
        wall);
  CHECK(close_all(t).hosts.empty());
  t.tick(wall + 1'000);
  t.tick(wall + 6'000);
  int64_t before = t.watermark();
  for (int i = 1; i <= 130; ++i)
    t.tick(wall + 6'000 + i * 1'000);
  CHECK(t.watermark() == before + 130'000);
  auto c = close_all(t);
  CHECK(find_window(c, "10.0.0.1", 10, t0, host_direction::out) != nullptr);
}

TEST_CASE("at the host cap the least recently seen host is evicted and counted") {
  auto s = settings_with_lateness(10'000);
  s.max_hosts = 2;
  profile_table t{s};
  t.add(make_record("10.0.0.1", "10.9.0.1", t0, t0, 1, 1), record_view_kind::outgoing, wall);
  t.add(make_record("10.0.0.2", "10.9.0.1", t0, t0, 1, 1), record_view_kind::outgoing, wall);
  t.add(make_record("10.0.0.1", "10.9.0.1", t0, t0, 1, 1), record_view_kind::outgoing, wall);
  t.add(make_record("10.0.0.3", "10.9.0.1", t0, t0, 1, 1), record_view_kind::outgoing, wall);
  CHECK(t.hosts() == 2);
  CHECK(t.find(*ip_address::parse("10.0.0.2")) == nullptr);
  CHECK(t.find(*ip_address::parse("10.0.0.1")) != nullptr);
  CHECK(t.counters().hosts_evicted_at_cap == 1);
  CHECK(t.counters().open_windows_discarded == 1);
}

TEST_CASE("external sources get a light profile per minute") {
  profile_table t{settings_with_lateness(10'000)};
  for (int i = 0; i < 50; ++i) {
    auto r = make_record("198.51.100.7", "10.0.0.1", t0 + 1'000, t0 + 1'000, 1, 60);
    r.dst_addr = ip_address::from_v4(0x0a000000u + static_cast<uint32_t>(i));
    r.dst_port = 22;
    r.tcp_flags = tcp_flag::syn;
    t.add(r, record_view_kind::external_source, wall);
  }
  t.add(make_record("10.0.0.9", "10.0.0.8", t0 + 120'000, t0 + 120'000, 1, 1),
        record_view_kind::outgoing, wall);
  auto c = close_all(t);
  REQUIRE(c.externals.size() == 1);
  CHECK(c.externals[0].source == *ip_address::parse("198.51.100.7"));
  CHECK(c.externals[0].flows == 50);
  CHECK(c.externals[0].syn_only_flows == 50);
  CHECK(c.externals[0].destinations == 50);
  CHECK(c.externals[0].ports == 1);
  CHECK(c.externals[0].start_ms == t0);
}

TEST_CASE("a host with exporters minutes apart closes its oldest buckets early and loses nothing") {
  profile_table t(settings_with_lateness(120'000));
  // Exporter A runs 15 minutes behind exporter B and stays active, so the
  // watermark follows A while B's records open buckets 15 minutes ahead:
  // more than direction_profile::max_open_buckets for the host.
  endpoint slow{*ip_address::parse("192.0.2.1"), 2055};
  endpoint fast{*ip_address::parse("192.0.2.2"), 2055};
  constexpr int64_t skew = 15 * 60'000;
  uint64_t packets_in = 0;
  std::vector<closed_host_window> closed;
  std::vector<closed_external_window> externals;
  for (int64_t s = 0; s < 20 * 60; s += 5) {
    auto a = make_record("10.0.0.1", "203.0.113.9", t0 + s * 1000, t0 + s * 1000 + 2'000, 3, 300);
    a.exporter = slow;
    auto b = make_record("10.0.0.1", "203.0.113.9", t0 + skew + s * 1000,
                         t0 + skew + s * 1000 + 2'000, 5, 500);
    b.exporter = fast;
    t.add(a, record_view_kind::outgoing, wall);
    t.add(b, record_view_kind::outgoing, wall);
    packets_in += 8;
    t.close_ready(closed, externals);
  }
  CHECK(t.counters().buckets_closed_early > 0);
  const auto* host = t.find(*ip_address::parse("10.0.0.1"));
  REQUIRE(host);
  CHECK(host->at(host_direction::out).buckets().size() <= direction_profile::max_open_buckets);

  // Every packet is in exactly one 10 s window, closed or open, and no
  // window was closed twice.
  uint64_t packets_seen = 0;
  std::set<int64_t> starts;
  for (const auto& w : closed) {
    if (w.window.granularity_s != 10)
      continue;
    CHECK(starts.insert(w.window.start_ms).second);
    packets_seen += w.window.stats.counters.packets;
  }
  for (const auto& b : host->at(host_direction::out).buckets()) {
    CHECK(starts.count(b.index * bucket_ms) == 0);
    packets_seen += b.counters.unpacked().packets;
  }
  CHECK(packets_seen == packets_in);
}
