#pragma once

// Builders for hand-made export datagrams with realistic defaults, for
// edge cases the real captures do not cover.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "flow/byte_view.hpp"
#include "flow/ip_address.hpp"

namespace hostflow::test {

/// Big-endian byte writer with length patching for sets and messages.
struct byte_writer {
  std::vector<uint8_t> bytes;

  void u8(uint64_t v) { bytes.push_back(static_cast<uint8_t>(v)); }
  void u16(uint64_t v) {
    u8(v >> 8);
    u8(v);
  }
  void u32(uint64_t v) {
    u16(v >> 16);
    u16(v);
  }
  void u64(uint64_t v) {
    u32(v >> 32);
    u32(v);
  }
  void ipv4(const std::string& text) {
    auto a = ip_address::parse(text).value();
    bytes.insert(bytes.end(), a.bytes.begin() + 12, a.bytes.end());
  }
  void ipv6(const std::string& text) {
    auto a = ip_address::parse(text).value();
    bytes.insert(bytes.end(), a.bytes.begin(), a.bytes.end());
  }
  void zeros(size_t n) { bytes.insert(bytes.end(), n, 0); }
  size_t size() const { return bytes.size(); }
  void patch16(size_t at, uint64_t v) {
    bytes[at] = static_cast<uint8_t>(v >> 8);
    bytes[at + 1] = static_cast<uint8_t>(v);
  }
  byte_view view() const { return {bytes.data(), bytes.size()}; }
};

/// A template field specifier: element id, length and optional enterprise number.
struct field_spec {
  uint16_t id;
  uint16_t length;
  uint32_t enterprise = 0;
};

/// Shared shape of v9 and IPFIX messages: a header, then sets with lengths.
struct message_builder : byte_writer {
  size_t set_start = 0;

  /// Opens a set; close it with end_set() (which pads to `pad_to` bytes).
  void begin_set(uint16_t id) {
    set_start = size();
    u16(id);
    u16(0);
  }
  void end_set(size_t pad_to = 1) {
    while ((size() - set_start) % pad_to != 0)
      u8(0);
    patch16(set_start + 2, size() - set_start);
  }
  /// A data/template record header + fields, as v9 and IPFIX templates share it.
  void template_record(uint16_t id, std::initializer_list<field_spec> fields) {
    u16(id);
    u16(fields.size());
    for (const auto& f : fields) {
      u16(f.enterprise != 0 ? (f.id | 0x8000) : f.id);
      u16(f.length);
      if (f.enterprise != 0)
        u32(f.enterprise);
    }
  }
};

/// IPFIX message: header(16) + sets; finish() writes the total length.
struct ipfix_builder : message_builder {
  explicit ipfix_builder(uint32_t sequence = 0, uint32_t domain = 1,
                         uint32_t export_secs = 1709542800) {
    u16(10);
    u16(0);
    u32(export_secs);
    u32(sequence);
    u32(domain);
  }
  std::vector<uint8_t> finish() {
    patch16(2, size());
    return bytes;
  }
  /// Options template record: id, field count, scope count, fields.
  void options_template_record(uint16_t id, uint16_t scope_count,
                               std::initializer_list<field_spec> fields) {
    u16(id);
    u16(fields.size());
    u16(scope_count);
    for (const auto& f : fields) {
      u16(f.id);
      u16(f.length);
    }
  }
};

/// NetFlow v9 datagram: header(20) + FlowSets.
struct v9_builder : message_builder {
  explicit v9_builder(uint32_t sequence = 0, uint32_t source_id = 1,
                      uint32_t uptime_ms = 100'000, uint32_t unix_secs = 1709542800) {
    u16(9);
    u16(0);
    u32(uptime_ms);
    u32(unix_secs);
    u32(sequence);
    u32(source_id);
  }
  std::vector<uint8_t> finish() { return bytes; }
};

/// The standard IPv4 5-tuple template used by most hand-built cases:
/// src(8) dst(12) sport(7) dport(11) proto(4) packets(2) bytes(1).
inline std::initializer_list<field_spec> ipv4_fields() {
  static const std::initializer_list<field_spec> f = {{8, 4}, {12, 4}, {7, 2}, {11, 2},
                                                      {4, 1}, {2, 4}, {1, 4}};
  return f;
}

/// Writes one record in ipv4_fields() layout.
inline void ipv4_record(byte_writer& w, const std::string& src, const std::string& dst,
                        uint16_t sport, uint16_t dport, uint8_t proto, uint32_t packets,
                        uint32_t bytes) {
  w.ipv4(src);
  w.ipv4(dst);
  w.u16(sport);
  w.u16(dport);
  w.u8(proto);
  w.u32(packets);
  w.u32(bytes);
}

/// NetFlow v5 datagram with `count` records (record i: 10.0.0.i -> 192.0.2.1, i+1 packets).
inline std::vector<uint8_t> v5_datagram(uint16_t count, uint32_t flow_sequence,
                                        uint32_t uptime_ms = 100'000,
                                        uint32_t unix_secs = 1709542800,
                                        uint16_t sampling = 0) {
  byte_writer w;
  w.u16(5);
  w.u16(count);
  w.u32(uptime_ms);
  w.u32(unix_secs);
  w.u32(0);
  w.u32(flow_sequence);
  w.u8(0);
  w.u8(0);
  w.u16(sampling);
  for (uint16_t i = 0; i < count; ++i) {
    w.u32(0x0a000000u + i); // src 10.0.0.i
    w.ipv4("192.0.2.1");
    w.ipv4("0.0.0.0");
    w.u16(1);
    w.u16(2);
    w.u32(i + 1u);      // packets
    w.u32(100u * (i + 1)); // bytes
    w.u32(uptime_ms - 5000); // first
    w.u32(uptime_ms - 1000); // last
    w.u16(40000 + i);
    w.u16(443);
    w.u8(0);
    w.u8(0x12);
    w.u8(6);
    w.u8(0);
    w.u16(64500);
    w.u16(64501);
    w.u8(24);
    w.u8(16);
    w.u16(0);
  }
  return w.bytes;
}

} // namespace hostflow::test
