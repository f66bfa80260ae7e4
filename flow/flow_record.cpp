#include "flow/flow_record.hpp"

#include <cinttypes>
#include <cstdio>
#include <ctime>

namespace hostflow {

const char* to_string(flow_direction d) noexcept {
  switch (d) {
    case flow_direction::ingress:
      return "ingress";
    case flow_direction::egress:
      return "egress";
    default:
      return "unknown";
  }
}

std::string format_epoch_ms(int64_t epoch_ms) {
  int64_t secs = epoch_ms / 1000;
  int64_t ms = epoch_ms % 1000;
  if (ms < 0) {
    ms += 1000;
    secs -= 1;
  }
  time_t t = static_cast<time_t>(secs);
  struct tm tm_utc {};
  gmtime_r(&t, &tm_utc);
  char buf[80];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm_utc.tm_year + 1900,
                tm_utc.tm_mon + 1, tm_utc.tm_mday, tm_utc.tm_hour, tm_utc.tm_min, tm_utc.tm_sec,
                static_cast<int>(ms));
  return buf;
}

namespace {

std::string with_port(const ip_address& a, uint16_t port) {
  if (a.is_v4())
    return a.to_string() + ":" + std::to_string(port);
  return "[" + a.to_string() + "]:" + std::to_string(port);
}

} // namespace

std::string to_string(const flow_record& r) {
  char counters[96];
  std::snprintf(counters, sizeof(counters), " proto %u pkts %" PRIu64 " bytes %" PRIu64,
                unsigned{r.protocol}, r.packets, r.bytes);
  std::string out = format_epoch_ms(r.start_ms);
  out += ' ';
  out += format_epoch_ms(r.end_ms);
  out += ' ';
  out += with_port(r.src_addr, r.src_port);
  out += " -> ";
  out += with_port(r.dst_addr, r.dst_port);
  out += counters;
  if (r.sampling_interval > 1)
    out += " sampling 1:" + std::to_string(r.sampling_interval);
  return out;
}

} // namespace hostflow
