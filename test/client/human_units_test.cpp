// Numbers for people: counts, bytes and durations in the tables.

#include <doctest/doctest.h>

#include "client/human_units.hpp"

using namespace hostflow::client;

TEST_CASE("format_count is exact below 1000, then three significant digits with k/M/G/T") {
  CHECK(format_count(0) == "0");
  CHECK(format_count(999) == "999");
  CHECK(format_count(1000) == "1.00k");
  CHECK(format_count(1234) == "1.23k");
  CHECK(format_count(12'345) == "12.3k");
  CHECK(format_count(143'481) == "143k");
  CHECK(format_count(999'499) == "999k");
  CHECK(format_count(999'500) == "1.00M"); // rounding carries into the next unit
  CHECK(format_count(1'162'751) == "1.16M");
  CHECK(format_count(903'467'685) == "903M");
  CHECK(format_count(2'710'403'055) == "2.71G");
  CHECK(format_count(5'000'000'000'000) == "5.00T");
}

TEST_CASE("format_bytes uses the same steps with a unit") {
  CHECK(format_bytes(0) == "0 B");
  CHECK(format_bytes(950) == "950 B");
  CHECK(format_bytes(1500) == "1.50 kB");
  CHECK(format_bytes(112'349) == "112 kB");
  CHECK(format_bytes(13'880'854) == "13.9 MB");
  CHECK(format_bytes(903'467'685) == "903 MB");
  CHECK(format_bytes(2'710'403'055) == "2.71 GB");
}

TEST_CASE("format_duration shows at most two units, largest first") {
  CHECK(format_duration(0) == "0s");
  CHECK(format_duration(850) == "850ms");
  CHECK(format_duration(1000) == "1s");
  CHECK(format_duration(1500) == "1.5s");
  CHECK(format_duration(59'000) == "59s");
  CHECK(format_duration(90'000) == "1m30s");
  CHECK(format_duration(60'000) == "1m");
  CHECK(format_duration(3'600'000) == "1h");
  CHECK(format_duration(3'605'000) == "1h"); // the seconds are a third unit
  CHECK(format_duration(7'500'000) == "2h5m");
  CHECK(format_duration(273'600'000) == "3d4h");
  CHECK(format_duration(-90'000) == "-1m30s");
}
