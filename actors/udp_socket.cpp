#include "actors/udp_socket.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <netinet/in.h>
#include <poll.h>
#include <system_error>
#include <unistd.h>

namespace hostflow {

namespace {

// -- helpers --------------------------------------------------------------------

std::string errno_text(int err) {
  return std::generic_category().message(err);
}

/// "<call> <address>: <errno text>", the form of every socket error here.
std::string failure(const char* call, const endpoint& where, int err) {
  return std::string{call} + " " + where.to_string() + ": " + errno_text(err);
}

socklen_t to_sockaddr(const endpoint& e, sockaddr_storage& out) noexcept {
  std::memset(&out, 0, sizeof(out));
  if (e.address.is_v4()) {
    auto& sin = reinterpret_cast<sockaddr_in&>(out);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(e.port);
    std::memcpy(&sin.sin_addr, e.address.bytes.data() + 12, 4);
    return sizeof(sockaddr_in);
  }
  auto& sin6 = reinterpret_cast<sockaddr_in6&>(out);
  sin6.sin6_family = AF_INET6;
  sin6.sin6_port = htons(e.port);
  std::memcpy(&sin6.sin6_addr, e.address.bytes.data(), 16);
  return sizeof(sockaddr_in6);
}

endpoint from_sockaddr(const sockaddr_storage& in) noexcept {
  endpoint e;
  if (in.ss_family == AF_INET) {
    auto& sin = reinterpret_cast<const sockaddr_in&>(in);
    e.address = ip_address::from_v4_bytes(reinterpret_cast<const uint8_t*>(&sin.sin_addr));
    e.port = ntohs(sin.sin_port);
  } else if (in.ss_family == AF_INET6) {
    auto& sin6 = reinterpret_cast<const sockaddr_in6&>(in);
    e.address = ip_address::from_v6_bytes(reinterpret_cast<const uint8_t*>(&sin6.sin6_addr));
    e.port = ntohs(sin6.sin6_port);
  }
  return e;
}

bool local_address(int fd, endpoint& out) noexcept {
  sockaddr_storage name{};
  socklen_t len = sizeof(name);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&name), &len) != 0)
    return false;
  out = from_sockaddr(name);
  return true;
}

bool set_flag(int fd, int level, int option) noexcept {
  int on = 1;
  return ::setsockopt(fd, level, option, &on, sizeof(on)) == 0;
}

io_result<endpoint> bad_listen(std::string_view text, const char* why) {
  return {std::nullopt, "listen address '" + std::string{text} + "': " + why};
}

} // namespace

// -- socket_handle ------------------------------------------------------------------

void socket_handle::reset() noexcept {
  if (fd_ >= 0)
    ::close(std::exchange(fd_, -1));
}

// -- parse_listen_address ---------------------------------------------------------

io_result<endpoint> parse_listen_address(std::string_view text) {
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    auto bracket = text.find(']');
    if (bracket == std::string_view::npos)
      return bad_listen(text, "missing ']' after the IPv6 address");
    if (bracket + 1 >= text.size() || text[bracket + 1] != ':')
      return bad_listen(text, "expected ':port' after ']'");
    host = text.substr(1, bracket - 1);
    port = text.substr(bracket + 2);
    if (host.find(':') == std::string_view::npos)
      return bad_listen(text, "brackets are for IPv6 addresses only");
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos)
      return bad_listen(text, "expected address:port");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos)
      return bad_listen(text, "write IPv6 addresses in brackets: [addr]:port");
  }
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return bad_listen(text, "the port must be a decimal number");
  unsigned long number = std::stoul(std::string{port});
  if (number > 65535)
    return bad_listen(text, "the port must be at most 65535");
  if (host.empty())
    return bad_listen(text, "missing address (use 0.0.0.0 or [::] for all)");
  auto address = ip_address::parse(host);
  if (!address)
    return bad_listen(text, "not an IP address (names are not resolved)");
  return {endpoint{*address, static_cast<uint16_t>(number)}, {}};
}

// -- receive_batch ----------------------------------------------------------------

receive_batch::receive_batch(size_t slots, size_t slot_bytes)
  : slots_(std::max<size_t>(slots, 1)),
    slot_bytes_(std::max<size_t>(slot_bytes, 1)),
    // Slots 64 KiB apart would put every datagram's first bytes in the same
    // cache sets; an odd number of extra cache lines per slot spreads them.
    stride_(slot_bytes_ + 17 * 64),
    buffer_(slots_ * stride_),
    headers_(slots_),
    iovecs_(slots_),
    names_(slots_),
    control_stride_(CMSG_SPACE(sizeof(uint32_t))),
    senders_(slots_),
    lengths_(slots_),
    truncated_(slots_) {
  control_.resize(slots_ * control_stride_);
  // The pointers stay valid across moves: moving a vector keeps its storage.
  for (size_t i = 0; i < slots_; ++i) {
    iovecs_[i].iov_base = buffer_.data() + i * stride_;
    iovecs_[i].iov_len = slot_bytes_;
    auto& msg = headers_[i].msg_hdr;
    msg.msg_name = &names_[i];
    msg.msg_iov = &iovecs_[i];
    msg.msg_iovlen = 1;
    msg.msg_control = control_.data() + i * control_stride_;
  }
  prepare();
}

