// A receiver whose downstream stops acknowledging must not block or queue
// without bound: past its credit it drops whole batches and counts them, and
// every decoded record is either sent or counted as dropped.

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/receiver.hpp"
#include "actors/router.hpp"
#include "actor_fixture.hpp"
#include "capture_sender.hpp"

using namespace hostflow;
using namespace std::chrono_literals;

namespace {

// A shard that takes batches and never answers: the receiver's credit runs out.
struct stalled_shard_state {
  std::vector<caf::typed_response_promise<uint64_t>> unanswered;
  static inline const char* name = "stalled_shard";
};

host_shard_actor::behavior_type
stalled_shard(host_shard_actor::stateful_pointer<stalled_shard_state> self) {
  return {
    [=](const shard_batch&) -> caf::result<uint64_t> {
      auto promise = self->make_response_promise<uint64_t>();
      self->state.unanswered.push_back(promise);
      return promise;
    },
    [=](tick_atom) {},
    [=](flush_atom) -> int64_t { return 0; },
    [=](flush_atom, int64_t) -> int64_t { return 0; },
    [=](checkpoint_atom) -> uint64_t { return 0; },
    [=](subscribe_atom, uint32_t, const profile_subscriber_actor&) {},
    [=](get_atom, profile_atom, const ip_address&) { return open_profile{}; },
    [=](get_atom, const window_query&) { return std::vector<ranked_host>{}; },
    [=](get_atom, status_atom) { return shard_status{}; },
  };
}

} // namespace

TEST_CASE("a receiver without downstream credit drops and counts whole batches") {
  test::actor_fixture f;
  auto& sys = *f.sys;

  auto sock = udp_socket::open(endpoint{*ip_address::parse("127.0.0.1"), 0}, 32u << 20, false);
  REQUIRE_MESSAGE(sock, sock.error);
  auto target = sock->local_endpoint();
  auto shard = sys.spawn(stalled_shard);
  auto routing = std::make_shared<routing_table>(routing_table{shard_map{64, 1}, {}, true, {}});
  routing->shards.attach({shard});
  receiver_settings settings;
  settings.batch_records = 500;
  settings.max_batches_in_flight = 3;
  auto rx = sys.spawn<caf::detached>(receiver, std::make_shared<udp_socket>(std::move(*sock)), routing,
                                     ingest_monitor_actor{}, nullptr, settings);

  size_t sent = test::send_capture(test::scenario_capture("v5"), target);

  caf::scoped_actor self{sys};
  receiver_report report;
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    self->request(rx, 1s, get_atom::value, status_atom::value)
      .receive([&](receiver_report& r) { report = std::move(r); }, [](caf::error&) {});
    if (report.datagrams == sent &&
        report.records_sent + report.dropped_records == 2 * 143'481)
      break;
    std::this_thread::sleep_for(100ms); // the flush timer sends the last partial batch
  }
  CHECK(report.datagrams == sent);
  CHECK(report.kernel_drops == 0);
  // Three batches of credit, then everything else dropped, counted to the
  // record view (monitor_all: every record is an outgoing and an incoming view).
  CHECK(report.records == 143'481);
  CHECK(report.records_sent <= 3 * (settings.batch_records + 2 * 30));
  CHECK(report.dropped_batches > 0);
  CHECK(report.records_sent + report.dropped_records == 2 * 143'481);

  self->send_exit(rx, caf::exit_reason::user_shutdown);
  self->wait_for(rx);
  self->send_exit(shard, caf::exit_reason::user_shutdown);
}
