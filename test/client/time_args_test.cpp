// Times and durations as the query commands read and print them.

#include <doctest/doctest.h>

#include "client/time_args.hpp"

using namespace hostflow::client;

namespace {

/// The time `text` stands for; fails the test when it does not parse.
int64_t time_ms(const char* text) {
  std::string error;
  auto ms = parse_time(text, error);
  REQUIRE_MESSAGE(ms, error);
  return *ms;
}

int64_t duration_ms(const char* text) {
  std::string error;
  auto ms = parse_duration(text, error);
  REQUIRE_MESSAGE(ms, error);
  return *ms;
}

/// The error for `text`, empty when it parsed.
std::string time_error(const char* text) {
  std::string error;
  return parse_time(text, error) ? std::string{} : error;
}

std::string duration_error(const char* text) {
  std::string error;
  return parse_duration(text, error) ? std::string{} : error;
}

constexpr int64_t minute_0901 = 1'709'542'860'000; // 2024-03-04T09:01:00Z

} // namespace

TEST_CASE("parse_time reads RFC 3339 in UTC and with offsets") {
  CHECK(time_ms("2024-03-04T09:01:00Z") == minute_0901);
  CHECK(time_ms("2024-03-04t09:01:00z") == minute_0901);
  CHECK(time_ms("2024-03-04 09:01:00Z") == minute_0901);
  CHECK(time_ms("2024-03-04T10:01:00+01:00") == minute_0901);
  CHECK(time_ms("2024-03-04T03:31:00-05:30") == minute_0901);
  CHECK(time_ms("2024-03-04T09:01:00.250Z") == minute_0901 + 250);
  CHECK(time_ms("2024-03-04T09:01:00.5Z") == minute_0901 + 500);
  CHECK(time_ms("2024-03-04T09:01:00.123456789Z") == minute_0901 + 123);
  CHECK(time_ms("1970-01-01T00:00:00Z") == 0);
  CHECK(time_ms("2024-02-29T00:00:00Z") == 1'709'164'800'000);
  CHECK(time_ms("2000-02-29T00:00:00Z") == 951'782'400'000);
}

TEST_CASE("parse_time reads epoch seconds, with an optional fraction") {
  CHECK(time_ms("1709542860") == minute_0901);
  CHECK(time_ms("1709542860.25") == minute_0901 + 250);
  CHECK(time_ms("0") == 0);
}

TEST_CASE("parse_time refuses what is not a time, saying why") {
  CHECK(time_error("") == "an empty string is not a time");
  CHECK(time_error("yesterday").find("\"yesterday\" is not a time") == 0);
  CHECK(time_error("2024-03-04").find("expected 'T'") != std::string::npos);
  CHECK(time_error("2024-03-04T09:01:00").find("UTC offset") != std::string::npos);
  CHECK(time_error("2024-03-04T09:01Z").find("HH:MM:SS") != std::string::npos);
  CHECK(time_error("2024-13-01T00:00:00Z").find("no such date") != std::string::npos);
  CHECK(time_error("2023-02-29T00:00:00Z").find("no such date") != std::string::npos);
  CHECK(time_error("2024-03-04T24:00:00Z").find("no such time") != std::string::npos);
  CHECK(time_error("2024-03-04T09:01:00+1:00").find("UTC offset") != std::string::npos);
  CHECK(time_error("2024-03-04T09:01:00Zjunk").find("after the UTC offset") != std::string::npos);
  CHECK(time_error("2024-03-04T09:01:00.Z").find("decimal point") != std::string::npos);
  CHECK(time_error("1709542860s").find("is not a time") != std::string::npos);
  CHECK(time_error("-5").find("is not a time") != std::string::npos);
  CHECK(time_error(".5").find("is not a time") != std::string::npos);
  CHECK(time_error("1969-12-31T23:59:59Z").find("before 1970") != std::string::npos);
  CHECK(time_error("99999999999999999999").find("too far") != std::string::npos);
}

TEST_CASE("parse_duration reads relative times with units, alone or in a row") {
  CHECK(duration_ms("90s") == 90'000);
  CHECK(duration_ms("15m") == 900'000);
  CHECK(duration_ms("1h") == 3'600'000);
  CHECK(duration_ms("2d") == 172'800'000);
  CHECK(duration_ms("1w") == 604'800'000);
  CHECK(duration_ms("500ms") == 500);
  CHECK(duration_ms("1h30m") == 5'400'000);
  CHECK(duration_ms("1m30s") == 90'000);
}

TEST_CASE("parse_duration refuses bad units, bare numbers, zero and signs") {
  CHECK(duration_error("5x").find("\"5x\" is not a duration: unknown unit \"x\"") == 0);
  CHECK(duration_error("5").find("needs a unit") != std::string::npos);
  CHECK(duration_error("").find("empty") != std::string::npos);
  CHECK(duration_error("0s").find("longer than zero") != std::string::npos);
  CHECK(duration_error("-5m").find("expected a number") != std::string::npos);
  CHECK(duration_error("1.5h").find("no fractions") != std::string::npos);
  CHECK(duration_error("h").find("expected a number") != std::string::npos);
  CHECK(duration_error("99999999999999999999d").find("too long") != std::string::npos);
  CHECK(duration_error("90s").empty());
}

TEST_CASE("format_time writes RFC 3339 UTC with milliseconds, and parse_time reads it back") {
  CHECK(format_time(minute_0901) == "2024-03-04T09:01:00.000Z");
  CHECK(format_time(minute_0901 + 7) == "2024-03-04T09:01:00.007Z");
  CHECK(format_time(0) == "1970-01-01T00:00:00.000Z");
  CHECK(time_ms(format_time(minute_0901 + 999).c_str()) == minute_0901 + 999);
}
