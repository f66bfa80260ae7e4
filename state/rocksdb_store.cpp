// The RocksDB backend: one column family per column, batches as WriteBatch,
// scans through bounded iterators, retention through compaction filters.

#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/perf_level.h>
#include <rocksdb/write_batch.h>

#include "state/batch_checks.hpp"
#include "state/rocksdb_options.hpp"
#include "state/rocksdb_status.hpp"
#include "state/store.hpp"

namespace hostflow {

namespace {

// RocksDB keeps perf counters per thread, on by default: every key compare
// of a memtable insert then goes through a TLS lookup in the shared
// library, about 4 % of a shard's time. Nothing reads them, so each thread
// that writes turns them off once.
void disable_perf_counters() {
  static thread_local const bool off = [] {
    rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
    return true;
  }();
  (void)off;
}

std::string_view view(const rocksdb::Slice& s) {
  return {s.data(), s.size()};
}

rocksdb::Slice slice(std::string_view s) {
  // A default string_view has a null data(); Debian's librocksdb is built
  // with assertions, and Slice::compare asserts non-null data.
  return s.data() ? rocksdb::Slice{s.data(), s.size()} : rocksdb::Slice{};
}

store_status read_only_status() {
  return {store_errc::read_only, "the store was opened read-only"};
}

class rocksdb_store final : public store {
public:
  /// Opens the database at settings.path with every column; nullptr and
  /// `status` on failure.
  static std::unique_ptr<store> open(const rocksdb_settings& settings, store_status& status);

  ~rocksdb_store() override {
    // Handles go before the database. A failed Close has no one to tell: it
    // reports snapshots left open (this class takes none) or a background
    // error that writes already returned; every acknowledged write is in the WAL.
    handles_.clear();
    if (db_)
      db_->Close().PermitUncheckedError();
  }

  store_status write(const write_batch& batch) override {
    if (read_only_)
      return read_only_status();
    if (auto st = detail::check_batch(batch); !st.ok())
      return st;
    rocksdb::WriteBatch wb;
    const auto& ops = batch.ops();
    for (size_t i = 0; i < ops.size(); ++i) {
      auto& op = ops[i];
      auto* cf = handle(op.cf);
      rocksdb::Status st;
      switch (op.kind) {
        case write_batch::op_kind::put:
          st = wb.Put(cf, op.key, op.value);
          break;
        case write_batch::op_kind::erase:
          st = wb.Delete(cf, op.key);
          break;
        case write_batch::op_kind::erase_range: {
          auto end = op.value;
          if (end.empty()) {
            auto found = open_range_end(batch, i, end);
            if (!found.ok())
              return found;
          }
          if (!end.empty() && op.key < end)
            st = wb.DeleteRange(cf, op.key, end);
          break;
        }
      }
      if (!st.ok())
        return detail::from_rocksdb(st);
    }
    disable_perf_counters();
    return detail::from_rocksdb(db_->Write(rocksdb::WriteOptions{}, &wb));
  }

  store_status get(column cf, std::string_view key, std::string& value) override {
    if (!detail::valid_column(cf))
      return {store_errc::invalid_argument, "unknown column"};
    if (!handle(cf))
      return {store_errc::not_found, {}};
    return detail::from_rocksdb(db_->Get(rocksdb::ReadOptions{}, handle(cf), slice(key), &value));
  }

  store_status scan(column cf, std::string_view begin, std::string_view end,
                    const scan_visitor& visit) override {
    if (auto st = detail::check_range(cf, begin, end); !st.ok())
      return st;
    if (!handle(cf) || (!end.empty() && begin == end))
      return {};
    auto lower = slice(begin);
    auto upper = slice(end);
    auto it = bounded_iterator(cf, lower, end.empty() ? nullptr : &upper);
    for (it->Seek(lower); it->Valid(); it->Next())
      if (!visit(view(it->key()), view(it->value())))
        break;
    return detail::from_rocksdb(it->status());
  }

