#pragma once

#include <cstdint>
#include <string>

namespace hostflow::client {

// -- numbers for people -------------------------------------------------------------------

/// A count with a decimal suffix and three significant digits: "950",
/// "1.23k", "45.6M", "7.89G", "1.00T". Exact below 1000.
std::string format_count(uint64_t n);

/// A number of bytes likewise, with a unit: "950 B", "1.23 kB", "903 MB".
std::string format_bytes(uint64_t n);

/// A length of time from its largest unit down, at most two units: "0s",
/// "850ms", "1.5s", "1m30s", "2h5m", "3d4h".
std::string format_duration(int64_t ms);

} // namespace hostflow::client
