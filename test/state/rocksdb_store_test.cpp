// What only the RocksDB backend does: persistence, locking, read-only
// opens, compression and the translation of RocksDB's statuses.

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include "state/keys.hpp"
#include "state/retention.hpp"
#include "state/rocksdb_options.hpp"
#include "state/rocksdb_status.hpp"
#include "state/store.hpp"
#include "test/state/store_fixtures.hpp"

using namespace hostflow;
using hostflow::test::temp_dir;

namespace {

rocksdb_settings settings_in(const temp_dir& dir) {
  rocksdb_settings settings;
  settings.path = (dir.path() / "db").string();
  return settings;
}

std::unique_ptr<store> open_ok(const rocksdb_settings& settings) {
  store_status status;
  auto db = open_rocksdb_store(settings, status);
  REQUIRE_MESSAGE(db, status.to_string());
  CHECK(status.ok());
  return db;
}

/// Opening must fail; returns the status.
store_status open_fails(const rocksdb_settings& settings) {
  store_status status;
  auto db = open_rocksdb_store(settings, status);
  CHECK(db == nullptr);
  CHECK_FALSE(status.ok());
  return status;
}

void put(store& db, column cf, std::string_view key, std::string_view value) {
  write_batch batch;
  batch.put(cf, key, value);
  auto st = db.write(batch);
  REQUIRE_MESSAGE(st.ok(), st.to_string());
}

std::string get(store& db, column cf, std::string_view key) {
  std::string value;
  auto st = db.get(cf, key, value);
  REQUIRE_MESSAGE(st.ok(), st.to_string());
  return value;
}

size_t count(store& db, column cf) {
  size_t n = 0;
  auto st = db.scan(cf, "", "", [&](std::string_view, std::string_view) {
    ++n;
    return true;
  });
  REQUIRE(st.ok());
  return n;
}

const column all_columns[] = {column::windows, column::baselines, column::templates,
                              column::alerts,  column::meta,      column::checkpoints};

} // namespace

TEST_CASE("data in every column survives closing and reopening the database") {
  temp_dir dir;
  auto settings = settings_in(dir);
  {
    auto db = open_ok(settings);
    write_batch batch;
    for (auto cf : all_columns)
      for (int i = 0; i < 10; ++i)
        batch.put(cf, alert_key(i), std::string{to_string(cf)} + std::to_string(i));
    batch.erase_range(column::alerts, alert_key(2), alert_key(8));
    REQUIRE(db->write(batch).ok());
    // Part of it in table files, the rest only in the write-ahead log.
    REQUIRE(db->flush().ok());
    put(*db, column::meta, "format_version", "1");
  }
  auto db = open_ok(settings);
  for (auto cf : all_columns) {
    CAPTURE(to_string(cf));
    CHECK(count(*db, cf) == (cf == column::alerts ? 4 : cf == column::meta ? 11 : 10));
    CHECK(get(*db, cf, alert_key(9)) == std::string{to_string(cf)} + "9");
  }
  CHECK(get(*db, column::meta, "format_version") == "1");
}

TEST_CASE("a column family this version does not know does not stop a reopen") {
  temp_dir dir;
  auto settings = settings_in(dir);
  open_ok(settings).reset();
  {
    // A newer hostflow added a column.
    std::vector<std::string> names;
    REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions{}, settings.path, &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (auto& name : names)
      descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions{});
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open(rocksdb::DBOptions{}, settings.path, descriptors, &handles, &raw)
              .ok());
    std::unique_ptr<rocksdb::DB> db{raw};
    rocksdb::ColumnFamilyHandle* future = nullptr;
    REQUIRE(db->CreateColumnFamily(rocksdb::ColumnFamilyOptions{}, "future", &future).ok());
    handles.push_back(future);
    REQUIRE(db->Put(rocksdb::WriteOptions{}, future, "k", "from the future").ok());
    for (auto* h : handles)
      REQUIRE(db->DestroyColumnFamilyHandle(h).ok());
    REQUIRE(db->Close().ok());
  }
  {
    auto db = open_ok(settings);
    put(*db, column::windows, "k", "v");
  }
  std::vector<std::string> names;
  REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions{}, settings.path, &names).ok());
  CHECK(std::count(names.begin(), names.end(), "future") == 1);
  CHECK(std::count(names.begin(), names.end(), "windows") == 1);
  CHECK(names.size() == column_count + 2);
}

