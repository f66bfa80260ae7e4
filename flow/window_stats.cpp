#include "flow/window_stats.hpp"

#include "flow/hash32.hpp"

namespace hostflow {

const char* to_string(host_direction d) noexcept {
  return d == host_direction::out ? "out" : "in";
}

bool has_ports(uint8_t protocol) noexcept {
  switch (protocol) {
    case 6:   // TCP
    case 17:  // UDP
    case 33:  // DCCP
    case 132: // SCTP
    case 136: // UDP-Lite
      return true;
    default:
      return false;
  }
}

// -- window_counters -------------------------------------------------------------------

template <class T>
void basic_window_counters<T>::add_flow(const flow_record& r, T scale,
                                        T scaled_duration_ms) noexcept {
  flows += scale;
  duration_ms += scaled_duration_ms;
  switch (r.protocol) {
    case 6: {
      tcp_flows += scale;
      uint8_t f = r.tcp_flags;
      if (f & tcp_flag::syn)
        syn_flows += scale;
      if (f & tcp_flag::ack)
        ack_flows += scale;
      if (f & tcp_flag::fin)
        fin_flows += scale;
      if (f & tcp_flag::rst)
        rst_flows += scale;
      if (f & tcp_flag::psh)
        psh_flows += scale;
      if (f & tcp_flag::urg)
        urg_flows += scale;
      // ECE/CWR (0x40/0x80) may accompany a bare SYN; they do not make it a
      // handshake.
      if ((f & 0x3f) == tcp_flag::syn)
        syn_only_flows += scale;
      break;
    }
    case 17:
      udp_flows += scale;
      break;
    case 1:
    case 58:
      icmp_flows += scale;
      break;
    default:
      other_flows += scale;
      break;
  }
}

template <class T>
void basic_window_counters<T>::add_volume(uint8_t protocol, T p, T b) noexcept {
  packets += p;
  bytes += b;
  switch (protocol) {
    case 6:
      tcp_bytes += b;
      break;
    case 17:
      udp_bytes += b;
      break;
    case 1:
    case 58:
      icmp_bytes += b;
      break;
    default:
      other_bytes += b;
      break;
  }
}

template struct basic_window_counters<uint32_t>;
template struct basic_window_counters<uint64_t>;

// -- packed_counters ---------------------------------------------------------------------

namespace {

constexpr uint64_t narrow_max = UINT32_MAX;

// The record's duration times its sampling scale, saturated: no real window
// comes near 2^64 ms, and saturating keeps a forged record from wrapping.
uint64_t scaled_duration(const flow_record& r, uint64_t scale) noexcept {
  if (r.end_ms <= r.start_ms)
    return 0;
  auto d = static_cast<uint64_t>(r.end_ms - r.start_ms);
  uint64_t out = 0;
  return __builtin_mul_overflow(d, scale, &out) ? UINT64_MAX : out;
}

// Whether `a + b` fits the narrow counters. Flows bound every flow-count
// field and bytes every byte field, so these checks cover all of them.
bool fits(uint64_t a, uint64_t b) noexcept {
  return b <= narrow_max - a;
}

} // namespace

packed_counters::packed_counters(const window_counters& c) {
  auto v = c.values();
  bool narrow = true;
  for (uint64_t x : v)
    narrow = narrow && x <= narrow_max;
  if (narrow)
    narrow_.merge(c);
  else
    wide_ = std::make_unique<window_counters>(c);
}

packed_counters::packed_counters(const packed_counters& other)
  : narrow_(other.narrow_),
    wide_(other.wide_ ? std::make_unique<window_counters>(*other.wide_) : nullptr) {}

packed_counters& packed_counters::operator=(const packed_counters& other) {
  if (this != &other) {
    narrow_ = other.narrow_;
    wide_ = other.wide_ ? std::make_unique<window_counters>(*other.wide_) : nullptr;
  }
  return *this;
}

void packed_counters::widen() {
  wide_ = std::make_unique<window_counters>();
  wide_->merge(narrow_);
  narrow_ = {};
}

void packed_counters::add_flow(const flow_record& r, uint64_t scale) {
  uint64_t duration = scaled_duration(r, scale);
  if (!wide_ && (!fits(narrow_.flows, scale) || !fits(narrow_.duration_ms, duration)))
    widen();
  if (wide_)
    wide_->add_flow(r, scale, duration);
  else
    narrow_.add_flow(r, static_cast<uint32_t>(scale), static_cast<uint32_t>(duration));
}

void packed_counters::add_volume(uint8_t protocol, uint64_t packets, uint64_t bytes) {
  if (!wide_ && (!fits(narrow_.packets, packets) || !fits(narrow_.bytes, bytes)))
    widen();
  if (wide_)
    wide_->add_volume(protocol, packets, bytes);
  else
    narrow_.add_volume(protocol, static_cast<uint32_t>(packets), static_cast<uint32_t>(bytes));
}

void packed_counters::merge(const packed_counters& other) {
  if (other.wide_) {
    if (!wide_)
      widen();
    wide_->merge(*other.wide_);
    return;
  }
  if (!wide_ && (!fits(narrow_.flows, other.narrow_.flows) ||
                 !fits(narrow_.packets, other.narrow_.packets) ||
                 !fits(narrow_.bytes, other.narrow_.bytes) ||
                 !fits(narrow_.duration_ms, other.narrow_.duration_ms)))
    widen();
  if (wide_)
    wide_->merge(other.narrow_);
  else
    narrow_.merge(other.narrow_);
}

window_counters packed_counters::unpacked() const {
  window_counters out;
  add_to(out);
  return out;
}

void packed_counters::add_to(window_counters& out) const {
  if (wide_)
    out.merge(*wide_);
  else
    out.merge(narrow_);
}

// -- heavy_hitters -------------------------------------------------------------------------

void heavy_hitters::add_bytes(const record_view& v, uint64_t bytes) {
  peers_by_bytes.add(v.peer(), bytes);
  if (has_ports(v.record->protocol))
    peer_ports_by_bytes.add(v.peer_port(), bytes);
}

void heavy_hitters::add_flow(const record_view& v) {
  peers_by_flows.add(v.peer(), 1);
  if (has_ports(v.record->protocol))
    peer_ports_by_flows.add(v.peer_port(), 1);
}

void heavy_hitters::merge(const heavy_hitters& o) {
  peers_by_bytes.merge(o.peers_by_bytes);
  peers_by_flows.merge(o.peers_by_flows);
  peer_ports_by_bytes.merge(o.peer_ports_by_bytes);
  peer_ports_by_flows.merge(o.peer_ports_by_flows);
}

} // namespace hostflow
