#include "flow/ipfix_encoder.hpp"

#include <algorithm>
#include <iterator>
#include <optional>

namespace hostflow {

namespace {

constexpr size_t message_header_bytes = 16;
constexpr size_t set_header_bytes = 4;
constexpr uint16_t template_set_id = 2;

/// One exported field: information element id and length on the wire.
struct field {
  uint16_t id;
  uint16_t length;
};

// The address fields first (IE 8/12 for IPv4, 27/28 for IPv6), then the
// rest, alike for both families.
constexpr field v4_address_fields[] = {{8, 4}, {12, 4}};
constexpr field v6_address_fields[] = {{27, 16}, {28, 16}};
constexpr field common_fields[] = {
  {7, 2},   // sourceTransportPort
  {11, 2},  // destinationTransportPort
  {4, 1},   // protocolIdentifier
  {6, 2},   // tcpControlBits
  {2, 8},   // packetDeltaCount
  {1, 8},   // octetDeltaCount
  {152, 8}, // flowStartMilliseconds
  {153, 8}, // flowEndMilliseconds
  {10, 4},  // ingressInterface
  {14, 4},  // egressInterface
};

constexpr size_t common_bytes = 2 + 2 + 1 + 2 + 8 + 8 + 8 + 8 + 4 + 4;

size_t record_bytes(bool v4) {
  return (v4 ? 8 : 32) + common_bytes;
}

void put16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}

void put32(std::vector<uint8_t>& out, uint32_t v) {
  put16(out, static_cast<uint16_t>(v >> 16));
  put16(out, static_cast<uint16_t>(v));
}

void put64(std::vector<uint8_t>& out, uint64_t v) {
  put32(out, static_cast<uint32_t>(v >> 32));
  put32(out, static_cast<uint32_t>(v));
}

void set16(std::vector<uint8_t>& out, size_t at, uint16_t v) {
  out[at] = static_cast<uint8_t>(v >> 8);
  out[at + 1] = static_cast<uint8_t>(v);
}

void put_template(std::vector<uint8_t>& out, uint16_t id, const field* address_fields) {
  put16(out, id);
  put16(out, static_cast<uint16_t>(2 + std::size(common_fields)));
  for (size_t i = 0; i < 2; ++i) {
    put16(out, address_fields[i].id);
    put16(out, address_fields[i].length);
  }
  for (const auto& f : common_fields) {
    put16(out, f.id);
    put16(out, f.length);
  }
}

void put_record(std::vector<uint8_t>& out, const flow_record& r, bool v4) {
  if (v4) {
    put32(out, r.src_addr.v4());
    put32(out, r.dst_addr.v4());
  } else {
    out.insert(out.end(), r.src_addr.bytes.begin(), r.src_addr.bytes.end());
    out.insert(out.end(), r.dst_addr.bytes.begin(), r.dst_addr.bytes.end());
  }
  put16(out, r.src_port);
  put16(out, r.dst_port);
  out.push_back(r.protocol);
  put16(out, r.tcp_flags);
  put64(out, r.packets);
  put64(out, r.bytes);
  put64(out, static_cast<uint64_t>(r.start_ms));
  put64(out, static_cast<uint64_t>(r.end_ms));
  put32(out, r.input_if);
  put32(out, r.output_if);
}

/// A message being filled: header written, length and sequence set at the end.
struct message_builder {
  std::vector<uint8_t> bytes;
  size_t set_start = 0;   ///< where the open data set begins; 0: none open
  uint16_t set_id = 0;    ///< its template id
  uint32_t records = 0;

  message_builder(uint32_t export_time_s, uint32_t sequence, uint32_t domain) {
    put16(bytes, 10);
    put16(bytes, 0); // length, set in finish()
    put32(bytes, export_time_s);
    put32(bytes, sequence);
    put32(bytes, domain);
  }

  void close_set() {
    if (set_start != 0)
      set16(bytes, set_start + 2, static_cast<uint16_t>(bytes.size() - set_start));
    set_start = 0;
  }

  void open_set(uint16_t id) {
    close_set();
    set_start = bytes.size();
    set_id = id;
    put16(bytes, id);
    put16(bytes, 0);
  }

  std::vector<uint8_t> finish() {
    close_set();
    set16(bytes, 2, static_cast<uint16_t>(bytes.size()));
    return std::move(bytes);
  }
};

} // namespace

ipfix_encoder::ipfix_encoder(uint32_t observation_domain, size_t max_message_bytes,
                             uint32_t template_every)
  : domain_(observation_domain), max_bytes_(std::max<size_t>(max_message_bytes, 256)),
    template_every_(std::max<uint32_t>(template_every, 1)) {}

std::vector<std::vector<uint8_t>> ipfix_encoder::encode(const std::vector<flow_record>& records,
                                                        uint32_t export_time_s) {
  std::vector<std::vector<uint8_t>> messages;
  std::optional<message_builder> m;
  auto start_message = [&] {
    m.emplace(export_time_s, sequence_, domain_);
    if (messages_ % template_every_ == 0) {
      m->open_set(template_set_id);
      put_template(m->bytes, ipfix_encoder_v4_template, v4_address_fields);
      put_template(m->bytes, ipfix_encoder_v6_template, v6_address_fields);
      m->close_set();
    }
    ++messages_;
  };
  auto finish_message = [&] {
    sequence_ += m->records;
    messages.push_back(m->finish());
    m.reset();
  };
  for (const auto& r : records) {
    bool v4 = r.src_addr.is_v4() && r.dst_addr.is_v4();
    uint16_t id = v4 ? ipfix_encoder_v4_template : ipfix_encoder_v6_template;
    if (!m)
      start_message();
    bool new_set = m->set_start == 0 || m->set_id != id;
    size_t need = record_bytes(v4) + (new_set ? set_header_bytes : 0);
    if (m->bytes.size() + need > max_bytes_ && m->records > 0) {
      finish_message();
      start_message();
      new_set = true;
    }
    if (new_set)
      m->open_set(id);
    put_record(m->bytes, r, v4);
    ++m->records;
  }
  if (m)
    finish_message();
  return messages;
}

} // namespace hostflow
