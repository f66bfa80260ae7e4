#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hostflow::client {

// -- times on the command line ----------------------------------------------------------

/// Parses an absolute time: RFC 3339 ("2024-03-04T09:01:00Z",
/// "2024-03-04T10:01:00.5+01:00"; 't', 'z' and a space for 'T' accepted) or
/// seconds since the epoch ("1709542860", "1709542860.25"). Returns
/// milliseconds since the epoch, or nullopt (also for times before 1970)
/// with `error` set to the reason.
std::optional<int64_t> parse_time(std::string_view text, std::string& error);

/// Parses a relative length of time: a positive number with a unit, or
/// several in a row ("90s", "15m", "1h30m", "2d", "500ms"; units ms, s, m,
/// h, d, w). Returns milliseconds, or nullopt with `error` set to the reason.
std::optional<int64_t> parse_duration(std::string_view text, std::string& error);

/// Milliseconds since the epoch as RFC 3339 UTC with milliseconds
/// ("2024-03-04T09:01:00.000Z"): the one time format of every output.
std::string format_time(int64_t epoch_ms);

} // namespace hostflow::client
