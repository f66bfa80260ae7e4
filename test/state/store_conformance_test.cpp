// The behaviour every store backend owes its users, run against both the
// in-memory and the RocksDB backend.

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "state/keys.hpp"
#include "state/retention.hpp"
#include "state/store.hpp"
#include "test/state/store_fixtures.hpp"

using namespace hostflow;

namespace {

#define STORE_BACKENDS memory_fixture, rocksdb_fixture

using entries = std::vector<std::pair<std::string, std::string>>;

void put(store& db, column cf, std::string_view key, std::string_view value) {
  write_batch batch;
  batch.put(cf, key, value);
  auto st = db.write(batch);
  REQUIRE_MESSAGE(st.ok(), st.to_string());
}

void erase(store& db, column cf, std::string_view key) {
  write_batch batch;
  batch.erase(cf, key);
  auto st = db.write(batch);
  REQUIRE_MESSAGE(st.ok(), st.to_string());
}

/// The value of `key`, or nullopt when the store says not_found.
std::optional<std::string> get(store& db, column cf, std::string_view key) {
  std::string value;
  auto st = db.get(cf, key, value);
  if (st.is_not_found())
    return std::nullopt;
  REQUIRE_MESSAGE(st.ok(), st.to_string());
  return value;
}

entries scan(store& db, column cf, std::string_view begin = {}, std::string_view end = {}) {
  entries out;
  auto st = db.scan(cf, begin, end, [&](std::string_view k, std::string_view v) {
    out.emplace_back(k, v);
    return true;
  });
  REQUIRE_MESSAGE(st.ok(), st.to_string());
  return out;
}

std::vector<std::string> keys(store& db, column cf, std::string_view begin = {},
                              std::string_view end = {}) {
  std::vector<std::string> out;
  for (auto& [k, v] : scan(db, cf, begin, end))
    out.push_back(k);
  return out;
}

std::vector<std::string> reverse_keys(store& db, column cf, std::string_view begin = {},
                                      std::string_view end = {}) {
  std::vector<std::string> out;
  auto st = db.scan_reverse(cf, begin, end, [&](std::string_view k, std::string_view) {
    out.emplace_back(k);
    return true;
  });
  REQUIRE_MESSAGE(st.ok(), st.to_string());
  return out;
}

/// A key made of the given bytes, so that 0x00 and 0xff need no escapes.
std::string bytes(std::initializer_list<uint8_t> list) {
  std::string s;
  for (auto b : list)
    s.push_back(static_cast<char>(b));
  return s;
}

std::vector<std::string> split(const std::string& letters) {
  std::vector<std::string> out;
  for (char c : letters)
    out.emplace_back(1, c);
  return out;
}

void put_letters(store& db, column cf, const std::string& letters) {
  write_batch batch;
  for (char c : letters)
    batch.put(cf, std::string(1, c), std::string("value of ") + c);
  auto st = db.write(batch);
  REQUIRE_MESSAGE(st.ok(), st.to_string());
}

} // namespace

TEST_CASE_TEMPLATE("put, get, overwrite and erase behave like a map", F, STORE_BACKENDS) {
  F f;
  auto& db = *f.db;
  CHECK(get(db, column::meta, "format_version") == std::nullopt);
  put(db, column::meta, "format_version", "1");
  CHECK(get(db, column::meta, "format_version") == "1");
  put(db, column::meta, "format_version", "2");
  CHECK(get(db, column::meta, "format_version") == "2");
  put(db, column::meta, "empty", "");
  CHECK(get(db, column::meta, "empty") == "");
  erase(db, column::meta, "format_version");
  CHECK(get(db, column::meta, "format_version") == std::nullopt);
  CHECK(get(db, column::meta, "empty") == "");
  // Erasing what is not there is not an error.
  erase(db, column::meta, "never written");
}

TEST_CASE_TEMPLATE("a missing key is reported as not_found", F, STORE_BACKENDS) {
  F f;
  std::string value = "untouched";
  auto st = f.db->get(column::alerts, alert_key(7), value);
  CHECK(st.code == store_errc::not_found);
  CHECK(st.is_not_found());
  CHECK_FALSE(st.ok());
}

