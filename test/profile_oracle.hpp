#pragma once

// A plain, single-threaded aggregation of flow records into host windows,
// written from docs/PROFILES.md alone: the reference the profile pipeline
// suites compare against. It deliberately shares no code with
// flow/profile_table, flow/host_profile or flow/window_stats (it only uses
// the record, address and prefix types) and favours obviousness over speed.

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "flow/cidr.hpp"
#include "flow/flow_record.hpp"
#include "flow/ip_address.hpp"

namespace hostflow::test {

/// The 19 counters of a window, in the order of window_counters::values().
namespace oracle_field {
enum : size_t {
  flows,
  packets,
  bytes,
  duration_ms,
  syn_flows,
  ack_flows,
  fin_flows,
  rst_flows,
  psh_flows,
  urg_flows,
  syn_only_flows,
  tcp_flows,
  udp_flows,
  icmp_flows,
  other_flows,
  tcp_bytes,
  udp_bytes,
  icmp_bytes,
  other_bytes,
  count
};
} // namespace oracle_field

using oracle_counters = std::array<uint64_t, oracle_field::count>;

/// One host's window (or 10 s bucket) in one direction.
struct oracle_window {
  oracle_counters counters{};
  std::set<ip_address> peers;
  std::set<uint16_t> peer_ports;
  std::set<uint16_t> local_ports;

  void merge(const oracle_window& o) {
    for (size_t i = 0; i < counters.size(); ++i)
      counters[i] += o.counters[i];
    peers.insert(o.peers.begin(), o.peers.end());
    peer_ports.insert(o.peer_ports.begin(), o.peer_ports.end());
    local_ports.insert(o.local_ports.begin(), o.local_ports.end());
  }
};

/// An external source's 1 min window.
struct oracle_external {
  uint64_t flows = 0, packets = 0, bytes = 0, syn_only_flows = 0;
  std::set<ip_address> destinations;
  std::set<uint16_t> ports;
};

/// Per exporter: how event time treated its records (per record view, like
/// the shards count them: a record with both ends monitored is two views).
struct oracle_time_counters {
  uint64_t late_records = 0, late_bytes = 0;
  uint64_t folded_records = 0, folded_bytes = 0;
  uint64_t too_old_records = 0, too_old_bytes = 0;
};

struct oracle_settings {
  int64_t allowed_lateness_ms = 120'000;
  int64_t hard_limit_ms = 3'600'000;
};

class profile_oracle {
public:
  static constexpr int64_t bucket = 10'000;
  static constexpr int64_t none = std::numeric_limits<int64_t>::min();

  profile_oracle(std::vector<cidr> monitored, oracle_settings settings)
      : monitored_(std::move(monitored)), settings_(settings) {}

  static int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
  }
  static int64_t bucket_of(int64_t ms) { return floor_div(ms, bucket); }

  bool monitored(const ip_address& a) const {
    for (const auto& c : monitored_)
      if (c.contains(a))
        return true;
    return false;
  }

  /// Takes the records in arrival order.
  void add(const flow_record& r) {
    // Watermark: per exporter and domain the newest end so far; the minimum
    // over them minus the allowed lateness; never backwards.
    auto key = std::make_pair(r.exporter, r.observation_domain);
    auto it = newest_.find(key);
    if (it == newest_.end())
      newest_.emplace(key, r.end_ms);
    else
      it->second = std::max(it->second, r.end_ms);
    int64_t low = std::numeric_limits<int64_t>::max();
    for (const auto& [k, v] : newest_)
      low = std::min(low, v);
    watermark_ = std::max(watermark_, low - settings_.allowed_lateness_ms);

    bool src = monitored(r.src_addr), dst = monitored(r.dst_addr);
    if (!src && !dst) {
      ++unmonitored_;
      return;
    }
    uint64_t scale = r.sampling_interval == 0 ? 1 : r.sampling_interval;
    auto& tc = time_[r.exporter];
    int views = (src ? 1 : 0) + (dst ? 1 : 0) + (!src ? 1 : 0);
    if (watermark_ != none && r.end_ms < watermark_ - settings_.hard_limit_ms) {
      tc.too_old_records += static_cast<uint64_t>(views);
      tc.too_old_bytes += static_cast<uint64_t>(views) * r.bytes * scale;
      return;
    }
    if (src)
      add_host(r, r.src_addr, 0, r.dst_addr, r.src_port, r.dst_port, scale, tc);
    if (dst)
      add_host(r, r.dst_addr, 1, r.src_addr, r.dst_port, r.src_port, scale, tc);
    if (!src)
      add_external(r, scale);
  }

