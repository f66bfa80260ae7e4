#include "actors/type_registry.hpp"

#include <caf/actor_system_config.hpp>

#include "actors/actors.hpp"
#include "actors/message_types.hpp"

namespace hostflow {

void register_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<ip_address>("hostflow::ip_address");
  cfg.add_message_type<endpoint>("hostflow::endpoint");
  cfg.add_message_type<flow_record>("hostflow::flow_record");
  cfg.add_message_type<exporter_counters>("hostflow::exporter_counters");
  cfg.add_message_type<exporter_report>("hostflow::exporter_report");
  cfg.add_message_type<receiver_report>("hostflow::receiver_report");
  cfg.add_message_type<std::vector<receiver_report>>("std::vector<hostflow::receiver_report>");
  cfg.add_message_type<shard_batch>("hostflow::shard_batch");
  cfg.add_message_type<window_counters>("hostflow::window_counters");
  cfg.add_message_type<window_summary>("hostflow::window_summary");
  cfg.add_message_type<host_window>("hostflow::host_window");
  cfg.add_message_type<closed_external_window>("hostflow::closed_external_window");
  cfg.add_message_type<profile_update>("hostflow::profile_update");
  cfg.add_message_type<event_time_counters>("hostflow::event_time_counters");
  cfg.add_message_type<shard_exporter_counters>("hostflow::shard_exporter_counters");
  cfg.add_message_type<profile_table_counters>("hostflow::profile_table_counters");
  cfg.add_message_type<shard_status>("hostflow::shard_status");
  cfg.add_message_type<std::vector<shard_status>>("std::vector<hostflow::shard_status>");
  cfg.add_message_type<cidr>("hostflow::cidr");
  cfg.add_message_type<window_query>("hostflow::window_query");
  cfg.add_message_type<ranked_host>("hostflow::ranked_host");
  cfg.add_message_type<std::vector<ranked_host>>("std::vector<hostflow::ranked_host>");
  cfg.add_message_type<baseline_view>("hostflow::baseline_view");
  cfg.add_message_type<open_profile>("hostflow::open_profile");
  cfg.add_message_type<profile_subscriber_actor>("hostflow::profile_subscriber_actor");
}

} // namespace hostflow