TEST_CASE_TEMPLATE("columns are independent keyspaces", F, STORE_BACKENDS) {
  F f;
  auto& db = *f.db;
  put(db, column::windows, "k", "window");
  put(db, column::alerts, "k", "alert");
  put(db, column::alerts, "only in alerts", "x");
  CHECK(get(db, column::windows, "k") == "window");
  CHECK(get(db, column::alerts, "k") == "alert");
  CHECK(get(db, column::baselines, "k") == std::nullopt);
  erase(db, column::windows, "k");
  CHECK(get(db, column::windows, "k") == std::nullopt);
  CHECK(get(db, column::alerts, "k") == "alert");
  CHECK(scan(db, column::windows).empty());
  CHECK(keys(db, column::alerts) == std::vector<std::string>{"k", "only in alerts"});
  CHECK(scan(db, column::checkpoints).empty());
}

TEST_CASE_TEMPLATE("scans include begin, exclude end, and run to the end when end is empty", F,
                   STORE_BACKENDS) {
  F f;
  auto& db = *f.db;
  put_letters(db, column::templates, "aceg");
  CHECK(keys(db, column::templates, "c", "g") == split("ce"));
  CHECK(keys(db, column::templates, "b", "f") == split("ce"));
  CHECK(keys(db, column::templates, "c", "") == split("ceg"));
  CHECK(keys(db, column::templates, "", "") == split("aceg"));
  CHECK(keys(db, column::templates, "", "c") == split("a"));
  CHECK(keys(db, column::templates, "h", "").empty());
  CHECK(keys(db, column::templates, "c", "c").empty());
  auto all = scan(db, column::templates);
  REQUIRE(all.size() == 4);
  CHECK(all[1] == std::pair<std::string, std::string>{"c", "value of c"});
}

TEST_CASE_TEMPLATE("a scan stops as soon as the visitor returns false", F, STORE_BACKENDS) {
  F f;
  auto& db = *f.db;
  put_letters(db, column::alerts, "abcdef");
  std::vector<std::string> seen;
  auto visitor = [&](std::string_view k, std::string_view) {
    seen.emplace_back(k);
    return seen.size() < 2;
  };
  CHECK(db.scan(column::alerts, "b", "", visitor).ok());
  CHECK(seen == split("bc"));
  seen.clear();
  CHECK(db.scan_reverse(column::alerts, "", "e", visitor).ok());
  CHECK(seen == split("dc"));
}

TEST_CASE_TEMPLATE("reverse scans visit the same range in descending order", F, STORE_BACKENDS) {
  F f;
  auto& db = *f.db;
  put_letters(db, column::alerts, "bdfh");
  CHECK(reverse_keys(db, column::alerts) == split("hfdb"));
  CHECK(reverse_keys(db, column::alerts, "d", "h") == split("fd"));
  CHECK(reverse_keys(db, column::alerts, "c", "g") == split("fd"));
  CHECK(reverse_keys(db, column::alerts, "e", "") == split("hf"));
  CHECK(reverse_keys(db, column::alerts, "", "b").empty());
  CHECK(reverse_keys(db, column::alerts, "i", "").empty());
}

TEST_CASE_TEMPLATE("a range whose end is before its begin is rejected", F, STORE_BACKENDS) {
  F f;
  auto& db = *f.db;
  put_letters(db, column::windows, "abc");
  auto never = [](std::string_view, std::string_view) {
    FAIL("the visitor of a rejected scan ran");
    return false;
  };
  CHECK(db.scan(column::windows, "c", "a", never).code == store_errc::invalid_argument);
  CHECK(db.scan_reverse(column::windows, "c", "a", never).code == store_errc::invalid_argument);
  // The bad range rejects its whole batch, including the put before it.
  write_batch batch;
  batch.put(column::windows, "d", "x");
  batch.erase_range(column::windows, "c", "a");
  CHECK(db.write(batch).code == store_errc::invalid_argument);
  CHECK(keys(db, column::windows) == split("abc"));
}