  store_status scan_reverse(column cf, std::string_view begin, std::string_view end,
                            const scan_visitor& visit) override {
    if (auto st = detail::check_range(cf, begin, end); !st.ok())
      return st;
    if (!handle(cf) || (!end.empty() && begin == end))
      return {};
    auto lower = slice(begin);
    auto upper = slice(end);
    // With an upper bound, SeekToLast lands on the last key below it.
    auto it = bounded_iterator(cf, lower, end.empty() ? nullptr : &upper);
    for (it->SeekToLast(); it->Valid(); it->Prev())
      if (!visit(view(it->key()), view(it->value())))
        break;
    return detail::from_rocksdb(it->status());
  }

  void set_expiry(column cf, std::shared_ptr<const expiry_rule> rule) override {
    if (detail::valid_column(cf))
      expiry_[index(cf)]->set(std::move(rule));
  }

  bool expires_by_itself() const noexcept override { return true; }

  store_status compact(column cf) override {
    if (!detail::valid_column(cf))
      return {store_errc::invalid_argument, "unknown column"};
    if (read_only_)
      return read_only_status();
    // kForce rewrites the bottommost level too, so the filter sees every
    // entry; the default skips it when it was already compacted.
    rocksdb::CompactRangeOptions options;
    options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    return detail::from_rocksdb(db_->CompactRange(options, handle(cf), nullptr, nullptr));
  }

  uint64_t size_bytes() override {
    uint64_t total = 0;
    for (auto& h : handles_) {
      for (auto* property : {"rocksdb.live-sst-files-size", "rocksdb.cur-size-all-mem-tables"}) {
        uint64_t value = 0;
        // False only for an unknown property; both exist since RocksDB 5.
        if (db_->GetIntProperty(h.get(), property, &value))
          total += value;
      }
    }
    return total;
  }

  store_status flush() override {
    // A read-only store holds nothing unwritten.
    if (read_only_)
      return {};
    std::vector<rocksdb::ColumnFamilyHandle*> all;
    for (auto& h : handles_)
      all.push_back(h.get());
    return detail::from_rocksdb(db_->Flush(rocksdb::FlushOptions{}, all));
  }

private:
  static size_t index(column cf) noexcept {
    return static_cast<size_t>(cf);
  }

  rocksdb::ColumnFamilyHandle* handle(column cf) const noexcept {
    return columns_[index(cf)];
  }

  std::unique_ptr<rocksdb::Iterator> bounded_iterator(column cf, const rocksdb::Slice& lower,
                                                      const rocksdb::Slice* upper) {
    // The bounds let RocksDB skip files and blocks outside the range.
    rocksdb::ReadOptions options;
    options.iterate_lower_bound = &lower;
    options.iterate_upper_bound = upper;
    return std::unique_ptr<rocksdb::Iterator>{db_->NewIterator(options, handle(cf))};
  }

  /// DeleteRange needs a finite end; for "to the end of the column" it is the
  /// successor of the largest key at or after the begin of ops[i], among the
  /// stored keys and those put earlier in the same batch. Nothing else writes
  /// meanwhile (one owner writes), so that key stays the largest. `end` stays
  /// empty when there is nothing to erase.
  store_status open_range_end(const write_batch& batch, size_t i, std::string& end) {
    auto& op = batch.ops()[i];
    std::string last;
    bool found = false;
    auto lower = slice(op.key);
    auto it = bounded_iterator(op.cf, lower, nullptr);
    it->SeekToLast();
    if (it->Valid()) {
      last.assign(it->key().data(), it->key().size());
      found = true;
    }
    if (auto st = detail::from_rocksdb(it->status()); !st.ok())
      return st;
    for (size_t j = 0; j < i; ++j) {
      auto& prev = batch.ops()[j];
      if (prev.kind == write_batch::op_kind::put && prev.cf == op.cf && prev.key >= op.key
          && (!found || prev.key > last)) {
        last = prev.key;
        found = true;
      }
    }
    if (found)
      end = last + '\0';
    return {};
  }

