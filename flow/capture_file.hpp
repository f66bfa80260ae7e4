#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "flow/ip_address.hpp"

namespace hostflow {

// -- what a capture holds ----------------------------------------------------------

/// One export datagram taken from a capture: a UDP payload with its addresses
/// and capture time, or one message of a raw datagram file.
struct captured_datagram {
  endpoint source;              ///< the exporter (raw files: 0.0.0.0 port 0)
  endpoint destination;         ///< the collector it was sent to (raw files: 0.0.0.0 port 0)
  int64_t timestamp_ms = 0;     ///< capture time, epoch ms (raw files: 0, unknown)
  std::vector<uint8_t> payload; ///< the datagram's bytes
};

/// The container a capture file turned out to be.
enum class capture_format : uint8_t {
  pcap,           ///< libpcap capture
  pcapng,         ///< pcapng capture
  raw_netflow_v5, ///< concatenated NetFlow v5 datagrams
  raw_netflow_v9, ///< one NetFlow v9 datagram
  raw_ipfix,      ///< concatenated IPFIX messages (RFC 7011 file format)
  raw_sflow,      ///< one sFlow v5 datagram
};

/// Short name: "pcap", "pcapng", "raw NetFlow v5", ...
const char* to_string(capture_format f) noexcept;

/// What reading a capture met so far. Every frame is counted once in
/// datagrams, non_ip, non_udp, truncated, or (a later fragment) fragments;
/// a first fragment, yielded as a datagram, is counted in fragments too.
struct capture_stats {
  uint64_t frames = 0;    ///< frames (pcap) or messages (raw files) read
  uint64_t datagrams = 0; ///< datagrams yielded by next()
  uint64_t non_ip = 0;    ///< frames skipped: not IPv4/IPv6 (ARP, LLDP, ...)
  uint64_t non_udp = 0;   ///< frames skipped: IP but not UDP (TCP BGP/BMP, ICMP, ...)
  uint64_t truncated = 0; ///< frames skipped: cut short by the snap length, or headers
                          ///< that disagree with the bytes captured
  uint64_t fragments = 0; ///< IP fragments met; later fragments are skipped
};

// -- reading -------------------------------------------------------------------------

/// Reads export datagrams from a file, one at a time, in file order.
///
/// pcap and pcapng captures are read with libpcap; their frames are parsed
/// here (Ethernet with VLAN tags, Linux cooked v1/v2, BSD loopback, raw IP;
/// IPv4 and IPv6 with extension headers) and only UDP payloads come out.
/// No capture in the test data carries fragmented export datagrams, so there
/// is no reassembly: a first fragment yields the part of the datagram it holds
/// (the decoder counts the shortfall), later fragments are counted and skipped.
///
/// Files that are not captures are taken as raw export datagrams, recognised
/// by their version field: IPFIX files split on the message length, NetFlow
/// v5 files on the record count, a NetFlow v9 or sFlow file is one datagram.
class capture_reader {
public:
  /// Opens `path`. On failure returns nullopt and sets `error` to a sentence
  /// naming the file: "x.pcap: not a pcap, pcapng or NetFlow/IPFIX file".
  static std::optional<capture_reader> open(const std::string& path, std::string& error);

  capture_reader(capture_reader&&) noexcept;
  capture_reader& operator=(capture_reader&&) noexcept;
  ~capture_reader();

  /// Reads the next datagram into `out` (its payload buffer is reused).
  /// Returns false at the end of the file or on a read error; error() tells which.
  bool next(captured_datagram& out);

  /// Why next() stopped early ("x.pcap: truncated dump file; ..."), or empty
  /// when the file was read to its end.
  const std::string& error() const noexcept;

  /// What was read and skipped so far.
  const capture_stats& stats() const noexcept;

  /// The container the file turned out to be.
  capture_format format() const noexcept;

private:
  struct impl;
  explicit capture_reader(std::unique_ptr<impl> p);

  std::unique_ptr<impl> impl_;
};

/// Everything a capture file holds.
struct capture_contents {
  capture_format format = capture_format::pcap;
  std::vector<captured_datagram> datagrams; ///< in file order
  capture_stats stats;
};

/// Reads the whole file at `path`. On failure (cannot open, not a capture,
/// truncated) returns nullopt and sets `error` to a sentence naming the file.
std::optional<capture_contents> read_capture(const std::string& path, std::string& error);

} // namespace hostflow
