#include "server/proto_requests.hpp"

#include <algorithm>

#include "flow/event_time.hpp"
#include "flow/flow_record.hpp"
#include "server/proto_values.hpp"

namespace hostflow {

namespace {

query_error invalid(std::string message) {
  return query_error{query_errc::invalid_argument, std::move(message)};
}

// The text as the message quotes it: "10.0.0.300".
std::string quoted(const std::string& text) {
  return "\"" + text + "\"";
}

query_error read_host(const std::string& text, ip_address& out) {
  if (text.empty())
    return invalid("host: is required (an address such as \"10.0.0.1\" or \"2001:db8::1\")");
  auto a = ip_address::parse(text);
  if (!a)
    return invalid("host: " + quoted(text) + " is not an IP address");
  out = *a;
  return {};
}

// A prefix in `field`; cidr::parse's reason, reworded to quote the field's text.
query_error read_network(const std::string& field, const std::string& text, cidr& out) {
  std::string reason;
  auto c = cidr::parse(text, reason);
  if (!c) {
    // The reason may start by naming the text itself ("'10.1.0.0/8' has
    // host bits set ..."); it is not said twice.
    auto own = "'" + text + "'";
    if (reason.compare(0, own.size(), own) == 0)
      return invalid(field + ": " + quoted(text) + reason.substr(own.size()));
    return invalid(field + ": " + quoted(text) + " is not a network (" + reason + ")");
  }
  out = *c;
  return {};
}

template <class Enum>
query_error read_enum(const std::string& field, int value,
                      std::optional<Enum> (*convert)(int) noexcept,
                      const google::protobuf::EnumDescriptor* type, Enum& out) {
  auto converted = convert(value);
  if (!converted)
    return invalid(enum_error(field, *type, value));
  out = *converted;
  return {};
}

// The selector's window: granularity, direction, metric and start, all
// required but the start.
template <class Request>
query_error read_window(const Request& request, window_selector& sel) {
  if (auto e = read_enum<uint32_t>("granularity", request.granularity(), granularity_seconds,
                                   v1::Granularity_descriptor(), sel.granularity_s))
    return e;
  if (auto e = read_enum<host_direction>("direction", request.direction(), direction_of,
                                         v1::Direction_descriptor(), sel.direction))
    return e;
  if (auto e = read_enum<rank_metric>("metric", request.metric(), metric_of,
                                      v1::Metric_descriptor(), sel.metric))
    return e;
  sel.window_start_ms.reset();
  if (request.has_window_start()) {
    std::string error;
    auto start = epoch_ms_of(request.window_start(), "window_start", error);
    if (!start)
      return invalid(error);
    // Alignment is checked by the query, which knows the granularities.
    sel.window_start_ms = *start;
  }
  return {};
}

} // namespace

// -- GetHostProfile -------------------------------------------------------------------

query_error read_request(const v1::GetHostProfileRequest& request, host_profile_params& out) {
  out = host_profile_params{};
  if (auto e = read_host(request.host(), out.host))
    return e;
  for (int i = 0; i < request.granularities_size(); ++i) {
    uint32_t seconds = 0;
    auto field = "granularities[" + std::to_string(i) + "]";
    if (auto e = read_enum<uint32_t>(field, request.granularities(i), granularity_seconds,
                                     v1::Granularity_descriptor(), seconds))
      return e;
    out.granularities_s.push_back(seconds);
  }
  if (out.granularities_s.empty())
    out.granularities_s.assign(granularities.begin(), granularities.end());
  // Finest first and each once, so closed windows come by granularity, then
  // time, and none twice.
  std::sort(out.granularities_s.begin(), out.granularities_s.end());
  out.granularities_s.erase(std::unique(out.granularities_s.begin(), out.granularities_s.end()),
                            out.granularities_s.end());
  std::string error;
  const auto& range = request.time_range();
  if (range.has_start()) {
    out.from_ms = epoch_ms_of(range.start(), "time_range.start", error);
    if (!out.from_ms)
      return invalid(error);
  }
  if (range.has_end()) {
    if (!range.has_start())
      return invalid("time_range.start: is required with time_range.end (leave both out for "
                     "the last hour before the watermark)");
    out.to_ms = epoch_ms_of(range.end(), "time_range.end", error);
    if (!out.to_ms)
      return invalid(error);
    if (*out.to_ms <= *out.from_ms)
      return invalid("time_range: the end " + format_epoch_ms(*out.to_ms) +
                     " is not after the start " + format_epoch_ms(*out.from_ms));
  }
  if (request.has_lookback()) {
    if (range.has_start())
      return invalid("lookback: cannot be combined with time_range.start (give one or the "
                     "other)");
    auto ms = milliseconds_of(request.lookback(), "lookback", error);
    if (!ms)
      return invalid(error);
    if (*ms <= 0)
      return invalid("lookback: " + std::to_string(*ms) +
                     " ms is not positive (how far before the watermark to start)");
    out.lookback_ms = *ms;
  }
  return {};
}

time_span resolve_range(const host_profile_params& p, std::optional<int64_t> watermark_ms,
                        int64_t wall_ms) {
  int64_t reference = watermark_ms.value_or(wall_ms);
  time_span span;
  span.from_ms = p.from_ms ? *p.from_ms : std::max<int64_t>(reference - p.lookback_ms, 0);
  span.to_ms =
      p.to_ms ? *p.to_ms : std::max({reference, wall_ms, span.from_ms}) + open_end_margin_ms;
  return span;
}

// -- TopHosts ----------------------------------------------------------------------------

query_error read_request(const v1::TopHostsRequest& request, top_hosts_params& out) {
  out = top_hosts_params{};
  if (auto e = read_window(request, out.selector))
    return e;
  if (!request.network().empty()) {
    cidr within;
    if (auto e = read_network("network", request.network(), within))
      return e;
    out.selector.within = within;
  }
  if (request.limit() > max_top_limit)
    return invalid("limit: " + std::to_string(request.limit()) + " is more than " +
                   std::to_string(max_top_limit) + ", the most hosts a ranking returns");
  out.limit = request.limit() == 0 ? default_top_limit : request.limit();
  return {};
}

// -- GetNetworkMap -----------------------------------------------------------------------

query_error read_request(const v1::GetNetworkMapRequest& request, network_map_params& out) {
  out = network_map_params{};
  if (request.network().empty())
    return invalid("network: is required (a prefix such as \"10.0.0.0/16\" or "
                   "\"2001:db8::/48\")");
  if (auto e = read_network("network", request.network(), out.network))
    return e;
  if (auto e = read_window(request, out.selector))
    return e;
  const auto& net = out.network;
  uint32_t own = net.written_length();
  bool v4 = net.network.is_v4() && net.length >= 96;
  uint32_t widest = v4 ? 32 : 128;
  uint32_t cell = request.cell_prefix_length();
  auto field = "cell_prefix_length: " + std::to_string(cell);
  if (cell < own)
    return invalid(field + " is shorter than the network " + net.to_string() +
                   " itself (cells are /" + std::to_string(own) + " or longer)");
  if (cell > widest)
    return invalid(field + " is longer than an " + (v4 ? "IPv4" : "IPv6") + " address (" +
                   std::to_string(widest) + " bits)");
  static_assert(max_map_cells == 1u << 16, "the cut below allows 16 more bits");
  if (cell - own > 16)
    return invalid(field + " is too fine: " + net.to_string() + " cut into /" +
                   std::to_string(cell) + " cells makes 2^" + std::to_string(cell - own) +
                   " cells, more than " + std::to_string(max_map_cells) + "; use /" +
                   std::to_string(own + 16) + " or shorter cells, or a smaller network");
  out.cell_length = static_cast<uint8_t>(cell);
  out.selector.within = out.network;
  return {};
}

// -- StreamProfiles ----------------------------------------------------------------------

bool stream_profiles_params::matches(const ip_address& host) const noexcept {
  if (network && network->contains(host))
    return true;
  return std::binary_search(hosts.begin(), hosts.end(), host);
}

query_error read_request(const v1::StreamProfilesRequest& request, stream_profiles_params& out) {
  out = stream_profiles_params{};
  if (request.hosts_size() == 0 && request.network().empty())
    return invalid("hosts: give hosts, a network or both (such as hosts [\"10.0.0.1\"] or "
                   "network \"10.0.0.0/16\"); a stream follows only the hosts it names");
  if (static_cast<size_t>(request.hosts_size()) > max_stream_hosts)
    return invalid("hosts: " + std::to_string(request.hosts_size()) + " addresses are more than " +
                   std::to_string(max_stream_hosts) + "; follow a prefix with network instead");
  for (int i = 0; i < request.hosts_size(); ++i) {
    const auto& text = request.hosts(i);
    auto field = "hosts[" + std::to_string(i) + "]";
    auto a = ip_address::parse(text);
    if (!a)
      return invalid(field + ": " + quoted(text) + " is not an IP address");
    out.hosts.push_back(*a);
  }
  std::sort(out.hosts.begin(), out.hosts.end());
  out.hosts.erase(std::unique(out.hosts.begin(), out.hosts.end()), out.hosts.end());
  if (!request.network().empty()) {
    cidr network;
    if (auto e = read_network("network", request.network(), network))
      return e;
    out.network = network;
  }
  return read_enum<uint32_t>("granularity", request.granularity(), granularity_seconds,
                             v1::Granularity_descriptor(), out.granularity_s);
}

} // namespace hostflow