  std::unique_ptr<rocksdb::DB> db_;
  /// Every open column family: ours, "default" and any this version does not know.
  std::vector<std::unique_ptr<rocksdb::ColumnFamilyHandle>> handles_;
  /// Into handles_; nullptr for a column that a read-only open did not find
  /// (a database from before the column existed), which then reads as empty.
  std::array<rocksdb::ColumnFamilyHandle*, column_count> columns_{};
  std::array<std::shared_ptr<detail::expiry_slot>, column_count> expiry_;
  bool read_only_ = false;
};

/// Marks a column that a read-only open skips.
constexpr size_t no_position = SIZE_MAX;

/// The column families to open: ours, each with the filter of its expiry
/// slot, then "default" and any this version does not know (reopening must
/// name them all). `position[i]` is where column i is among them.
std::vector<rocksdb::ColumnFamilyDescriptor> column_descriptors(
  const rocksdb_settings& settings, const std::vector<std::string>& existing,
  const std::array<std::shared_ptr<detail::expiry_slot>, column_count>& expiry,
  std::array<size_t, column_count>& position) {
  auto exists = [&](std::string_view name) {
    return std::find(existing.begin(), existing.end(), name) != existing.end();
  };
  // A read-only open cannot create the columns that a database from an
  // older version lacks; they read as empty. Without a listing, ask for all
  // and let Open say what is wrong.
  auto skip_missing = settings.read_only && !existing.empty();
  auto table_factory = detail::make_table_factory(settings);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (size_t i = 0; i < column_count; ++i) {
    std::string name = to_string(static_cast<column>(i));
    position[i] = no_position;
    if (skip_missing && !exists(name))
      continue;
    position[i] = descriptors.size();
    auto filter = std::make_shared<detail::expiry_filter_factory>(expiry[i]);
    descriptors.emplace_back(name, detail::make_column_options(settings, table_factory, filter));
  }
  auto ours = [](std::string_view name) {
    for (size_t i = 0; i < column_count; ++i)
      if (name == to_string(static_cast<column>(i)))
        return true;
    return false;
  };
  auto others = existing;
  if (!exists(rocksdb::kDefaultColumnFamilyName))
    others.push_back(rocksdb::kDefaultColumnFamilyName);
  for (auto& name : others)
    if (!ours(name))
      descriptors.emplace_back(name, detail::make_column_options(settings, table_factory, nullptr));
  return descriptors;
}

std::unique_ptr<store> rocksdb_store::open(const rocksdb_settings& settings,
                                           store_status& status) {
  if (settings.path.empty()) {
    status = {store_errc::invalid_argument, "no database path given"};
    return nullptr;
  }
  auto db_options = detail::make_db_options(settings);
  // A failure to list mostly means there is no database yet; anything
  // worse, Open below reports with its own status.
  std::vector<std::string> existing;
  if (!rocksdb::DB::ListColumnFamilies(db_options, settings.path, &existing).ok())
    existing.clear();

  auto self = std::make_unique<rocksdb_store>();
  self->read_only_ = settings.read_only;
  for (auto& slot : self->expiry_)
    slot = std::make_shared<detail::expiry_slot>();
  std::array<size_t, column_count> position;
  auto descriptors = column_descriptors(settings, existing, self->expiry_, position);

  std::vector<rocksdb::ColumnFamilyHandle*> raw_handles;
  rocksdb::DB* raw_db = nullptr;
  auto st = settings.read_only
              ? rocksdb::DB::OpenForReadOnly(db_options, settings.path, descriptors,
                                             &raw_handles, &raw_db)
              : rocksdb::DB::Open(db_options, settings.path, descriptors, &raw_handles, &raw_db);
  self->db_.reset(raw_db);
  for (auto* h : raw_handles)
    self->handles_.emplace_back(h);
  if (!st.ok()) {
    status = detail::from_rocksdb(st);
    if (detail::is_lock_conflict(st)) {
      status.code = store_errc::busy;
      status.message = settings.path + " is open in another store (" + st.ToString() + ")";
    }
    return nullptr;
  }
  // Open returns the handles in the order of the descriptors.
  for (size_t i = 0; i < column_count; ++i)
    self->columns_[i] = position[i] == no_position ? nullptr : raw_handles[position[i]];
  status = {};
  return self;
}

} // namespace

std::unique_ptr<store> open_rocksdb_store(const rocksdb_settings& settings,
                                          store_status& status) {
  return rocksdb_store::open(settings, status);
}

} // namespace hostflow
