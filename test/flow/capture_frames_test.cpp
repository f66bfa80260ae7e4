// Frame parsing of capture_reader on captures written here, one per link
// type and header arrangement the real captures do not all show.

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

#include <doctest/doctest.h>
#include <pcap/pcap.h>

#include "flow/capture_file.hpp"

using namespace hostflow;
namespace fs = std::filesystem;

namespace {

using bytes = std::vector<uint8_t>;

// -- frame builders ----------------------------------------------------------------

void put16(bytes& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}

bytes operator+(bytes a, const bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

const bytes payload = {0, 10, 0, 20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

bytes udp(uint16_t length_bias = 0) {
  bytes b;
  put16(b, 50000);
  put16(b, 4739);
  put16(b, static_cast<uint16_t>(8 + payload.size() + length_bias));
  put16(b, 0);
  return b + payload;
}

/// IPv4 192.0.2.1 -> 198.51.100.2 carrying `l4` (protocol `proto`).
bytes ipv4(const bytes& l4, uint8_t proto = 17, uint16_t fragment = 0, size_t padding = 0) {
  bytes b = {0x45, 0};
  put16(b, static_cast<uint16_t>(20 + l4.size()));
  put16(b, 1);
  put16(b, fragment);
  b.insert(b.end(), {64, proto, 0, 0, 192, 0, 2, 1, 198, 51, 100, 2});
  b = b + l4;
  b.resize(b.size() + padding);
  return b;
}

/// IPv6 2001:db8::1 -> 2001:db8::2; `chain` holds extension headers whose
/// next-header bytes the caller set, `first` is the first next header.
bytes ipv6(const bytes& chain_and_l4, uint8_t first = 17) {
  bytes b = {0x60, 0, 0, 0};
  put16(b, static_cast<uint16_t>(chain_and_l4.size()));
  b.insert(b.end(), {first, 64});
  for (uint8_t last : {1, 2}) {
    b.insert(b.end(), {0x20, 0x01, 0x0d, 0xb8});
    b.resize(b.size() + 11);
    b.push_back(last);
  }
  return b + chain_and_l4;
}

bytes ethernet(uint16_t type, const bytes& l3, std::initializer_list<uint16_t> tags = {}) {
  bytes b = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};
  for (auto tag_type : tags) {
    put16(b, tag_type);
    put16(b, 100); // VLAN id
  }
  put16(b, type);
  return b + l3;
}

// -- capture files ---------------------------------------------------------------------

struct frame {
  bytes data;
  size_t wire_length = 0; ///< 0: the frame was captured whole
};

/// A capture in the temp directory, removed when the test ends.
struct temp_capture {
  fs::path path;

  explicit temp_capture(const std::string& name)
      : path(fs::temp_directory_path() / ("hostflow-" + std::to_string(::getpid()) + "-" + name)) {}
  ~temp_capture() {
    std::error_code ec;
    fs::remove(path, ec);
  }

  /// Writes a pcap of link type `dlt`, one frame per second from 2024-03-04T09:00:00Z.
  void write_pcap(int dlt, const std::vector<frame>& frames) {
    pcap_t* dead = pcap_open_dead(dlt, 262144);
    pcap_dumper_t* dumper = pcap_dump_open(dead, path.c_str());
    REQUIRE(dumper != nullptr);
    long second = 1709542800;
    for (const auto& f : frames) {
      pcap_pkthdr h{};
      h.ts.tv_sec = second++;
      h.ts.tv_usec = 250'000;
      h.caplen = static_cast<bpf_u_int32>(f.data.size());
      h.len = static_cast<bpf_u_int32>(f.wire_length != 0 ? f.wire_length : f.data.size());
      pcap_dump(reinterpret_cast<u_char*>(dumper), &h, f.data.data());
    }
    pcap_dump_close(dumper);
    pcap_close(dead);
  }

  capture_contents read() const {
    std::string error;
    auto contents = read_capture(path.string(), error);
    INFO(error);
    REQUIRE(contents.has_value());
    return std::move(*contents);
  }
};

void check_datagram(const captured_datagram& dg, const char* source, const char* destination) {
  CHECK(dg.source.to_string() == source);
  CHECK(dg.destination.to_string() == destination);
  CHECK(dg.payload == payload);
}

void check_v4(const captured_datagram& dg) {
  check_datagram(dg, "192.0.2.1:50000", "198.51.100.2:4739");
}

void check_v6(const captured_datagram& dg) {
  check_datagram(dg, "[2001:db8::1]:50000", "[2001:db8::2]:4739");
}

bytes sll(uint16_t type, const bytes& l3) {
  bytes b = {0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0};
  put16(b, type);
  return b + l3;
}

bytes sll2(uint16_t type, const bytes& l3) {
  bytes b;
  put16(b, type);
  b.insert(b.end(), {0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0});
  return b + l3;
}

} // namespace

// -- link layers -----------------------------------------------------------------------

TEST_CASE("Ethernet frames with 802.1Q and stacked 802.1ad tags yield their UDP payloads") {
  temp_capture cap{"vlan.pcap"};
  cap.write_pcap(DLT_EN10MB, {{ethernet(0x0800, ipv4(udp()))},
                              {ethernet(0x0800, ipv4(udp()), {0x8100})},
                              {ethernet(0x86dd, ipv6(udp()), {0x88a8, 0x8100})}});
  auto c = cap.read();
  REQUIRE(c.datagrams.size() == 3);
  check_v4(c.datagrams[0]);
  check_v4(c.datagrams[1]);
  check_v6(c.datagrams[2]);
  CHECK(c.datagrams[0].timestamp_ms == 1709542800250);
  CHECK(c.datagrams[2].timestamp_ms == 1709542802250);
}

TEST_CASE("Linux cooked v1 and v2 frames yield their UDP payloads") {
  temp_capture v1{"sll.pcap"};
  v1.write_pcap(DLT_LINUX_SLL, {{sll(0x0800, ipv4(udp()))}, {sll(0x86dd, ipv6(udp()))}});
  auto c1 = v1.read();
  REQUIRE(c1.datagrams.size() == 2);
  check_v4(c1.datagrams[0]);
  check_v6(c1.datagrams[1]);

  temp_capture v2{"sll2.pcap"};
  v2.write_pcap(276, {{sll2(0x86dd, ipv6(udp()))}, {sll2(0x0806, bytes(28))}});
  auto c2 = v2.read();
  REQUIRE(c2.datagrams.size() == 1);
  check_v6(c2.datagrams[0]);
  CHECK(c2.stats.non_ip == 1);
}

TEST_CASE("loopback frames in either byte order and raw IP frames yield their UDP payloads") {
  temp_capture null{"null.pcap"};
  null.write_pcap(DLT_NULL, {{bytes{2, 0, 0, 0} + ipv4(udp())},   // little-endian AF_INET
                             {bytes{0, 0, 0, 30} + ipv6(udp())},  // big-endian macOS AF_INET6
                             {bytes{7, 0, 0, 0} + ipv4(udp())}}); // not IP
  auto c = null.read();
  REQUIRE(c.datagrams.size() == 2);
  check_v4(c.datagrams[0]);
  check_v6(c.datagrams[1]);
  CHECK(c.stats.non_ip == 1);

  temp_capture loop{"loop.pcap"};
  loop.write_pcap(DLT_LOOP, {{bytes{0, 0, 0, 24} + ipv6(udp())}});
  REQUIRE(loop.read().datagrams.size() == 1);

  for (int dlt : {DLT_RAW, 228, 229}) {
    CAPTURE(dlt);
    temp_capture raw{"raw.pcap"};
    raw.write_pcap(dlt, {{dlt == 229 ? ipv6(udp()) : ipv4(udp())}});
    auto r = raw.read();
    REQUIRE(r.datagrams.size() == 1);
    CHECK(r.datagrams[0].payload == payload);
  }
}

TEST_CASE("a pcapng capture is read like a pcap") {
  // Section header, one Ethernet interface, one enhanced packet block; the
  // writer's byte order (little-endian here) is what readers must follow.
  auto le32 = [](bytes& b, uint32_t v) {
    for (int i = 0; i < 4; ++i)
      b.push_back(static_cast<uint8_t>(v >> (8 * i)));
  };
  bytes file;
  for (uint32_t v : {0x0a0d0d0au, 28u, 0x1a2b3c4du, 1u, 0xffffffffu, 0xffffffffu, 28u})
    le32(file, v);
  for (uint32_t v : {1u, 20u, 1u /* linktype Ethernet */, 262144u, 20u})
    le32(file, v);
  bytes packet = ethernet(0x0800, ipv4(udp()));
  uint64_t us = 1709542800250000;
  size_t padded = (packet.size() + 3) / 4 * 4;
  auto total = static_cast<uint32_t>(32 + padded);
  for (uint32_t v : {6u, total, 0u, static_cast<uint32_t>(us >> 32), static_cast<uint32_t>(us),
                     static_cast<uint32_t>(packet.size()), static_cast<uint32_t>(packet.size())})
    le32(file, v);
  file = file + packet;
  file.resize(file.size() + padded - packet.size());
  le32(file, total);

  temp_capture cap{"frames.pcapng"};
  std::ofstream{cap.path, std::ios::binary}.write(reinterpret_cast<const char*>(file.data()),
                                                  static_cast<std::streamsize>(file.size()));
  auto c = cap.read();
  CHECK(c.format == capture_format::pcapng);
  REQUIRE(c.datagrams.size() == 1);
  check_v4(c.datagrams[0]);
  CHECK(c.datagrams[0].timestamp_ms == 1709542800250);
}

TEST_CASE("a capture of an unsupported link type is an error naming it") {
  temp_capture cap{"wifi.pcap"};
  cap.write_pcap(DLT_IEEE802_11, {{bytes(64)}});
  std::string error;
  CHECK_FALSE(read_capture(cap.path.string(), error).has_value());
  CHECK(error == cap.path.string() + ": link type 105 (IEEE802_11) is not supported");
}

// -- network and transport layers --------------------------------------------------------

TEST_CASE("IPv6 extension headers are walked to reach UDP") {
  bytes hop_by_hop = {43, 0, 1, 4, 0, 0, 0, 0}; // next: routing
  bytes routing = {60, 2, 0, 0, 0, 0, 0, 0};    // 24 bytes, next: dest options
  routing.resize(24);
  bytes destination = {44, 0, 1, 4, 0, 0, 0, 0};     // next: fragment
  bytes atomic_fragment = {17, 0, 0, 0, 0, 0, 0, 1}; // offset 0, no more: whole
  temp_capture cap{"ext.pcap"};
  cap.write_pcap(
      DLT_EN10MB,
      {{ethernet(0x86dd, ipv6(hop_by_hop + routing + destination + atomic_fragment + udp(), 0))}});
  auto c = cap.read();
  REQUIRE(c.datagrams.size() == 1);
  check_v6(c.datagrams[0]);
  CHECK(c.stats.fragments == 0);
}

TEST_CASE("frames that are not UDP over IP are counted and skipped") {
  bytes tcp(20);
  bytes icmpv6(8);
  bytes llc = {0xaa, 0xaa, 3, 0, 0, 0};
  temp_capture cap{"other.pcap"};
  cap.write_pcap(DLT_EN10MB, {{ethernet(0x0806, bytes(28))},                      // ARP
                              {ethernet(0x0800, ipv4(tcp, 6))},                   // TCP (BGP, BMP)
                              {ethernet(0x86dd, ipv6(icmpv6, 58))},               // ICMPv6
                              {ethernet(static_cast<uint16_t>(llc.size()), llc)}, // 802.3 LLC
                              {ethernet(0x0800, ipv4(udp()))}});
  auto c = cap.read();
  CHECK(c.datagrams.size() == 1);
  CHECK(c.stats.frames == 5);
  CHECK(c.stats.non_ip == 2);
  CHECK(c.stats.non_udp == 2);
}

TEST_CASE("Ethernet padding after a short IP packet is not part of the datagram") {
  temp_capture cap{"padding.pcap"};
  cap.write_pcap(DLT_EN10MB, {{ethernet(0x0800, ipv4(udp(), 17, 0, 18))}});
  auto c = cap.read();
  REQUIRE(c.datagrams.size() == 1);
  check_v4(c.datagrams[0]);
}

TEST_CASE("frames cut short by the snap length or with inconsistent lengths are counted") {
  bytes whole = ethernet(0x0800, ipv4(udp()));
  bytes cut(whole.begin(), whole.end() - 4);
  bytes long_udp = ethernet(0x0800, ipv4(udp(100)));
  bytes bad_ihl = ethernet(0x0800, ipv4(udp()));
  bad_ihl[14] = 0x44; // header length 16 bytes, below the minimum
  temp_capture cap{"cut.pcap"};
  cap.write_pcap(DLT_EN10MB, {{cut, whole.size()}, {long_udp}, {bad_ihl}, {bytes(10), 60}});
  auto c = cap.read();
  CHECK(c.datagrams.empty());
  CHECK(c.stats.truncated == 4);
}

TEST_CASE("no cut of a frame is read past its captured length") {
  bytes options = {17, 0, 1, 4, 0, 0, 0, 0};
  bytes whole = ethernet(0x86dd, ipv6(options + udp(), 60), {0x88a8, 0x8100});
  std::vector<frame> frames;
  for (size_t n = 0; n < whole.size(); ++n)
    frames.push_back({bytes(whole.begin(), whole.begin() + static_cast<long>(n)), whole.size()});
  frames.push_back({whole});
  temp_capture cap{"cuts.pcap"};
  cap.write_pcap(DLT_EN10MB, frames);
  auto c = cap.read();
  REQUIRE(c.datagrams.size() == 1);
  check_v6(c.datagrams[0]);
  CHECK(c.stats.truncated == whole.size());
}

TEST_CASE("a first fragment yields the part it holds and later fragments are skipped") {
  bytes first_v4 = ethernet(0x0800, ipv4(udp(1000), 17, 0x2000)); // more fragments
  bytes later_v4 = ethernet(0x0800, ipv4(bytes(64), 17, 0x00b9)); // offset 1480
  bytes later_v6 = ethernet(0x86dd, ipv6(bytes{17, 0, 0x05, 0xc8, 0, 0, 0, 9} + bytes(64), 44));
  bytes first_v6 = ethernet(0x86dd, ipv6(bytes{17, 0, 0, 1, 0, 0, 0, 9} + udp(1000), 44));
  temp_capture cap{"fragments.pcap"};
  cap.write_pcap(DLT_EN10MB, {{first_v4}, {later_v4}, {first_v6}, {later_v6}});
  auto c = cap.read();
  REQUIRE(c.datagrams.size() == 2);
  check_v4(c.datagrams[0]);
  check_v6(c.datagrams[1]);
  CHECK(c.stats.fragments == 4);
  CHECK(c.stats.truncated == 0);
}
