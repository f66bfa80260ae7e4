// StreamProfiles end to end: a real server on a loopback port over a real
// pipeline that is fed the attack scenario while clients are subscribed.
// What a stream carries must be what the store holds for the same hosts;
// a client that does not read must be dropped with a bounded queue; a
// stopping server must end open streams at once.

#include <algorithm>
#include <chrono>
#include <csignal>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <doctest/doctest.h>
#include <google/protobuf/util/message_differencer.h>
#include <grpcpp/grpcpp.h>

#include "actors/profile_pipeline.hpp"
#include "actors/profile_queries.hpp"
#include "actors/udp_socket.hpp"
#include "server/api_server.hpp"
#include "server/proto_convert.hpp"
#include "server/proto_values.hpp"

#include "actor_fixture.hpp"
#include "capture_records.hpp"
#include "capture_sender.hpp"
#include "daemon_process.hpp"
#include "hostflow/v1/hostflow.grpc.pb.h"
#include "replayed_scenario.hpp"

using namespace hostflow;
using namespace std::chrono_literals;
using test::ip;
using test::net;

namespace {

constexpr int64_t scenario_end = test::minute_0903 + 3'600'000;

int64_t ms_of(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000 + t.nanos() / 1'000'000;
}

// The scenario's pipeline behind a gRPC server, not fed yet: streams open
// first, then the capture goes in.
struct stream_scenario {
  test::actor_fixture actors;
  caf::actor_system* sys = actors.sys.get();
  profile_pipeline pipeline;
  std::vector<flow_record> records;
  std::unique_ptr<record_router> router;
  std::unique_ptr<api_server> server;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::Hostflow::Stub> stub;

  explicit stream_scenario(profile_stream_limits limits = {}) {
    profile_pipeline_settings s;
    s.shards = 2;
    s.monitored = {net("10.10.0.0/16")};
    s.shard.tick_interval = std::chrono::hours(1);
    s.shard.checkpoint_interval = std::chrono::milliseconds(0);
    pipeline = start_profile_pipeline(*sys, s, std::shared_ptr<store>(open_memory_store()));
    records = test::decode_capture(test::scenario_capture("ipfix"));
    router = std::make_unique<record_router>(pipeline.routing);
    api_server_settings settings;
    settings.listen = endpoint{ip("127.0.0.1"), 0};
    settings.streams = limits;
    std::string error;
    server = api_server::start(settings, *sys, pipeline, ingest_monitor_actor{}, error);
    REQUIRE_MESSAGE(server, error);
    // BDP probing off keeps the client's flow-control window at its small
    // initial size, so a client that does not read stalls the server's
    // writes after a few dozen kilobytes.
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
    channel = grpc::CreateCustomChannel(server->listening().to_string(),
                                        grpc::InsecureChannelCredentials(), args);
    stub = v1::Hostflow::NewStub(channel);
  }

  ~stream_scenario() {
    server->stop(0ms);
    stop_profile_pipeline(*sys, pipeline);
  }

  // Feeds the records from `from` (a share of the capture) up to `to`, then
  // publishes what closed, as a tick would.
  void feed(size_t from, size_t to) {
    std::vector<flow_record> part(records.begin() + static_cast<std::ptrdiff_t>(from),
                                  records.begin() + static_cast<std::ptrdiff_t>(to));
    feed_profile_pipeline(*sys, pipeline, *router, part);
    flush_profile_pipeline(*sys, pipeline);
  }

  // Feeds the whole capture in `chunks` parts, then closes every window.
  void feed_all(size_t chunks) {
    for (size_t i = 0; i < chunks; ++i)
      feed(records.size() * i / chunks, records.size() * (i + 1) / chunks);
    drain_profile_pipeline(*sys, pipeline, scenario_end);
  }

  // Waits (bounded) until `n` streams are open on the server.
  void wait_open(uint64_t n) {
    for (int i = 0; i < 500 && server->stream_counters().open != n; ++i)
      std::this_thread::sleep_for(10ms);
    REQUIRE(server->stream_counters().open == n);
  }

