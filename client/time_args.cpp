#include "client/time_args.hpp"

#include <cctype>
#include <limits>

#include "flow/flow_record.hpp"

namespace hostflow::client {

namespace {

constexpr int64_t ms_per_day = 86'400'000;
// Beyond this many milliseconds (about 73 million years) arithmetic could
// overflow; no real time or lookback comes near it.
constexpr int64_t max_ms = std::numeric_limits<int64_t>::max() / 4;

bool is_digit(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

/// Reads exactly `n` digits at `pos` into `out`.
bool read_digits(std::string_view s, size_t& pos, size_t n, int& out) {
  if (pos + n > s.size())
    return false;
  out = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!is_digit(s[pos + i]))
      return false;
    out = out * 10 + (s[pos + i] - '0');
  }
  pos += n;
  return true;
}

bool expect(std::string_view s, size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c)
    return false;
  ++pos;
  return true;
}

/// Days from 1970-01-01 to the civil date (proleptic Gregorian), so the
/// machine's time zone never enters the result.
int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool leap_year(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int y, int m) {
  static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap_year(y) ? 29 : days[m - 1];
}

/// Milliseconds of a fraction of a second at `pos`, if any: ".5" is 500;
/// digits past the third are cut, not rounded. False for a bare '.'.
bool read_fraction(std::string_view s, size_t& pos, int64_t& ms) {
  ms = 0;
  if (pos >= s.size() || s[pos] != '.')
    return true;
  ++pos;
  size_t first = pos;
  int64_t scale = 100;
  while (pos < s.size() && is_digit(s[pos])) {
    ms += (s[pos] - '0') * scale;
    scale /= 10;
    ++pos;
  }
  return pos > first;
}

std::optional<int64_t> parse_rfc3339(std::string_view s, std::string& error) {
  auto bad = [&](const char* why) -> std::optional<int64_t> {
    error = "\"" + std::string{s} + "\" is not a time: " + why +
            " (use RFC 3339 as 2024-03-04T09:01:00Z, or epoch seconds)";
    return std::nullopt;
  };
  size_t pos = 0;
  int year, month, day, hour, minute, second;
  if (!read_digits(s, pos, 4, year) || !expect(s, pos, '-') || !read_digits(s, pos, 2, month) ||
      !expect(s, pos, '-') || !read_digits(s, pos, 2, day))
    return bad("expected a date as YYYY-MM-DD");
  if (pos >= s.size() || (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' '))
    return bad("expected 'T' and a time of day after the date");
  ++pos;
  if (!read_digits(s, pos, 2, hour) || !expect(s, pos, ':') || !read_digits(s, pos, 2, minute) ||
      !expect(s, pos, ':') || !read_digits(s, pos, 2, second))
    return bad("expected a time of day as HH:MM:SS");
  int64_t fraction_ms = 0;
  if (!read_fraction(s, pos, fraction_ms))
    return bad("expected digits after the decimal point");
  int64_t offset_min = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int sign = s[pos] == '-' ? -1 : 1;
    ++pos;
    int oh, om;
    if (!read_digits(s, pos, 2, oh) || !expect(s, pos, ':') || !read_digits(s, pos, 2, om) ||
        oh > 23 || om > 59)
      return bad("expected a UTC offset as +HH:MM or -HH:MM");
    offset_min = sign * (oh * 60 + om);
  } else {
    // A time without an offset would silently depend on the reader's zone.
    return bad("expected 'Z' or a UTC offset such as +01:00 after the time of day");
  }
  if (pos != s.size())
    return bad("unexpected text after the UTC offset");
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month))
    return bad("no such date");
  // 60 is a leap second; it is taken as the first instant of the next minute.
  if (hour > 23 || minute > 59 || second > 60)
    return bad("no such time of day");
  return days_from_civil(year, month, day) * ms_per_day +
         ((hour * 60 + minute) * 60 + second) * int64_t{1000} + fraction_ms - offset_min * 60'000;
}

std::optional<int64_t> parse_epoch_seconds(std::string_view s, std::string& error) {
  size_t pos = 0;
  int64_t seconds = 0;
  while (pos < s.size() && is_digit(s[pos])) {
    seconds = seconds * 10 + (s[pos] - '0');
    if (seconds > max_ms / 1000) {
      error = "\"" + std::string{s} + "\" is too far in the future";
      return std::nullopt;
    }
    ++pos;
  }
  int64_t fraction_ms = 0;
  if (pos == 0 || !read_fraction(s, pos, fraction_ms) || pos != s.size()) {
    error = "\"" + std::string{s} +
            "\" is not a time (use RFC 3339 as 2024-03-04T09:01:00Z, or epoch seconds)";
    return std::nullopt;
  }
  return seconds * 1000 + fraction_ms;
}

} // namespace

// -- parsing ------------------------------------------------------------------------------

std::optional<int64_t> parse_time(std::string_view text, std::string& error) {
  if (text.empty()) {
    error = "an empty string is not a time";
    return std::nullopt;
  }
  // A date has a '-' after its four-digit year; epoch seconds never do.
  auto ms = text.size() > 4 && text[4] == '-' ? parse_rfc3339(text, error)
                                              : parse_epoch_seconds(text, error);
  // Event times are never earlier, and the API refuses them.
  if (ms && *ms < 0) {
    error = "\"" + std::string{text} + "\" is before 1970-01-01T00:00:00Z";
    return std::nullopt;
  }
  return ms;
}

std::optional<int64_t> parse_duration(std::string_view text, std::string& error) {
  auto bad = [&](const std::string& why) -> std::optional<int64_t> {
    error = "\"" + std::string{text} + "\" is not a duration: " + why +
            " (use e.g. 90s, 15m, 1h30m, 2d; units ms, s, m, h, d, w)";
    return std::nullopt;
  };
  if (text.empty())
    return bad("it is empty");
  int64_t total = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    if (!is_digit(text[pos]))
      return bad("expected a number at \"" + std::string{text.substr(pos)} + "\"");
    int64_t n = 0;
    while (pos < text.size() && is_digit(text[pos])) {
      n = n * 10 + (text[pos] - '0');
      if (n > max_ms)
        return bad("too long");
      ++pos;
    }
    if (pos < text.size() && text[pos] == '.')
      return bad("no fractions, use a smaller unit (90m, not 1.5h)");
    size_t unit_start = pos;
    while (pos < text.size() && std::isalpha(static_cast<unsigned char>(text[pos])))
      ++pos;
    std::string_view unit = text.substr(unit_start, pos - unit_start);
    int64_t scale;
    if (unit == "ms")
      scale = 1;
    else if (unit == "s")
      scale = 1000;
    else if (unit == "m")
      scale = 60'000;
    else if (unit == "h")
      scale = 3'600'000;
    else if (unit == "d")
      scale = ms_per_day;
    else if (unit == "w")
      scale = 7 * ms_per_day;
    else if (unit.empty())
      return bad("a number needs a unit");
    else
      return bad("unknown unit \"" + std::string{unit} + "\"");
    if (n > (max_ms - total) / scale)
      return bad("too long");
    total += n * scale;
  }
  if (total <= 0)
    return bad("it must be longer than zero");
  return total;
}

// -- formatting -------------------------------------------------------------------------

std::string format_time(int64_t epoch_ms) {
  return format_epoch_ms(epoch_ms);
}

} // namespace hostflow::client
