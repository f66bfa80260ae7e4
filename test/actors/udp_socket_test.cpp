#include "actors/udp_socket.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <netinet/in.h>
#include <vector>

#include <doctest/doctest.h>

using namespace hostflow;

namespace {

using clock_type = std::chrono::steady_clock;

endpoint listen_at(std::string_view text) {
  auto parsed = parse_listen_address(text);
  REQUIRE_MESSAGE(parsed, parsed.error);
  return *parsed;
}

udp_socket open_socket(std::string_view text, const udp_socket_options& options = {}) {
  auto s = udp_socket::open(listen_at(text), options);
  REQUIRE_MESSAGE(s, s.error);
  return std::move(*s);
}

udp_sender open_sender(const endpoint& to, bool connected = true) {
  auto s = udp_sender::open(to, connected);
  REQUIRE_MESSAGE(s, s.error);
  return std::move(*s);
}

/// Datagram i: sizes 1..9000 including both ends, bytes derived from i so a
/// mix-up between datagrams shows.
std::vector<uint8_t> make_payload(size_t i) {
  size_t size = i == 0 ? 1 : i == 1 ? 9000 : 1 + (i * 7919) % 9000;
  std::vector<uint8_t> p(size);
  for (size_t j = 0; j < size; ++j)
    p[j] = static_cast<uint8_t>(i * 131 + j * 31);
  return p;
}

/// Receives until `count` datagrams arrived or a second passed.
size_t drain(udp_socket& s, receive_batch& batch, size_t count,
             std::vector<std::vector<uint8_t>>* payloads = nullptr,
             std::vector<uint16_t>* ports = nullptr) {
  size_t got = 0;
  auto deadline = clock_type::now() + std::chrono::seconds(1);
  while (got < count && clock_type::now() < deadline) {
    size_t n = s.receive(batch, 100);
    for (size_t i = 0; i < n; ++i) {
      auto d = batch[i];
      if (payloads)
        payloads->emplace_back(d.payload.data, d.payload.data + d.payload.size);
      if (ports)
        ports->push_back(d.sender.port);
    }
    got += n;
  }
  return got;
}

void exchange_datagrams(std::string_view listen, bool connected) {
  udp_socket_options options;
  options.receive_buffer_bytes = 8 << 20;
  auto receiver = open_socket(listen, options);
  auto sender = open_sender(receiver.local_endpoint(), connected);
  REQUIRE(sender.local_endpoint().port != 0);
  receive_batch batch;
  constexpr size_t total = 1000;
  constexpr size_t chunk = 50; // keeps the queue far below any receive buffer
  std::vector<std::vector<uint8_t>> sent;
  std::vector<std::vector<uint8_t>> received;
  std::vector<uint16_t> ports;
  for (size_t first = 0; first < total; first += chunk) {
    std::vector<byte_view> views;
    for (size_t i = first; i < first + chunk; ++i) {
      sent.push_back(make_payload(i));
      views.emplace_back(sent.back().data(), sent.back().size());
    }
    REQUIRE_MESSAGE(sender.send(views) == chunk, sender.last_error());
    REQUIRE(drain(receiver, batch, chunk, &received, &ports) == chunk);
  }
  CHECK(receiver.receive(batch, 0) == 0);
  CHECK(std::all_of(ports.begin(), ports.end(),
                    [&](uint16_t p) { return p == sender.local_endpoint().port; }));
  std::sort(sent.begin(), sent.end());
  std::sort(received.begin(), received.end());
  CHECK(received == sent);
  auto c = receiver.counters();
  CHECK(c.datagrams == total);
  CHECK(c.truncated == 0);
  CHECK(c.kernel_drops == 0);
  CHECK(receiver.last_error().empty());
}

size_t rmem_max() {
  std::ifstream in{"/proc/sys/net/core/rmem_max"};
  size_t value = 0;
  in >> value;
  return value;
}

} // namespace

