#include "server/actor_runtime.hpp"

#include <thread>

#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/timespan.hpp>

#include "actors/type_registry.hpp"
#include "server/config.hpp"

namespace hostflow {

void configure_actor_runtime(caf::actor_system_config& cfg, const scheduler_config& scheduler) {
  register_message_types(cfg);
  size_t threads = scheduler.threads;
  if (threads == 0)
    threads = std::max(1u, std::thread::hardware_concurrency());
  cfg.set("scheduler.max-threads", threads);
  cfg.set("scheduler.policy", scheduler.policy == scheduler_policy::sharing
                                ? caf::atom("sharing")
                                : caf::atom("stealing"));
  // Idle work-stealing workers poll for 500 x 50 us before sleeping: at flow
  // rates that keep one message in flight per millisecond they never sleep.
  // Shorter polling makes idle workers sleep sooner.
  cfg.set("work-stealing.aggressive-poll-attempts", size_t{10});
  cfg.set("work-stealing.moderate-poll-attempts", size_t{50});
  cfg.set("work-stealing.moderate-sleep-duration", caf::timespan{std::chrono::microseconds(200)});
  cfg.set("work-stealing.relaxed-sleep-duration", caf::timespan{std::chrono::milliseconds(5)});
  cfg.set("logger.file-verbosity", caf::atom("quiet"));
  cfg.set("logger.console-verbosity", caf::atom("quiet"));
}

} // namespace hostflow