TEST_CASE_TEMPLATE("erase_range deletes from begin up to end and nothing else", F, STORE_BACKENDS) {
  F f;
  auto& db = *f.db;
  put_letters(db, column::baselines, "abcdefgh");
  put_letters(db, column::checkpoints, "abcdefgh");
  write_batch batch;
  batch.erase_range(column::baselines, "b", "d");
  batch.erase_range(column::baselines, "e", "e"); // empty range
  REQUIRE(db.write(batch).ok());
  CHECK(keys(db, column::baselines) == split("adefgh"));
  batch.clear();
  batch.erase_range(column::baselines, "f", ""); // to the end of the column
  REQUIRE(db.write(batch).ok());
  CHECK(keys(db, column::baselines) == split("ade"));
  CHECK(keys(db, column::checkpoints) == split("abcdefgh"));
  // A range to the end also covers keys put earlier in the same batch.
  batch.clear();
  batch.put(column::baselines, "z", "late");
  batch.erase_range(column::baselines, "d", "");
  batch.put(column::baselines, "y", "after the range");
  REQUIRE(db.write(batch).ok());
  CHECK(keys(db, column::baselines) == split("ay"));
}

TEST_CASE_TEMPLATE("erase_range with prefix_end removes exactly one host's baselines", F,
                   STORE_BACKENDS) {
  F f;
  auto& db = *f.db;
  auto a = *ip_address::parse("10.0.0.1");
  auto b = *ip_address::parse("10.0.0.2");
  auto last = *ip_address::parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  write_batch batch;
  for (uint8_t hour = 0; hour < 24; ++hour)
    for (auto& host : {a, b, last})
      batch.put(column::baselines, baseline_key(host, hour), "baseline");
  REQUIRE(db.write(batch).ok());
  batch.clear();
  auto prefix = baseline_host_prefix(a);
  batch.erase_range(column::baselines, prefix, prefix_end(prefix));
  REQUIRE(db.write(batch).ok());
  CHECK(scan(db, column::baselines, prefix, prefix_end(prefix)).empty());
  CHECK(scan(db, column::baselines).size() == 48);
  // The all-0xff address has no finite prefix end: the range runs to the end.
  auto tail = baseline_host_prefix(last);
  REQUIRE(prefix_end(tail).empty());
  CHECK(scan(db, column::baselines, tail, prefix_end(tail)).size() == 24);
  batch.clear();
  batch.erase_range(column::baselines, tail, prefix_end(tail));
  REQUIRE(db.write(batch).ok());
  auto left = keys(db, column::baselines);
  REQUIRE(left.size() == 24);
  for (auto& k : left)
    CHECK(parse_baseline_key(k)->host == b);
}

TEST_CASE_TEMPLATE("a batch applies puts and erases across several columns together", F,
                   STORE_BACKENDS) {
  F f;
  auto& db = *f.db;
  put(db, column::baselines, "stale", "old");
  put(db, column::meta, "watermark", "100");
  write_batch batch;
  batch.put(column::windows, window_key(60, ip_address::from_v4(0x0a000001), 120), "w");
  batch.put(column::alerts, alert_key(1), "a1");
  batch.put(column::alerts, alert_key(2), "a2");
  batch.erase(column::baselines, "stale");
  batch.put(column::meta, "watermark", "180");
  batch.erase(column::alerts, alert_key(1)); // later operations see earlier ones
  CHECK(batch.size() == 6);
  REQUIRE(db.write(batch).ok());
  CHECK(scan(db, column::windows).size() == 1);
  CHECK(keys(db, column::alerts) == std::vector<std::string>{alert_key(2)});
  CHECK(get(db, column::baselines, "stale") == std::nullopt);
  CHECK(get(db, column::meta, "watermark") == "180");
  // An empty batch is a no-op, not an error.
  CHECK(db.write(write_batch{}).ok());
}