receive_batch::~receive_batch() = default;
receive_batch::receive_batch(receive_batch&&) noexcept = default;
receive_batch& receive_batch::operator=(receive_batch&&) noexcept = default;

void receive_batch::prepare() noexcept {
  size_ = 0;
  for (auto& h : headers_) {
    h.msg_hdr.msg_namelen = sizeof(sockaddr_storage);
    h.msg_hdr.msg_controllen = control_stride_;
    h.msg_hdr.msg_flags = 0;
    h.msg_len = 0;
  }
}

// -- receive_buffer_info ------------------------------------------------------------

std::string receive_buffer_info::advice() const {
  if (!capped)
    return {};
  return "sysctl -w net.core.rmem_max=" + std::to_string(requested);
}

// -- udp_socket ---------------------------------------------------------------------

io_result<udp_socket> udp_socket::open(const endpoint& listen, size_t receive_buffer_bytes,
                                       bool reuse_port) {
  udp_socket_options options;
  options.receive_buffer_bytes = receive_buffer_bytes;
  options.reuse_port = reuse_port;
  return open(listen, options);
}

io_result<udp_socket> udp_socket::open(const endpoint& listen, const udp_socket_options& options) {
  auto fail = [&](const char* call) {
    return io_result<udp_socket>{std::nullopt, failure(call, listen, errno)};
  };
  bool v4 = listen.address.is_v4();
  socket_handle fd{::socket(v4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)};
  if (fd.get() < 0)
    return fail("socket");
  if (!v4 && !set_flag(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY))
    return fail("setsockopt IPV6_V6ONLY");
  if (options.reuse_port && !set_flag(fd.get(), SOL_SOCKET, SO_REUSEPORT))
    return fail("setsockopt SO_REUSEPORT");
  if (!set_flag(fd.get(), SOL_SOCKET, SO_RXQ_OVFL))
    return fail("setsockopt SO_RXQ_OVFL");

  // Sized before bind so the first burst already has the full buffer.
  receive_buffer_info info;
  info.requested = options.receive_buffer_bytes;
  if (info.requested > 0) {
    // The kernel doubles the value in an int; larger requests would overflow.
    int value = static_cast<int>(std::min<size_t>(info.requested, INT_MAX / 2));
    info.forced = options.force_receive_buffer &&
                  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUFFORCE, &value, sizeof(value)) == 0;
    // Without privilege (EPERM) SO_RCVBUF still gets up to net.core.rmem_max.
    if (!info.forced && ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &value, sizeof(value)) != 0)
      return fail("setsockopt SO_RCVBUF");
  }
  int reported = 0;
  socklen_t len = sizeof(reported);
  if (::getsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &reported, &len) != 0)
    return fail("getsockopt SO_RCVBUF");
  info.reported = static_cast<size_t>(reported);
  info.granted = info.reported / 2;
  info.capped = info.requested > 0 && info.granted < info.requested;

  sockaddr_storage addr;
  socklen_t addr_len = to_sockaddr(listen, addr);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), addr_len) != 0)
    return fail("bind");
  endpoint local = listen;
  if (!local_address(fd.get(), local))
    return fail("getsockname");
  return {udp_socket{std::move(fd), local, info}, {}};
}

udp_socket::udp_socket(socket_handle fd, const endpoint& local,
                       const receive_buffer_info& info) noexcept
  : fd_(std::move(fd)), local_(local), buffer_info_(info) {
}

udp_socket_counters udp_socket::counters() const noexcept {
  return {datagrams_, bytes_, truncated_, drops_.total(), receive_errors_};
}

void udp_socket::record_error(const char* call, int err) {
  ++receive_errors_;
  last_error_ = failure(call, local_, err);
}

int udp_socket::receive_queued(receive_batch& batch) noexcept {
  batch.prepare();
  for (;;) {
    auto slots = static_cast<unsigned>(batch.headers_.size());
    int n = ::recvmmsg(fd_.get(), batch.headers_.data(), slots, MSG_DONTWAIT, nullptr);
    if (n >= 0 || errno != EINTR)
      return n;
  }
}

