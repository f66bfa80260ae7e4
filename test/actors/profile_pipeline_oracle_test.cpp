// Acceptance test of the host-profile pipeline (router -> host_shards ->
// store): the scenario capture is fed through the real actors and every
// closed window read back from the store must equal what a plain,
// single-threaded aggregation written from docs/PROFILES.md computes
// (test/profile_oracle.hpp).

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <doctest/doctest.h>

#include "actors/profile_pipeline.hpp"
#include "actor_fixture.hpp"
#include "state/profile_store.hpp"

#include "capture_records.hpp"
#include "capture_sender.hpp"
#include "profile_oracle.hpp"

using namespace hostflow;
using namespace std::chrono_literals;
using test::profile_oracle;
namespace of = test::oracle_field;

namespace {

using test::actor_fixture;

// -- a subscriber that keeps every update -----------------------------------------------

using collector_actor = caf::typed_actor<caf::reacts_to<profile_update>,
                                         caf::replies_to<get_atom>::with<profile_update>>;

struct collector_state {
  profile_update all;
  static inline const char* name = "update_collector";
};

collector_actor::behavior_type collector(collector_actor::stateful_pointer<collector_state> self) {
  return {
      [self](profile_update& u) {
        auto& all = self->state.all;
        all.granularity_s = u.granularity_s;
        all.windows.insert(all.windows.end(), u.windows.begin(), u.windows.end());
        all.externals.insert(all.externals.end(), u.externals.begin(), u.externals.end());
      },
      [self](get_atom) { return self->state.all; },
  };
}

// -- inputs -------------------------------------------------------------------------------

const std::vector<flow_record>& capture_records() {
  static const std::vector<flow_record> records =
      test::decode_capture(test::scenario_capture("ipfix"));
  return records;
}

cidr monitored_network() {
  std::string error;
  auto c = cidr::parse("10.10.0.0/16", error);
  REQUIRE_MESSAGE(c, error);
  return *c;
}

int64_t max_end(const std::vector<flow_record>& records) {
  int64_t m = std::numeric_limits<int64_t>::min();
  for (const auto& r : records)
    m = std::max(m, r.end_ms);
  return m;
}

profile_oracle run_oracle(const std::vector<flow_record>& records, int64_t lateness_ms) {
  test::oracle_settings s;
  s.allowed_lateness_ms = lateness_ms;
  profile_oracle o({monitored_network()}, s);
  for (const auto& r : records)
    o.add(r);
  return o;
}

// -- the pipeline -------------------------------------------------------------------------

struct pipeline_run {
  std::shared_ptr<store> db;
  std::vector<shard_status> status;
  routing_counters routed;
  profile_update externals; ///< collected from a granularity-60 subscription
};

/// Feeds `records` through a 2-shard pipeline over a memory store, drains it
/// to an hour past the newest record end and stops it.
pipeline_run run_pipeline(const std::vector<flow_record>& records, int64_t lateness_ms,
                          bool subscribe = false) {
  actor_fixture f;
  pipeline_run out;
  out.db = std::shared_ptr<store>(open_memory_store());
  profile_pipeline_settings ps;
  ps.shards = 2;
  ps.monitored = {monitored_network()};
  ps.shard.table.time.allowed_lateness_ms = lateness_ms;
  ps.shard.tick_interval = std::chrono::hours(1);
  ps.shard.checkpoint_interval = std::chrono::milliseconds(0);
  auto p = start_profile_pipeline(*f.sys, ps, out.db);
  REQUIRE(p.shards.size() == 2);

  caf::scoped_actor self{*f.sys};
  collector_actor coll;
  if (subscribe) {
    coll = f.sys->spawn(collector);
    for (const auto& shard : p.shards)
      self->send(shard, subscribe_atom::value, uint32_t{60},
                 caf::actor_cast<profile_subscriber_actor>(coll));
  }

  record_router router{p.routing};
  feed_profile_pipeline(*f.sys, p, router, records);
  out.routed = router.counters();
  drain_profile_pipeline(*f.sys, p, max_end(records) + 3'600'000);
  out.status = profile_pipeline_status(*f.sys, p);
  REQUIRE(out.status.size() == 2);

  if (subscribe) {
    // The shards sent their updates before answering the drain, so they
    // are ahead of this request in the collector's mailbox.
    self->request(coll, 30s, get_atom::value)
        .receive([&](profile_update& u) { out.externals = std::move(u); },
                 [&](caf::error& e) { FAIL("collector: " << f.sys->render(e)); });
    self->send_exit(coll, caf::exit_reason::user_shutdown);
  }
  stop_profile_pipeline(*f.sys, p);
  return out;
}

/// The shards' event-time counters, summed per exporter.
std::map<endpoint, event_time_counters> shard_time_counters(const pipeline_run& run) {
  std::map<endpoint, event_time_counters> all;
  for (const auto& s : run.status)
    for (const auto& e : s.exporters) {
      auto& c = all[e.exporter];
      c.records += e.counters.records;
      c.late_records += e.counters.late_records;
      c.late_bytes += e.counters.late_bytes;
      c.folded_records += e.counters.folded_records;
      c.folded_bytes += e.counters.folded_bytes;
      c.too_old_records += e.counters.too_old_records;
      c.too_old_bytes += e.counters.too_old_bytes;
    }
  return all;
}

// -- comparison ---------------------------------------------------------------------------

const char* const field_names[of::count] = {
    "flows",          "packets",   "bytes",      "duration_ms", "syn_flows",
    "ack_flows",      "fin_flows", "rst_flows",  "psh_flows",   "urg_flows",
    "syn_only_flows", "tcp_flows", "udp_flows",  "icmp_flows",  "other_flows",
    "tcp_bytes",      "udp_bytes", "icmp_bytes", "other_bytes"};

/// True when a distinct count is within the sketch's bound of the truth.
bool distinct_ok(uint64_t got, size_t truth) {
  if (truth <= 1024)
    return got == truth;
  return std::fabs(static_cast<double>(got) - static_cast<double>(truth)) <=
         0.05 * static_cast<double>(truth);
}

struct comparison {
  size_t hosts = 0;
  size_t windows = 0;     ///< (host, granularity, start, direction) compared
  size_t approximate = 0; ///< distinct counts above the exact limit
  size_t mismatches = 0;
  std::vector<std::string> first; ///< the first few mismatches, described

