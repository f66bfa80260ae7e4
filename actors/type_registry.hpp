#pragma once

namespace caf {
class actor_system_config;
} // namespace caf

namespace hostflow {

/// Registers every message type hostflow's actors exchange. Every executable
/// and test fixture calls this on its config before creating the actor system:
/// a type missing on a node arrives empty there and its request never completes.
void register_message_types(caf::actor_system_config& cfg);

} // namespace hostflow
