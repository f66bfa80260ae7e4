#pragma once

// Key encodings of the store's columns. Every number is big-endian, so the
// store's unsigned byte order is numeric order and a common prefix selects a
// contiguous range:
//
//   windows    u32 granularity seconds | 16 address bytes | u64 window start  (28 bytes)
//   baselines  16 address bytes | u8 hour of day                              (17 bytes)
//   alerts     u64 sequence number                                             (8 bytes)
//   templates  16 address bytes | u16 port | u16 protocol version | u32 domain (24 bytes)
//   meta       plain short ASCII names ("format_version", ...)
//
// Addresses are the 16-byte ip_address form, so IPv4 (mapped) and IPv6 hosts
// share one keyspace.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "flow/ip_address.hpp"

namespace hostflow {

// -- big-endian integers ----------------------------------------------------------

/// Appends `x` as 2 big-endian bytes.
void append_be16(std::string& out, uint16_t x);

/// Appends `x` as 4 big-endian bytes.
void append_be32(std::string& out, uint32_t x);

/// Appends `x` as 8 big-endian bytes.
void append_be64(std::string& out, uint64_t x);

/// Reads 2 big-endian bytes at `offset`; nullopt when `bytes` is too short.
std::optional<uint16_t> read_be16(std::string_view bytes, size_t offset = 0);

/// Reads 4 big-endian bytes at `offset`; nullopt when `bytes` is too short.
std::optional<uint32_t> read_be32(std::string_view bytes, size_t offset = 0);

/// Reads 8 big-endian bytes at `offset`; nullopt when `bytes` is too short.
std::optional<uint64_t> read_be64(std::string_view bytes, size_t offset = 0);

// -- ranges -------------------------------------------------------------------------

/// The smallest key greater than every key that starts with `prefix`, for use
/// as the exclusive end of a scan or erase_range. Empty when no such key
/// exists (an empty or all-0xff prefix), which the store reads as "to the end
/// of the column".
std::string prefix_end(std::string_view prefix);

// -- windows --------------------------------------------------------------------------

/// Size of a window key in bytes.
inline constexpr size_t window_key_size = 4 + 16 + 8;

/// The decoded fields of a window key.
struct window_key_parts {
  uint32_t granularity_seconds = 0;
  ip_address host;
  int64_t window_start_seconds = 0; ///< epoch seconds, never negative
};

/// The key of the closed window of `host` at `granularity_seconds` that starts
/// at `window_start_seconds` (epoch seconds). Times before 1970 are not
/// representable: a negative start is clamped to 0, so that the unsigned
/// encoding keeps sorting by time.
std::string window_key(uint32_t granularity_seconds, const ip_address& host,
                       int64_t window_start_seconds);

/// The 20-byte prefix shared by all windows of `host` at `granularity_seconds`.
std::string window_host_prefix(uint32_t granularity_seconds, const ip_address& host);

/// The 4-byte prefix shared by all windows at `granularity_seconds`.
std::string window_granularity_prefix(uint32_t granularity_seconds);

/// Decodes a window key; nullopt unless `key` is exactly window_key_size bytes
/// with a start that window_key could have written (below 2^63).
std::optional<window_key_parts> parse_window_key(std::string_view key);

// -- baselines ------------------------------------------------------------------------

/// Size of a baseline key in bytes.
inline constexpr size_t baseline_key_size = 16 + 1;

/// The decoded fields of a baseline key.
struct baseline_key_parts {
  ip_address host;
  uint8_t hour_of_day = 0;
};

/// The key of the baseline of `host` for `hour_of_day` (0..23, not checked
/// here: the key orders any byte, and the caller owns the calendar).
std::string baseline_key(const ip_address& host, uint8_t hour_of_day);

/// The 16-byte prefix shared by all baselines of `host`.
std::string baseline_host_prefix(const ip_address& host);

/// Decodes a baseline key; nullopt unless `key` is exactly baseline_key_size bytes.
std::optional<baseline_key_parts> parse_baseline_key(std::string_view key);

// -- alerts ---------------------------------------------------------------------------

/// The key of the alert with `sequence`; alerts scan in the order they were raised.
std::string alert_key(uint64_t sequence);

/// Decodes an alert key (to resume numbering after a restart); nullopt unless
/// `key` is exactly 8 bytes.
std::optional<uint64_t> parse_alert_key(std::string_view key);

// -- templates ------------------------------------------------------------------------

/// Size of a template key in bytes.
inline constexpr size_t template_key_size = 16 + 2 + 2 + 4;

/// The decoded fields of a template key.
struct template_key_parts {
  endpoint exporter;
  uint16_t version = 0; ///< 9 (NetFlow v9) or 10 (IPFIX)
  uint32_t domain = 0;  ///< v9 source id / IPFIX observation domain
};

/// The key of the template snapshot of one domain of `exporter`.
std::string template_key(const endpoint& exporter, uint16_t version, uint32_t domain);

/// Decodes a template key; nullopt unless `key` is exactly template_key_size bytes.
std::optional<template_key_parts> parse_template_key(std::string_view key);

} // namespace hostflow