  /// The buckets of a host in one direction (0 out, 1 in).
  const std::map<int64_t, oracle_window>& buckets(const ip_address& host, int dir) const {
    static const std::map<int64_t, oracle_window> empty;
    auto it = hosts_.find(host);
    return it == hosts_.end() ? empty : it->second[dir];
  }

  /// Every window of a granularity (seconds) of a host in one direction:
  /// start ms -> the union of its buckets.
  std::map<int64_t, oracle_window> windows(const ip_address& host, int dir,
                                           uint32_t granularity_s) const {
    std::map<int64_t, oracle_window> out;
    int64_t width = int64_t{granularity_s} * 1000;
    for (const auto& [b, w] : buckets(host, dir))
      out[floor_div(b * bucket, width) * width].merge(w);
    return out;
  }

  std::vector<ip_address> hosts() const {
    std::vector<ip_address> all;
    for (const auto& [a, d] : hosts_)
      all.push_back(a);
    std::sort(all.begin(), all.end());
    return all;
  }

  /// External windows: (source, start ms) -> counters.
  const std::map<std::pair<ip_address, int64_t>, oracle_external>& externals() const {
    return externals_;
  }

  const std::map<endpoint, oracle_time_counters>& time_counters() const { return time_; }
  int64_t watermark() const { return watermark_; }
  uint64_t unmonitored() const { return unmonitored_; }

private:
  static bool has_ports(uint8_t p) { return p == 6 || p == 17 || p == 33 || p == 132 || p == 136; }

  static size_t protocol_bytes_field(uint8_t p) {
    if (p == 6)
      return oracle_field::tcp_bytes;
    if (p == 17)
      return oracle_field::udp_bytes;
    if (p == 1 || p == 58)
      return oracle_field::icmp_bytes;
    return oracle_field::other_bytes;
  }

  // floor(amount * part / total)
  static uint64_t part_of(uint64_t amount, int64_t part, int64_t total) {
    return static_cast<uint64_t>(static_cast<unsigned __int128>(amount) *
                                 static_cast<uint64_t>(part) / static_cast<uint64_t>(total));
  }

