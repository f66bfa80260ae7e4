// The receiver over real UDP on loopback: the scenario captures (softflowd
// v5, v9 and IPFIX exports of the same traffic) are replayed at a paced rate
// and every record must arrive, with no kernel drop and no credit drop.

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/flow_sink.hpp"
#include "actors/receiver.hpp"
#include "actors/type_registry.hpp"
#include "capture_sender.hpp"

using namespace hostflow;
using namespace std::chrono_literals;

namespace {

struct actor_fixture {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;

  actor_fixture() {
    register_message_types(cfg);
    cfg.set("scheduler.max-threads", size_t{2});
    cfg.set("scheduler.policy", caf::atom("sharing"));
    cfg.set("logger.file-verbosity", caf::atom("quiet"));
    sys = std::make_unique<caf::actor_system>(cfg);
  }
};

} // namespace

TEST_CASE("the receiver delivers every record of the scenario captures sent over UDP") {
  for (const char* proto : {"v5", "v9", "ipfix"}) {
    CAPTURE(std::string(proto));
    actor_fixture f;
    auto sock = udp_socket::open(endpoint{*ip_address::parse("127.0.0.1"), 0}, 32u << 20, false);
    REQUIRE_MESSAGE(sock, sock.error);
    auto target = sock->local_endpoint();
    auto shared = std::make_shared<udp_socket>(std::move(*sock));
    auto sink = f.sys->spawn(flow_sink);
    receiver_settings settings;
    settings.flush_interval = 20ms;
    auto rx = f.sys->spawn<caf::detached>(receiver, shared, sink, ingest_monitor_actor{}, settings);

    size_t sent = test::send_capture(test::scenario_capture(proto), target);
    CHECK(sent == (std::string(proto) == "v5" ? 4946u : 4586u));

    caf::scoped_actor self{*f.sys};
    sink_totals totals;
    auto deadline = std::chrono::steady_clock::now() + 15s;
    while (std::chrono::steady_clock::now() < deadline) {
      self->request(sink, 1s, get_atom::value, totals_atom::value)
        .receive([&](sink_totals& t) { totals = std::move(t); }, [](caf::error&) {});
      if (totals.records >= 143'481)
        break;
      std::this_thread::sleep_for(50ms);
    }
    receiver_report report;
    self->request(rx, 1s, get_atom::value, status_atom::value)
      .receive([&](receiver_report& r) { report = std::move(r); },
               [&](caf::error& e) { FAIL("receiver status: " << f.sys->render(e)); });
    CHECK(report.datagrams == sent);
    CHECK(report.kernel_drops == 0);
    CHECK(report.dropped_records == 0);
    REQUIRE(report.exporters.size() == 1);
    const auto& c = report.exporters[0].counters;
    CHECK(c.error_total() == 0);
    CHECK(c.lost_records == 0);
    CHECK(c.lost_datagrams == 0);
    CHECK(c.restarts == 0);
    CHECK(c.undecoded_data_sets == 0);

    CHECK(totals.records == 143'481);
    REQUIRE(totals.exporters.size() == 1);
    CHECK(totals.exporters[0].packets == 663'752);
    CHECK(totals.exporters[0].bytes == 466'962'113);

    self->send_exit(rx, caf::exit_reason::user_shutdown);
    self->send_exit(sink, caf::exit_reason::user_shutdown);
    self->wait_for(rx);
  }
}
