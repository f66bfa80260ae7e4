#include "server/proto_values.hpp"

#include "flow/event_time.hpp"

namespace hostflow {

// -- times ---------------------------------------------------------------------------

namespace {

// 9999-12-31T23:59:59Z, the last second a Timestamp may hold.
constexpr int64_t max_timestamp_seconds = 253'402'300'799;
// 10,000 years, the longest a Duration may be.
constexpr int64_t max_duration_seconds = 315'576'000'000;
constexpr int32_t nanos_per_ms = 1'000'000;

} // namespace

void to_timestamp(int64_t epoch_ms, google::protobuf::Timestamp& out) {
  // Nanos are never negative in a Timestamp: floor, not truncate.
  int64_t seconds = floor_div(epoch_ms, 1000);
  out.set_seconds(seconds);
  out.set_nanos(static_cast<int32_t>(epoch_ms - seconds * 1000) * nanos_per_ms);
}

void to_duration(int64_t ms, google::protobuf::Duration& out) {
  // Seconds and nanos share the sign in a Duration: truncate.
  out.set_seconds(ms / 1000);
  out.set_nanos(static_cast<int32_t>(ms % 1000) * nanos_per_ms);
}

void to_time_range(const time_span& span, v1::TimeRange& out) {
  to_timestamp(span.from_ms, *out.mutable_start());
  to_timestamp(span.to_ms, *out.mutable_end());
}

std::optional<int64_t> epoch_ms_of(const google::protobuf::Timestamp& t, const std::string& field,
                                   std::string& error) {
  if (t.nanos() < 0 || t.nanos() >= 1'000'000'000) {
    error = field + ": nanos " + std::to_string(t.nanos()) + " is out of range (0..999999999)";
    return std::nullopt;
  }
  if (t.seconds() < 0) {
    error = field + ": seconds " + std::to_string(t.seconds()) +
            " is before 1970-01-01T00:00:00Z; hostflow keeps no earlier windows";
    return std::nullopt;
  }
  if (t.seconds() > max_timestamp_seconds) {
    error = field + ": seconds " + std::to_string(t.seconds()) + " is after 9999-12-31T23:59:59Z";
    return std::nullopt;
  }
  return t.seconds() * 1000 + t.nanos() / nanos_per_ms;
}

std::optional<int64_t> milliseconds_of(const google::protobuf::Duration& d,
                                       const std::string& field, std::string& error) {
  if (d.seconds() > max_duration_seconds || d.seconds() < -max_duration_seconds) {
    error = field + ": seconds " + std::to_string(d.seconds()) +
            " is out of range (at most 10000 years either way)";
    return std::nullopt;
  }
  if (d.nanos() <= -1'000'000'000 || d.nanos() >= 1'000'000'000 ||
      (d.seconds() > 0 && d.nanos() < 0) || (d.seconds() < 0 && d.nanos() > 0)) {
    error = field + ": nanos " + std::to_string(d.nanos()) +
            " is out of range (-999999999..999999999, with the sign of seconds)";
    return std::nullopt;
  }
  return d.seconds() * 1000 + d.nanos() / nanos_per_ms;
}

// -- enumerations --------------------------------------------------------------------

std::optional<uint32_t> granularity_seconds(int value) noexcept {
  switch (value) {
  case v1::GRANULARITY_10_SECONDS:
    return 10;
  case v1::GRANULARITY_30_SECONDS:
    return 30;
  case v1::GRANULARITY_1_MINUTE:
    return 60;
  case v1::GRANULARITY_5_MINUTES:
    return 300;
  default:
    return std::nullopt;
  }
}

v1::Granularity to_proto_granularity(uint32_t seconds) noexcept {
  switch (seconds) {
  case 10:
    return v1::GRANULARITY_10_SECONDS;
  case 30:
    return v1::GRANULARITY_30_SECONDS;
  case 60:
    return v1::GRANULARITY_1_MINUTE;
  case 300:
    return v1::GRANULARITY_5_MINUTES;
  default:
    return v1::GRANULARITY_UNSPECIFIED;
  }
}

std::optional<host_direction> direction_of(int value) noexcept {
  switch (value) {
  case v1::DIRECTION_OUT:
    return host_direction::out;
  case v1::DIRECTION_IN:
    return host_direction::in;
  default:
    return std::nullopt;
  }
}

v1::Direction to_proto(host_direction d) noexcept {
  return d == host_direction::out ? v1::DIRECTION_OUT : v1::DIRECTION_IN;
}

std::optional<rank_metric> metric_of(int value) noexcept {
  switch (value) {
  case v1::METRIC_BYTES:
    return rank_metric::bytes;
  case v1::METRIC_PACKETS:
    return rank_metric::packets;
  case v1::METRIC_FLOWS:
    return rank_metric::flows;
  case v1::METRIC_DISTINCT_PEERS:
    return rank_metric::distinct_peers;
  case v1::METRIC_DISTINCT_PORTS:
    return rank_metric::distinct_ports;
  case v1::METRIC_SYN_ONLY_FLOWS:
    return rank_metric::syn_only_flows;
  case v1::METRIC_DEVIATION:
    return rank_metric::deviation;
  default:
    return std::nullopt;
  }
}

v1::Metric to_proto(rank_metric m) noexcept {
  switch (m) {
  case rank_metric::bytes:
    return v1::METRIC_BYTES;
  case rank_metric::packets:
    return v1::METRIC_PACKETS;
  case rank_metric::flows:
    return v1::METRIC_FLOWS;
  case rank_metric::distinct_peers:
    return v1::METRIC_DISTINCT_PEERS;
  case rank_metric::distinct_ports:
    return v1::METRIC_DISTINCT_PORTS;
  case rank_metric::syn_only_flows:
    return v1::METRIC_SYN_ONLY_FLOWS;
  case rank_metric::deviation:
    return v1::METRIC_DEVIATION;
  }
  return v1::METRIC_UNSPECIFIED;
}

v1::Metric to_proto(baseline_metric m) noexcept {
  switch (m) {
  case baseline_metric::bytes:
    return v1::METRIC_BYTES;
  case baseline_metric::packets:
    return v1::METRIC_PACKETS;
  case baseline_metric::flows:
    return v1::METRIC_FLOWS;
  case baseline_metric::distinct_peers:
    return v1::METRIC_DISTINCT_PEERS;
  }
  return v1::METRIC_UNSPECIFIED;
}

std::string enum_error(const std::string& field, const google::protobuf::EnumDescriptor& type,
                       int value) {
  std::string choices;
  // Value 0 is the UNSPECIFIED of every enum of the API.
  for (int i = 0; i < type.value_count(); ++i)
    if (type.value(i)->number() != 0)
      choices += (choices.empty() ? "" : ", ") + type.value(i)->name();
  if (value == 0)
    return field + ": " + type.FindValueByNumber(0)->name() + " is not allowed; set one of " +
           choices;
  return field + ": " + std::to_string(value) + " is not a known " + type.name() + " (one of " +
         choices + ")";
}

} // namespace hostflow
