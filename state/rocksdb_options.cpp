#include "state/rocksdb_options.hpp"

#include <algorithm>
#include <string_view>

#include <rocksdb/convenience.h>
#include <rocksdb/filter_policy.h>

namespace hostflow::detail {

namespace {

/// Drops the entries that the rule held since the compaction started says
/// have expired.
class expiry_filter : public rocksdb::CompactionFilter {
public:
  explicit expiry_filter(std::shared_ptr<const expiry_rule> rule) : rule_(std::move(rule)) {}

  bool Filter(int, const rocksdb::Slice& key, const rocksdb::Slice& value, std::string*,
              bool*) const override {
    // This runs on a RocksDB thread: an exception must not unwind into it,
    // and a rule that cannot decide keeps the entry.
    try {
      return rule_->expired(std::string_view{key.data(), key.size()},
                            std::string_view{value.data(), value.size()});
    } catch (...) {
      return false;
    }
  }

  const char* Name() const override { return "hostflow.expiry"; }

private:
  std::shared_ptr<const expiry_rule> rule_;
};

} // namespace

// -- expiry -------------------------------------------------------------------------

void expiry_slot::set(std::shared_ptr<const expiry_rule> rule) {
  std::lock_guard guard{mutex_};
  rule_ = std::move(rule);
}

std::shared_ptr<const expiry_rule> expiry_slot::get() const {
  std::lock_guard guard{mutex_};
  return rule_;
}

expiry_filter_factory::expiry_filter_factory(std::shared_ptr<const expiry_slot> slot)
  : slot_(std::move(slot)) {}

std::unique_ptr<rocksdb::CompactionFilter>
expiry_filter_factory::CreateCompactionFilter(const rocksdb::CompactionFilter::Context&) {
  // No rule, no filter: RocksDB then copies entries without a per-key call.
  auto rule = slot_->get();
  if (!rule)
    return nullptr;
  return std::make_unique<expiry_filter>(std::move(rule));
}

// -- options ------------------------------------------------------------------------

rocksdb::CompressionType pick_compression(bool wanted) {
  if (!wanted)
    return rocksdb::kNoCompression;
  auto supported = rocksdb::GetSupportedCompressions();
  auto has = [&](rocksdb::CompressionType t) {
    return std::find(supported.begin(), supported.end(), t) != supported.end();
  };
  if (has(rocksdb::kLZ4Compression))
    return rocksdb::kLZ4Compression;
  if (has(rocksdb::kSnappyCompression))
    return rocksdb::kSnappyCompression;
  return rocksdb::kNoCompression;
}

rocksdb::DBOptions make_db_options(const rocksdb_settings& settings) {
  rocksdb::DBOptions opts;
  opts.create_if_missing = settings.create_if_missing;
  // Columns added by a newer hostflow appear in an existing database.
  opts.create_missing_column_families = true;
  // Every open table file costs a descriptor and its index in memory.
  opts.max_open_files = 256;
  opts.max_background_jobs = 2;
  opts.keep_log_file_num = 4;
  return opts;
}

std::shared_ptr<rocksdb::TableFactory> make_table_factory(const rocksdb_settings& settings) {
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(settings.block_cache_bytes);
  // Point lookups (baselines, meta) skip table files that cannot hold the key.
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  return std::shared_ptr<rocksdb::TableFactory>{rocksdb::NewBlockBasedTableFactory(table)};
}

rocksdb::ColumnFamilyOptions
make_column_options(const rocksdb_settings& settings,
                    std::shared_ptr<rocksdb::TableFactory> table_factory,
                    std::shared_ptr<rocksdb::CompactionFilterFactory> expiry) {
  rocksdb::ColumnFamilyOptions opts;
  opts.write_buffer_size = settings.write_buffer_bytes;
  opts.compression = pick_compression(settings.compression);
  opts.table_factory = std::move(table_factory);
  opts.compaction_filter_factory = std::move(expiry);
  opts.level_compaction_dynamic_level_bytes = true;
  // Expiry runs in compactions; files that no write pushes into one would
  // keep expired entries for ever. Recompacting every file at least twice
  // a day bounds how long they outlive their retention.
  opts.periodic_compaction_seconds = 12 * 3600;
  return opts;
}

} // namespace hostflow::detail