  profile_source source() const { return profile_source{sys, &pipeline}; }
};

// One StreamProfiles call from the generated stub, with a deadline. Reading
// happens on a thread of its own, when asked.
struct stream_client {
  grpc::ClientContext ctx;
  std::unique_ptr<grpc::ClientReader<v1::StreamProfilesResponse>> reader;
  std::mutex mutex;
  std::vector<v1::StreamProfilesResponse> received;
  std::future<grpc::Status> done;

  stream_client(v1::Hostflow::Stub& stub, const v1::StreamProfilesRequest& request,
                std::chrono::seconds deadline = 60s) {
    ctx.set_deadline(std::chrono::system_clock::now() + deadline);
    reader = stub.StreamProfiles(&ctx, request);
  }

  ~stream_client() {
    if (done.valid() && done.wait_for(10s) != std::future_status::ready)
      ctx.TryCancel();
  }

  // Reads until the call ends (its deadline bounds the loop).
  void start_reading() {
    done = std::async(std::launch::async, [this] {
      v1::StreamProfilesResponse message;
      while (reader->Read(&message)) {
        std::lock_guard<std::mutex> guard{mutex};
        received.push_back(message);
      }
      return reader->Finish();
    });
  }

  size_t count() {
    std::lock_guard<std::mutex> guard{mutex};
    return received.size();
  }

