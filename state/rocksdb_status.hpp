#pragma once

// Translation of rocksdb::Status into store_status; private to the RocksDB
// backend (and its tests).

#include <rocksdb/status.h>

#include "state/store.hpp"

namespace hostflow::detail {

/// Maps `st` to a store_status whose message is st.ToString(); ok stays ok.
store_status from_rocksdb(const rocksdb::Status& st);

/// True when `st` says that the database's LOCK file is held, by this process
/// or another. RocksDB reports that only as a plain IOError, so this reads
/// the errno text it appends to the LOCK file's path.
bool is_lock_conflict(const rocksdb::Status& st);

} // namespace hostflow::detail
