#include "actors/type_registry.hpp"

#include <caf/actor_system_config.hpp>

#include "actors/message_types.hpp"

namespace hostflow {

void register_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<ip_address>("hostflow::ip_address");
  cfg.add_message_type<endpoint>("hostflow::endpoint");
  cfg.add_message_type<flow_record>("hostflow::flow_record");
  cfg.add_message_type<flow_batch>("hostflow::flow_batch");
  cfg.add_message_type<exporter_counters>("hostflow::exporter_counters");
  cfg.add_message_type<exporter_report>("hostflow::exporter_report");
  cfg.add_message_type<receiver_report>("hostflow::receiver_report");
  cfg.add_message_type<std::vector<receiver_report>>("std::vector<hostflow::receiver_report>");
  cfg.add_message_type<sink_exporter_totals>("hostflow::sink_exporter_totals");
  cfg.add_message_type<sink_totals>("hostflow::sink_totals");
}

} // namespace hostflow