  // Waits (bounded) until `n` messages have come.
  bool wait_for_count(size_t n, std::chrono::seconds timeout) {
    auto until = std::chrono::steady_clock::now() + timeout;
    while (count() < n && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(10ms);
    return count() >= n;
  }

  // The call's status, once it has ended within `timeout`; a call still
  // running is cancelled and fails the test.
  grpc::Status status(std::chrono::seconds timeout) {
    REQUIRE(done.valid());
    if (done.wait_for(timeout) != std::future_status::ready) {
      ctx.TryCancel();
      FAIL("the stream did not end in time");
    }
    return done.get();
  }
};

v1::StreamProfilesRequest network_request(const char* network, v1::Granularity g) {
  v1::StreamProfilesRequest r;
  r.set_network(network);
  r.set_granularity(g);
  return r;
}

// A window's identity in a stream: host, direction, start.
using window_key = std::tuple<std::string, int, int64_t>;

window_key key_of(const v1::StreamProfilesResponse& m) {
  return {m.host(), static_cast<int>(m.window().direction()), ms_of(m.window().start())};
}

// The closed windows of `granularity_s` the store holds for every monitored
// host of the scenario that `wanted` selects, by key, as GetHostProfile
// would convert them.
template <class Wanted>
std::map<window_key, v1::Window> stored_windows(const stream_scenario& s, uint32_t granularity_s,
                                                Wanted wanted) {
  std::set<ip_address> hosts;
  for (const auto& r : s.records)
    for (const auto& a : {r.src_addr, r.dst_addr})
      if (net("10.10.0.0/16").contains(a) && wanted(a))
        hosts.insert(a);
  std::map<window_key, v1::Window> all;
  for (const auto& host : hosts) {
    host_profile_answer answer;
    auto e = query_host_profile(s.source(), host, {granularity_s}, 0, scenario_end, answer);
    if (e.code == query_errc::not_found)
      continue;
    REQUIRE_MESSAGE(!e, e.message);
    for (const auto& w : answer.closed) {
      v1::Window converted;
      to_proto(w, converted);
      all[{host.to_string(), static_cast<int>(to_proto(w.direction)), w.start_ms}] = converted;
    }
  }
  return all;
}

// Checks that `received` holds each window of `expected` exactly once and
// nothing else.
void check_same_windows(const std::vector<v1::StreamProfilesResponse>& received,
                        const std::map<window_key, v1::Window>& expected) {
  std::map<window_key, const v1::StreamProfilesResponse*> got;
  size_t duplicates = 0;
  for (const auto& m : received)
    if (!got.emplace(key_of(m), &m).second)
      ++duplicates;
  CHECK(duplicates == 0);
  CHECK(got.size() == expected.size());
  size_t missing = 0, different = 0;
  for (const auto& [key, window] : expected) {
    auto it = got.find(key);
    if (it == got.end()) {
      ++missing;
      continue;
    }
    if (!google::protobuf::util::MessageDifferencer::Equals(it->second->window(), window))
      ++different;
  }
  CHECK(missing == 0);
  CHECK(different == 0);
}

} // namespace

// -- what a stream carries -----------------------------------------------------------------

TEST_CASE("StreamProfiles streams every closed window of the selected hosts, as stored") {
  stream_scenario s;
  stream_client by_network(*s.stub, network_request("10.10.0.0/16", v1::GRANULARITY_1_MINUTE));
  v1::StreamProfilesRequest two_hosts;
  two_hosts.add_hosts("10.10.10.77"); // the horizontal scanner
  two_hosts.add_hosts("10.10.1.10");  // the SYN flood victim
  two_hosts.set_granularity(v1::GRANULARITY_1_MINUTE);
  stream_client by_hosts(*s.stub, two_hosts);
  by_network.start_reading();
  by_hosts.start_reading();
  s.wait_open(2);

  // Operators see the subscribers.
  v1::GetStatusResponse status;
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + 10s);
    auto result = s.stub->GetStatus(&ctx, v1::GetStatusRequest{}, &status);
    REQUIRE_MESSAGE(result.ok(), result.error_message());
  }
  CHECK(status.profile_streams() == 2);

  s.feed_all(8);
  auto all = stored_windows(s, 60, [](const ip_address&) { return true; });
  auto chosen = stored_windows(s, 60, [](const ip_address& a) {
    return a == ip("10.10.10.77") || a == ip("10.10.1.10");
  });
  REQUIRE(all.size() > 1000);
  REQUIRE(chosen.size() >= 8);
  CHECK(by_network.wait_for_count(all.size(), 30s));
  CHECK(by_hosts.wait_for_count(chosen.size(), 30s));
  // Every window has gone out; whatever else would come is a duplicate.
  auto counters = s.server->stream_counters();
  CHECK(counters.queued_windows == 0);
  CHECK(counters.overflows == 0);
  CHECK(counters.peak_queued_bytes <= default_stream_queue_bytes);

  // The server's stop ends both streams after what they were sent.
  s.server->stop(2000ms);
  for (auto* client : {&by_network, &by_hosts}) {
    auto end = client->status(10s);
    CHECK(end.error_code() == grpc::StatusCode::UNAVAILABLE);
    CHECK(end.error_message().find("shutting down") != std::string::npos);
  }
  check_same_windows(by_network.received, all);
  check_same_windows(by_hosts.received, chosen);
  for (const auto& m : by_hosts.received)
    CHECK((m.host() == "10.10.10.77" || m.host() == "10.10.1.10"));
}

// -- bounds ------------------------------------------------------------------------------

