#pragma once

// Single values between the API's form and hostflow's: times, durations and
// the enumerations. Whole messages are built in proto_convert and read in
// proto_requests, from these.

#include <cstdint>
#include <optional>
#include <string>

#include "flow/baseline.hpp"
#include "flow/rank_metric.hpp"
#include "flow/window_stats.hpp"

#include "hostflow/v1/hostflow.pb.h"

namespace hostflow {

// -- times ---------------------------------------------------------------------------

/// A range of event time, [from_ms, to_ms), in epoch milliseconds.
struct time_span {
  int64_t from_ms = 0;
  int64_t to_ms = 0;
};

/// A span as a TimeRange.
void to_time_range(const time_span& span, v1::TimeRange& out);

/// Epoch milliseconds as a Timestamp.
void to_timestamp(int64_t epoch_ms, google::protobuf::Timestamp& out);

/// Milliseconds as a Duration.
void to_duration(int64_t ms, google::protobuf::Duration& out);

/// A Timestamp as epoch milliseconds (sub-millisecond parts cut off). A
/// time before 1970 or after 9999, or nanos outside 0..999999999, is an
/// error naming `field`; nullopt then, with `error` set.
std::optional<int64_t> epoch_ms_of(const google::protobuf::Timestamp& t, const std::string& field,
                                   std::string& error);

/// A Duration as milliseconds (sub-millisecond parts cut off). Seconds and
/// nanos of different signs, or more than 10,000 years, are an error naming
/// `field`.
std::optional<int64_t> milliseconds_of(const google::protobuf::Duration& d,
                                       const std::string& field, std::string& error);

// -- enumerations --------------------------------------------------------------------

/// The seconds of a granularity; nullopt for GRANULARITY_UNSPECIFIED and
/// values this server does not know (a newer client's).
std::optional<uint32_t> granularity_seconds(int value) noexcept;

/// The Granularity of 10, 30, 60 or 300 seconds; UNSPECIFIED for others.
v1::Granularity to_proto_granularity(uint32_t seconds) noexcept;

/// The host direction of a Direction; nullopt for UNSPECIFIED and unknown values.
std::optional<host_direction> direction_of(int value) noexcept;

/// The Direction of a host direction.
v1::Direction to_proto(host_direction d) noexcept;

/// The rank metric of a Metric; nullopt for UNSPECIFIED and unknown values.
std::optional<rank_metric> metric_of(int value) noexcept;

/// The Metric of a rank metric.
v1::Metric to_proto(rank_metric m) noexcept;

/// The Metric of a baseline metric (bytes, packets, flows, distinct peers).
v1::Metric to_proto(baseline_metric m) noexcept;

/// "granularity: GRANULARITY_UNSPECIFIED is not set (one of
/// GRANULARITY_10_SECONDS, ...)" or "granularity: 42 is not a known
/// Granularity (...)": why `value` of the enum field `field` was refused.
std::string enum_error(const std::string& field, const google::protobuf::EnumDescriptor& type,
                       int value);

} // namespace hostflow
