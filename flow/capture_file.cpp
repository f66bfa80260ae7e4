#include "flow/capture_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iterator>

#include <pcap/pcap.h>

#include "flow/byte_view.hpp"
#include "flow/capture_frames.hpp"
#include "flow/packet_headers.hpp"

namespace hostflow {

const char* to_string(capture_format f) noexcept {
  static constexpr const char* names[] = {"pcap",           "pcapng",    "raw NetFlow v5",
                                          "raw NetFlow v9", "raw IPFIX", "raw sFlow v5"};
  return static_cast<size_t>(f) < std::size(names) ? names[static_cast<size_t>(f)] : "unknown";
}

namespace {

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
    packet_headers h;
    auto kind = parse_frame(*link, byte_view{data, header->caplen}, h);
    if (kind != frame_kind::datagram) {
      // Indexed by frame_kind, in its order.
      static constexpr uint64_t capture_stats::*skipped[] = {
          &capture_stats::truncated, &capture_stats::non_ip, &capture_stats::non_udp,
          &capture_stats::fragments};
      static_assert(std::size(skipped) == static_cast<size_t>(frame_kind::datagram));
      ++(stats.*skipped[static_cast<size_t>(kind)]);
      continue;
    }
    if (h.fragment == ip_fragment::first)
      ++stats.fragments;
    ++stats.datagrams;
    out.source = {h.src, h.src_port};
    out.destination = {h.dst, h.dst_port};
    out.timestamp_ms = int64_t{header->ts.tv_sec} * 1000 + header->ts.tv_usec / 1000;
    out.payload.assign(h.payload.data, h.payload.data + h.payload.size);
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