TEST_CASE("a client that does not read is dropped with RESOURCE_EXHAUSTED and a bounded queue") {
  profile_stream_limits limits;
  limits.max_queued_bytes = 1 << 20;
  stream_scenario s{limits};
  stream_client idle(*s.stub, network_request("10.10.0.0/16", v1::GRANULARITY_10_SECONDS));
  s.wait_open(1);

  // The capture goes in piece by piece while the client reads nothing: the
  // first windows fill the connection's flow-control window, the later ones
  // the stream's queue, until it overflows.
  const size_t chunks = 200;
  size_t fed = 0;
  while (fed < chunks && s.server->stream_counters().overflows == 0) {
    s.feed(s.records.size() * fed / chunks, s.records.size() * (fed + 1) / chunks);
    ++fed;
    CHECK(s.server->stream_counters().peak_queued_bytes <= limits.max_queued_bytes);
  }
  auto counters = s.server->stream_counters();
  MESSAGE("chunks fed: ", fed, ", windows queued: ", counters.windows_queued,
          ", sent: ", counters.windows_sent, ", peak bytes: ", counters.peak_queued_bytes);
  REQUIRE(counters.overflows == 1);
  CHECK(counters.peak_queued_bytes <= limits.max_queued_bytes);
  CHECK(counters.peak_queued_bytes > limits.max_queued_bytes / 2);
  // The dropped queue is released at once.
  CHECK(counters.queued_windows == 0);
  CHECK(counters.queued_bytes == 0);
  // Writes stalled: far fewer went out than were queued.
  CHECK(counters.windows_sent > 0);
  CHECK(counters.windows_sent < counters.windows_queued);

  // Reading now, the client gets what was sent, then the status naming the
  // end of the last of those windows.
  idle.start_reading();
  auto status = idle.status(30s);
  CHECK(status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  INFO(status.error_message());
  CHECK(status.error_message().find("fell behind") != std::string::npos);
  REQUIRE(!idle.received.empty());
  const auto& last = idle.received.back().window();
  auto last_end = ms_of(last.start()) + int64_t{*granularity_seconds(last.granularity())} * 1000;
  CHECK(status.error_message().find("the last window sent ended at " +
                                    format_epoch_ms(last_end)) != std::string::npos);
  // The stream is let go.
  for (int i = 0; i < 500 && s.server->stream_counters().open != 0; ++i)
    std::this_thread::sleep_for(10ms);
  CHECK(s.server->stream_counters().open == 0);
}

TEST_CASE("streams beyond the limit are refused with RESOURCE_EXHAUSTED") {
  profile_stream_limits limits;
  limits.max_streams = 1;
  stream_scenario s{limits};
  stream_client first(*s.stub, network_request("10.10.0.0/16", v1::GRANULARITY_1_MINUTE));
  first.start_reading();
  s.wait_open(1);
  stream_client second(*s.stub, network_request("10.10.0.0/16", v1::GRANULARITY_1_MINUTE));
  second.start_reading();
  auto refused = second.status(10s);
  CHECK(refused.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  CHECK(refused.error_message().find("at most 1 profile streams") != std::string::npos);
  CHECK(s.server->stream_counters().refused == 1);
  // The first one is untouched.
  CHECK(s.server->stream_counters().open == 1);
  first.ctx.TryCancel();
  CHECK(first.status(10s).error_code() == grpc::StatusCode::CANCELLED);
}

// -- shutdown ---------------------------------------------------------------------------

TEST_CASE("stopping the server ends an open stream with UNAVAILABLE at once") {
  stream_scenario s;
  stream_client client(*s.stub, network_request("10.10.0.0/16", v1::GRANULARITY_5_MINUTES));
  client.start_reading();
  s.wait_open(1);
  auto before = std::chrono::steady_clock::now();
  s.server->stop(5000ms);
  auto status = client.status(5s);
  // Not the grace period: the stream was finished before the server waited.
  CHECK(std::chrono::steady_clock::now() - before < 4s);
  CHECK(status.error_code() == grpc::StatusCode::UNAVAILABLE);
  CHECK(status.error_message() ==
        "hostflowd is shutting down; subscribe again once it is back; no window was sent yet");
}

TEST_CASE("stopping the server does not wait on a stream whose client does not read") {
  stream_scenario s;
  stream_client idle(*s.stub, network_request("10.10.0.0/16", v1::GRANULARITY_10_SECONDS));
  s.wait_open(1);
  s.feed_all(4);
  // Writes are stalled with windows still queued.
  auto counters = s.server->stream_counters();
  REQUIRE(counters.queued_windows > 0);
  auto before = std::chrono::steady_clock::now();
  s.server->stop(200ms);
  CHECK(std::chrono::steady_clock::now() - before < 5s);
  CHECK(s.server->stream_counters().open == 0);
  CHECK(s.server->stream_counters().queued_bytes == 0);
  idle.ctx.TryCancel();
}

TEST_CASE("hostflowd streams windows received over UDP and ends the stream on SIGTERM") {
  // A UDP port that was free a moment ago (bound and released).
  endpoint udp_endpoint;
  {
    auto udp = udp_socket::open(endpoint{ip("127.0.0.1"), 0}, 0, false);
    REQUIRE(udp);
    udp_endpoint = udp->local_endpoint();
  }
  auto grpc_address = test::loopback(test::free_tcp_port());
  test::daemon_process d({"--udp-listen", udp_endpoint.to_string(), "--grpc-listen", grpc_address,
                          "--monitor", "10.10.0.0/16"});
  REQUIRE(d.wait_for_log("running", 10s));
  auto stub =
      v1::Hostflow::NewStub(grpc::CreateChannel(grpc_address, grpc::InsecureChannelCredentials()));
  stream_client client(*stub, network_request("10.10.0.0/16", v1::GRANULARITY_10_SECONDS));
  client.start_reading();
  // The stream is open once GetStatus counts it.
  uint64_t open = 0;
  for (int i = 0; i < 500 && open == 0; ++i) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + 5s);
    v1::GetStatusResponse status;
    if (stub->GetStatus(&ctx, v1::GetStatusRequest{}, &status).ok())
      open = status.profile_streams();
    if (open == 0)
      std::this_thread::sleep_for(10ms);
  }
  REQUIRE(open == 1);
  test::send_capture(test::scenario_capture("ipfix"), udp_endpoint);
  // Windows close as the watermark passes them, on the shards' ticks.
  CHECK(client.wait_for_count(100, 20s));

  REQUIRE(kill(d.pid, SIGTERM) == 0);
  auto status = client.status(10s);
  CHECK(status.error_code() == grpc::StatusCode::UNAVAILABLE);
  CHECK(status.error_message().find("shutting down") != std::string::npos);
  CHECK(status.error_message().find("the last window sent ended at 2024-03-04T") !=
        std::string::npos);
  CHECK(d.wait_exit(10s) == 0);
}

