#pragma once

// Fixtures for the store suites: a temporary directory and one fixture per
// backend, so that the conformance suite runs the same cases against both.

#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include <unistd.h>

#include "state/store.hpp"

namespace hostflow::test {

/// A fresh directory under the system's temporary directory, removed with
/// everything in it when the object goes.
class temp_dir {
public:
  temp_dir() {
    static std::atomic<unsigned> counter{0};
    std::random_device random;
    path_ = std::filesystem::temp_directory_path()
            / ("hostflow-state-" + std::to_string(::getpid()) + "-"
               + std::to_string(counter++) + "-" + std::to_string(random()));
    std::filesystem::create_directories(path_);
  }

  ~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }

  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const std::filesystem::path& path() const noexcept { return path_; }

private:
  std::filesystem::path path_;
};

/// The in-memory backend.
struct memory_fixture {
  std::unique_ptr<store> db = open_memory_store();
};

/// The RocksDB backend in a fresh directory.
struct rocksdb_fixture {
  rocksdb_fixture() {
    rocksdb_settings settings;
    settings.path = (dir.path() / "db").string();
    store_status status;
    db = open_rocksdb_store(settings, status);
    REQUIRE_MESSAGE(db, status.to_string());
  }

  temp_dir dir; // declared first: the database closes before its files go
  std::unique_ptr<store> db;
};

} // namespace hostflow::test

// Short names in the case names: "...<memory_fixture>".
using hostflow::test::memory_fixture;
using hostflow::test::rocksdb_fixture;
TYPE_TO_STRING(memory_fixture);
TYPE_TO_STRING(rocksdb_fixture);
