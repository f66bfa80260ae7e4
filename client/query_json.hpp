#pragma once

#include <string>
#include <vector>

#include "client/record_json.hpp"

#include "hostflow/v1/hostflow.pb.h"

namespace hostflow::client {

// -- JSON lines of query answers --------------------------------------------------------
//
// Flat objects, one per line, in the schema docs/CLI.md lists: snake_case
// names as in the proto, numbers as JSON numbers, times as RFC 3339 UTC,
// enumerations as the short names of query_names.hpp.

/// One window of `host`: host, direction, granularity(_seconds),
/// window_start, open, then every counter and distinct count, the mean
/// flow duration, deviation and the top lists.
json window_to_json(const std::string& host, const v1::Window& w, bool open);

/// One ranked host: rank (from 1), host, value, metric, direction,
/// granularity(_seconds), window_start, window_open.
json ranked_host_to_json(const v1::TopHostsRequest& request, const v1::TopHostsResponse& response,
                         size_t index);

/// One map cell: prefix, value, hosts, metric, direction,
/// granularity(_seconds), window_start, window_open.
json map_cell_to_json(const v1::GetNetworkMapRequest& request,
                      const v1::GetNetworkMapResponse& response, size_t index);

/// The status as lines with a "kind": one "server", one "ingest", one per
/// "shard", one per "receiver", one per "exporter", in that order.
std::vector<json> status_to_json(const v1::GetStatusResponse& status);

/// A Timestamp as RFC 3339 UTC, or null when unset.
json time_or_null(bool has, const google::protobuf::Timestamp& t);

/// Milliseconds since the epoch of a Timestamp.
int64_t epoch_ms_of(const google::protobuf::Timestamp& t);

/// Milliseconds of a Duration.
int64_t ms_of(const google::protobuf::Duration& d);

/// Sets `t` to `epoch_ms` milliseconds since the epoch (not before 1970).
void set_epoch_ms(google::protobuf::Timestamp& t, int64_t epoch_ms);

} // namespace hostflow::client
