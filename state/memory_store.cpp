// The in-memory backend: one ordered map per column behind a reader-writer
// lock, so scans and gets may run beside the single writer.

#include <array>
#include <map>
#include <mutex>
#include <shared_mutex>

#include "state/batch_checks.hpp"
#include "state/store.hpp"

namespace hostflow {

namespace {

class memory_store final : public store {
public:
  store_status write(const write_batch& batch) override {
    // Check first, so that a bad operation leaves the store untouched.
    if (auto st = detail::check_batch(batch); !st.ok())
      return st;
    std::unique_lock guard{mutex_};
    for (auto& op : batch.ops()) {
      auto& col = columns_[index(op.cf)];
      switch (op.kind) {
        case write_batch::op_kind::put: {
          auto [it, inserted] = col.try_emplace(op.key);
          if (inserted)
            bytes_ += op.key.size();
          else
            bytes_ -= it->second.size();
          it->second = op.value;
          bytes_ += op.value.size();
          break;
        }
        case write_batch::op_kind::erase:
          if (auto it = col.find(op.key); it != col.end())
            erase(col, it);
          break;
        case write_batch::op_kind::erase_range: {
          auto it = col.lower_bound(op.key);
          auto last = op.value.empty() ? col.end() : col.lower_bound(op.value);
          while (it != last)
            it = erase(col, it);
          break;
        }
      }
    }
    return {};
  }

  store_status get(column cf, std::string_view key, std::string& value) override {
    if (!detail::valid_column(cf))
      return {store_errc::invalid_argument, "unknown column"};
    std::shared_lock guard{mutex_};
    auto& col = columns_[index(cf)];
    auto it = col.find(key);
    if (it == col.end())
      return {store_errc::not_found, {}};
    value = it->second;
    return {};
  }

  store_status scan(column cf, std::string_view begin, std::string_view end,
                    const scan_visitor& visit) override {
    if (auto st = detail::check_range(cf, begin, end); !st.ok())
      return st;
    std::shared_lock guard{mutex_};
    auto& col = columns_[index(cf)];
    auto last = end.empty() ? col.end() : col.lower_bound(end);
    for (auto it = col.lower_bound(begin); it != last; ++it)
      if (!visit(it->first, it->second))
        break;
    return {};
  }

  store_status scan_reverse(column cf, std::string_view begin, std::string_view end,
                            const scan_visitor& visit) override {
    if (auto st = detail::check_range(cf, begin, end); !st.ok())
      return st;
    std::shared_lock guard{mutex_};
    auto& col = columns_[index(cf)];
    auto first = col.lower_bound(begin);
    auto it = end.empty() ? col.end() : col.lower_bound(end);
    while (it != first) {
      --it;
      if (!visit(it->first, it->second))
        break;
    }
    return {};
  }

  void set_expiry(column cf, std::shared_ptr<const expiry_rule> rule) override {
    if (!detail::valid_column(cf))
      return;
    std::unique_lock guard{mutex_};
    rules_[index(cf)] = std::move(rule);
  }

  bool expires_by_itself() const noexcept override { return false; }

  store_status compact(column cf) override {
    if (!detail::valid_column(cf))
      return {store_errc::invalid_argument, "unknown column"};
    std::unique_lock guard{mutex_};
    auto& rule = rules_[index(cf)];
    if (!rule)
      return {};
    auto& col = columns_[index(cf)];
    for (auto it = col.begin(); it != col.end();)
      it = expired(*rule, it->first, it->second) ? erase(col, it) : std::next(it);
    return {};
  }

  uint64_t size_bytes() override {
    std::shared_lock guard{mutex_};
    return bytes_;
  }

  store_status flush() override {
    return {};
  }

private:
  /// Transparent, so lookups take string_view keys without a copy.
  using column_map = std::map<std::string, std::string, std::less<>>;

  static size_t index(column cf) noexcept {
    return static_cast<size_t>(cf);
  }

  /// As the RocksDB backend decides: a rule that throws keeps the entry.
  static bool expired(const expiry_rule& rule, std::string_view key, std::string_view value) {
    try {
      return rule.expired(key, value);
    } catch (...) {
      return false;
    }
  }

  column_map::iterator erase(column_map& col, column_map::iterator it) {
    bytes_ -= it->first.size() + it->second.size();
    return col.erase(it);
  }

  std::shared_mutex mutex_;
  std::array<column_map, column_count> columns_;
  std::array<std::shared_ptr<const expiry_rule>, column_count> rules_;
  uint64_t bytes_ = 0; ///< sum of key and value sizes over all columns
};

} // namespace

std::unique_ptr<store> open_memory_store() {
  return std::make_unique<memory_store>();
}

} // namespace hostflow