  void fail(const std::string& what) {
    ++mismatches;
    if (first.size() < 12)
      first.push_back(what);
  }
};

std::string window_name(const ip_address& host, uint32_t g, int64_t start, int dir) {
  std::ostringstream s;
  s << host.to_string() << " " << g << "s@" << format_epoch_ms(start) << " "
    << (dir == 0 ? "out" : "in");
  return s.str();
}

/// Every window of every host of the oracle against the store, and the
/// store's per-window host lists (rankings) against the oracle's hosts.
comparison compare_with_store(const std::shared_ptr<store>& db, const profile_oracle& o) {
  comparison cmp;
  profile_store ps{db};
  const int64_t from = 0, to = std::numeric_limits<int64_t>::max() / 2;
  // (granularity, start) -> hosts with that window, per the oracle.
  std::map<std::pair<uint32_t, int64_t>, std::set<ip_address>> expected_hosts;
  for (const auto& host : o.hosts()) {
    ++cmp.hosts;
    for (uint32_t g : granularities) {
      std::map<int64_t, test::oracle_window> want[2] = {o.windows(host, 0, g),
                                                        o.windows(host, 1, g)};
      std::map<int64_t, stored_window> got;
      auto st = ps.windows_of(host, g, from, to, [&](stored_window&& w) {
        got.emplace(w.start_ms, std::move(w));
        return true;
      });
      REQUIRE_MESSAGE(st.ok(), st.to_string());
      std::set<int64_t> starts;
      for (int d = 0; d < 2; ++d)
        for (const auto& [start, w] : want[d])
          starts.insert(start);
      for (const auto& [start, w] : got)
        starts.insert(start);
      for (int64_t start : starts) {
        expected_hosts[{g, start}].insert(host);
        auto gi = got.find(start);
        for (int d = 0; d < 2; ++d) {
          auto wi = want[d].find(start);
          const std::optional<window_summary>* stored = nullptr;
          if (gi != got.end())
            stored = d == 0 ? &gi->second.out : &gi->second.in;
          bool has_got = stored != nullptr && stored->has_value();
          bool has_want = wi != want[d].end();
          if (has_got != has_want) {
            cmp.fail(window_name(host, g, start, d) +
                     (has_want ? ": missing in the store" : ": not in the oracle"));
            continue;
          }
          if (!has_want)
            continue;
          ++cmp.windows;
          const auto& s = **stored;
          const auto& w = wi->second;
          auto values = s.counters.values();
          for (size_t i = 0; i < of::count; ++i)
            if (values[i] != w.counters[i])
              cmp.fail(window_name(host, g, start, d) + ": " + field_names[i] + " got " +
                       std::to_string(values[i]) + " want " + std::to_string(w.counters[i]));
          std::pair<uint64_t, size_t> distinct[3] = {
              {s.distinct_peers, w.peers.size()},
              {s.distinct_peer_ports, w.peer_ports.size()},
              {s.distinct_local_ports, w.local_ports.size()}};
          const char* names[3] = {"distinct_peers", "distinct_peer_ports", "distinct_local_ports"};
          for (int k = 0; k < 3; ++k) {
            if (distinct[k].second > 1024)
              ++cmp.approximate;
            if (!distinct_ok(distinct[k].first, distinct[k].second))
              cmp.fail(window_name(host, g, start, d) + ": " + names[k] + " got " +
                       std::to_string(distinct[k].first) + " want " +
                       std::to_string(distinct[k].second));
          }
        }
      }
    }
  }
  // No host beyond the oracle's: every window's host list in the rankings.
  std::set<std::pair<uint32_t, int64_t>> keys;
  for (const auto& [key, hosts] : expected_hosts)
    keys.insert(key);
  // Also a few windows either side of the expected range.
  for (uint32_t g : granularities) {
    int64_t width = int64_t{g} * 1000;
    int64_t lo = std::numeric_limits<int64_t>::max(), hi = std::numeric_limits<int64_t>::min();
    for (const auto& [key, hosts] : expected_hosts)
      if (key.first == g) {
        lo = std::min(lo, key.second);
        hi = std::max(hi, key.second);
      }
    if (lo > hi)
      continue;
    for (int64_t s = lo - 3 * width; s <= hi + 3 * width; s += width)
      keys.insert({g, s});
  }
  for (const auto& key : keys) {
    std::set<ip_address> ranked;
    auto st = ps.rankings_of(key.first, key.second, std::nullopt,
                             [&](const ip_address& a, const ranking_value&) {
                               ranked.insert(a);
                               return true;
                             });
    REQUIRE_MESSAGE(st.ok(), st.to_string());
    auto it = expected_hosts.find(key);
    std::set<ip_address> want = it == expected_hosts.end() ? std::set<ip_address>{} : it->second;
    if (ranked != want)
      cmp.fail("rankings of " + std::to_string(key.first) + "s@" + format_epoch_ms(key.second) +
               ": " + std::to_string(ranked.size()) + " hosts, oracle " +
               std::to_string(want.size()));
  }
  return cmp;
}

void report(const comparison& cmp) {
  MESSAGE("compared " << cmp.windows << " host windows (10/30/60/300 s, both directions) of "
                      << cmp.hosts << " hosts; " << cmp.approximate
                      << " distinct counts above the exact limit; " << cmp.mismatches
                      << " mismatches");
  for (const auto& m : cmp.first)
    MESSAGE("mismatch: " << m);
  CHECK(cmp.mismatches == 0);
}

/// Per host and direction, the scaled packets, bytes and flows of its records.
std::map<std::pair<ip_address, int>, std::array<uint64_t, 3>>
record_totals(const std::vector<flow_record>& records) {
  auto net = monitored_network();
  std::map<std::pair<ip_address, int>, std::array<uint64_t, 3>> totals;
  for (const auto& r : records) {
    uint64_t scale = r.sampling_interval == 0 ? 1 : r.sampling_interval;
    std::array<uint64_t, 3> add = {r.packets * scale, r.bytes * scale, scale};
    for (int d = 0; d < 2; ++d) {
      const auto& host = d == 0 ? r.src_addr : r.dst_addr;
      if (!net.contains(host))
        continue;
      auto& t = totals[{host, d}];
      for (int i = 0; i < 3; ++i)
        t[i] += add[i];
    }
  }
  return totals;
}

/// The sum of each host's stored 10 s windows equals the sum of its records.
void check_conservation(const std::shared_ptr<store>& db, const std::vector<flow_record>& records) {
  profile_store ps{db};
  size_t bad = 0, hosts = 0;
  for (const auto& [key, want] : record_totals(records)) {
    std::array<uint64_t, 3> got{};
    ++hosts;
    auto st = ps.windows_of(key.first, 10, 0, std::numeric_limits<int64_t>::max() / 2,
                            [&](stored_window&& w) {
                              const auto& s = key.second == 0 ? w.out : w.in;
                              if (s) {
                                got[0] += s->counters.packets;
                                got[1] += s->counters.bytes;
                                got[2] += s->counters.flows;
                              }
                              return true;
                            });
    REQUIRE(st.ok());
    if (got != want && ++bad <= 5)
      MESSAGE("not conserved: " << key.first.to_string() << (key.second == 0 ? " out" : " in")
                                << " packets " << got[0] << "/" << want[0] << " bytes " << got[1]
                                << "/" << want[1] << " flows " << got[2] << "/" << want[2]);
  }
  MESSAGE("conservation checked for " << hosts << " host directions");
  CHECK(bad == 0);
}

} // namespace