size_t udp_socket::receive(receive_batch& batch, int timeout_ms) {
  if (fd_.get() < 0) {
    batch.size_ = 0;
    return 0;
  }
  // Try first: under load a datagram is almost always queued, and skipping
  // poll halves the system calls per batch.
  int n = receive_queued(batch);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && timeout_ms != 0) {
    using clock = std::chrono::steady_clock;
    auto deadline = clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      int wait = -1;
      if (timeout_ms > 0) {
        auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now());
        if (left.count() <= 0)
          return 0;
        wait = static_cast<int>(left.count());
      }
      pollfd p{fd_.get(), POLLIN, 0};
      int ready = ::poll(&p, 1, wait);
      if (ready < 0 && errno == EINTR)
        continue;
      if (ready < 0) {
        record_error("poll", errno);
        return 0;
      }
      if (ready == 0)
        return 0;
      n = receive_queued(batch);
      // A wakeup without data (e.g. a datagram failing its checksum at read
      // time) is not the end of the wait.
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        continue;
      break;
    }
  }
  if (n < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      record_error("recvmmsg", errno);
    return 0;
  }
  for (size_t i = 0; i < static_cast<size_t>(n); ++i) {
    auto& h = batch.headers_[i];
    batch.lengths_[i] = std::min<size_t>(h.msg_len, batch.slot_bytes_);
    batch.truncated_[i] = (h.msg_hdr.msg_flags & MSG_TRUNC) != 0;
    batch.senders_[i] = from_sockaddr(batch.names_[i]);
    bytes_ += batch.lengths_[i];
    truncated_ += batch.truncated_[i];
    for (auto* c = CMSG_FIRSTHDR(&h.msg_hdr); c != nullptr; c = CMSG_NXTHDR(&h.msg_hdr, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL &&
          c->cmsg_len >= CMSG_LEN(sizeof(uint32_t))) {
        uint32_t raw;
        std::memcpy(&raw, CMSG_DATA(c), sizeof(raw));
        drops_.observe(raw);
      }
    }
  }
  datagrams_ += static_cast<uint64_t>(n);
  batch.size_ = static_cast<size_t>(n);
  return batch.size_;
}

// -- udp_sender ---------------------------------------------------------------------

io_result<udp_sender> udp_sender::open(const endpoint& destination, bool connected) {
  auto fail = [&](const char* call) {
    return io_result<udp_sender>{std::nullopt, failure(call, destination, errno)};
  };
  bool v4 = destination.address.is_v4();
  socket_handle fd{::socket(v4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0)};
  if (fd.get() < 0)
    return fail("socket");
  sockaddr_storage addr;
  if (connected) {
    socklen_t len = to_sockaddr(destination, addr);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), len) != 0)
      return fail("connect");
  } else {
    // Bound now, so local_endpoint() knows the source port before the first send.
    endpoint any{v4 ? ip_address::from_v4(0) : ip_address{}, 0};
    socklen_t len = to_sockaddr(any, addr);
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), len) != 0)
      return fail("bind");
  }
  endpoint local;
  if (!local_address(fd.get(), local))
    return fail("getsockname");
  return {udp_sender{std::move(fd), destination, local, connected}, {}};
}

udp_sender::udp_sender(socket_handle fd, const endpoint& destination, const endpoint& local,
                       bool connected) noexcept
  : fd_(std::move(fd)), destination_(destination), local_(local), connected_(connected) {
}

size_t udp_sender::send(const byte_view* datagrams, size_t count) {
  if (fd_.get() < 0)
    return 0;
  sockaddr_storage addr;
  socklen_t addr_len = to_sockaddr(destination_, addr);
  mmsghdr headers[batch_size];
  iovec iovecs[batch_size];
  size_t sent = 0;
  while (sent < count) {
    size_t n = std::min(batch_size, count - sent);
    for (size_t i = 0; i < n; ++i) {
      const auto& d = datagrams[sent + i];
      iovecs[i].iov_base = const_cast<uint8_t*>(d.data);
      iovecs[i].iov_len = d.size;
      headers[i] = mmsghdr{};
      headers[i].msg_hdr.msg_iov = &iovecs[i];
      headers[i].msg_hdr.msg_iovlen = 1;
      if (!connected_) {
        headers[i].msg_hdr.msg_name = &addr;
        headers[i].msg_hdr.msg_namelen = addr_len;
      }
    }
    int r = ::sendmmsg(fd_.get(), headers, static_cast<unsigned>(n), 0);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0) {
      last_error_ = failure("sendmmsg", destination_, r < 0 ? errno : EIO);
      break;
    }
    sent += static_cast<size_t>(r);
  }
  return sent;
}

} // namespace hostflow
