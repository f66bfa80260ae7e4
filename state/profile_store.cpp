#include "state/profile_store.hpp"

#include <algorithm>
#include <tuple>

#include "state/keys.hpp"

namespace hostflow {

namespace {

constexpr char checkpoint_host_tag = 'h';
constexpr char checkpoint_time_tag = 't';

std::string checkpoint_host_key(const ip_address& a) {
  std::string k(1, checkpoint_host_tag);
  k.append(reinterpret_cast<const char*>(a.bytes.data()), 16);
  return k;
}

std::string checkpoint_time_key(uint32_t shard) {
  std::string k(1, checkpoint_time_tag);
  append_be32(k, shard);
  return k;
}

std::string ranking_prefix(uint32_t granularity_s, int64_t start_ms) {
  std::string k;
  append_be32(k, granularity_s);
  append_be64(k, static_cast<uint64_t>(std::max<int64_t>(start_ms / 1000, 0)));
  return k;
}

} // namespace

std::string ranking_key(uint32_t granularity_s, int64_t start_ms, const ip_address& host) {
  auto k = ranking_prefix(granularity_s, start_ms);
  k.append(reinterpret_cast<const char*>(host.bytes.data()), 16);
  return k;
}

profile_store::profile_store(std::shared_ptr<store> db, profile_store_settings settings)
  : db_(std::move(db)), settings_(settings) {}

void profile_store::add_windows(const std::vector<host_window>& windows) {
  pending_.insert(pending_.end(), windows.begin(), windows.end());
}

void profile_store::add_windows(std::vector<host_window>&& windows) {
  if (pending_.empty()) {
    pending_ = std::move(windows);
    return;
  }
  pending_.insert(pending_.end(), std::make_move_iterator(windows.begin()),
                  std::make_move_iterator(windows.end()));
  windows.clear();
}

void profile_store::put_checkpoint_host(const host_profile& host) {
  std::string value;
  encode_host_checkpoint(host, value);
  batch_.put(column::checkpoints, checkpoint_host_key(host.address), value);
}

void profile_store::erase_checkpoint_host(const ip_address& host) {
  batch_.erase(column::checkpoints, checkpoint_host_key(host));
}

void profile_store::put_time_checkpoint(uint32_t shard, const time_checkpoint& t) {
  std::string value;
  encode_time_checkpoint(t, value);
  batch_.put(column::checkpoints, checkpoint_time_key(shard), value);
}

void profile_store::put_baseline(const ip_address& host, uint8_t hour, const hour_baseline& b) {
  std::string value;
  encode_hour_baseline(b, value);
  batch_.put(column::baselines, baseline_key(host, hour), value);
}

commit_result profile_store::commit() {
  commit_result result;
  std::string value;
  auto key_of = [&](uint32_t i) {
    const auto& hw = pending_[i];
    return std::tie(hw.window.granularity_s, hw.host, hw.window.start_ms, hw.window.direction);
  };
  // Sorted, the two directions of a window are neighbours, and the keys go
  // into the memtables in order. An order of indices: summaries are large.
  order_.resize(pending_.size());
  for (uint32_t i = 0; i < order_.size(); ++i)
    order_[i] = i;
  std::sort(order_.begin(), order_.end(),
            [&](uint32_t a, uint32_t b) { return key_of(a) < key_of(b); });
  stored_window w;
  for (size_t i = 0; i < order_.size();) {
    const auto& first = pending_[order_[i]];
    uint32_t granularity = first.window.granularity_s;
    int64_t start = first.window.start_ms;
    const ip_address host = first.host;
    w.granularity_s = granularity;
    w.start_ms = start;
    w.out.reset();
    w.in.reset();
    for (; i < order_.size(); ++i) {
      auto& next = pending_[order_[i]];
      if (next.window.granularity_s != granularity || next.host != host ||
          next.window.start_ms != start)
        break;
      w.at(next.window.direction) = std::move(next.window);
    }
    if (encode_window_value(w, settings_.window_byte_budget, value))
      ++result.trimmed;
    batch_.put(column::windows, window_key(granularity, host, start / 1000), value);
    ranking_value r;
    if (w.out)
      r.out = ranking_of(*w.out);
    if (w.in)
      r.in = ranking_of(*w.in);
    encode_ranking_value(r, value);
    batch_.put(column::rankings, ranking_key(granularity, start, host), value);
    ++result.windows;
  }
  pending_.clear();
  result.bytes = batch_.payload_bytes();
  if (!batch_.empty())
    result.status = db_->write(batch_);
  batch_.clear();
  return result;
}

std::optional<hour_baseline> profile_store::get_baseline(const ip_address& host, uint8_t hour,
                                                         store_status& status) {
  std::string value;
  status = db_->get(column::baselines, baseline_key(host, hour), value);
  if (!status.ok()) {
    if (status.is_not_found())
      status = {};
    return std::nullopt;
  }
  auto b = decode_hour_baseline(value);
  if (!b)
    status = store_status{store_errc::corruption, "undecodable baseline of " + host.to_string()};
  return b;
}

store_status profile_store::load_checkpoint_hosts(
  const std::function<void(host_profile&&)>& visit) {
  std::string begin(1, checkpoint_host_tag);
  size_t bad = 0;
  auto status = db_->scan(column::checkpoints, begin, prefix_end(begin),
                          [&](std::string_view, std::string_view value) {
                            auto host = decode_host_checkpoint(value);
                            if (host)
                              visit(std::move(*host));
                            else
                              ++bad;
                            return true;
                          });
  if (status.ok() && bad > 0)
    return store_status{store_errc::corruption,
                        std::to_string(bad) + " checkpointed hosts could not be decoded"};
  return status;
}

std::optional<time_checkpoint> profile_store::load_time_checkpoint(uint32_t shard,
                                                                   store_status& status) {
  std::string value;
  status = db_->get(column::checkpoints, checkpoint_time_key(shard), value);
  if (!status.ok()) {
    if (status.is_not_found())
      status = {};
    return std::nullopt;
  }
  auto t = decode_time_checkpoint(value);
  if (!t)
    status = store_status{store_errc::corruption, "undecodable time checkpoint of shard " +
                                                    std::to_string(shard)};
  return t;
}

std::vector<time_checkpoint> profile_store::load_all_time_checkpoints(store_status& status) {
  std::vector<time_checkpoint> all;
  std::string begin(1, checkpoint_time_tag);
  status = db_->scan(column::checkpoints, begin, prefix_end(begin),
                     [&](std::string_view, std::string_view value) {
                       if (auto t = decode_time_checkpoint(value))
                         all.push_back(std::move(*t));
                       return true;
                     });
  return all;
}

store_status profile_store::windows_of(const ip_address& host, uint32_t granularity_s,
                                       int64_t from_ms, int64_t to_ms,
                                       const std::function<bool(stored_window&&)>& visit) {
  auto begin = window_key(granularity_s, host, from_ms / 1000);
  auto end = window_key(granularity_s, host, (to_ms + 999) / 1000);
  size_t bad = 0;
  auto status = db_->scan(column::windows, begin, end,
                          [&](std::string_view key, std::string_view value) {
                            auto parts = parse_window_key(key);
                            if (!parts) {
                              ++bad;
                              return true;
                            }
                            auto w = decode_window_value(value, granularity_s,
                                                         parts->window_start_seconds * 1000);
                            if (!w) {
                              ++bad;
                              return true;
                            }
                            return visit(std::move(*w));
                          });
  if (status.ok() && bad > 0)
    return store_status{store_errc::corruption, std::to_string(bad) + " stored windows of " +
                                                  host.to_string() + " could not be decoded"};
  return status;
}

store_status profile_store::rankings_of(
  uint32_t granularity_s, int64_t start_ms, const std::optional<cidr>& within,
  const std::function<bool(const ip_address&, const ranking_value&)>& visit) {
  auto prefix = ranking_prefix(granularity_s, start_ms);
  std::string begin = prefix, end = prefix_end(prefix);
  if (within) {
    // Addresses sort as bytes, so a prefix's hosts are one contiguous range.
    begin = ranking_key(granularity_s, start_ms, within->network);
    ip_address last = within->network;
    for (int bit = within->length; bit < 128; ++bit)
      last.bytes[static_cast<size_t>(bit / 8)] |= static_cast<uint8_t>(0x80u >> (bit % 8));
    end = ranking_key(granularity_s, start_ms, last);
    end.push_back('\0'); // just past `last`
  }
  size_t bad = 0;
  auto status = db_->scan(column::rankings, begin, end,
                          [&](std::string_view key, std::string_view value) {
                            if (key.size() != prefix.size() + 16) {
                              ++bad;
                              return true;
                            }
                            auto host = ip_address::from_v6_bytes(
                              reinterpret_cast<const uint8_t*>(key.data() + prefix.size()));
                            auto r = decode_ranking_value(value);
                            if (!r) {
                              ++bad;
                              return true;
                            }
                            return visit(host, *r);
                          });
  if (status.ok() && bad > 0)
    return store_status{store_errc::corruption,
                        std::to_string(bad) + " ranking entries could not be decoded"};
  return status;
}

std::optional<int64_t> profile_store::oldest_window_start(uint32_t granularity_s,
                                                         store_status& status) {
  std::optional<int64_t> oldest;
  std::string prefix;
  append_be32(prefix, granularity_s);
  status = db_->scan(column::rankings, prefix, prefix_end(prefix),
                     [&](std::string_view key, std::string_view) {
                       if (auto start = read_be64(key, prefix.size()))
                         oldest = static_cast<int64_t>(*start) * 1000;
                       return false;
                     });
  return oldest;
}

void profile_store::erase_rankings_before(uint32_t granularity_s, int64_t cutoff_ms) {
  batch_.erase_range(column::rankings, ranking_prefix(granularity_s, 0),
                     ranking_prefix(granularity_s, cutoff_ms));
}

} // namespace hostflow
