#include "flow/capture_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iterator>

#include <pcap/pcap.h>

#include "flow/byte_view.hpp"

namespace hostflow {

const char* to_string(capture_format f) noexcept {
  static constexpr const char* names[] = {"pcap",           "pcapng",    "raw NetFlow v5",
                                          "raw NetFlow v9", "raw IPFIX", "raw sFlow v5"};
  return static_cast<size_t>(f) < std::size(names) ? names[static_cast<size_t>(f)] : "unknown";
}

namespace {

// -- frames: link layer, IP, UDP ---------------------------------------------------

constexpr uint16_t ethertype_ipv4 = 0x0800;
constexpr uint16_t ethertype_ipv6 = 0x86dd;
// More stacked VLAN tags or IPv6 extension headers are taken as garbage.
constexpr int max_vlan_tags = 8;
constexpr int max_extension_headers = 16;
constexpr uint8_t proto_udp = 17;

// Where the network layer of a frame of one link type starts and what it is.
struct link_layer {
  int dlt;             // as pcap_datalink() reports it
  size_t header;       // bytes before the network layer (or VLAN tags)
  int type_at;         // offset of a 16-bit ethertype; -1: none
  bool family;         // a 4-byte BSD address family says what follows
  uint16_t fixed_type; // the network layer when the header does not say; 0: by IP version
};

// libpcap reports LINKTYPE_RAW (101) as the platform's DLT_RAW (12 or 14).
constexpr link_layer link_layers[] = {
    {1, 14, 12, false, 0},               // Ethernet
    {113, 16, 14, false, 0},             // Linux cooked v1
    {276, 20, 0, false, 0},              // Linux cooked v2
    {0, 4, -1, true, 0},                 // BSD loopback (NULL)
    {108, 4, -1, true, 0},               // OpenBSD loopback (LOOP)
    {12, 0, -1, false, 0},               // raw IP
    {14, 0, -1, false, 0},               // raw IP (OpenBSD)
    {101, 0, -1, false, 0},              // raw IP
    {228, 0, -1, false, ethertype_ipv4}, // IPv4
    {229, 0, -1, false, ethertype_ipv6}, // IPv6
};

const link_layer* find_link_layer(int dlt) {
  for (const auto& l : link_layers)
    if (l.dlt == dlt)
      return &l;
  return nullptr;
}

// What a frame turned out to be; the skipped kinds index capture_stats counters.
enum class frame_kind : uint8_t { truncated, non_ip, non_udp, later_fragment, datagram };

struct frame_result {
  frame_result(frame_kind k = frame_kind::non_ip) : kind(k) {}
  frame_kind kind;
  bool first_fragment = false; // a datagram cut short by fragmentation
  endpoint source;
  endpoint destination;
  byte_view payload;
};

// Skips 802.1Q / 802.1ad tags starting at `offset` (where `type` was read);
// false when the tags run past the frame.
bool skip_vlan_tags(byte_view f, size_t& offset, uint16_t& type) {
  for (int i = 0; type == 0x8100 || type == 0x88a8 || type == 0x9100; ++i) {
    if (i == max_vlan_tags || f.size - offset < 4)
      return false;
    type = load_be16(f.data + offset + 2);
    offset += 4;
  }
  return true;
}

frame_result parse_udp(byte_view l4, bool first_fragment, const ip_address& src,
                       const ip_address& dst) {
  if (l4.size < 8)
    return frame_result{frame_kind::truncated};
  frame_result r{frame_kind::datagram};
  r.source = {src, load_be16(l4.data)};
  r.destination = {dst, load_be16(l4.data + 2)};
  // The UDP length of a first fragment covers all fragments; it holds only its part.
  size_t length = first_fragment ? l4.size : load_be16(l4.data + 4);
  if (length < 8 || length > l4.size)
    return frame_result{frame_kind::truncated};
  r.payload = l4.sub(8, length - 8);
  r.first_fragment = first_fragment;
  return r;
}

frame_result parse_ipv4(byte_view p) {
  if (p.size < 20 || (p.data[0] >> 4) != 4)
    return frame_result{p.size < 20 ? frame_kind::truncated : frame_kind::non_ip};
  size_t header = size_t{p.data[0] & 0x0fu} * 4;
  size_t total = load_be16(p.data + 2);
  if (total == 0)
    total = p.size; // segmentation offload: the length was never filled in
  if (header < 20 || total < header || total > p.size)
    return frame_result{frame_kind::truncated};
  if (p.data[9] != proto_udp)
    return frame_result{frame_kind::non_udp};
  uint16_t fragment = load_be16(p.data + 6);
  if ((fragment & 0x1fff) != 0)
    return frame_result{frame_kind::later_fragment};
  return parse_udp(p.sub(header, total - header), (fragment & 0x2000) != 0,
                   ip_address::from_v4_bytes(p.data + 12), ip_address::from_v4_bytes(p.data + 16));
}

frame_result parse_ipv6(byte_view p) {
  if (p.size < 40 || (p.data[0] >> 4) != 6)
    return frame_result{p.size < 40 ? frame_kind::truncated : frame_kind::non_ip};
  size_t length = load_be16(p.data + 4);
  if (length == 0)
    length = p.size - 40; // jumbogram or offload: take what was captured
  if (length > p.size - 40)
    return frame_result{frame_kind::truncated};
  uint8_t next = p.data[6];
  byte_view body = p.sub(40, length);
  bool first_fragment = false;
  for (int i = 0; i < max_extension_headers; ++i) {
    // Hop-by-hop, routing, destination options, authentication, fragment.
    if (next != 0 && next != 43 && next != 60 && next != 51 && next != 44)
      break;
    if (body.size < 8) // the smallest extension header
      return frame_result{frame_kind::truncated};
    size_t skip = next == 44   ? 8
                  : next == 51 ? (size_t{body.data[1]} + 2) * 4
                               : (size_t{body.data[1]} + 1) * 8;
    if (next == 44) {
      uint16_t offset_flags = load_be16(body.data + 2);
      if ((offset_flags & 0xfff8) != 0)
        return frame_result{body.data[0] == proto_udp ? frame_kind::later_fragment
                                                      : frame_kind::non_udp};
      first_fragment = first_fragment || (offset_flags & 1) != 0;
    }
    if (skip > body.size)
      return frame_result{frame_kind::truncated};
    next = body.data[0];
    body = body.sub(skip, body.size - skip);
  }
  if (next != proto_udp)
    return frame_result{frame_kind::non_udp};
  return parse_udp(body, first_fragment, ip_address::from_v6_bytes(p.data + 8),
                   ip_address::from_v6_bytes(p.data + 24));
}

// Finds the network layer of a frame and parses it.
frame_result parse_frame(const link_layer& link, byte_view f) {
  if (f.size < link.header)
    return frame_result{frame_kind::truncated};
  uint16_t type = link.fixed_type;
  if (link.type_at >= 0)
    type = load_be16(f.data + link.type_at);
  if (link.family) {
    uint32_t family = load_be32(f.data);
    // NULL writes the family in the capturing host's byte order, LOOP in
    // network order; families are small, so the order shows.
    if ((family & 0xffff0000u) != 0)
      family = __builtin_bswap32(family);
    // AF_INET6 differs: Linux, NetBSD/OpenBSD, FreeBSD, macOS.
    bool v6 = family == 10 || family == 24 || family == 28 || family == 30;
    if (family != 2 && !v6)
      return frame_result{frame_kind::non_ip};
    type = v6 ? ethertype_ipv6 : ethertype_ipv4;
  }
  size_t offset = link.header;
  if (!skip_vlan_tags(f, offset, type))
    return frame_result{frame_kind::truncated};
  byte_view ip = f.sub(offset, f.size - offset);
  if (link.type_at < 0 && !link.family && type == 0) {
    if (ip.empty())
      return frame_result{frame_kind::truncated};
    type = (ip.data[0] >> 4) == 6 ? ethertype_ipv6 : ethertype_ipv4;
  }
  if (type == ethertype_ipv4)
    return parse_ipv4(ip);
  if (type == ethertype_ipv6)
    return parse_ipv6(ip);
  return frame_result{frame_kind::non_ip};
}

// -- raw datagram files ---------------------------------------------------------------

// Raw files are read whole; larger ones are not export datagrams.
constexpr size_t max_raw_file = 256u << 20;
constexpr size_t v5_header = 24;
constexpr size_t v5_record = 48;
constexpr size_t ipfix_header = 16;

// Whether a message of format `f` starts at `pos`.
bool message_starts(capture_format f, byte_view file, size_t pos) {
  byte_view m = file.sub(pos, file.size - pos);
  switch (f) {
  case capture_format::raw_netflow_v5:
    return m.size >= v5_header && load_be16(m.data) == 5;
  case capture_format::raw_netflow_v9:
    return m.size >= 20 && load_be16(m.data) == 9;
  case capture_format::raw_ipfix:
    return m.size >= ipfix_header && load_be16(m.data) == 10 &&
           load_be16(m.data + 2) >= ipfix_header;
  case capture_format::raw_sflow: // 32-bit version 5, agent address type 1 or 2
    return m.size >= 8 && load_be32(m.data) == 5 && load_be32(m.data + 4) - 1 < 2;
  default:
    return false;
  }
}

// Length of the message at `pos`: v5 by its record count, IPFIX by its
// length field, anything else the rest of the file. Bytes after it that
// cannot start another message belong to it, so the decoder sees (and
// counts) them.
size_t message_length(capture_format f, byte_view file, size_t pos) {
  size_t rest = file.size - pos;
  size_t length = rest;
  if (f == capture_format::raw_netflow_v5)
    length = v5_header + size_t{load_be16(file.data + pos + 2)} * v5_record;
  else if (f == capture_format::raw_ipfix)
    length = load_be16(file.data + pos + 2);
  return length <= rest && message_starts(f, file, pos + length) ? length : rest;
}

std::optional<capture_format> raw_format(byte_view file) {
  for (auto f : {capture_format::raw_netflow_v5, capture_format::raw_netflow_v9,
                 capture_format::raw_ipfix, capture_format::raw_sflow})
    if (message_starts(f, file, 0))
      return f;
  return std::nullopt;
}

std::optional<capture_format> pcap_format(const uint8_t* magic) {
  uint32_t m = load_be32(magic);
  if (m == 0x0a0d0d0a)
    return capture_format::pcapng;
  for (uint32_t known : {0xa1b2c3d4u, 0xa1b23c4du, 0xa1b2cd34u})
    if (m == known || m == __builtin_bswap32(known))
      return capture_format::pcap;
  return std::nullopt;
}

} // namespace

// -- reader --------------------------------------------------------------------------

struct capture_reader::impl {
  std::string path;
  capture_format format = capture_format::pcap;
  capture_stats stats;
  std::string error;
  std::unique_ptr<pcap_t, void (*)(pcap_t*)> pcap{nullptr, &pcap_close}; ///< pcap/pcapng
  const link_layer* link = nullptr;
  std::vector<uint8_t> raw; ///< raw files: the whole file
  size_t pos = 0;