TEST_SUITE("profile_pipeline") {

  TEST_CASE("profile_pipeline oracle: with 600 s lateness every window matches") {
    const auto& records = capture_records();
    REQUIRE(records.size() == 143'481);
    auto o = run_oracle(records, 600'000);
    // The capture lies within 600 s: nothing late, folded or too old.
    for (const auto& [exporter, c] : o.time_counters()) {
      REQUIRE(c.late_records == 0);
      REQUIRE(c.folded_records == 0);
      REQUIRE(c.too_old_records == 0);
    }
    auto run = run_pipeline(records, 600'000);
    auto counters = shard_time_counters(run);
    REQUIRE(counters.size() == 1);
    for (const auto& [exporter, c] : counters) {
      CHECK(c.records == run.routed.outgoing + run.routed.incoming + run.routed.external);
      CHECK(c.late_records == 0);
      CHECK(c.late_bytes == 0);
      CHECK(c.folded_records == 0);
      CHECK(c.folded_bytes == 0);
      CHECK(c.too_old_records == 0);
      CHECK(c.too_old_bytes == 0);
    }
    CHECK(run.routed.unmonitored == o.unmonitored());
    report(compare_with_store(run.db, o));
  }

  TEST_CASE("profile_pipeline oracle: with less lateness late and folded records match") {
    const auto& records = capture_records();
    // 130 s covers this capture (its records trail the newest end by at most
    // 129 s: nothing late); 120 s (the default) and 30 s make records late
    // and folded.
    for (int64_t lateness_ms : {130'000, 120'000, 30'000}) {
      CAPTURE(lateness_ms);
      auto o = run_oracle(records, lateness_ms);
      REQUIRE(o.time_counters().size() == 1);
      const auto& want = o.time_counters().begin()->second;
      MESSAGE("lateness " << lateness_ms / 1000 << " s, oracle: " << want.late_records
                          << " late views (" << want.late_bytes << " B), " << want.folded_records
                          << " folded (" << want.folded_bytes << " B)");
      if (lateness_ms < 130'000) {
        // The setting must exercise both rules.
        REQUIRE(want.late_records > 0);
        REQUIRE(want.folded_records > 0);
      }
      REQUIRE(want.too_old_records == 0);

      auto run = run_pipeline(records, lateness_ms);
      auto counters = shard_time_counters(run);
      REQUIRE(counters.size() == 1);
      const auto& got = counters.begin()->second;
      CHECK(counters.begin()->first == o.time_counters().begin()->first);
      CHECK(got.late_records == want.late_records);
      CHECK(got.late_bytes == want.late_bytes);
      CHECK(got.folded_records == want.folded_records);
      CHECK(got.folded_bytes == want.folded_bytes);
      CHECK(got.too_old_records == 0);
      report(compare_with_store(run.db, o));
      check_conservation(run.db, records);
    }
  }

  TEST_CASE(
      "profile_pipeline oracle: records beyond the hard limit are too_old and change nothing") {
    const auto& records = capture_records();
    auto net = monitored_network();
    auto extended = records;
    // Every 97th record once more, two hours earlier, after the stream has
    // advanced: far beyond the 1 h hard limit.
    uint64_t want_records = 0, want_bytes = 0;
    for (size_t i = 0; i < records.size(); i += 97) {
      auto r = records[i];
      r.start_ms -= 7'200'000;
      r.end_ms -= 7'200'000;
      bool src = net.contains(r.src_addr), dst = net.contains(r.dst_addr);
      if (!src && !dst)
        continue;
      // One view per monitored end, and one for an external source.
      uint64_t views = (src ? 1 : 0) + (dst ? 1 : 0) + (src ? 0 : 1);
      uint64_t scale = r.sampling_interval == 0 ? 1 : r.sampling_interval;
      want_records += views;
      want_bytes += views * r.bytes * scale;
      extended.push_back(r);
    }
    REQUIRE(want_records > 0);
    auto base = run_oracle(records, 130'000);
    auto o = run_oracle(extended, 130'000);
    const auto& oc = o.time_counters().begin()->second;
    REQUIRE(oc.too_old_records == want_records);
    REQUIRE(oc.too_old_bytes == want_bytes);

    auto run = run_pipeline(extended, 130'000);
    auto counters = shard_time_counters(run);
    REQUIRE(counters.size() == 1);
    const auto& got = counters.begin()->second;
    MESSAGE((extended.size() - records.size()) << " records appended 2 h in the past: "
                                               << want_records << " views, " << want_bytes << " B");
    CHECK(got.too_old_records == want_records);
    CHECK(got.too_old_bytes == want_bytes);
    // Late and folded as without them.
    const auto& bc = base.time_counters().begin()->second;
    CHECK(got.late_records == bc.late_records);
    CHECK(got.late_bytes == bc.late_bytes);
    CHECK(got.folded_records == bc.folded_records);
    CHECK(got.folded_bytes == bc.folded_bytes);
    // No window changed: the store equals the oracle of the capture alone.
    report(compare_with_store(run.db, base));
    check_conservation(run.db, records);
  }

  TEST_CASE("profile_pipeline oracle: external sources get 1 min windows") {
    const auto& records = capture_records();
    // 30 s lateness: many external records are late and go to the oldest
    // open window.
    for (int64_t lateness_ms : {130'000, 30'000}) {
      CAPTURE(lateness_ms);
      auto o = run_oracle(records, lateness_ms);
      auto run = run_pipeline(records, lateness_ms, true);
      const auto& want = o.externals();
      std::map<std::pair<ip_address, int64_t>, closed_external_window> got;
      size_t duplicates = 0;
      for (const auto& e : run.externals.externals)
        if (!got.emplace(std::make_pair(e.source, e.start_ms), e).second)
          ++duplicates;
      CHECK(duplicates == 0);
      CHECK(got.size() == want.size());

      size_t mismatches = 0, compared = 0;
      auto fail = [&](const std::string& what) {
        if (++mismatches <= 10)
          MESSAGE("mismatch: " << what);
      };
      for (const auto& [key, w] : want) {
        auto name = key.first.to_string() + " @" + format_epoch_ms(key.second);
        auto it = got.find(key);
        if (it == got.end()) {
          fail(name + ": not published");
          continue;
        }
        ++compared;
        const auto& g = it->second;
        if (g.flows != w.flows || g.packets != w.packets || g.bytes != w.bytes ||
            g.syn_only_flows != w.syn_only_flows)
          fail(name + ": flows/packets/bytes/syn-only " + std::to_string(g.flows) + "/" +
               std::to_string(g.packets) + "/" + std::to_string(g.bytes) + "/" +
               std::to_string(g.syn_only_flows) + " want " + std::to_string(w.flows) + "/" +
               std::to_string(w.packets) + "/" + std::to_string(w.bytes) + "/" +
               std::to_string(w.syn_only_flows));
        if (!distinct_ok(g.destinations, w.destinations.size()) ||
            !distinct_ok(g.ports, w.ports.size()))
          fail(name + ": destinations/ports " + std::to_string(g.destinations) + "/" +
               std::to_string(g.ports) + " want " + std::to_string(w.destinations.size()) + "/" +
               std::to_string(w.ports.size()));
      }
      for (const auto& [key, g] : got)
        if (want.count(key) == 0)
          fail(key.first.to_string() + " @" + format_epoch_ms(key.second) + ": not in the oracle");

      // The labelled external attackers, spelled out.
      auto scanner = *ip_address::parse("198.51.100.23");
      auto brute = *ip_address::parse("203.0.113.66");
      uint64_t scanner_flows = 0, scanner_ports = 0, brute_flows = 0, spoofed_sources = 0;
      auto victim = *ip_address::parse("10.10.1.10");
      std::set<ip_address> spoofed;
      for (const auto& r : records)
        if (r.dst_addr == victim && r.dst_port == 443 && r.protocol == 6 &&
            (r.tcp_flags & 0x3f) == 0x02 && !monitored_network().contains(r.src_addr))
          spoofed.insert(r.src_addr);
      uint64_t spoofed_flows_got = 0, spoofed_flows_want = 0;
      for (const auto& [key, g] : got) {
        if (key.first == scanner) {
          scanner_flows += g.flows;
          scanner_ports = std::max(scanner_ports, g.ports);
        } else if (key.first == brute) {
          brute_flows += g.flows;
        } else if (spoofed.count(key.first)) {
          spoofed_flows_got += g.flows;
          ++spoofed_sources;
        }
      }
      for (const auto& [key, w] : want)
        if (spoofed.count(key.first))
          spoofed_flows_want += w.flows;
      MESSAGE("external windows: " << compared << " compared of " << want.size() << " ("
                                   << got.size() << " published); scanner " << scanner_flows
                                   << " flows, up to " << scanner_ports << " ports/min; ssh brute "
                                   << brute_flows << " flows; SYN-flood " << spoofed_sources
                                   << " spoofed-source windows, " << spoofed_flows_got << " flows");
      CHECK(scanner_flows > 0);
      CHECK(spoofed.size() > 10'000);
      CHECK(spoofed_flows_got == spoofed_flows_want);
      CHECK(mismatches == 0);
    }
  }

} // TEST_SUITE
