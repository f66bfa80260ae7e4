#pragma once

namespace caf {
class actor_system_config;
} // namespace caf

namespace hostflow {

struct scheduler_config;

/// Applies hostflow's actor runtime settings to a CAF config: message types,
/// the scheduler from `scheduler`, and CAF's own logger kept quiet (hostflow
/// logs through spdlog). Every executable and test fixture goes through here.
void configure_actor_runtime(caf::actor_system_config& cfg, const scheduler_config& scheduler);

} // namespace hostflow