TEST_CASE("listen addresses parse in IPv4 and bracketed IPv6 form") {
  auto v4 = parse_listen_address("0.0.0.0:2055");
  REQUIRE(v4);
  CHECK(v4->address.is_v4());
  CHECK(v4->address.is_unspecified());
  CHECK(v4->port == 2055);
  auto v6 = parse_listen_address("[2001:db8::1]:4739");
  REQUIRE(v6);
  CHECK_FALSE(v6->address.is_v4());
  CHECK(v6->to_string() == "[2001:db8::1]:4739");
  auto any = parse_listen_address("[::]:0");
  REQUIRE(any);
  CHECK(any->address.is_unspecified());
  CHECK(any->port == 0);
  CHECK(parse_listen_address("127.0.0.1:65535")->port == 65535);
}

TEST_CASE("malformed listen addresses are rejected with a message naming them") {
  for (const char* bad : {"1.2.3.4", "1.2.3.4:0x", "[::1:2055", "host:70000", "host:2055",
                          ":2055", "1.2.3.4:", "::1:2055", "[1.2.3.4]:2055", "[::1]2055",
                          "1.2.3.4:-1", "1.2.3.4:123456", "300.1.1.1:2055", ""}) {
    auto r = parse_listen_address(bad);
    CHECK_MESSAGE(!r, bad);
    CHECK(r.error.find("'" + std::string{bad} + "'") != std::string::npos);
  }
}

TEST_CASE("the kernel drop counter keeps counting across the 32-bit wrap") {
  drop_counter c;
  c.observe(10);
  c.observe(10);
  CHECK(c.total() == 10);
  c.observe(0xfffffff0u);
  CHECK(c.total() == 0xfffffff0u);
  c.observe(5); // wrapped: 0x10 + 5 more
  CHECK(c.total() == 0x100000005ull);
}

TEST_CASE("1000 datagrams of 1 to 9000 bytes arrive intact over IPv4") {
  exchange_datagrams("127.0.0.1:0", true);
}

TEST_CASE("1000 datagrams of 1 to 9000 bytes arrive intact over IPv6") {
  exchange_datagrams("[::1]:0", true);
}

TEST_CASE("an unconnected sender reaches the receiver too") {
  exchange_datagrams("127.0.0.1:0", false);
}

TEST_CASE("receive returns nothing after the timeout when nothing is sent") {
  auto s = open_socket("127.0.0.1:0");
  receive_batch batch{4};
  auto start = clock_type::now();
  CHECK(s.receive(batch, 50) == 0);
  auto waited = clock_type::now() - start;
  CHECK(waited >= std::chrono::milliseconds(45));
  CHECK(waited < std::chrono::milliseconds(1000));
  CHECK(batch.empty());
  start = clock_type::now();
  CHECK(s.receive(batch, 0) == 0);
  CHECK(clock_type::now() - start < std::chrono::milliseconds(50));
  CHECK(s.last_error().empty());
}

TEST_CASE("datagrams larger than their slot are counted as truncated") {
  auto s = open_socket("[::1]:0");
  auto sender = open_sender(s.local_endpoint());
  std::vector<uint8_t> big(1000, 0xab);
  std::vector<uint8_t> small(100, 0xcd);
  std::vector<byte_view> views{{big.data(), big.size()}, {small.data(), small.size()}};
  REQUIRE(sender.send(views) == 2);
  receive_batch batch{8, 512};
  std::vector<std::vector<uint8_t>> got;
  REQUIRE(drain(s, batch, 2, &got) == 2);
  CHECK(got[0] == std::vector<uint8_t>(512, 0xab));
  CHECK(got[1] == small);
  CHECK(s.counters().truncated == 1);
}

TEST_CASE("two sockets with reuse_port bind the same port") {
  udp_socket_options options;
  options.reuse_port = true;
  auto first = open_socket("127.0.0.1:0", options);
  auto port = first.local_endpoint().port;
  auto second = udp_socket::open(listen_at("127.0.0.1:" + std::to_string(port)), options);
  REQUIRE_MESSAGE(second, second.error);
  CHECK(second->local_endpoint() == first.local_endpoint());
}