TEST_CASE("a database from before some columns existed opens read-only and gains them when "
          "opened for writing") {
  temp_dir dir;
  auto settings = settings_in(dir);
  {
    rocksdb::Options options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions{}},
      {"windows", rocksdb::ColumnFamilyOptions{}}};
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open(options, settings.path, descriptors, &handles, &raw).ok());
    std::unique_ptr<rocksdb::DB> db{raw};
    REQUIRE(db->Put(rocksdb::WriteOptions{}, handles[1], "old", "window").ok());
    for (auto* h : handles)
      REQUIRE(db->DestroyColumnFamilyHandle(h).ok());
    REQUIRE(db->Close().ok());
  }
  auto readonly = settings;
  readonly.read_only = true;
  {
    auto db = open_ok(readonly);
    CHECK(get(*db, column::windows, "old") == "window");
    std::string value;
    CHECK(db->get(column::alerts, "k", value).code == store_errc::not_found);
    CHECK(count(*db, column::alerts) == 0);
    CHECK(db->scan_reverse(column::meta, "", "", [](auto, auto) { return true; }).ok());
  }
  open_ok(settings).reset();
  std::vector<std::string> names;
  REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions{}, settings.path, &names).ok());
  CHECK(names.size() == column_count + 1);
  auto db = open_ok(readonly);
  CHECK(count(*db, column::alerts) == 0);
  CHECK(get(*db, column::windows, "old") == "window");
}

TEST_CASE("opening a database that is already open fails with busy and names the lock") {
  temp_dir dir;
  auto settings = settings_in(dir);
  auto first = open_ok(settings);
  put(*first, column::meta, "owner", "first");
  auto status = open_fails(settings);
  CHECK(status.code == store_errc::busy);
  CHECK(status.message.find(settings.path) != std::string::npos);
  CHECK(status.message.find("LOCK") != std::string::npos);
  // The first store is unharmed, and the path opens again once it is closed.
  CHECK(get(*first, column::meta, "owner") == "first");
  first.reset();
  auto again = open_ok(settings);
  CHECK(get(*again, column::meta, "owner") == "first");
}

TEST_CASE("opening a database locked by another process fails with busy") {
  temp_dir dir;
  auto settings = settings_in(dir);
  open_ok(settings).reset();
  auto lock_path = settings.path + "/LOCK";
  int ready[2];
  int release[2];
  REQUIRE(::pipe(ready) == 0);
  REQUIRE(::pipe(release) == 0);
  auto child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // Only async-signal-safe calls here: the parent has RocksDB's threads.
    // The lock is the one RocksDB takes: fcntl F_SETLK, write, whole file.
    ::close(ready[0]);
    ::close(release[1]);
    int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT, 0644);
    struct flock lock {};
    lock.l_type = F_WRLCK;
    lock.l_whence = SEEK_SET;
    char locked = fd >= 0 && ::fcntl(fd, F_SETLK, &lock) == 0 ? 'y' : 'n';
    if (::write(ready[1], &locked, 1) != 1)
      ::_exit(2);
    char ignored;
    // Returns when the parent closes its end, or dies.
    (void) ::read(release[0], &ignored, 1);
    ::_exit(0);
  }
  ::close(ready[1]);
  ::close(release[0]);
  char locked = 0;
  CHECK(::read(ready[0], &locked, 1) == 1);
  ::close(ready[0]);
  if (locked == 'y') {
    auto status = open_fails(settings);
    CHECK(status.code == store_errc::busy);
    CHECK(status.message.find("LOCK") != std::string::npos);
    // Readers take no lock.
    auto readonly = settings;
    readonly.read_only = true;
    open_ok(readonly);
  }
  ::close(release[1]);
  int wstatus = 0;
  CHECK(::waitpid(child, &wstatus, 0) == child);
  CHECK(WIFEXITED(wstatus));
  REQUIRE(locked == 'y');
  // Released by the child's exit.
  open_ok(settings);
}

TEST_CASE("a path that is a regular file is not a database") {
  temp_dir dir;
  auto file = dir.path() / "not-a-directory";
  std::ofstream{file} << "hello\n";
  rocksdb_settings settings;
  settings.path = file.string();
  auto status = open_fails(settings);
  CHECK((status.code == store_errc::io_error || status.code == store_errc::invalid_argument));
  CHECK(status.message.find(settings.path) != std::string::npos);
  std::ifstream in{file};
  std::string line;
  std::getline(in, line);
  CHECK(line == "hello");
}

TEST_CASE("a missing database is an error when creation is not allowed") {
  temp_dir dir;
  auto settings = settings_in(dir);
  settings.create_if_missing = false;
  auto status = open_fails(settings);
  CHECK(status.code == store_errc::invalid_argument);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "db" / "CURRENT"));
  settings.path.clear();
  CHECK(open_fails(settings).code == store_errc::invalid_argument);
}

TEST_CASE("a read-only store reads but rejects writes and compaction with read_only") {
  temp_dir dir;
  auto settings = settings_in(dir);
  {
    auto db = open_ok(settings);
    put(*db, column::alerts, alert_key(1), "raised");
  }
  settings.read_only = true;
  auto db = open_ok(settings);
  CHECK(get(*db, column::alerts, alert_key(1)) == "raised");
  CHECK(count(*db, column::alerts) == 1);
  write_batch batch;
  batch.put(column::alerts, alert_key(2), "refused");
  auto st = db->write(batch);
  CHECK(st.code == store_errc::read_only);
  CHECK_FALSE(st.message.empty());
  CHECK(db->compact(column::alerts).code == store_errc::read_only);
  CHECK(db->flush().ok());
  CHECK(count(*db, column::alerts) == 1);
}