// -- refusals ---------------------------------------------------------------------------

TEST_CASE("bad StreamProfiles requests are INVALID_ARGUMENT naming the field and value") {
  stream_scenario s;
  auto refused = [&](const v1::StreamProfilesRequest& request) {
    stream_client client(*s.stub, request, 10s);
    client.start_reading();
    auto status = client.status(10s);
    CHECK(client.received.empty());
    return status;
  };
  auto check = [&](const v1::StreamProfilesRequest& request, const std::string& prefix) {
    auto status = refused(request);
    CAPTURE(status.error_message());
    CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(status.error_message().compare(0, prefix.size(), prefix) == 0);
  };

  v1::StreamProfilesRequest nothing;
  nothing.set_granularity(v1::GRANULARITY_1_MINUTE);
  check(nothing, "hosts: give hosts, a network or both");

  auto bad_host = nothing;
  bad_host.add_hosts("10.10.1.10");
  bad_host.add_hosts("10.0.0.300");
  check(bad_host, "hosts[1]: \"10.0.0.300\" is not an IP address");

  auto bad_network = network_request("10.10.0.0/33", v1::GRANULARITY_1_MINUTE);
  check(bad_network, "network: \"10.10.0.0/33\" is not a network");
  check(network_request("10.10.1.0/8", v1::GRANULARITY_1_MINUTE),
        "network: \"10.10.1.0/8\" has host bits set");

  check(network_request("10.10.0.0/16", v1::GRANULARITY_UNSPECIFIED),
        "granularity: GRANULARITY_UNSPECIFIED is not allowed");
  check(network_request("10.10.0.0/16", static_cast<v1::Granularity>(42)),
        "granularity: 42 is not a known Granularity");

  auto too_many = nothing;
  for (int i = 0; i < 1025; ++i)
    too_many.add_hosts("10.10.0." + std::to_string(i % 250));
  check(too_many, "hosts: 1025 addresses are more than 1024");

  // None of them took a stream slot.
  CHECK(s.server->stream_counters().open == 0);
}
