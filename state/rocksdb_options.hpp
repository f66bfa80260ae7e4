#pragma once

// Options of the RocksDB backend and the compaction filter that applies a
// column's expiry rule; private to state/rocksdb_store.cpp.

#include <memory>
#include <mutex>

#include <rocksdb/cache.h>
#include <rocksdb/compaction_filter.h>
#include <rocksdb/compression_type.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>

#include "state/store.hpp"

namespace hostflow::detail {

// -- expiry -------------------------------------------------------------------------

/// The current expiry rule of one column. set_expiry swaps it while
/// compactions read it on RocksDB's background threads.
class expiry_slot {
public:
  /// Installs `rule` (nullptr: none) for compactions that start from now on.
  void set(std::shared_ptr<const expiry_rule> rule);

  /// The rule in force, or nullptr.
  std::shared_ptr<const expiry_rule> get() const;

private:
  mutable std::mutex mutex_;
  std::shared_ptr<const expiry_rule> rule_;
};

/// Creates, for every compaction of one column, a filter holding the rule in
/// force when the compaction starts, so one compaction applies one rule.
class expiry_filter_factory : public rocksdb::CompactionFilterFactory {
public:
  explicit expiry_filter_factory(std::shared_ptr<const expiry_slot> slot);

  std::unique_ptr<rocksdb::CompactionFilter>
  CreateCompactionFilter(const rocksdb::CompactionFilter::Context& context) override;

  const char* Name() const override { return "hostflow.expiry"; }

private:
  std::shared_ptr<const expiry_slot> slot_;
};

// -- options ------------------------------------------------------------------------

/// LZ4 when compiled into librocksdb, else Snappy, else none; none when
/// `wanted` is false.
rocksdb::CompressionType pick_compression(bool wanted);

/// Database-wide options: creation, bounded open files, background jobs.
rocksdb::DBOptions make_db_options(const rocksdb_settings& settings);

/// The block-based table factory shared by all columns, with one LRU block
/// cache of settings.block_cache_bytes.
std::shared_ptr<rocksdb::TableFactory> make_table_factory(const rocksdb_settings& settings);

/// Options of one column family; `expiry` may be nullptr (for "default" and
/// column families this version does not know).
rocksdb::ColumnFamilyOptions
make_column_options(const rocksdb_settings& settings,
                    std::shared_ptr<rocksdb::TableFactory> table_factory,
                    std::shared_ptr<rocksdb::CompactionFilterFactory> expiry);

} // namespace hostflow::detail
