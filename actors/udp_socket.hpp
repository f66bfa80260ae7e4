#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <sys/uio.h>
#include <utility>
#include <vector>

#include "flow/byte_view.hpp"
#include "flow/ip_address.hpp"

namespace hostflow {

// -- results ---------------------------------------------------------------------

/// A value, or the sentence that says why there is none. Used at the edges
/// (parsing config, opening sockets) where the caller logs or reports the text.
template <class T>
struct io_result {
  std::optional<T> value; ///< set on success
  std::string error;      ///< set on failure: "bind 0.0.0.0:2055: Address already in use"

  explicit operator bool() const noexcept { return value.has_value(); }
  T& operator*() { return *value; }
  T* operator->() { return &*value; }
};

/// Parses a listen address: "192.0.2.1:2055" or "[2001:db8::1]:2055". Only
/// literal addresses: resolving names at startup would make the bound address
/// depend on DNS. Port 0 is accepted (the kernel picks one).
io_result<endpoint> parse_listen_address(std::string_view text);

// -- descriptor ----------------------------------------------------------------------

/// An owned socket descriptor, closed on destruction; movable, not copyable.
class socket_handle {
public:
  socket_handle() = default;
  explicit socket_handle(int fd) noexcept : fd_(fd) {}
  ~socket_handle() { reset(); }
  socket_handle(socket_handle&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  socket_handle& operator=(socket_handle&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  socket_handle(const socket_handle&) = delete;
  socket_handle& operator=(const socket_handle&) = delete;

  /// The descriptor, or -1 when empty (moved from or never opened).
  int get() const noexcept { return fd_; }
  /// Closes the descriptor now.
  void reset() noexcept;

private:
  int fd_ = -1;
};

// -- kernel drop counter -------------------------------------------------------------

/// Turns the kernel's 32-bit per-socket drop counter (SO_RXQ_OVFL) into a
/// 64-bit total that keeps counting across the counter's wrap.
class drop_counter {
public:
  /// Takes a raw counter value; values arrive in queue order, so the distance
  /// from the previous one (modulo 2^32) is the number of new drops.
  void observe(uint32_t raw) noexcept {
    total_ += static_cast<uint32_t>(raw - last_raw_);
    last_raw_ = raw;
  }

  /// Drops since the socket was created.
  uint64_t total() const noexcept { return total_; }

private:
  uint32_t last_raw_ = 0; ///< the kernel counter starts at 0 with the socket
  uint64_t total_ = 0;
};

// -- receive batch ---------------------------------------------------------------------

/// One received datagram, valid until the batch is reused.
struct datagram {
  const endpoint& sender;
  byte_view payload; ///< the bytes received; cut to the slot size when truncated
  bool truncated;    ///< the datagram was larger than the slot
};

/// Reusable buffers for one recvmmsg call: `slots` datagrams of up to
/// `slot_bytes` each. Allocated once; receiving does not allocate.
class receive_batch {
public:
  /// Datagrams taken per system call by default.
  static constexpr size_t default_slots = 64;
  /// Large enough for any UDP payload, so nothing is truncated by default.
  static constexpr size_t default_slot_bytes = 65536;

  explicit receive_batch(size_t slots = default_slots, size_t slot_bytes = default_slot_bytes);
  ~receive_batch();
  receive_batch(receive_batch&&) noexcept;
  receive_batch& operator=(receive_batch&&) noexcept;
  receive_batch(const receive_batch&) = delete;
  receive_batch& operator=(const receive_batch&) = delete;

  /// Slots available per receive.
  size_t capacity() const noexcept { return slots_; }
  /// Bytes per slot.
  size_t slot_bytes() const noexcept { return slot_bytes_; }
  /// Datagrams filled by the last receive.
  size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }

  /// The i-th datagram of the last receive; i < size().
  datagram operator[](size_t i) const noexcept {
    return {senders_[i], payload(i), truncated_[i] != 0};
  }
  /// Where the i-th datagram came from.
  const endpoint& sender(size_t i) const noexcept { return senders_[i]; }
  /// The bytes of the i-th datagram.
  byte_view payload(size_t i) const noexcept {
    return {buffer_.data() + i * stride_, lengths_[i]};
  }
  /// True when the i-th datagram did not fit its slot.
  bool truncated(size_t i) const noexcept { return truncated_[i] != 0; }

private:
  friend class udp_socket;

  /// Resets the kernel-written header fields of every slot before a call.
  void prepare() noexcept;

  size_t slots_;
  size_t slot_bytes_;
  size_t stride_;      ///< distance between slot starts
  size_t size_ = 0;
  std::vector<uint8_t> buffer_;         ///< slots_ * slot_bytes_ payload bytes
  std::vector<mmsghdr> headers_;        ///< one per slot, pointing into the rest
  std::vector<iovec> iovecs_;
  std::vector<sockaddr_storage> names_; ///< raw sender addresses
  std::vector<uint8_t> control_;        ///< ancillary data, control_stride_ per slot
  size_t control_stride_;
  std::vector<endpoint> senders_; ///< names_ converted, for the last receive
  std::vector<size_t> lengths_;
  std::vector<uint8_t> truncated_; ///< bytes, not vector<bool>: read per slot
};

// -- receiving socket ----------------------------------------------------------------------

/// How the receive buffer request turned out.
struct receive_buffer_info {
  size_t requested = 0; ///< bytes asked for; 0 leaves the kernel default
  size_t granted = 0;   ///< usable bytes: half of what the kernel reports (it doubles the value)
  size_t reported = 0;  ///< SO_RCVBUF as getsockopt returns it
  bool forced = false;  ///< SO_RCVBUFFORCE was accepted (root or CAP_NET_ADMIN)
  bool capped = false;  ///< granted < requested: net.core.rmem_max limited the request