  bool next_frame(captured_datagram& out);
  bool next_message(captured_datagram& out);
};

bool capture_reader::impl::next_frame(captured_datagram& out) {
  for (;;) {
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    int rc = pcap_next_ex(pcap.get(), &header, &data);
    if (rc == PCAP_ERROR_BREAK)
      return false;
    if (rc != 1) {
      error = path + ": " + (rc == PCAP_ERROR ? pcap_geterr(pcap.get()) : "unreadable record");
      return false;
    }
    ++stats.frames;
    // caplen is what libpcap read; the wire length may be larger.
    auto r = parse_frame(*link, byte_view{data, header->caplen});
    if (r.kind != frame_kind::datagram) {
      // Indexed by frame_kind, in its order.
      static constexpr uint64_t capture_stats::*skipped[] = {
          &capture_stats::truncated, &capture_stats::non_ip, &capture_stats::non_udp,
          &capture_stats::fragments};
      ++(stats.*skipped[static_cast<size_t>(r.kind)]);
      continue;
    }
    if (r.first_fragment)
      ++stats.fragments;
    ++stats.datagrams;
    out.source = r.source;
    out.destination = r.destination;
    out.timestamp_ms = int64_t{header->ts.tv_sec} * 1000 + header->ts.tv_usec / 1000;
    out.payload.assign(r.payload.data, r.payload.data + r.payload.size);
    return true;
  }
}

bool capture_reader::impl::next_message(captured_datagram& out) {
  byte_view file{raw.data(), raw.size()};
  if (pos >= file.size)
    return false;
  size_t length = message_length(format, file, pos);
  ++stats.frames;
  ++stats.datagrams;
  out.source = out.destination = endpoint{ip_address::from_v4(0), 0};
  out.timestamp_ms = 0;
  out.payload.assign(file.data + pos, file.data + pos + length);
  pos += length;
  return true;
}

capture_reader::capture_reader(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
capture_reader::capture_reader(capture_reader&&) noexcept = default;
capture_reader& capture_reader::operator=(capture_reader&&) noexcept = default;
capture_reader::~capture_reader() = default;

std::optional<capture_reader> capture_reader::open(const std::string& path, std::string& error) {
  auto fail = [&](const std::string& why) {
    error = path + ": " + why;
    return std::nullopt;
  };
  std::unique_ptr<FILE, int (*)(FILE*)> file{std::fopen(path.c_str(), "rb"), &std::fclose};
  if (!file)
    return fail(std::strerror(errno));
  uint8_t magic[4] = {};
  size_t got = std::fread(magic, 1, sizeof(magic), file.get());
  if (std::ferror(file.get()))
    return fail(std::strerror(errno));
  if (got == 0)
    return fail("empty file");
  auto p = std::make_unique<impl>();
  p->path = path;
  if (auto f = got == 4 ? pcap_format(magic) : std::nullopt) {
    std::rewind(file.get());
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    // libpcap owns the FILE from here on and closes it.
    p->pcap.reset(pcap_fopen_offline(file.get(), errbuf));
    if (!p->pcap)
      return fail(errbuf);
    file.release();
    p->format = *f;
    int dlt = pcap_datalink(p->pcap.get());
    p->link = find_link_layer(dlt);
    if (p->link == nullptr) {
      const char* name = pcap_datalink_val_to_name(dlt);
      return fail("link type " + std::to_string(dlt) + " (" + (name ? name : "unknown") +
                  ") is not supported");
    }
    return capture_reader{std::move(p)};
  }
  p->raw.assign(magic, magic + got);
  uint8_t buf[65536];
  while ((got = std::fread(buf, 1, sizeof(buf), file.get())) > 0 && p->raw.size() <= max_raw_file)
    p->raw.insert(p->raw.end(), buf, buf + got);
  if (std::ferror(file.get()))
    return fail(std::strerror(errno));
  auto f = raw_format(byte_view{p->raw.data(), p->raw.size()});
  if (!f || p->raw.size() > max_raw_file)
    return fail("not a pcap, pcapng or NetFlow/IPFIX file");
  p->format = *f;
  return capture_reader{std::move(p)};
}

bool capture_reader::next(captured_datagram& out) {
  return impl_->pcap ? impl_->next_frame(out) : impl_->next_message(out);
}

const std::string& capture_reader::error() const noexcept {
  return impl_->error;
}

const capture_stats& capture_reader::stats() const noexcept {
  return impl_->stats;
}

capture_format capture_reader::format() const noexcept {
  return impl_->format;
}

std::optional<capture_contents> read_capture(const std::string& path, std::string& error) {
  auto reader = capture_reader::open(path, error);
  if (!reader)
    return std::nullopt;
  capture_contents contents;
  contents.format = reader->format();
  captured_datagram dg;
  while (reader->next(dg))
    contents.datagrams.push_back(std::move(dg));
  if (!reader->error().empty()) {
    error = reader->error();
    return std::nullopt;
  }
  contents.stats = reader->stats();
  return contents;
}

} // namespace hostflow
