#include "flow/demo_traffic.hpp"

#include <random>

namespace hostflow {

namespace {

// -- the network ------------------------------------------------------------------------

constexpr uint32_t net = 0x0a140000; // 10.20.0.0/24
constexpr uint32_t web_server = net | 10;
constexpr uint32_t mail_server = net | 25;
constexpr uint32_t dns_server = net | 53;
constexpr uint32_t ssh_host = net | 22;
constexpr uint32_t first_workstation = net | 100;
constexpr uint32_t workstations = 24;

// Outside: documentation ranges, so nothing real is named.
constexpr uint32_t outside_a = 0xc6336400; // 198.51.100.0/24
constexpr uint32_t outside_b = 0xcb007100; // 203.0.113.0/24
constexpr uint32_t scanner = outside_b | 66;
constexpr uint32_t brute_forcer = outside_a | 23;
constexpr uint32_t flood_victim = web_server;
constexpr uint32_t reflection_victim = first_workstation + 5;

constexpr uint8_t tcp = 6, udp = 17;
constexpr uint8_t fin = 0x01, syn = 0x02, psh = 0x08, ack = 0x10;

using rng_type = std::mt19937_64;

uint32_t pick(rng_type& rng, uint32_t n) {
  return static_cast<uint32_t>(rng() % n);
}

/// Adds one flow ending at `end_ms` that lasted `duration_ms`.
struct flow_maker {
  std::vector<flow_record>& out;

