#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hostflow/v1/hostflow.pb.h"

namespace hostflow::client {

// -- short names of the API's enumerations ----------------------------------------------
//
// The command line and the JSON output name granularities, directions and
// metrics by short lower-case words, the same in both, so a value printed
// by one command can be given to another.

/// "10s", "30s", "1m", "5m"; "unspecified" for anything else.
std::string to_name(v1::Granularity g);

/// "out", "in"; "unspecified" for anything else.
std::string to_name(v1::Direction d);

/// "bytes", "packets", "flows", "peers", "ports", "syn-only", "deviation";
/// "unspecified" for anything else.
std::string to_name(v1::Metric m);

/// The length of a granularity in seconds; 0 for none.
uint32_t seconds_of(v1::Granularity g);

/// The granularity named `text` ("10s", "30s", "1m", "5m"; also "60s",
/// "300s", "1min", "5min"); nullopt with `error` set otherwise.
std::optional<v1::Granularity> parse_granularity(std::string_view text, std::string& error);

/// The direction named `text` ("in" or "out"); nullopt with `error` set
/// otherwise.
std::optional<v1::Direction> parse_direction(std::string_view text, std::string& error);

/// The metric named `text` (the names of to_name(Metric), plus "syn_only"
/// and "distinct-peers"/"distinct-ports"); nullopt with `error` set otherwise.
std::optional<v1::Metric> parse_metric(std::string_view text, std::string& error);

} // namespace hostflow::client