  /// "sysctl -w net.core.rmem_max=<requested>" when capped, else empty.
  std::string advice() const;
};

/// Socket settings chosen by the receiver's configuration.
struct udp_socket_options {
  size_t receive_buffer_bytes = 0; ///< 0 keeps the kernel default
  bool reuse_port = false;         ///< SO_REUSEPORT: several receivers share the port
  /// Try SO_RCVBUFFORCE before SO_RCVBUF; off to get exactly what an
  /// unprivileged process would get.
  bool force_receive_buffer = true;
};

/// Totals since the socket was opened.
struct udp_socket_counters {
  uint64_t datagrams = 0;      ///< datagrams received
  uint64_t bytes = 0;          ///< payload bytes received (truncated ones count what was kept)
  uint64_t truncated = 0;      ///< datagrams larger than their slot
  uint64_t kernel_drops = 0;   ///< dropped by the kernel: receive buffer full (SO_RXQ_OVFL)
  uint64_t receive_errors = 0; ///< failed receive calls other than EINTR/EAGAIN
};

/// A bound, non-blocking UDP socket that receives in batches. Owns its
/// descriptor; movable, not copyable. Nothing on the receive path throws.
class udp_socket {
public:
  /// Opens and binds a socket. IPv6 sockets are IPv6-only, so "0.0.0.0:p" and
  /// "[::]:p" can be bound side by side. Errors name the step and the address.
  static io_result<udp_socket> open(const endpoint& listen, const udp_socket_options& options);

  /// Shorthand with the receive buffer forced when permitted.
  static io_result<udp_socket> open(const endpoint& listen, size_t receive_buffer_bytes,
                                    bool reuse_port);

  udp_socket(udp_socket&&) noexcept = default;
  udp_socket& operator=(udp_socket&&) noexcept = default;

  /// Waits up to `timeout_ms` (negative: no limit, 0: no wait) for a
  /// datagram, then takes every queued one that fits the batch in one call.
  /// Returns the number received (batch.size()); 0 on timeout or error, see
  /// last_error().
  size_t receive(receive_batch& batch, int timeout_ms);

  /// The bound address; tells the port chosen for a port 0 bind.
  const endpoint& local_endpoint() const noexcept { return local_; }
  /// The receive buffer outcome of open().
  const receive_buffer_info& receive_buffer() const noexcept { return buffer_info_; }
  /// Datagrams the kernel dropped for this socket. Learned from the next
  /// datagram queued after the drops, so it can lag while traffic stops.
  uint64_t kernel_drops() const noexcept { return drops_.total(); }
  /// All totals.
  udp_socket_counters counters() const noexcept;
  /// The last receive error ("recvmmsg 0.0.0.0:2055: ..."), empty if none.
  const std::string& last_error() const noexcept { return last_error_; }
  /// The descriptor, for diagnostics and tests; still owned by this object.
  int native_handle() const noexcept { return fd_.get(); }

private:
  udp_socket(socket_handle fd, const endpoint& local, const receive_buffer_info& info) noexcept;
  /// One recvmmsg without waiting; -1 with errno on failure.
  int receive_queued(receive_batch& batch) noexcept;
  void record_error(const char* call, int err);

  socket_handle fd_;
  endpoint local_;
  receive_buffer_info buffer_info_;
  drop_counter drops_;
  uint64_t datagrams_ = 0;
  uint64_t bytes_ = 0;
  uint64_t truncated_ = 0;
  uint64_t receive_errors_ = 0;
  std::string last_error_;
};

// -- sending socket -------------------------------------------------------------------------

/// A UDP sender for tests and the benchmark: sends datagrams to one
/// destination with sendmmsg. Movable, not copyable.
class udp_sender {
public:
  /// Datagrams handed to the kernel per sendmmsg call.
  static constexpr size_t batch_size = 64;

  /// Opens a socket of the destination's family. `connected` fixes the peer
  /// with connect(), which spares the kernel a route lookup per datagram.
  static io_result<udp_sender> open(const endpoint& destination, bool connected = true);

  udp_sender(udp_sender&&) noexcept = default;
  udp_sender& operator=(udp_sender&&) noexcept = default;

  /// Sends the datagrams in order; returns how many were sent. Fewer than
  /// `count` means an error stopped it, see last_error().
  size_t send(const byte_view* datagrams, size_t count);
  /// Sends all of `datagrams`, as above.
  size_t send(const std::vector<byte_view>& datagrams) {
    return send(datagrams.data(), datagrams.size());
  }

  /// The source address the kernel chose (the unspecified address with the
  /// real source port when not connected).
  const endpoint& local_endpoint() const noexcept { return local_; }
  /// Where the datagrams go.
  const endpoint& destination() const noexcept { return destination_; }
  /// The last send error, empty if none.
  const std::string& last_error() const noexcept { return last_error_; }

private:
  udp_sender(socket_handle fd, const endpoint& destination, const endpoint& local,
             bool connected) noexcept;

  socket_handle fd_;
  endpoint destination_;
  endpoint local_;
  bool connected_ = true;
  std::string last_error_;
};

} // namespace hostflow
