#pragma once

// Records for the host-profile benchmarks: the scenario capture decoded once
// and replayed as a continuous stream (every pass moved forward in event
// time), and a synthetic generator for many hosts. Shared by
// bench/profile_bench.cpp and bench/profile_throughput.cpp.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include "actors/router.hpp"
#include "flow/capture_file.hpp"
#include "flow/cidr.hpp"
#include "flow/flow_decoder.hpp"
#include "flow/flow_record.hpp"

namespace hostflow::bench {

// -- the scenario ---------------------------------------------------------------------

/// The monitored network of the scenario captures.
inline const char* const scenario_network = "10.10.0.0/16";

inline cidr parse_cidr(const std::string& text) {
  std::string error;
  auto c = cidr::parse(text, error);
  if (!c)
    throw std::runtime_error("bad prefix " + text + ": " + error);
  return *c;
}

/// The IPFIX scenario capture decoded once per process, each datagram at
/// its capture time, as the pipeline tests do (test/capture_records.hpp).
inline const std::vector<flow_record>& scenario_records() {
  static const std::vector<flow_record> records = [] {
    std::string path =
      std::string{HOSTFLOW_TESTDATA_DIR} + "/scenarios/attacks-300s.softflowd-ipfix.pcap";
    std::string error;
    auto contents = read_capture(path, error);
    if (!contents)
      throw std::runtime_error(path + ": " + error);
    flow_decoder decoder;
    std::vector<flow_record> out;
    for (const auto& dg : contents->datagrams)
      decoder.decode(dg.source, byte_view{dg.payload.data(), dg.payload.size()},
                     dg.timestamp_ms, out);
    return out;
  }();
  return records;
}

/// How far one pass of `records` is moved in event time so that passes join
/// up into one stream: the span of record ends, rounded up to whole 10 s
/// buckets, plus one bucket. Bucket-aligned, so every pass cuts the same
/// windows.
inline int64_t pass_shift_ms(const std::vector<flow_record>& records) {
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  for (const auto& r : records) {
    lo = std::min(lo, r.end_ms);
    hi = std::max(hi, r.end_ms);
  }
  int64_t span = hi - lo;
  return (span / 10'000 + 2) * 10'000;
}

/// Moves every record's times by `delta_ms`.
inline void shift_times(std::vector<flow_record>& records, int64_t delta_ms) {
  for (auto& r : records) {
    r.start_ms += delta_ms;
    r.end_ms += delta_ms;
  }
}

/// A routing table over `monitored` with `shards` shards whose actors are
/// null handles: enough for record_router::route, which only needs the
/// owner table and the number of shards.
inline std::shared_ptr<routing_table> detached_routing(const std::vector<cidr>& monitored,
                                                       uint32_t shards) {
  auto t = std::make_shared<routing_table>(
    routing_table{shard_map{default_virtual_shards, shards}, {}, false, exporter_selection{}});
  for (const auto& c : monitored)
    t->monitored.add(c);
  t->shards.attach(std::vector<host_shard_actor>(shards));
  return t;
}

// -- synthetic hosts ------------------------------------------------------------------

/// Many monitored hosts in 10.0.0.0/8, each talking to its own set of peers
/// outside the monitored networks, in both directions, with event time
/// moving on bucket by bucket.
struct synthetic_settings {
  uint32_t hosts = 100'000;
  uint32_t peers_per_host = 64;   ///< a host's peers; a window sees at most this many
  uint32_t records_per_bucket = 8; ///< per host and 10 s bucket, half out, half in
  uint32_t active_every = 1;      ///< a host has records in one bucket of this many
  uint32_t external_pool = 0;     ///< distinct external peers; 0: as many as hosts
  int64_t start_ms = 1'709'542'800'000; ///< 2024-03-04T09:00:00Z, like the scenario
};

/// splitmix64: cheap, stateless randomness for the generator.
inline uint64_t mix64(uint64_t x) noexcept {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

class synthetic_generator {
public:
  explicit synthetic_generator(synthetic_settings s) : s_(s) {
    if (s_.external_pool == 0)
      s_.external_pool = std::max<uint32_t>(1, s_.hosts);
    exporter_.address = ip_address::from_v4(0xc0000201); // 192.0.2.1
    exporter_.port = 4739;
  }

  const synthetic_settings& settings() const noexcept { return s_; }

  /// Address of monitored host i: 10.0.0.1 onwards.
  static ip_address host(uint32_t i) noexcept { return ip_address::from_v4(0x0a000001u + i); }

  /// Address of external peer j: 100.64.0.0/10 onwards (never monitored).
  static ip_address external(uint32_t j) noexcept {
    return ip_address::from_v4(0x64400000u + (j & 0x3fffff));
  }

  /// Appends every record of bucket `b` (0-based from start_ms), host by
  /// host. Record n of a host uses peer (b * records_per_bucket + n) mod
  /// peers_per_host, so a window of k buckets sees min(k * records, peers)
  /// distinct peers; even n are the host's outgoing flows, odd n incoming.
  void bucket(int64_t b, std::vector<flow_record>& out) const { bucket(b, 0, s_.hosts, out); }

  /// Same, for hosts [first, last) only (to generate a bucket in chunks).
  void bucket(int64_t b, uint32_t first, uint32_t last, std::vector<flow_record>& out) const {
    const int64_t bucket_start = s_.start_ms + b * 10'000;
    for (uint32_t i = first; i < last; ++i) {
      if ((static_cast<uint64_t>(b) + i) % s_.active_every != 0)
        continue;
      for (uint32_t n = 0; n < s_.records_per_bucket; ++n) {
        uint64_t rnd = mix64((uint64_t{i} << 32) ^ (uint64_t(b) << 8) ^ n);
        uint32_t k = static_cast<uint32_t>(
          (b / s_.active_every * s_.records_per_bucket + n) % s_.peers_per_host);
        uint32_t peer_index =
          static_cast<uint32_t>(mix64((uint64_t{i} << 8) ^ k) % s_.external_pool);
        flow_record r;
        r.exporter = exporter_;
        r.observation_domain = 1;
        auto h = host(i);
        auto p = external(peer_index);
        bool out_flow = (n % 2) == 0;
        static constexpr uint16_t services[] = {443, 80, 53, 22, 123, 445, 8080, 25};
        uint16_t service = services[(i + k) % 8];
        uint16_t ephemeral = static_cast<uint16_t>(32768 + (rnd >> 16) % 28000);
        r.protocol = service == 53 || service == 123 ? 17 : 6;
        r.tcp_flags = r.protocol == 6 ? 0x1b : 0;
        if (out_flow) {
          r.src_addr = h;
          r.dst_addr = p;
          r.src_port = ephemeral;
          r.dst_port = service;
        } else {
          r.src_addr = p;
          r.dst_addr = h;
          r.src_port = ephemeral;
          r.dst_port = services[i % 8];
        }
        r.packets = 1 + (rnd >> 40) % 64;
        r.bytes = r.packets * (60 + (rnd >> 20) % 1400);
        // Ends spread over the bucket in host order, so event time only
        // moves forward; durations up to 20 s span 1 to 3 buckets.
        r.end_ms = bucket_start + (int64_t{i} * 10'000) / s_.hosts;
        r.start_ms = r.end_ms - static_cast<int64_t>((rnd >> 8) % 20'000);
        out.push_back(r);
      }
    }
  }

private:
  synthetic_settings s_;
  endpoint exporter_;
};

// -- process measurements ---------------------------------------------------------------

/// Resident set size in bytes (/proc/self/statm).
inline uint64_t rss_bytes() {
  std::ifstream in("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  in >> size >> resident;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

/// Heap bytes in use per glibc (allocated chunks, including their headers).
inline uint64_t heap_in_use_bytes() {
  auto m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

/// User + system CPU seconds of the process (all threads).
inline double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

/// Bytes this process caused to be written to storage (/proc/self/io).
inline uint64_t io_write_bytes() {
  std::ifstream in("/proc/self/io");
  std::string key;
  uint64_t value = 0;
  while (in >> key >> value)
    if (key == "write_bytes:")
      return value;
  return 0;
}

/// MemAvailable of /proc/meminfo, bytes.
inline uint64_t mem_available_bytes() {
  std::ifstream in("/proc/meminfo");
  std::string key, unit;
  uint64_t value = 0;
  while (in >> key >> value >> unit)
    if (key == "MemAvailable:")
      return value * 1024;
  return 0;
}

/// A fresh directory under $TMPDIR (or /tmp), removed by the destructor.
class temp_dir {
public:
  temp_dir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string{base ? base : "/tmp"} + "/hostflow-pbench-XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (!mkdtemp(buf.data()))
      throw std::runtime_error("mkdtemp failed");
    path_ = buf.data();
  }
  ~temp_dir() {
    std::string cmd = "rm -rf '" + path_ + "'";
    if (std::system(cmd.c_str()) != 0)
      std::fprintf(stderr, "could not remove %s\n", path_.c_str());
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::string& path() const noexcept { return path_; }

private:
  std::string path_;
};

/// Bytes of the files under `dir` (du -sb).
inline uint64_t dir_bytes(const std::string& dir) {
  std::string cmd = "du -sb '" + dir + "' 2>/dev/null";
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
  uint64_t n = 0;
  if (p && std::fscanf(p.get(), "%lu", &n) != 1)
    n = 0;
  return n;
}

} // namespace hostflow::bench