TEST_CASE_TEMPLATE("binary keys with 0x00 and 0xff bytes sort as unsigned bytes", F,
                   STORE_BACKENDS) {
  F f;
  auto& db = *f.db;
  std::vector<std::string> sorted = {
    bytes({}),     bytes({0x00}),       bytes({0x00, 0x00}), bytes({0x00, 0xff}),
    bytes({0x01}), bytes({0x7f, 0xff}), bytes({0x80}),       bytes({0x80, 0x00}),
    bytes({0xfe}), bytes({0xff}),       bytes({0xff, 0x00}), bytes({0xff, 0xff, 0xff}),
  };
  // Written in an order unlike the sorted one.
  write_batch batch;
  for (size_t i = 0; i < sorted.size(); ++i) {
    auto& k = sorted[(i * 5) % sorted.size()];
    batch.put(column::checkpoints, k, "v" + std::to_string(k.size()));
  }
  REQUIRE(db.write(batch).ok());
  CHECK(keys(db, column::checkpoints) == sorted);
  auto reversed = sorted;
  std::reverse(reversed.begin(), reversed.end());
  CHECK(reverse_keys(db, column::checkpoints) == reversed);
  CHECK(get(db, column::checkpoints, bytes({0x00, 0x00})) == "v2");
  CHECK(get(db, column::checkpoints, bytes({0x00, 0x00, 0x00})) == std::nullopt);
  // Bytes at and above 0x80 come after 0x7f, as unsigned values do.
  CHECK(keys(db, column::checkpoints, bytes({0x80}), bytes({0xff})) ==
        std::vector<std::string>{bytes({0x80}), bytes({0x80, 0x00}), bytes({0xfe})});
  CHECK(keys(db, column::checkpoints, bytes({0xff}), "") ==
        std::vector<std::string>{bytes({0xff}), bytes({0xff, 0x00}), bytes({0xff, 0xff, 0xff})});
}

TEST_CASE_TEMPLATE("compaction drops expired windows and keeps newer ones and other granularities",
                   F, STORE_BACKENDS) {
  F f;
  auto& db = *f.db;
  constexpr int64_t base = 1'700'000'040; // a minute boundary
  auto v4 = *ip_address::parse("192.0.2.10");
  auto v6 = *ip_address::parse("2001:db8::10");
  write_batch batch;
  for (int i = 0; i < 10; ++i) {
    batch.put(column::windows, window_key(60, v4, base + 60 * i), "minute");
    batch.put(column::windows, window_key(60, v6, base + 60 * i), "minute");
  }
  for (int i = -2; i <= 0; ++i)
    batch.put(column::windows, window_key(3600, v4, base + 3600 * i), "hour");
  batch.put(column::windows, "not a window key", "kept");
  // The rule is installed on windows only: an old window key elsewhere stays.
  batch.put(column::checkpoints, window_key(60, v4, base), "elsewhere");
  REQUIRE(db.write(batch).ok());

  auto retention = std::make_shared<window_retention>(std::vector<uint32_t>{60, 3600});
  db.set_expiry(column::windows, retention);
  // Set after installing: the rule is read when the compaction runs.
  retention->set_cutoff(60, base + 300);
  REQUIRE(db.compact(column::windows).ok());

  auto remaining = [&](uint32_t granularity, const ip_address& host) {
    std::vector<int64_t> starts;
    auto prefix = window_host_prefix(granularity, host);
    for (auto& k : keys(db, column::windows, prefix, prefix_end(prefix)))
      starts.push_back(parse_window_key(k)->window_start_seconds - base);
    return starts;
  };
  // Windows ending at or before the cutoff are gone: [base + 240, base + 300) is the last.
  CHECK(remaining(60, v4) == std::vector<int64_t>{300, 360, 420, 480, 540});
  CHECK(remaining(60, v6) == std::vector<int64_t>{300, 360, 420, 480, 540});
  CHECK(remaining(3600, v4) == std::vector<int64_t>{-7200, -3600, 0});
  CHECK(get(db, column::windows, "not a window key") == "kept");
  CHECK(get(db, column::checkpoints, window_key(60, v4, base)) == "elsewhere");

  // A later cutoff takes effect at the next compaction.
  retention->set_cutoff(60, base + 480);
  retention->set_cutoff(3600, base);
  REQUIRE(db.compact(column::windows).ok());
  CHECK(remaining(60, v4) == std::vector<int64_t>{480, 540});
  CHECK(remaining(3600, v4) == std::vector<int64_t>{0});
}