TEST_CASE("a read-only store opens beside the writer and sees what it wrote") {
  temp_dir dir;
  auto settings = settings_in(dir);
  auto writer = open_ok(settings);
  put(*writer, column::meta, "watermark", "42");
  auto readonly = settings;
  readonly.read_only = true;
  auto reader = open_ok(readonly);
  CHECK(get(*reader, column::meta, "watermark") == "42");
}

TEST_CASE("compressed and uncompressed stores hold the same data, the compressed in fewer bytes") {
  CHECK(detail::pick_compression(false) == rocksdb::kNoCompression);
  auto sizes = [](bool compression) {
    temp_dir dir;
    auto settings = settings_in(dir);
    settings.compression = compression;
    uint64_t size = 0;
    {
      auto db = open_ok(settings);
      write_batch batch;
      for (int i = 0; i < 2000; ++i)
        batch.put(column::windows, alert_key(i), std::string(1000, static_cast<char>('a' + i % 26)));
      REQUIRE(db->write(batch).ok());
      REQUIRE(db->flush().ok());
      size = db->size_bytes();
    }
    // Files written either way read back under the other setting.
    settings.compression = !compression;
    auto db = open_ok(settings);
    CHECK(count(*db, column::windows) == 2000);
    CHECK(get(*db, column::windows, alert_key(27)) == std::string(1000, 'b'));
    return size;
  };
  auto plain = sizes(false);
  auto packed = sizes(true);
  CHECK(plain >= 2000 * 1000);
  if (detail::pick_compression(true) == rocksdb::kNoCompression) {
    MESSAGE("this librocksdb has neither LZ4 nor Snappy; compression is off");
    CHECK(packed >= 2000 * 1000);
  } else {
    CHECK(packed < plain / 10);
  }
}

TEST_CASE("compaction with an expiry rule shrinks the table files on disk") {
  temp_dir dir;
  auto db = open_ok(settings_in(dir));
  auto host = *ip_address::parse("198.51.100.7");
  std::string value(500, '\0');
  // Two table files, so that the compaction merges as well as filters.
  for (int half = 0; half < 2; ++half) {
    write_batch batch;
    for (int i = half * 1000; i < (half + 1) * 1000; ++i) {
      for (size_t j = 0; j < value.size(); ++j)
        value[j] = static_cast<char>((i * 7 + j * 13) % 253);
      batch.put(column::windows, window_key(60, host, int64_t{60} * i), value);
    }
    REQUIRE(db->write(batch).ok());
    REQUIRE(db->flush().ok());
  }
  auto before = db->size_bytes();
  auto retention = std::make_shared<window_retention>(std::vector<uint32_t>{60});
  retention->set_cutoff(60, 60 * 1900); // all but the last 100 windows
  db->set_expiry(column::windows, retention);
  REQUIRE(db->compact(column::windows).ok());
  CHECK(count(*db, column::windows) == 100);
  auto after = db->size_bytes();
  CHECK(after < before / 5);
}

TEST_CASE("RocksDB statuses map to store error codes with their text") {
  using rocksdb::Status;
  auto code = [](const Status& st) { return detail::from_rocksdb(st).code; };
  CHECK(code(Status::OK()) == store_errc::ok);
  CHECK(detail::from_rocksdb(Status::OK()).message.empty());
  CHECK(code(Status::NotFound()) == store_errc::not_found);
  CHECK(code(Status::NoSpace()) == store_errc::no_space);
  CHECK(code(Status::IOError(Status::kNoSpace)) == store_errc::no_space);
  CHECK(code(Status::IOError("read failed")) == store_errc::io_error);
  CHECK(code(Status::Corruption("bad block")) == store_errc::corruption);
  CHECK(code(Status::Busy()) == store_errc::busy);
  CHECK(code(Status::TimedOut()) == store_errc::busy);
  CHECK(code(Status::TryAgain()) == store_errc::busy);
  CHECK(code(Status::InvalidArgument("x")) == store_errc::invalid_argument);
  CHECK(code(Status::NotSupported("x")) == store_errc::invalid_argument);
  CHECK(code(Status::Incomplete()) == store_errc::unknown);
  CHECK(code(Status::Aborted()) == store_errc::unknown);
  auto corrupt = Status::Corruption("block checksum mismatch", "000012.sst");
  CHECK(detail::from_rocksdb(corrupt).message == corrupt.ToString());

  CHECK(detail::is_lock_conflict(Status::IOError(
    "lock hold by current process, acquire time 1 acquiring thread 2: /data/db/LOCK",
    "No locks available")));
  CHECK(detail::is_lock_conflict(
    Status::IOError("While lock file: /data/db/LOCK", "Resource temporarily unavailable")));
  CHECK_FALSE(detail::is_lock_conflict(
    Status::IOError("while open a file for lock: /data/db/LOCK", "Permission denied")));
  CHECK_FALSE(detail::is_lock_conflict(Status::Busy("/data/db/LOCK: No locks available")));
}