TEST_CASE("binding an address in use without reuse_port fails naming the address") {
  auto first = open_socket("127.0.0.1:0");
  auto where = first.local_endpoint().to_string();
  auto second = udp_socket::open(first.local_endpoint(), 0, false);
  REQUIRE_FALSE(second);
  CHECK(second.error == "bind " + where + ": Address already in use");
}

TEST_CASE("IPv6 sockets are IPv6-only so both families can share a port") {
  auto v6 = open_socket("[::1]:0");
  int only = 0;
  socklen_t len = sizeof(only);
  REQUIRE(::getsockopt(v6.native_handle(), IPPROTO_IPV6, IPV6_V6ONLY, &only, &len) == 0);
  CHECK(only == 1);
  auto port = std::to_string(v6.local_endpoint().port);
  auto v4 = udp_socket::open(listen_at("127.0.0.1:" + port), 0, false);
  CHECK_MESSAGE(v4, v4.error);
}

TEST_CASE("a moved socket keeps its descriptor and the old one closes nothing") {
  auto a = open_socket("127.0.0.1:0");
  int fd = a.native_handle();
  udp_socket b = std::move(a);
  CHECK(b.native_handle() == fd);
  CHECK(a.native_handle() == -1);
  receive_batch batch{1};
  CHECK(a.receive(batch, 10) == 0);
}

TEST_CASE("the receive buffer request reports the granted size") {
  udp_socket_options options;
  options.receive_buffer_bytes = 32 << 20;
  auto forced = open_socket("127.0.0.1:0", options);
  const auto& info = forced.receive_buffer();
  MESSAGE("forced request " << info.requested << ": granted " << info.granted << " (reported "
                            << info.reported << "), forced " << info.forced);
  CHECK(info.requested == options.receive_buffer_bytes);
  CHECK(info.granted > 0);
  CHECK(info.reported == 2 * info.granted);
  if (!info.capped)
    CHECK(info.granted >= info.requested);
  else
    CHECK(info.advice() == "sysctl -w net.core.rmem_max=33554432");
  if (info.forced)
    CHECK_FALSE(info.capped);

  options.force_receive_buffer = false;
  auto plain = open_socket("127.0.0.1:0", options);
  const auto& p = plain.receive_buffer();
  MESSAGE("plain request " << p.requested << ": granted " << p.granted);
  CHECK_FALSE(p.forced);
  CHECK(p.granted > 0);
  if (rmem_max() < options.receive_buffer_bytes) {
    CHECK(p.capped);
    CHECK(p.granted == rmem_max());
    CHECK(p.advice() == "sysctl -w net.core.rmem_max=33554432");
  }

  auto untouched = open_socket("127.0.0.1:0");
  CHECK(untouched.receive_buffer().requested == 0);
  CHECK_FALSE(untouched.receive_buffer().capped);
  CHECK(untouched.receive_buffer().advice().empty());
}

TEST_CASE("datagrams dropped on a full receive buffer show in kernel_drops") {
  udp_socket_options options;
  options.receive_buffer_bytes = 65536;
  options.force_receive_buffer = false;
  auto s = open_socket("127.0.0.1:0", options);
  auto sender = open_sender(s.local_endpoint());
  // 2000 KiB of payload into a 128 KiB kernel budget: most must be dropped.
  std::vector<uint8_t> payload(1024, 0x5a);
  std::vector<byte_view> views(2000, byte_view{payload.data(), payload.size()});
  REQUIRE_MESSAGE(sender.send(views) == views.size(), sender.last_error());
  receive_batch batch;
  size_t queued = 0;
  for (int i = 0; i < 1000 && s.receive(batch, 0) > 0; ++i)
    queued += batch.size();
  MESSAGE("queued " << queued << " of " << views.size());
  CHECK(queued > 0);
  CHECK(queued < views.size());
  // The kernel stamps its drop count on datagrams queued after the drops, so
  // one more is needed to learn about them.
  REQUIRE(sender.send(views.data(), 1) == 1);
  REQUIRE(drain(s, batch, 1) == 1);
  MESSAGE("kernel drops " << s.kernel_drops());
  CHECK(s.kernel_drops() == views.size() - queued);
  CHECK(s.counters().datagrams == queued + 1);
}
