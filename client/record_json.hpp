#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "flow/exporter_counters.hpp"
#include "flow/flow_record.hpp"
#include "flow/ip_address.hpp"

namespace hostflow::client {

/// JSON objects keep the order their keys were added in, so output reads the
/// same from run to run and in the order of the documentation.
using json = nlohmann::ordered_json;

/// A flow record with its normalised fields: file (the input it came from),
/// exporter, observation_domain, version, addresses and ports, counters,
/// start/end (RFC 3339 UTC) and start_ms/end_ms, interfaces, AS, masks,
/// next_hop, ICMP type/code, direction and sampling_interval.
json record_to_json(const flow_record& r, const std::string& file);

/// One count per decode_error kind, zeros included, keyed by its to_string name.
json errors_to_json(const error_counters& errors);

/// Every counter of `c` keyed by its C++ member name, "errors" last.
json counters_to_json(const exporter_counters& c);

/// {"exporter": "addr:port", every counter, "errors": {...}}.
json exporter_to_json(const endpoint& exporter, const exporter_counters& c);

} // namespace hostflow::client
