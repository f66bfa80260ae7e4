// Template persistence across a receiver restart, over real UDP on
// loopback: a receiver saves what its exporter defined to the store, and a
// receiver started later on a new socket of the same port decodes the
// exporter's data-only datagrams at once instead of parking them.

#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/profile_pipeline.hpp"
#include "actors/receiver.hpp"
#include "actor_fixture.hpp"
#include "capture_sender.hpp"
#include "state/keys.hpp"
#include "template_datagrams.hpp"

using namespace hostflow;
using namespace std::chrono_literals;

namespace {

using test::actor_fixture;

// Opens `listen`; retries briefly while the previous receiver's socket on
// the same port is being closed.
std::shared_ptr<udp_socket> open_socket(const endpoint& listen) {
  for (int attempt = 0;; ++attempt) {
    auto sock = udp_socket::open(listen, 8u << 20, false);
    if (sock)
      return std::make_shared<udp_socket>(std::move(*sock));
    REQUIRE_MESSAGE(attempt < 100, sock.error);
    std::this_thread::sleep_for(10ms);
  }
}

void send_all(udp_sender& sender, const std::vector<const captured_datagram*>& datagrams) {
  std::vector<byte_view> burst;
  for (const auto* dg : datagrams) {
    burst.emplace_back(dg->payload.data(), dg->payload.size());
    if (burst.size() == 64) {
      REQUIRE(sender.send(burst) == burst.size());
      burst.clear();
      std::this_thread::sleep_for(5ms);
    }
  }
  REQUIRE(sender.send(burst) == burst.size());
}

// The receiver's report once it has read `datagrams` (or after 10 s).
receiver_report wait_for_datagrams(caf::actor_system& sys, const receiver_actor& rx,
                                   uint64_t datagrams) {
  caf::scoped_actor self{sys};
  receiver_report report;
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    self->request(rx, 1s, get_atom::value, status_atom::value)
      .receive([&](receiver_report& r) { report = std::move(r); }, [](caf::error&) {});
    if (report.datagrams >= datagrams)
      break;
    std::this_thread::sleep_for(20ms);
  }
  return report;
}

size_t stored_snapshots(store& db) {
  size_t n = 0;
  auto status = db.scan(column::templates, {}, {}, [&](std::string_view key, std::string_view) {
    n += parse_template_key(key) ? 1 : 0;
    return true;
  });
  REQUIRE(status.ok());
  return n;
}

} // namespace

