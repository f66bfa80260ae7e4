#include "state/keys.hpp"

#include <limits>

namespace hostflow {

namespace {

template <class T>
void append_be(std::string& out, T x) {
  for (size_t shift = sizeof(T) * 8; shift > 0; shift -= 8)
    out.push_back(static_cast<char>(static_cast<uint8_t>(x >> (shift - 8))));
}

template <class T>
std::optional<T> read_be(std::string_view bytes, size_t offset) {
  if (offset > bytes.size() || bytes.size() - offset < sizeof(T))
    return std::nullopt;
  T x = 0;
  for (size_t i = 0; i < sizeof(T); ++i)
    x = static_cast<T>((x << 8) | static_cast<uint8_t>(bytes[offset + i]));
  return x;
}

void append_address(std::string& out, const ip_address& host) {
  out.append(reinterpret_cast<const char*>(host.bytes.data()), host.bytes.size());
}

ip_address read_address(std::string_view bytes, size_t offset) {
  return ip_address::from_v6_bytes(reinterpret_cast<const uint8_t*>(bytes.data() + offset));
}

} // namespace

// -- big-endian integers ----------------------------------------------------------

void append_be16(std::string& out, uint16_t x) {
  append_be(out, x);
}

void append_be32(std::string& out, uint32_t x) {
  append_be(out, x);
}

void append_be64(std::string& out, uint64_t x) {
  append_be(out, x);
}

std::optional<uint16_t> read_be16(std::string_view bytes, size_t offset) {
  return read_be<uint16_t>(bytes, offset);
}

std::optional<uint32_t> read_be32(std::string_view bytes, size_t offset) {
  return read_be<uint32_t>(bytes, offset);
}

std::optional<uint64_t> read_be64(std::string_view bytes, size_t offset) {
  return read_be<uint64_t>(bytes, offset);
}

// -- ranges -------------------------------------------------------------------------

std::string prefix_end(std::string_view prefix) {
  std::string end{prefix};
  // Drop trailing 0xff bytes (they cannot be incremented), then bump the last
  // byte left: "ab\xff" -> "ac". Nothing left means no finite end exists.
  while (!end.empty() && static_cast<uint8_t>(end.back()) == 0xff)
    end.pop_back();
  if (!end.empty())
    end.back() = static_cast<char>(static_cast<uint8_t>(end.back()) + 1);
  return end;
}

// -- windows --------------------------------------------------------------------------

std::string window_key(uint32_t granularity_seconds, const ip_address& host,
                       int64_t window_start_seconds) {
  std::string key;
  key.reserve(window_key_size);
  append_be32(key, granularity_seconds);
  append_address(key, host);
  append_be64(key, static_cast<uint64_t>(window_start_seconds < 0 ? 0 : window_start_seconds));
  return key;
}

std::string window_host_prefix(uint32_t granularity_seconds, const ip_address& host) {
  std::string key;
  key.reserve(4 + 16);
  append_be32(key, granularity_seconds);
  append_address(key, host);
  return key;
}

std::string window_granularity_prefix(uint32_t granularity_seconds) {
  std::string key;
  append_be32(key, granularity_seconds);
  return key;
}

std::optional<window_key_parts> parse_window_key(std::string_view key) {
  if (key.size() != window_key_size)
    return std::nullopt;
  auto start = *read_be64(key, 20);
  if (start > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    return std::nullopt;
  window_key_parts parts;
  parts.granularity_seconds = *read_be32(key, 0);
  parts.host = read_address(key, 4);
  parts.window_start_seconds = static_cast<int64_t>(start);
  return parts;
}

// -- baselines ------------------------------------------------------------------------

std::string baseline_key(const ip_address& host, uint8_t hour_of_day) {
  std::string key;
  key.reserve(baseline_key_size);
  append_address(key, host);
  key.push_back(static_cast<char>(hour_of_day));
  return key;
}

std::string baseline_host_prefix(const ip_address& host) {
  std::string key;
  append_address(key, host);
  return key;
}

std::optional<baseline_key_parts> parse_baseline_key(std::string_view key) {
  if (key.size() != baseline_key_size)
    return std::nullopt;
  baseline_key_parts parts;
  parts.host = read_address(key, 0);
  parts.hour_of_day = static_cast<uint8_t>(key[16]);
  return parts;
}

// -- alerts ---------------------------------------------------------------------------

std::string alert_key(uint64_t sequence) {
  std::string key;
  append_be64(key, sequence);
  return key;
}

std::optional<uint64_t> parse_alert_key(std::string_view key) {
  if (key.size() != 8)
    return std::nullopt;
  return read_be64(key);
}

// -- templates ------------------------------------------------------------------------

std::string template_key(const endpoint& exporter, uint16_t version, uint32_t domain) {
  std::string key;
  key.reserve(template_key_size);
  append_address(key, exporter.address);
  append_be16(key, exporter.port);
  append_be16(key, version);
  append_be32(key, domain);
  return key;
}

std::optional<template_key_parts> parse_template_key(std::string_view key) {
  if (key.size() != template_key_size)
    return std::nullopt;
  template_key_parts parts;
  parts.exporter.address = read_address(key, 0);
  parts.exporter.port = *read_be16(key, 16);
  parts.version = *read_be16(key, 18);
  parts.domain = *read_be32(key, 20);
  return parts;
}

} // namespace hostflow