TEST_CASE_TEMPLATE("without an expiry rule compaction keeps everything", F, STORE_BACKENDS) {
  F f;
  auto& db = *f.db;
  auto host = ip_address::from_v4(0xc0000201);
  write_batch batch;
  for (int i = 0; i < 5; ++i)
    batch.put(column::windows, window_key(60, host, 60 * i), "minute");
  REQUIRE(db.write(batch).ok());
  REQUIRE(db.compact(column::windows).ok());
  CHECK(scan(db, column::windows).size() == 5);
  auto retention = std::make_shared<window_retention>(std::vector<uint32_t>{60});
  retention->set_cutoff(60, 1'000'000);
  db.set_expiry(column::windows, retention);
  db.set_expiry(column::windows, nullptr);
  REQUIRE(db.compact(column::windows).ok());
  CHECK(scan(db, column::windows).size() == 5);
}

TEST_CASE_TEMPLATE("size_bytes grows as entries are written", F, STORE_BACKENDS) {
  F f;
  auto& db = *f.db;
  auto before = db.size_bytes();
  write_batch batch;
  std::string value(1000, '\0');
  for (int i = 0; i < 100; ++i) {
    // Distinct, poorly compressible values, so that no backend can shrink them much.
    for (size_t j = 0; j < value.size(); ++j)
      value[j] = static_cast<char>((i * 131 + j * 7919) % 251);
    batch.put(column::checkpoints, alert_key(i), value);
  }
  REQUIRE(db.write(batch).ok());
  auto after = db.size_bytes();
  CHECK(after > before);
  CHECK(after - before >= 100 * 1000);
}

TEST_CASE_TEMPLATE("scans beside a writer see whole batches in key order", F, STORE_BACKENDS) {
  F f;
  auto& db = *f.db;
  constexpr uint64_t batches = 500;
  std::atomic<bool> done{false};
  std::thread writer{[&] {
    for (uint64_t i = 0; i < batches; ++i) {
      write_batch batch;
      batch.put(column::alerts, "a" + alert_key(i), "first");
      batch.put(column::alerts, "b" + alert_key(i), "second");
      if (!db.write(batch).ok())
        break;
    }
    done = true;
  }};
  auto check_consistent = [&] {
    std::string previous;
    uint64_t firsts = 0;
    uint64_t seconds = 0;
    bool ordered = true;
    auto st = db.scan(column::alerts, "", "", [&](std::string_view k, std::string_view) {
      ordered = ordered && (previous.empty() || previous < k);
      previous = std::string{k};
      (k[0] == 'a' ? firsts : seconds) += 1;
      return true;
    });
    CHECK(st.ok());
    CHECK(ordered);
    CHECK(firsts == seconds); // both halves of every batch, or neither
    return firsts;
  };
  while (!done.load())
    check_consistent();
  writer.join();
  CHECK(check_consistent() == batches);
}

TEST_CASE_TEMPLATE("an expiry rule that throws keeps the entries it cannot judge", F,
                   STORE_BACKENDS) {
  struct picky_rule : expiry_rule {
    bool expired(std::string_view key, std::string_view) const override {
      if (key == "doubtful")
        throw std::runtime_error("cannot tell");
      return key == "old";
    }
  };
  F f;
  auto& db = *f.db;
  put(db, column::meta, "old", "x");
  put(db, column::meta, "doubtful", "x");
  put(db, column::meta, "young", "x");
  db.set_expiry(column::meta, std::make_shared<picky_rule>());
  REQUIRE(db.compact(column::meta).ok());
  CHECK(keys(db, column::meta) == std::vector<std::string>{"doubtful", "young"});
}
