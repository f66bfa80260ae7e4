#pragma once

// The key-value store under hostflow's durable state: a small interface with
// a RocksDB backend (state/rocksdb_store) and an in-memory backend
// (state/memory_store) that pass the same conformance suite.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace hostflow {

// -- columns ---------------------------------------------------------------------

/// One column family per concern; every key lives in exactly one.
enum class column : uint8_t {
  windows,     ///< closed windows: granularity | ip | window start
  baselines,   ///< per host, metric set and hour of day
  templates,   ///< exporter templates and sampling options, for restarts
  alerts,      ///< alerts by sequence number
  meta,        ///< format version, watermarks, counters
  checkpoints, ///< open buckets and in-memory baselines at the last checkpoint
  rankings,    ///< closed windows' key metrics: granularity | window start | ip
};

/// Number of columns; columns are numbered 0 .. column_count - 1.
inline constexpr size_t column_count = 7;

/// The column family name ("windows", ...).
const char* to_string(column c);

// -- errors -----------------------------------------------------------------------

/// What went wrong in a store operation.
enum class store_errc : uint8_t {
  ok,
  not_found,        ///< get() of a key that is not there
  invalid_argument, ///< e.g. a range whose end is before its begin
  io_error,         ///< the file system failed
  no_space,         ///< the disk is full
  read_only,        ///< the store refuses writes (opened read-only or after a fatal error)
  corruption,       ///< data on disk does not check out
  busy,             ///< locked by another process, or a retryable conflict
  unknown,
};

/// "ok", "not_found", ...
const char* to_string(store_errc code);

/// Outcome of a store operation: a code and, when it failed, what happened.
struct store_status {
  store_errc code = store_errc::ok;
  std::string message; ///< the backend's explanation, empty when ok

  bool ok() const noexcept { return code == store_errc::ok; }
  bool is_not_found() const noexcept { return code == store_errc::not_found; }

  /// "no_space: <message>", or "ok".
  std::string to_string() const;
};

// -- batches ------------------------------------------------------------------------

/// Writes collected and applied atomically by store::write.
class write_batch {
public:
  enum class op_kind : uint8_t { put, erase, erase_range };

  /// One collected write; for erase_range, key..value is the range [begin, end).
  struct op {
    op_kind kind;
    column cf;
    std::string key;
    std::string value;
  };

  void put(column cf, std::string_view key, std::string_view value);
  void erase(column cf, std::string_view key);
  /// Deletes every key in [begin, end) without reading them. An empty `end`
  /// means: to the end of the column (what prefix_end returns for a prefix
  /// of 0xff bytes); RocksDB then reads the column's last key once. A
  /// non-empty end before begin makes store::write reject the whole batch
  /// with invalid_argument.
  void erase_range(column cf, std::string_view begin, std::string_view end);

  const std::vector<op>& ops() const noexcept { return ops_; }
  bool empty() const noexcept { return ops_.empty(); }
  size_t size() const noexcept { return ops_.size(); }
  /// Sum of key and value sizes of all operations.
  size_t payload_bytes() const noexcept { return bytes_; }
  void clear() noexcept;

private:
  std::vector<op> ops_;
  size_t bytes_ = 0;
};

// -- expiry ---------------------------------------------------------------------------

/// Decides which entries of a column have expired. The RocksDB backend asks
/// it from a compaction filter on background threads, so expired() must be
/// thread-safe; retention then costs no scans.
class expiry_rule {
public:
  virtual ~expiry_rule() = default;
  /// True when the entry should be dropped at the next compaction.
  virtual bool expired(std::string_view key, std::string_view value) const = 0;
};

// -- the store -------------------------------------------------------------------------

/// Visitor of a scan: return false to stop.
using scan_visitor = std::function<bool(std::string_view key, std::string_view value)>;

/// A key-value store with one ordered keyspace per column. Keys compare as
/// unsigned bytes. Not thread-safe for writes: one owner writes; scans and
/// gets may run concurrently with nothing else.
class store {
public:
  virtual ~store() = default;

  /// Applies all operations of `batch` atomically.
  virtual store_status write(const write_batch& batch) = 0;

  /// Reads one value; not_found when absent.
  virtual store_status get(column cf, std::string_view key, std::string& value) = 0;

  /// Visits the entries with begin <= key < end in ascending key order (an
  /// empty `end` means: to the end of the column); invalid_argument when a
  /// non-empty end is before begin. The visitor must not write to the store.
  virtual store_status scan(column cf, std::string_view begin, std::string_view end,
                            const scan_visitor& visit) = 0;

  /// Like scan, in descending key order.
  virtual store_status scan_reverse(column cf, std::string_view begin, std::string_view end,
                                    const scan_visitor& visit) = 0;

  /// Installs the rule that drops expired entries of `cf` (nullptr: none).
  virtual void set_expiry(column cf, std::shared_ptr<const expiry_rule> rule) = 0;

  /// Compacts `cf` now, dropping what its expiry rule says has expired.
  virtual store_status compact(column cf) = 0;

  /// True when expiry happens without compact() being called (RocksDB's
  /// background compactions); false when the owner must call it now and
  /// then (the memory backend).
  virtual bool expires_by_itself() const noexcept = 0;

  /// Bytes the store occupies (on disk, or in memory for the memory backend),
  /// estimated cheaply.
  virtual uint64_t size_bytes() = 0;

  /// Persists everything written so far (the RocksDB memtables).
  virtual store_status flush() = 0;
};

/// Settings of the RocksDB backend.
struct rocksdb_settings {
  std::string path;              ///< directory of the database
  bool create_if_missing = true;
  bool read_only = false;        ///< open for reading only
  bool compression = true;       ///< LZ4 when available, else Snappy, else none
  uint64_t block_cache_bytes = 32ull << 20;
  uint64_t write_buffer_bytes = 16ull << 20; ///< per column family memtable
};

/// Opens (creating when allowed) a RocksDB store with all columns.
/// On failure returns nullptr and sets `status`.
std::unique_ptr<store> open_rocksdb_store(const rocksdb_settings& settings,
                                          store_status& status);

/// A store held in memory, for tests and for running without a data directory.
std::unique_ptr<store> open_memory_store();

} // namespace hostflow
