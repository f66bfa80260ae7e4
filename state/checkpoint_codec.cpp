#include "state/checkpoint_codec.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

#include "state/address_codec.hpp"
#include "state/varint.hpp"

namespace hostflow {

namespace {

// 4: heavy hitters with varint counts and 4-byte IPv4 keys; 3: a
// direction's peers and ports once, with a bit per open window (2 wrote them
// per window; 1 held rolled windows and heavy hitters together).
constexpr uint8_t host_format = 4;
constexpr uint8_t time_format = 1;
// Bounds that no real state reaches; a value claiming more is corrupt.
constexpr uint64_t max_windows = 4096;
constexpr uint64_t max_sources = 1 << 20;

void append_counters(std::string& out, const packed_counters& counters) {
  for (uint64_t v : counters.unpacked().values())
    append_varint(out, v);
}

bool read_counters(std::string_view& in, packed_counters& out) {
  window_counters counters;
  for (auto* f : counters.fields()) {
    auto v = read_varint(in);
    if (!v)
      return false;
    *f = *v;
  }
  out = packed_counters(counters);
  return true;
}

// The presence bit of each open window of a direction in the order they
// are written: buckets oldest first, then the rolled windows. A key's
// windows are written as a mask over these positions, so the bits a
// profile happened to hand out stay out of the stored form.
std::vector<unsigned> window_bits(const direction_profile& dir) {
  std::vector<unsigned> bits;
  for (const auto& b : dir.buckets())
    bits.push_back(b.bit);
  for (const auto& w : dir.rolled())
    bits.push_back(direction_profile::rolled_bit(w.granularity_slot));
  return bits;
}

constexpr uint8_t keys_shared = 0;     // keys ascending, each with its window positions
constexpr uint8_t keys_per_window = 1; // a distinct_counter per window position

// One key set: either its keys (delta-coded) with a mask of window
// positions each, or, past the shared array's limit, a counter per window.
void append_keys(std::string& out, const presence_set& set, const std::vector<unsigned>& bits) {
  if (!set.is_exact()) {
    out.push_back(static_cast<char>(keys_per_window));
    for (unsigned b : bits)
      set.export_bits(presence_set::mask{1} << b).append_to(out);
    return;
  }
  out.push_back(static_cast<char>(keys_shared));
  append_varint(out, set.size());
  uint32_t previous = 0;
  set.for_each_exact([&](uint32_t key, presence_set::mask m) {
    append_varint(out, key - previous);
    previous = key;
    uint64_t positions = 0;
    for (size_t i = 0; i < bits.size(); ++i)
      if (m & (presence_set::mask{1} << bits[i]))
        positions |= uint64_t{1} << i;
    append_varint(out, positions);
  });
}

bool read_keys(std::string_view& in, presence_set& set, const std::vector<unsigned>& bits) {
  if (in.empty())
    return false;
  auto mode = static_cast<uint8_t>(in[0]);
  in.remove_prefix(1);
  if (mode == keys_per_window) {
    for (unsigned b : bits) {
      auto c = distinct_counter::decode(in);
      if (!c)
        return false;
      set.import_bit(b, *c);
    }
    return true;
  }
  if (mode != keys_shared)
    return false;
  auto n = read_varint(in);
  if (!n || *n > presence_set::exact_limit)
    return false;
  uint64_t key = 0;
  for (uint64_t i = 0; i < *n; ++i) {
    auto delta = read_varint(in);
    auto positions = read_varint(in);
    // Keys strictly ascend and fit 32 bits; every key is in some window,
    // and only in windows that exist.
    if (!delta || !positions || (i > 0 && *delta == 0) || key + *delta > UINT32_MAX ||
        *positions == 0 || (bits.size() < 64 && (*positions >> bits.size()) != 0))
      return false;
    key += *delta;
    presence_set::mask m = 0;
    for (size_t p = 0; p < bits.size(); ++p)
      if (*positions & (uint64_t{1} << p))
        m |= presence_set::mask{1} << bits[p];
    set.add(static_cast<uint32_t>(key), m);
  }
  return true;
}


// A granularity slot byte, at least `lowest` (1: 30 s, 2: 1 min).
bool read_slot(std::string_view& in, uint8_t lowest, uint8_t& slot) {
  if (in.empty())
    return false;
  slot = static_cast<uint8_t>(in[0]);
  in.remove_prefix(1);
  return slot >= lowest && slot < granularities.size();
}

void append_sketch_key(std::string& out, const ip_address& a) {
  append_compact_address(out, a);
}

void append_sketch_key(std::string& out, uint16_t port) {
  append_varint(out, port);
}

bool read_sketch_key(std::string_view& in, ip_address& a) {
  return read_compact_address(in, a);
}

bool read_sketch_key(std::string_view& in, uint16_t& port) {
  auto v = read_varint(in);
  if (!v || *v > 0xffff)
    return false;
  port = static_cast<uint16_t>(*v);
  return true;
}

// A heavy-hitter sketch: its entry count, then per entry the key, the count
// and the error as varints (most counts take one to three bytes, not eight).
template <class Sketch>
void append_sketch(std::string& out, const Sketch& s) {
  // In the sketch's own order, not top()'s: the order decides which of
  // equal counters a new key replaces, and a restored sketch must go on as
  // the original would.
  append_varint(out, s.size());
  s.for_each_entry([&](const auto& e) {
    append_sketch_key(out, e.key);
    append_varint(out, e.count);
    append_varint(out, e.error);
  });
}

template <class Sketch>
bool read_sketch(std::string_view& in, Sketch& s) {
  auto n = read_varint(in);
  if (!n || *n > Sketch::capacity)
    return false;
  std::vector<typename Sketch::entry> entries(*n);
  for (auto& e : entries) {
    if (!read_sketch_key(in, e.key))
      return false;
    auto count = read_varint(in);
    auto error = read_varint(in);
    using count_type = decltype(e.count);
    if (!count || !error || *count > std::numeric_limits<count_type>::max() || *error > *count)
      return false;
    e.count = static_cast<count_type>(*count);
    e.error = static_cast<count_type>(*error);
  }
  auto sketch = Sketch::from_entries(entries);
  if (!sketch)
    return false;
  s = std::move(*sketch);
  return true;
}

} // namespace

void encode_host_checkpoint(const host_profile& host, std::string& out) {
  out.clear();
  out.push_back(static_cast<char>(host_format));
  append_full_address(out, host.address);
  append_svarint(out, host.last_seen_ms);
  for (const auto& dir : host.directions) {
    append_varint(out, dir.buckets().size());
    for (const auto& b : dir.buckets()) {
      append_svarint(out, b.index);
      append_counters(out, b.counters);
    }
    append_varint(out, dir.rolled().size());
    for (const auto& w : dir.rolled()) {
      append_svarint(out, w.index);
      out.push_back(static_cast<char>(w.granularity_slot));
      append_counters(out, w.counters);
    }
    append_varint(out, dir.tops().size());
    for (const auto& t : dir.tops()) {
      append_svarint(out, t.index);
      out.push_back(static_cast<char>(t.granularity_slot));
      append_sketch(out, t.top.peers_by_bytes);
      append_sketch(out, t.top.peers_by_flows);
      append_sketch(out, t.top.peer_ports_by_bytes);
      append_sketch(out, t.top.peer_ports_by_flows);
    }
    auto bits = window_bits(dir);
    append_keys(out, dir.keys().peers, bits);
    append_keys(out, dir.keys().peer_ports, bits);
    append_keys(out, dir.keys().local_ports, bits);
  }
  out.push_back(host.baseline ? 1 : 0);
  if (host.baseline) {
    const auto& b = *host.baseline;
    out.push_back(static_cast<char>(b.hour));
    append_svarint(out, b.latest_window_ms);
    for (double z : b.deviation) {
      char buf[8];
      std::memcpy(buf, &z, 8);
      out.append(buf, 8);
    }
    std::string slot;
    encode_hour_baseline(b.current, slot);
    append_varint(out, slot.size());
    out += slot;
  }
}

std::optional<host_profile> decode_host_checkpoint(std::string_view in) {
  if (in.empty() || static_cast<uint8_t>(in[0]) != host_format)
    return std::nullopt;
  in.remove_prefix(1);
  host_profile host;
  auto last_seen = std::optional<int64_t>{};
  if (!read_full_address(in, host.address) || !(last_seen = read_svarint(in)))
    return std::nullopt;
  host.last_seen_ms = *last_seen;
  for (auto& dir : host.directions) {
    auto buckets = read_varint(in);
    if (!buckets || *buckets > max_windows)
      return std::nullopt;
    int64_t previous = watermark_tracker::none;
    for (uint64_t i = 0; i < *buckets; ++i) {
      auto index = read_svarint(in);
      if (!index || *index <= previous)
        return std::nullopt;
      previous = *index;
      packed_counters counters;
      if (!read_counters(in, counters) || !dir.restore_bucket(*index, std::move(counters)))
        return std::nullopt;
    }
    auto rolled = read_varint(in);
    if (!rolled || *rolled >= granularities.size())
      return std::nullopt;
    for (uint64_t i = 0; i < *rolled; ++i) {
      auto index = read_svarint(in);
      uint8_t slot = 0;
      if (!index || !read_slot(in, 1, slot))
        return std::nullopt;
      packed_counters counters;
      // One partly closed window per granularity.
      if (!read_counters(in, counters) || !dir.restore_rolled(*index, slot, std::move(counters)))
        return std::nullopt;
    }
    auto tops = read_varint(in);
    if (!tops || *tops > max_windows)
      return std::nullopt;
    for (uint64_t i = 0; i < *tops; ++i) {
      auto index = read_svarint(in);
      uint8_t slot = 0;
      if (!index || !read_slot(in, 2, slot))
        return std::nullopt;
      for (const auto& other : dir.tops())
        if (other.granularity_slot == slot && other.index == *index)
          return std::nullopt;
      direction_profile::top_window t{*index, slot, {}};
      if (!read_sketch(in, t.top.peers_by_bytes) || !read_sketch(in, t.top.peers_by_flows) ||
          !read_sketch(in, t.top.peer_ports_by_bytes) ||
          !read_sketch(in, t.top.peer_ports_by_flows))
        return std::nullopt;
      dir.tops().push_back(std::move(t));
    }
    auto bits = window_bits(dir);
    if (!read_keys(in, dir.keys().peers, bits) || !read_keys(in, dir.keys().peer_ports, bits) ||
        !read_keys(in, dir.keys().local_ports, bits))
      return std::nullopt;
  }
  if (in.empty())
    return std::nullopt;
  bool has_baseline = in[0] != 0;
  in.remove_prefix(1);
  if (has_baseline) {
    auto b = std::make_unique<host_baseline>();
    if (in.empty() || static_cast<uint8_t>(in[0]) > 23)
      return std::nullopt;
    b->hour = static_cast<uint8_t>(in[0]);
    in.remove_prefix(1);
    auto latest = read_svarint(in);
    if (!latest || in.size() < b->deviation.size() * 8)
      return std::nullopt;
    b->latest_window_ms = *latest;
    for (double& z : b->deviation) {
      std::memcpy(&z, in.data(), 8);
      in.remove_prefix(8);
    }
    auto size = read_varint(in);
    if (!size || *size > in.size())
      return std::nullopt;
    auto slot = decode_hour_baseline(in.substr(0, *size));
    if (!slot)
      return std::nullopt;
    b->current = *slot;
    in.remove_prefix(*size);
    host.baseline = std::move(b);
  }
  if (!in.empty())
    return std::nullopt;
  return host;
}

void encode_time_checkpoint(const time_checkpoint& t, std::string& out) {
  out.clear();
  out.push_back(static_cast<char>(time_format));
  append_svarint(out, t.watermark.watermark);
  append_varint(out, t.watermark.clamped);
  append_varint(out, t.watermark.sources.size());
  for (const auto& [source, newest] : t.watermark.sources) {
    append_full_address(out, source.exporter.address);
    append_varint(out, source.exporter.port);
    append_varint(out, source.observation_domain);
    append_svarint(out, newest);
  }
  append_varint(out, t.exporters.size());
  for (const auto& [exporter, c] : t.exporters) {
    append_full_address(out, exporter.address);
    append_varint(out, exporter.port);
    for (uint64_t x : {c.records, c.late_records, c.late_bytes, c.folded_records, c.folded_bytes,
                       c.too_old_records, c.too_old_bytes})
      append_varint(out, x);
  }
}

std::optional<time_checkpoint> decode_time_checkpoint(std::string_view in) {
  if (in.empty() || static_cast<uint8_t>(in[0]) != time_format)
    return std::nullopt;
  in.remove_prefix(1);
  time_checkpoint t;
  auto wm = read_svarint(in);
  auto clamped = read_varint(in);
  auto sources = read_varint(in);
  if (!wm || !clamped || !sources || *sources > max_sources)
    return std::nullopt;
  t.watermark.watermark = *wm;
  t.watermark.clamped = *clamped;
  for (uint64_t i = 0; i < *sources; ++i) {
    time_source s;
    if (!read_full_address(in, s.exporter.address))
      return std::nullopt;
    auto port = read_varint(in);
    auto domain = read_varint(in);
    auto newest = read_svarint(in);
    if (!port || *port > 0xffff || !domain || *domain > 0xffffffff || !newest)
      return std::nullopt;
    s.exporter.port = static_cast<uint16_t>(*port);
    s.observation_domain = static_cast<uint32_t>(*domain);
    t.watermark.sources.emplace_back(s, *newest);
  }
  auto exporters = read_varint(in);
  if (!exporters || *exporters > max_sources)
    return std::nullopt;
  for (uint64_t i = 0; i < *exporters; ++i) {
    endpoint e;
    if (!read_full_address(in, e.address))
      return std::nullopt;
    auto port = read_varint(in);
    if (!port || *port > 0xffff)
      return std::nullopt;
    e.port = static_cast<uint16_t>(*port);
    event_time_counters c;
    for (uint64_t* x : {&c.records, &c.late_records, &c.late_bytes, &c.folded_records,
                        &c.folded_bytes, &c.too_old_records, &c.too_old_bytes}) {
      auto v = read_varint(in);
      if (!v)
        return std::nullopt;
      *x = *v;
    }
    t.exporters.emplace_back(e, c);
  }
  if (!in.empty())
    return std::nullopt;
  return t;
}

} // namespace hostflow