TEST_CASE("a receiver restarted with the stored templates decodes data-only datagrams at once") {
  std::string error;
  auto monitored = *cidr::parse("10.10.0.0/16", error);
  for (const char* proto : {"v9", "ipfix"}) {
    CAPTURE(std::string(proto));
    auto contents = read_capture(test::scenario_capture(proto), error);
    REQUIRE_MESSAGE(contents, error);
    const auto& all = contents->datagrams;
    // The exporter's first datagrams reach the first receiver; after its
    // restart, only datagrams that carry no template reach the second.
    constexpr size_t before_restart = 64;
    REQUIRE(all.size() > before_restart + 1000);
    std::vector<const captured_datagram*> first, data_only;
    for (size_t i = 0; i < before_restart; ++i)
      first.push_back(&all[i]);
    for (size_t i = before_restart; i < before_restart + 1000; ++i)
      if (!test::carries_templates(all[i].payload))
        data_only.push_back(&all[i]);
    REQUIRE(test::carries_templates(all[0].payload));
    REQUIRE(data_only.size() > 100);
    // What an uninterrupted decoder makes of the data-only datagrams.
    flow_decoder offline;
    std::vector<flow_record> records;
    for (const auto* dg : first)
      offline.decode(dg->source, byte_view{dg->payload.data(), dg->payload.size()},
                     dg->timestamp_ms, records);
    records.clear();
    for (const auto* dg : data_only)
      offline.decode(dg->source, byte_view{dg->payload.data(), dg->payload.size()},
                     dg->timestamp_ms, records);
    REQUIRE(!records.empty());

    actor_fixture f;
    profile_pipeline_settings ps;
    ps.shards = 2;
    ps.monitored = {monitored};
    auto pipeline = start_profile_pipeline(*f.sys, ps, nullptr);
    std::shared_ptr<store> db{open_memory_store()};
    receiver_settings settings;
    settings.flush_interval = 20ms;
    // v9 saves on the timer; IPFIX only when the receiver stops.
    bool periodic = std::string(proto) == "v9";
    settings.template_save_interval = periodic ? 50ms : 0ms;

    auto sock = open_socket(endpoint{*ip_address::parse("127.0.0.1"), 0});
    auto listen = sock->local_endpoint();
    auto rx = f.sys->spawn<caf::detached>(receiver, sock, pipeline.routing,
                                          ingest_monitor_actor{}, db, settings);
    auto sender = udp_sender::open(listen);
    REQUIRE_MESSAGE(sender, sender.error);
    send_all(*sender, first);
    auto before = wait_for_datagrams(*f.sys, rx, first.size());
    CHECK(before.datagrams == first.size());
    if (periodic) {
      auto deadline = std::chrono::steady_clock::now() + 5s;
      while (stored_snapshots(*db) == 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(20ms);
      CHECK(stored_snapshots(*db) == 1);
    } else {
      CHECK(stored_snapshots(*db) == 0);
    }
    caf::scoped_actor self{*f.sys};
    self->send_exit(rx, caf::exit_reason::user_shutdown);
    self->wait_for(rx);
    CHECK(stored_snapshots(*db) == 1);

    auto rx2 = f.sys->spawn<caf::detached>(receiver, open_socket(listen), pipeline.routing,
                                           ingest_monitor_actor{}, db, settings);
    send_all(*sender, data_only);
    auto after = wait_for_datagrams(*f.sys, rx2, data_only.size());
    CHECK(after.datagrams == data_only.size());
    CHECK(after.kernel_drops == 0);
    CHECK(after.records == records.size());
    CHECK(after.pending_bytes == 0);
    CHECK(after.template_store_errors == 0);
    REQUIRE(after.exporters.size() == 1);
    CHECK(after.exporters[0].exporter == sender->local_endpoint());
    CHECK(after.exporters[0].counters.undecoded_data_sets == 0);
    CHECK(after.exporters[0].counters.template_records == 0);

    self->send_exit(rx2, caf::exit_reason::user_shutdown);
    self->wait_for(rx2);
    stop_profile_pipeline(*f.sys, pipeline);
  }
}

TEST_CASE("a receiver whose template store fails counts the failures and decodes on") {
  actor_fixture f;
  std::string error;
  profile_pipeline_settings ps;
  ps.shards = 1;
  ps.monitored = {*cidr::parse("10.10.0.0/16", error)};
  auto pipeline = start_profile_pipeline(*f.sys, ps, nullptr);
  // A store opened read-only refuses writes, as a full disk would.
  rocksdb_settings rs;
  rs.path = (std::filesystem::temp_directory_path() /
             ("hostflow-templates-" + std::to_string(::getpid())))
              .string();
  std::filesystem::remove_all(rs.path);
  store_status status;
  {
    auto writable = open_rocksdb_store(rs, status);
    REQUIRE_MESSAGE(writable, status.to_string());
    write_batch planted;
    planted.put(column::templates, template_key(endpoint{}, 10, 0), "not a snapshot");
    REQUIRE(writable->write(planted).ok());
  }
  rs.read_only = true;
  std::shared_ptr<store> db{open_rocksdb_store(rs, status)};
  REQUIRE_MESSAGE(db, status.to_string());
  receiver_settings settings;
  settings.template_save_interval = 20ms;

  auto sock = open_socket(endpoint{*ip_address::parse("127.0.0.1"), 0});
  auto listen = sock->local_endpoint();
  auto rx = f.sys->spawn<caf::detached>(receiver, sock, pipeline.routing, ingest_monitor_actor{},
                                        db, settings);
  auto sent = test::send_capture(test::scenario_capture("ipfix"), listen);
  auto report = wait_for_datagrams(*f.sys, rx, sent);
  CHECK(report.datagrams == sent);
  CHECK(report.records == 143'481);
  // The planted value at the start, then every save of the changed templates.
  CHECK(report.template_store_errors >= 2);

  caf::scoped_actor self{*f.sys};
  self->send_exit(rx, caf::exit_reason::user_shutdown);
  self->wait_for(rx);
  stop_profile_pipeline(*f.sys, pipeline);
  db.reset();
  std::filesystem::remove_all(rs.path);
}