  void add_host(const flow_record& r, const ip_address& host, int dir, const ip_address& peer,
                uint16_t local_port, uint16_t peer_port, uint64_t scale, oracle_time_counters& tc) {
    auto& buckets = hosts_[host][dir];
    int64_t end = r.end_ms;
    int64_t start = std::min(r.start_ms, end);
    int64_t d = end - start;
    uint64_t packets = r.packets * scale, bytes = r.bytes * scale;

    // Plain spreading, as if no watermark existed: bucket -> (packets, bytes).
    std::map<int64_t, std::pair<uint64_t, uint64_t>> spread;
    if (d == 0) {
      spread[bucket_of(end)] = {packets, bytes};
    } else {
      int64_t first = bucket_of(start), last = bucket_of(end);
      for (int64_t b = first; b <= last; ++b) {
        // Cumulative shares at the bucket's start and end.
        int64_t lo_t = std::max(start, b * bucket), hi_t = std::min(end, (b + 1) * bucket);
        uint64_t p_lo = b == first ? 0 : part_of(packets, lo_t - start, d);
        uint64_t y_lo = b == first ? 0 : part_of(bytes, lo_t - start, d);
        uint64_t p_hi = b == last ? packets : part_of(packets, hi_t - start, d);
        uint64_t y_hi = b == last ? bytes : part_of(bytes, hi_t - start, d);
        spread[b] = {p_hi - p_lo, y_hi - y_lo};
      }
    }

    int64_t flow_bucket = bucket_of(end);
    if (watermark_ != none) {
      int64_t open = bucket_of(watermark_); // the oldest open bucket
      if (end < watermark_) {
        // Late: whole, in the oldest open bucket.
        ++tc.late_records;
        tc.late_bytes += bytes;
        spread.clear();
        spread[open] = {packets, bytes};
        flow_bucket = open;
      } else if (start < watermark_) {
        // Folded: what lies before the watermark goes to the oldest open
        // bucket, the rest is spread as usual.
        ++tc.folded_records;
        tc.folded_bytes += part_of(bytes, watermark_ - start, d);
        uint64_t before_p = part_of(packets, watermark_ - start, d);
        uint64_t before_y = part_of(bytes, watermark_ - start, d);
        std::map<int64_t, std::pair<uint64_t, uint64_t>> folded;
        folded[open] = {before_p, before_y};
        // The rest: cumulative shares from the watermark on.
        int64_t last = bucket_of(end);
        for (int64_t b = open; b <= last; ++b) {
          int64_t lo_t = std::max(watermark_, b * bucket), hi_t = std::min(end, (b + 1) * bucket);
          uint64_t p_lo = part_of(packets, lo_t - start, d), y_lo = part_of(bytes, lo_t - start, d);
          uint64_t p_hi = b == last ? packets : part_of(packets, hi_t - start, d);
          uint64_t y_hi = b == last ? bytes : part_of(bytes, hi_t - start, d);
          folded[b].first += p_hi - p_lo;
          folded[b].second += y_hi - y_lo;
        }
        spread = std::move(folded);
      }
    }

    for (const auto& [b, py] : spread) {
      auto& w = buckets[b];
      w.counters[oracle_field::packets] += py.first;
      w.counters[oracle_field::bytes] += py.second;
      w.counters[protocol_bytes_field(r.protocol)] += py.second;
      w.peers.insert(peer);
      if (has_ports(r.protocol)) {
        w.peer_ports.insert(peer_port);
        w.local_ports.insert(local_port);
      }
    }

    auto& c = buckets[flow_bucket].counters;
    c[oracle_field::flows] += scale;
    c[oracle_field::duration_ms] += static_cast<uint64_t>(d) * scale;
    uint8_t f = r.tcp_flags;
    if (f & 0x02)
      c[oracle_field::syn_flows] += scale;
    if (f & 0x10)
      c[oracle_field::ack_flows] += scale;
    if (f & 0x01)
      c[oracle_field::fin_flows] += scale;
    if (f & 0x04)
      c[oracle_field::rst_flows] += scale;
    if (f & 0x08)
      c[oracle_field::psh_flows] += scale;
    if (f & 0x20)
      c[oracle_field::urg_flows] += scale;
    if ((f & 0x3f) == 0x02)
      c[oracle_field::syn_only_flows] += scale;
    if (r.protocol == 6)
      c[oracle_field::tcp_flows] += scale;
    else if (r.protocol == 17)
      c[oracle_field::udp_flows] += scale;
    else if (r.protocol == 1 || r.protocol == 58)
      c[oracle_field::icmp_flows] += scale;
    else
      c[oracle_field::other_flows] += scale;
  }

  void add_external(const flow_record& r, uint64_t scale) {
    int64_t at = r.end_ms;
    if (watermark_ != none && at < watermark_)
      at = bucket_of(watermark_) * bucket; // late: the oldest open window
    int64_t start = floor_div(at, 60'000) * 60'000;
    auto& e = externals_[{r.src_addr, start}];
    e.flows += scale;
    e.packets += r.packets * scale;
    e.bytes += r.bytes * scale;
    if ((r.tcp_flags & 0x3f) == 0x02)
      e.syn_only_flows += scale;
    e.destinations.insert(r.dst_addr);
    if (has_ports(r.protocol))
      e.ports.insert(r.dst_port);
  }

  std::vector<cidr> monitored_;
  oracle_settings settings_;
  std::map<std::pair<endpoint, uint32_t>, int64_t> newest_;
  int64_t watermark_ = none;
  uint64_t unmonitored_ = 0;
  std::unordered_map<ip_address, std::array<std::map<int64_t, oracle_window>, 2>> hosts_;
  std::map<std::pair<ip_address, int64_t>, oracle_external> externals_;
  std::map<endpoint, oracle_time_counters> time_;
};

} // namespace hostflow::test
