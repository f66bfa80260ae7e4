#include "actors/profile_queries.hpp"

#include <algorithm>
#include <map>

#include <caf/scoped_actor.hpp>

namespace hostflow {

namespace {

std::string granularity_list() {
  return "10, 30, 60 or 300";
}

query_error invalid(std::string message) {
  return query_error{query_errc::invalid_argument, std::move(message)};
}

query_error from_store(const store_status& status) {
  return query_error{query_errc::internal, "the store failed: " + status.to_string()};
}

query_error check_granularity(uint32_t g) {
  if (granularity_index(g) < 0)
    return invalid("granularity: " + std::to_string(g) + " s is not one of " +
                   granularity_list() + " s");
  return {};
}

// Asks one actor (`what` names it in messages); an error reply or silence
// past the deadline is reported.
template <class Reply, class Handle, class... Ts>
query_error ask_actor(const profile_source& src, const char* what, const Handle& dest,
                      Reply& reply, Ts&&... xs) {
  caf::scoped_actor self{*src.sys};
  query_error error;
  self->request(dest, src.deadline, std::forward<Ts>(xs)...)
    .receive([&](Reply& r) { reply = std::move(r); },
             [&](caf::error& e) {
               if (e == caf::sec::request_timeout)
                 error = query_error{query_errc::deadline_exceeded,
                                     std::string(what) + " did not answer within " +
                                       std::to_string(src.deadline.count()) + " ms"};
               else
                 error = query_error{query_errc::unavailable, std::string(what) +
                                                                " is not available: " +
                                                                src.sys->render(e)};
             });
  return error;
}

// Asks one shard.
template <class Reply, class... Ts>
query_error ask(const profile_source& src, const host_shard_actor& shard, Reply& reply,
                Ts&&... xs) {
  return ask_actor(src, "a host shard", shard, reply, std::forward<Ts>(xs)...);
}

// The host's cell: its address with the bits past `length` (16-byte form) cleared.
cidr cell_of(const ip_address& a, uint8_t length) {
  cidr c{a, length};
  for (int bit = length; bit < 128; ++bit)
    c.network.bytes[static_cast<size_t>(bit / 8)] &= static_cast<uint8_t>(~(0x80u >> (bit % 8)));
  return c;
}

bool by_value(const ranked_host& a, const ranked_host& b) {
  return a.value > b.value || (a.value == b.value && a.host < b.host);
}

// Resolves the selector's window against the watermark: its start, and
// whether it is still open.
query_error resolve_window(const profile_source& src, const window_selector& sel,
                           int64_t& start_ms, bool& open) {
  if (auto e = check_granularity(sel.granularity_s))
    return e;
  int64_t width = int64_t{sel.granularity_s} * 1000;
  query_error error;
  auto watermark = current_watermark(src, error);
  if (error)
    return error;
  if (sel.window_start_ms) {
    start_ms = *sel.window_start_ms;
    if (floor_div(start_ms, width) * width != start_ms)
      return invalid("window_start: " + format_epoch_ms(start_ms) + " is not aligned to " +
                     std::to_string(sel.granularity_s) + " s windows (try " +
                     format_epoch_ms(floor_div(start_ms, width) * width) + ")");
  } else {
    if (!watermark)
      return query_error{query_errc::not_found, "no window has closed yet: no records so far"};
    start_ms = (floor_div(*watermark, width) - 1) * width;
  }
  open = !watermark || start_ms + width > *watermark;
  return {};
}

// Every host's value in the selected window, within the selector's prefix.
query_error collect_values(const profile_source& src, const window_selector& sel, int64_t start_ms,
                           bool open, uint32_t shard_limit, std::vector<ranked_host>& out) {
  if (open) {
    window_query q;
    q.granularity_s = sel.granularity_s;
    q.direction = sel.direction;
    q.window_start_ms = start_ms;
    q.metric = sel.metric;
    q.has_within = sel.within.has_value();
    if (sel.within)
      q.within = *sel.within;
    q.limit = shard_limit;
    for (const auto& shard : src.pipeline->shards) {
      std::vector<ranked_host> part;
      if (auto e = ask(src, shard, part, get_atom::value, q))
        return e;
      out.insert(out.end(), part.begin(), part.end());
    }
    return {};
  }
  profile_store reader{src.pipeline->db};
  auto status = reader.rankings_of(
    sel.granularity_s, start_ms, sel.within, [&](const ip_address& host, const ranking_value& v) {
      const auto& m = sel.direction == host_direction::out ? v.out : v.in;
      if (m.flows > 0 || m.bytes > 0 || m.packets > 0)
        out.push_back(ranked_host{host, metric_value(m, sel.metric)});
      return true;
    });
  if (!status.ok())
    return from_store(status);
  return {};
}

} // namespace

const char* to_string(query_errc code) noexcept {
  switch (code) {
    case query_errc::ok:
      return "ok";
    case query_errc::invalid_argument:
      return "invalid_argument";
    case query_errc::not_found:
      return "not_found";
    case query_errc::deadline_exceeded:
      return "deadline_exceeded";
    case query_errc::unavailable:
      return "unavailable";
    case query_errc::internal:
      return "internal";
  }
  return "internal";
}

std::optional<int64_t> current_watermark(const profile_source& src, query_error& error) {
  std::optional<int64_t> newest;
  for (const auto& shard : src.pipeline->shards) {
    int64_t watermark = watermark_tracker::none;
    if ((error = ask(src, shard, watermark, flush_atom::value)))
      return std::nullopt;
    if (watermark != watermark_tracker::none)
      newest = std::max(newest.value_or(watermark), watermark);
  }
  return newest;
}

query_error query_host_profile(const profile_source& src, const ip_address& host,
                               const std::vector<uint32_t>& granularities_s, int64_t from_ms,
                               int64_t to_ms, host_profile_answer& out) {
  for (uint32_t g : granularities_s)
    if (auto e = check_granularity(g))
      return e;
  if (to_ms <= from_ms)
    return invalid("time range: the end " + format_epoch_ms(to_ms) + " is not after the start " +
                   format_epoch_ms(from_ms));
  out = host_profile_answer{};
  out.host = host;
  const auto& shard = src.pipeline->shards.at(src.pipeline->routing->shards.owner_index(host));
  if (auto e = ask(src, shard, out.open, get_atom::value, profile_atom::value, host))
    return e;
  out.watermark_ms = out.open.watermark_ms;
  // Open windows outside the range are not asked for.
  auto& open = out.open.open_windows;
  open.erase(std::remove_if(open.begin(), open.end(),
                            [&](const window_summary& w) {
                              return w.start_ms < from_ms || w.start_ms >= to_ms ||
                                     std::find(granularities_s.begin(), granularities_s.end(),
                                               w.granularity_s) == granularities_s.end();
                            }),
             open.end());
  if (src.pipeline->db) {
    profile_store reader{src.pipeline->db};
    for (uint32_t g : granularities_s) {
      auto status = reader.windows_of(host, g, from_ms, to_ms, [&](stored_window&& w) {
        if (w.out)
          out.closed.push_back(std::move(*w.out));
        if (w.in)
          out.closed.push_back(std::move(*w.in));
        return true;
      });
      if (!status.ok())
        return from_store(status);
    }
  }
  if (!out.open.known && out.closed.empty())
    return query_error{query_errc::not_found, "no data for host " + host.to_string() +
                                                " between " + format_epoch_ms(from_ms) +
                                                " and " + format_epoch_ms(to_ms)};
  return {};
}

query_error query_top_hosts(const profile_source& src, const window_selector& sel,
                            uint32_t limit, top_hosts_answer& out) {
  if (limit == 0 || limit > max_top_limit)
    return invalid("limit: " + std::to_string(limit) + " is out of range (1.." +
                   std::to_string(max_top_limit) + ")");
  out = top_hosts_answer{};
  if (auto e = resolve_window(src, sel, out.window_start_ms, out.window_open))
    return e;
  if (auto e = collect_values(src, sel, out.window_start_ms, out.window_open, limit, out.hosts))
    return e;
  size_t keep = std::min<size_t>(limit, out.hosts.size());
  std::partial_sort(out.hosts.begin(), out.hosts.begin() + static_cast<ptrdiff_t>(keep),
                    out.hosts.end(), by_value);
  out.hosts.resize(keep);
  return {};
}

query_error query_network_map(const profile_source& src, const cidr& network,
                              uint8_t cell_length, const window_selector& sel,
                              network_map_answer& out) {
  uint8_t written = network.written_length();
  uint8_t max_length = network.network.is_v4() && network.length >= 96 ? 32 : 128;
  if (cell_length < written || cell_length > max_length)
    return invalid("cell: /" + std::to_string(cell_length) + " does not cut " +
                   network.to_string() + " (it must be /" + std::to_string(written) + "../" +
                   std::to_string(max_length) + ")");
  if (cell_length - written > 16)
    return invalid("cell: " + network.to_string() + " cut into /" +
                   std::to_string(cell_length) + " cells would make 2^" +
                   std::to_string(cell_length - written) + " cells, more than " +
                   std::to_string(max_map_cells) + "; use /" + std::to_string(written + 16) +
                   " cells or a smaller network");
  out = network_map_answer{};
  auto selector = sel;
  selector.within = network;
  if (auto e = resolve_window(src, selector, out.window_start_ms, out.window_open))
    return e;
  std::vector<ranked_host> values;
  if (auto e = collect_values(src, selector, out.window_start_ms, out.window_open, 0, values))
    return e;
  uint8_t length16 = static_cast<uint8_t>(cell_length + (network.length - written));
  std::map<ip_address, map_cell> cells;
  for (const auto& v : values) {
    auto c = cell_of(v.host, length16);
    auto& cell = cells[c.network];
    cell.cell = c;
    cell.value += v.value;
    ++cell.hosts;
  }
  for (auto& [key, cell] : cells)
    out.cells.push_back(cell);
  return {};
}

query_error query_shard_status(const profile_source& src, std::vector<shard_status>& out) {
  out.clear();
  for (const auto& shard : src.pipeline->shards) {
    shard_status s;
    if (auto e = ask(src, shard, s, get_atom::value, status_atom::value))
      return e;
    out.push_back(std::move(s));
  }
  return {};
}

query_error query_ingest_reports(const profile_source& src, const ingest_monitor_actor& monitor,
                                 std::vector<receiver_report>& out) {
  out.clear();
  if (!monitor)
    return {};
  return ask_actor(src, "the ingest monitor", monitor, out, get_atom::value, status_atom::value);
}

} // namespace hostflow
