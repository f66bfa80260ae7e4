#include "client/human_units.hpp"

#include <cstdio>

namespace hostflow::client {

namespace {

/// Three significant digits of `n` scaled down by the largest power of 1000
/// not above it, with that power's suffix; exact below 1000.
std::string scaled(uint64_t n, const char* const suffixes[], const char* separator) {
  if (n < 1000)
    return std::to_string(n) + separator + suffixes[0];
  double v = static_cast<double>(n);
  size_t power = 0;
  // Rounding may carry into the next power ("999.7k" is printed "1.00M").
  while (power < 5 && v >= 999.5) {
    v /= 1000.0;
    ++power;
  }
  char buf[32];
  if (v < 9.995)
    std::snprintf(buf, sizeof(buf), "%.2f", v);
  else if (v < 99.95)
    std::snprintf(buf, sizeof(buf), "%.1f", v);
  else
    std::snprintf(buf, sizeof(buf), "%.0f", v);
  return std::string{buf} + separator + suffixes[power];
}

} // namespace

std::string format_count(uint64_t n) {
  static const char* const suffixes[] = {"", "k", "M", "G", "T", "P"};
  return scaled(n, suffixes, "");
}

std::string format_bytes(uint64_t n) {
  static const char* const suffixes[] = {"B", "kB", "MB", "GB", "TB", "PB"};
  return scaled(n, suffixes, " ");
}

std::string format_duration(int64_t ms) {
  if (ms < 0)
    return "-" + format_duration(-ms);
  if (ms == 0)
    return "0s";
  if (ms < 1000)
    return std::to_string(ms) + "ms";
  if (ms < 60'000) {
    // Seconds with one decimal while that decimal means something.
    char buf[32];
    if (ms % 1000 == 0)
      std::snprintf(buf, sizeof(buf), "%llds", static_cast<long long>(ms / 1000));
    else
      std::snprintf(buf, sizeof(buf), "%.1fs", static_cast<double>(ms) / 1000.0);
    return buf;
  }
  struct unit {
    int64_t ms;
    const char* name;
  };
  static constexpr unit units[] = {{86'400'000, "d"}, {3'600'000, "h"}, {60'000, "m"}, {1000, "s"}};
  int64_t rest = ms;
  std::string out;
  int written = 0;
  for (const auto& u : units) {
    if (written == 2)
      break;
    int64_t n = rest / u.ms;
    if (n == 0 && written == 0)
      continue;
    rest -= n * u.ms;
    if (n != 0)
      out += std::to_string(n) + u.name;
    // Two units at most, counted from the largest: a table wants "2h5m",
    // not the seconds too.
    ++written;
  }
  return out;
}

} // namespace hostflow::client
