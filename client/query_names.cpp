#include "client/query_names.hpp"

#include <utility>

namespace hostflow::client {

namespace {

using v1::Direction;
using v1::Granularity;
using v1::Metric;

// The first name of each value is the one printed; the others are accepted.
constexpr std::pair<const char*, Granularity> granularity_names[] = {
    {"10s", v1::GRANULARITY_10_SECONDS}, {"30s", v1::GRANULARITY_30_SECONDS},
    {"1m", v1::GRANULARITY_1_MINUTE},    {"5m", v1::GRANULARITY_5_MINUTES},
    {"60s", v1::GRANULARITY_1_MINUTE},   {"300s", v1::GRANULARITY_5_MINUTES},
    {"1min", v1::GRANULARITY_1_MINUTE},  {"5min", v1::GRANULARITY_5_MINUTES},
};

constexpr std::pair<const char*, Direction> direction_names[] = {
    {"out", v1::DIRECTION_OUT},
    {"in", v1::DIRECTION_IN},
};

constexpr std::pair<const char*, Metric> metric_names[] = {
    {"bytes", v1::METRIC_BYTES},
    {"packets", v1::METRIC_PACKETS},
    {"flows", v1::METRIC_FLOWS},
    {"peers", v1::METRIC_DISTINCT_PEERS},
    {"ports", v1::METRIC_DISTINCT_PORTS},
    {"syn-only", v1::METRIC_SYN_ONLY_FLOWS},
    {"deviation", v1::METRIC_DEVIATION},
    {"syn_only", v1::METRIC_SYN_ONLY_FLOWS},
    {"distinct-peers", v1::METRIC_DISTINCT_PEERS},
    {"distinct-ports", v1::METRIC_DISTINCT_PORTS},
};

template <class Enum, size_t N>
std::string name_of(const std::pair<const char*, Enum> (&names)[N], Enum value) {
  for (const auto& [name, v] : names)
    if (v == value)
      return name;
  return "unspecified";
}

/// The printed names, for error messages: "10s, 30s, 1m or 5m".
template <class Enum, size_t N>
std::string choices(const std::pair<const char*, Enum> (&names)[N]) {
  std::string out;
  std::string last;
  for (const auto& [name, v] : names) {
    if (name_of(names, v) != name)
      continue;
    if (!last.empty())
      out += out.empty() ? last : ", " + last;
    last = name;
  }
  return out.empty() ? last : out + " or " + last;
}

template <class Enum, size_t N>
std::optional<Enum> parse_name(const std::pair<const char*, Enum> (&names)[N],
                               std::string_view text, const char* what, std::string& error) {
  for (const auto& [name, v] : names)
    if (text == name)
      return v;
  error = "\"" + std::string{text} + "\" is not a " + what + " (use " + choices(names) + ")";
  return std::nullopt;
}

} // namespace

std::string to_name(Granularity g) {
  return name_of(granularity_names, g);
}

std::string to_name(Direction d) {
  return name_of(direction_names, d);
}

std::string to_name(Metric m) {
  return name_of(metric_names, m);
}

uint32_t seconds_of(Granularity g) {
  switch (g) {
  case v1::GRANULARITY_10_SECONDS:
    return 10;
  case v1::GRANULARITY_30_SECONDS:
    return 30;
  case v1::GRANULARITY_1_MINUTE:
    return 60;
  case v1::GRANULARITY_5_MINUTES:
    return 300;
  default:
    return 0;
  }
}

std::optional<Granularity> parse_granularity(std::string_view text, std::string& error) {
  return parse_name(granularity_names, text, "granularity", error);
}

std::optional<Direction> parse_direction(std::string_view text, std::string& error) {
  return parse_name(direction_names, text, "direction", error);
}

std::optional<Metric> parse_metric(std::string_view text, std::string& error) {
  return parse_name(metric_names, text, "metric", error);
}

} // namespace hostflow::client
