#include "state/rocksdb_status.hpp"

namespace hostflow::detail {

store_status from_rocksdb(const rocksdb::Status& st) {
  if (st.ok())
    return {};
  auto code = store_errc::unknown;
  // IsNoSpace before IsIOError: a full disk is an IOError with a subcode.
  if (st.IsNotFound())
    code = store_errc::not_found;
  else if (st.IsNoSpace())
    code = store_errc::no_space;
  else if (st.IsIOError())
    code = store_errc::io_error;
  else if (st.IsCorruption())
    code = store_errc::corruption;
  else if (st.IsBusy() || st.IsTimedOut() || st.IsTryAgain())
    code = store_errc::busy;
  else if (st.IsInvalidArgument() || st.IsNotSupported())
    code = store_errc::invalid_argument;
  return {code, st.ToString()};
}

bool is_lock_conflict(const rocksdb::Status& st) {
  if (!st.IsIOError())
    return false;
  // In-process conflicts carry ENOLCK ("lock hold by current process"),
  // conflicts with another process the EAGAIN of fcntl(F_SETLK).
  auto text = st.ToString();
  return text.find("/LOCK: No locks available") != std::string::npos
         || text.find("/LOCK: Resource temporarily unavailable") != std::string::npos;
}

} // namespace hostflow::detail
