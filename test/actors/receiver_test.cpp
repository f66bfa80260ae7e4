// The receiver over real UDP on loopback: the scenario captures (softflowd
// v5, v9 and IPFIX exports of the same traffic) are replayed at a paced rate
// and every record must reach the host shards its ends belong to, with no
// kernel drop and no credit drop.

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/profile_pipeline.hpp"
#include "actors/receiver.hpp"
#include "actor_fixture.hpp"
#include "capture_records.hpp"
#include "capture_sender.hpp"

using namespace hostflow;
using namespace std::chrono_literals;

namespace {

using test::actor_fixture;

} // namespace

TEST_CASE("the receiver routes every record of the scenario captures sent over UDP") {
  std::string error;
  auto monitored = *cidr::parse("10.10.0.0/16", error);
  for (const char* proto : {"v5", "v9", "ipfix"}) {
    CAPTURE(std::string(proto));
    // What routing must produce, from the capture decoded offline.
    uint64_t records = 0, views = 0, view_packets = 0, unmonitored = 0;
    for (const auto& r : test::decode_capture(test::scenario_capture(proto))) {
      ++records;
      bool src = monitored.contains(r.src_addr), dst = monitored.contains(r.dst_addr);
      if (!src && !dst)
        ++unmonitored;
      uint64_t n = (src || dst ? 1 : 0) + (dst ? 1 : 0);
      views += n;
      view_packets += n * r.packets;
    }
    REQUIRE(records == 143'481);

    actor_fixture f;
    auto sock = udp_socket::open(endpoint{*ip_address::parse("127.0.0.1"), 0}, 32u << 20, false);
    REQUIRE_MESSAGE(sock, sock.error);
    auto target = sock->local_endpoint();
    auto shared = std::make_shared<udp_socket>(std::move(*sock));
    profile_pipeline_settings ps;
    ps.shards = 2;
    ps.monitored = {monitored};
    auto pipeline = start_profile_pipeline(*f.sys, ps, nullptr);
    receiver_settings settings;
    settings.flush_interval = 20ms;
    auto rx = f.sys->spawn<caf::detached>(receiver, shared, pipeline.routing,
                                          ingest_monitor_actor{}, nullptr, settings);

    size_t sent = test::send_capture(test::scenario_capture(proto), target);
    CHECK(sent == (std::string(proto) == "v5" ? 4946u : 4586u));

    caf::scoped_actor self{*f.sys};
    uint64_t shard_views = 0, shard_packets = 0;
    auto deadline = std::chrono::steady_clock::now() + 15s;
    while (std::chrono::steady_clock::now() < deadline) {
      shard_views = shard_packets = 0;
      for (const auto& s : profile_pipeline_status(*f.sys, pipeline)) {
        shard_views += s.records;
        shard_packets += s.packets;
      }
      if (shard_views >= views)
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
    CHECK(report.records == records);
    CHECK(report.unmonitored == unmonitored);
    CHECK(report.records_sent == views);
    REQUIRE(report.exporters.size() == 1);
    const auto& c = report.exporters[0].counters;
    CHECK(c.error_total() == 0);
    CHECK(c.lost_records == 0);
    CHECK(c.lost_datagrams == 0);
    CHECK(c.restarts == 0);
    CHECK(c.undecoded_data_sets == 0);
    CHECK(shard_views == views);
    CHECK(shard_packets == view_packets);

    self->send_exit(rx, caf::exit_reason::user_shutdown);
    self->wait_for(rx);
    stop_profile_pipeline(*f.sys, pipeline);
  }
}