  void add(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport, uint8_t proto,
           uint8_t flags, uint64_t packets, uint64_t bytes, int64_t end_ms, int64_t duration_ms) {
    flow_record r;
    r.src_addr = ip_address::from_v4(src);
    r.dst_addr = ip_address::from_v4(dst);
    r.src_port = sport;
    r.dst_port = dport;
    r.protocol = proto;
    r.tcp_flags = proto == tcp ? flags : 0;
    r.packets = packets;
    r.bytes = bytes;
    r.end_ms = end_ms;
    r.start_ms = end_ms - duration_ms;
    bool inbound = (src & 0xffffff00) != net;
    r.input_if = inbound ? 1 : 2;
    r.output_if = inbound ? 2 : 1;
    out.push_back(r);
  }
};

uint16_t client_port(rng_type& rng) {
  return static_cast<uint16_t>(32768 + pick(rng, 28000));
}

// A web or TLS session and its answer: two records, as a flow exporter
// reports the two directions.
void session(flow_maker& f, rng_type& rng, uint32_t client, uint32_t server, uint16_t port,
             int64_t end_ms) {
  auto cport = client_port(rng);
  uint64_t packets = 6 + pick(rng, 40);
  uint64_t response = 2'000 + pick(rng, 400'000);
  int64_t duration = 200 + pick(rng, 20'000);
  uint8_t flags = syn | ack | psh | fin;
  f.add(client, cport, server, port, tcp, flags, packets, packets * 80, end_ms, duration);
  f.add(server, port, client, cport, tcp, flags, packets + response / 1400,
        response + packets * 40, end_ms, duration);
}

void dns_query(flow_maker& f, rng_type& rng, uint32_t client, uint32_t resolver, int64_t end_ms) {
  auto cport = client_port(rng);
  f.add(client, cport, resolver, 53, udp, 0, 1, 70, end_ms, 1);
  f.add(resolver, 53, client, cport, udp, 0, 1, 180, end_ms, 1);
}

// Everyday peers outside, .150 to .249: apart from the attackers' addresses,
// so an attacker's profile holds its attack only.
uint32_t outside_host(rng_type& rng) {
  return (pick(rng, 2) ? outside_a : outside_b) | (150 + pick(rng, 100));
}

// -- attacks ----------------------------------------------------------------------------

void horizontal_scan(flow_maker& f, rng_type& rng, int64_t cycle_s, int64_t ms) {
  // Four hosts a second, in address order, so the /24 is covered in a minute.
  for (uint32_t i = 0; i < 4; ++i) {
    uint32_t target = net | (1 + (cycle_s * 4 + i) % 254);
    f.add(scanner, client_port(rng), target, 23, tcp, syn, 1, 44, ms + 250 * i, 0);
  }
}

void ssh_bruteforce(flow_maker& f, rng_type& rng, int64_t ms) {
  for (uint32_t i = 0; i < 3; ++i) {
    auto cport = client_port(rng);
    int64_t end = ms + 300 * i;
    f.add(brute_forcer, cport, ssh_host, 22, tcp, syn | ack | psh | fin, 14, 2'600, end, 2'100);
    f.add(ssh_host, 22, brute_forcer, cport, tcp, syn | ack | psh | fin, 12, 3'100, end, 2'100);
  }
}

void syn_flood(flow_maker& f, rng_type& rng, int64_t ms) {
  // Spoofed sources spread over the whole address space outside.
  for (uint32_t i = 0; i < 150; ++i) {
    uint32_t src = (11 + pick(rng, 180)) << 24 | pick(rng, 1u << 24);
    f.add(src, client_port(rng), flood_victim, 80, tcp, syn, 1 + pick(rng, 2), 60,
          ms + pick(rng, 1000), 0);
  }
}

void udp_reflection(flow_maker& f, rng_type& rng, int64_t ms) {
  // Answers of open NTP servers to requests the victim never sent.
  for (uint32_t i = 0; i < 30; ++i) {
    uint32_t reflector = outside_a | (100 + pick(rng, 40));
    uint64_t packets = 50 + pick(rng, 100);
    f.add(reflector, 123, reflection_victim, client_port(rng), udp, 0, packets, packets * 468,
          ms + pick(rng, 1000), 900);
  }
}

} // namespace

const std::vector<demo_attack>& demo_traffic::attacks() {
  static const std::vector<demo_attack> list = {
    {"horizontal scan", "203.0.113.66 probes every host of 10.20.0.0/24 on TCP port 23", 15, 80},
    {"SSH brute force", "198.51.100.23 tries logins on 10.20.0.22 port 22, three a second", 60,
     180},
    {"SYN flood", "spoofed sources send SYNs to 10.20.0.10 port 80, 150 flows a second", 120,
     200},
    {"UDP reflection", "NTP servers flood 10.20.0.105 with answers from port 123", 210, 270},
  };
  return list;
}

demo_traffic::demo_traffic(int64_t start_ms, uint64_t seed) : start_ms_(start_ms), seed_(seed) {}

std::vector<flow_record> demo_traffic::generate(int64_t from_ms, int64_t to_ms) const {
  std::vector<flow_record> out;
  // Whole seconds of event time, each drawn on its own: the records of a
  // range do not depend on how the calls cut it.
  int64_t first = from_ms - ((from_ms % 1000) + 1000) % 1000;
  for (int64_t s = first; s < to_ms; s += 1000) {
    std::vector<flow_record> records;
    second(s, records);
    for (auto& r : records)
      if (r.end_ms >= from_ms && r.end_ms < to_ms)
        out.push_back(r);
  }
  return out;
}

void demo_traffic::second(int64_t second_ms, std::vector<flow_record>& out) const {
  rng_type rng{seed_ ^ (static_cast<uint64_t>(second_ms) * 0x9e3779b97f4a7c15ull)};
  flow_maker f{out};
  auto at = [&] { return second_ms + static_cast<int64_t>(pick(rng, 1000)); };
  // Everyday traffic: workstations browse and resolve names, outside
  // clients use the web and mail servers, the resolver asks outside.
  for (uint32_t w = 0; w < workstations; ++w) {
    uint32_t ws = first_workstation + w;
    if (pick(rng, 3) == 0)
      session(f, rng, ws, outside_host(rng), pick(rng, 4) ? 443 : 80, at());
    if (pick(rng, 4) == 0)
      dns_query(f, rng, ws, dns_server, at());
  }
  for (uint32_t i = 0, n = 6 + pick(rng, 6); i < n; ++i)
    session(f, rng, outside_host(rng), web_server, pick(rng, 3) ? 443 : 80, at());
  if (pick(rng, 2) == 0)
    session(f, rng, outside_host(rng), mail_server, 25, at());
  if (pick(rng, 3) == 0)
    dns_query(f, rng, dns_server, outside_host(rng), at());
  if (pick(rng, 10) == 0)
    session(f, rng, first_workstation + pick(rng, workstations), ssh_host, 22, at());

  // The attacks, by the second of the cycle.
  int64_t elapsed_s = (second_ms - start_ms_) / 1000;
  if (elapsed_s < 0)
    return;
  int64_t cycle_s = elapsed_s % cycle_seconds;
  const auto& list = attacks();
  auto running = [&](size_t i) { return cycle_s >= list[i].from_s && cycle_s < list[i].to_s; };
  if (running(0))
    horizontal_scan(f, rng, cycle_s, second_ms);
  if (running(1))
    ssh_bruteforce(f, rng, second_ms);
  if (running(2))
    syn_flood(f, rng, second_ms);
  if (running(3))
    udp_reflection(f, rng, second_ms);
}

} // namespace hostflow
