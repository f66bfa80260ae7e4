#include "client/record_json.hpp"

#include <iterator>

namespace hostflow::client {

namespace {

// -- counter names ---------------------------------------------------------------------

using counter_field = std::pair<const char*, uint64_t exporter_counters::*>;

// Every exporter_counters member but the error array, in declaration order.
constexpr counter_field counter_fields[] = {
    {"datagrams", &exporter_counters::datagrams},
    {"datagram_bytes", &exporter_counters::datagram_bytes},
    {"data_records", &exporter_counters::data_records},
    {"options_data_records", &exporter_counters::options_data_records},
    {"reverse_records", &exporter_counters::reverse_records},
    {"template_records", &exporter_counters::template_records},
    {"options_template_records", &exporter_counters::options_template_records},
    {"template_withdrawals", &exporter_counters::template_withdrawals},
    {"undecoded_data_sets", &exporter_counters::undecoded_data_sets},
    {"deferred_data_records", &exporter_counters::deferred_data_records},
    {"deferred_options_records", &exporter_counters::deferred_options_records},
    {"expired_data_sets", &exporter_counters::expired_data_sets},
    {"lost_records", &exporter_counters::lost_records},
    {"lost_datagrams", &exporter_counters::lost_datagrams},
    {"reordered_datagrams", &exporter_counters::reordered_datagrams},
    {"duplicate_datagrams", &exporter_counters::duplicate_datagrams},
    {"restarts", &exporter_counters::restarts},
    {"estimated_times", &exporter_counters::estimated_times},
};

// A counter added to exporter_counters must be added above, or the JSON
// silently lacks it; the struct holds nothing but 64-bit counters.
static_assert(sizeof(exporter_counters) ==
                  sizeof(uint64_t) * (std::size(counter_fields) + decode_error_count),
              "exporter_counters changed: update counter_fields");

} // namespace

// -- records ---------------------------------------------------------------------------

json record_to_json(const flow_record& r, const std::string& file) {
  json j;
  j["file"] = file;
  j["exporter"] = r.exporter.to_string();
  j["observation_domain"] = r.observation_domain;
  j["version"] = static_cast<int>(r.protocol_version);
  j["src_addr"] = r.src_addr.to_string();
  j["dst_addr"] = r.dst_addr.to_string();
  j["src_port"] = r.src_port;
  j["dst_port"] = r.dst_port;
  j["protocol"] = r.protocol;
  j["packets"] = r.packets;
  j["bytes"] = r.bytes;
  j["start"] = format_epoch_ms(r.start_ms);
  j["end"] = format_epoch_ms(r.end_ms);
  j["start_ms"] = r.start_ms;
  j["end_ms"] = r.end_ms;
  j["tcp_flags"] = r.tcp_flags;
  j["tos"] = r.tos;
  j["input_if"] = r.input_if;
  j["output_if"] = r.output_if;
  j["src_as"] = r.src_as;
  j["dst_as"] = r.dst_as;
  j["src_mask"] = r.src_mask;
  j["dst_mask"] = r.dst_mask;
  j["next_hop"] = r.next_hop.to_string();
  j["icmp_type"] = r.icmp_type;
  j["icmp_code"] = r.icmp_code;
  j["direction"] = to_string(r.direction);
  j["sampling_interval"] = r.sampling_interval;
  return j;
}

// -- counters --------------------------------------------------------------------------

json errors_to_json(const error_counters& errors) {
  json j = json::object();
  for (size_t i = 0; i < decode_error_count; ++i)
    j[to_string(static_cast<decode_error>(i))] = errors[i];
  return j;
}

namespace {

void add_counters(json& j, const exporter_counters& c) {
  for (const auto& [name, member] : counter_fields)
    j[name] = c.*member;
  j["errors"] = errors_to_json(c.errors);
}

} // namespace

json counters_to_json(const exporter_counters& c) {
  json j = json::object();
  add_counters(j, c);
  return j;
}

json exporter_to_json(const endpoint& exporter, const exporter_counters& c) {
  json j;
  j["exporter"] = exporter.to_string();
  add_counters(j, c);
  return j;
}

} // namespace hostflow::client
