// api_load: load on hostflowd's gRPC API for the benchmarks.
//
//   api_load latency --server ADDR --duration 30 --rate 20
//     GetHostProfile and TopHosts at a fixed rate each, one call at a time
//     per RPC; prints latency percentiles per RPC.
//   api_load fanout --server ADDR --subscribers 100 --duration 30
//     opens that many StreamProfiles calls for every monitored host at 10 s
//     and counts the windows each receives; prints the delivered rate.
//
// Output is one tab-separated line per RPC or per run, for the trial script.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <grpcpp/grpcpp.h>

#include "hostflow/v1/hostflow.grpc.pb.h"

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;
namespace v1 = hostflow::v1;

namespace {

// -- latency ----------------------------------------------------------------------------

/// Latencies of one RPC, in microseconds, and the calls that failed.
struct latency_sample {
  std::vector<double> us;
  uint64_t errors = 0;
  std::string last_error;
};

double percentile(std::vector<double> v, double p) {
  if (v.empty())
    return 0;
  std::sort(v.begin(), v.end());
  auto index = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(index, v.size() - 1)];
}

void print_latency(const char* rpc, const latency_sample& s) {
  std::printf("%s\tcalls %zu\terrors %llu\tp50_ms %.2f\tp90_ms %.2f\tp99_ms %.2f\tmax_ms %.2f%s%s\n",
              rpc, s.us.size(), static_cast<unsigned long long>(s.errors),
              percentile(s.us, 0.50) / 1000, percentile(s.us, 0.90) / 1000,
              percentile(s.us, 0.99) / 1000, percentile(s.us, 1.0) / 1000,
              s.errors ? "\tlast_error " : "", s.last_error.c_str());
}

std::unique_ptr<grpc::ClientContext> context_with_deadline() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + 10s);
  return ctx;
}

// Calls `call()` `rate` times a second, one at a time, until `end`; a call
// that takes longer than its slot delays the next (open-loop would only
// pile them up in the server's queue).
template <class Call>
latency_sample run_paced(double rate, clock_type::time_point end, Call call) {
  latency_sample sample;
  auto interval = std::chrono::duration_cast<clock_type::duration>(
    std::chrono::duration<double>(1.0 / rate));
  auto next = clock_type::now();
  while (next < end) {
    std::this_thread::sleep_until(next);
    auto start = clock_type::now();
    grpc::Status status = call();
    auto took = std::chrono::duration<double, std::micro>(clock_type::now() - start).count();
    if (status.ok()) {
      sample.us.push_back(took);
    } else {
      ++sample.errors;
      sample.last_error = std::to_string(status.error_code()) + " " + status.error_message();
    }
    next += interval;
  }
  return sample;
}

// The hosts to ask about: the busiest ones of the newest 1 min window.
std::vector<std::string> busiest_hosts(v1::Hostflow::Stub& stub, uint32_t limit) {
  v1::TopHostsRequest request;
  request.set_metric(v1::METRIC_BYTES);
  request.set_granularity(v1::GRANULARITY_1_MINUTE);
  request.set_direction(v1::DIRECTION_OUT);
  request.set_limit(limit);
  v1::TopHostsResponse response;
  auto status = stub.TopHosts(context_with_deadline().get(), request, &response);
  std::vector<std::string> hosts;
  if (status.ok())
    for (const auto& h : response.hosts())
      hosts.push_back(h.address());
  return hosts;
}

int run_latency(const std::string& server, double duration_s, double rate) {
  auto stub = v1::Hostflow::NewStub(grpc::CreateChannel(server, grpc::InsecureChannelCredentials()));
  auto hosts = busiest_hosts(*stub, 100);
  if (hosts.empty()) {
    std::fprintf(stderr, "api_load: TopHosts at %s found no host to query\n", server.c_str());
    return 1;
  }
  auto end = clock_type::now() + std::chrono::duration_cast<clock_type::duration>(
                                   std::chrono::duration<double>(duration_s));
  latency_sample profile_sample, top_sample;
  std::thread profiles([&] {
    std::mt19937 rng{7};
    profile_sample = run_paced(rate, end, [&] {
      v1::GetHostProfileRequest request;
      request.set_host(hosts[rng() % hosts.size()]);
      request.add_granularities(v1::GRANULARITY_1_MINUTE);
      // No range: the last hour before the watermark, as `hostflow host` asks.
      v1::GetHostProfileResponse response;
      return stub->GetHostProfile(context_with_deadline().get(), request, &response);
    });
  });
  std::thread tops([&] {
    uint32_t turn = 0;
    top_sample = run_paced(rate, end, [&] {
      v1::TopHostsRequest request;
      request.set_metric(++turn % 2 ? v1::METRIC_BYTES : v1::METRIC_FLOWS);
      request.set_granularity(v1::GRANULARITY_1_MINUTE);
      request.set_direction(turn % 4 < 2 ? v1::DIRECTION_OUT : v1::DIRECTION_IN);
      request.set_limit(20);
      v1::TopHostsResponse response;
      return stub->TopHosts(context_with_deadline().get(), request, &response);
    });
  });
  profiles.join();
  tops.join();
  print_latency("GetHostProfile", profile_sample);
  print_latency("TopHosts", top_sample);
  return 0;
}

// -- fan-out ----------------------------------------------------------------------------

int run_fanout(const std::string& server, double duration_s, size_t subscribers,
               const std::string& network) {
  auto channel = grpc::CreateChannel(server, grpc::InsecureChannelCredentials());
  auto stub = v1::Hostflow::NewStub(channel);
  std::vector<std::atomic<uint64_t>> received(subscribers);
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts(subscribers);
  std::vector<std::string> ends(subscribers);
  std::atomic<size_t> open{0};
  std::vector<std::thread> readers;
  for (size_t i = 0; i < subscribers; ++i) {
    contexts[i] = std::make_unique<grpc::ClientContext>();
    readers.emplace_back([&, i] {
      v1::StreamProfilesRequest request;
      request.set_network(network);
      request.set_granularity(v1::GRANULARITY_10_SECONDS);
      auto reader = stub->StreamProfiles(contexts[i].get(), request);
      ++open;
      v1::StreamProfilesResponse update;
      while (reader->Read(&update))
        received[i].fetch_add(1, std::memory_order_relaxed);
      auto status = reader->Finish();
      ends[i] = std::to_string(status.error_code()) + " " + status.error_message();
    });
  }
  auto start = clock_type::now();
  auto end = start + std::chrono::duration_cast<clock_type::duration>(
                       std::chrono::duration<double>(duration_s));
  std::this_thread::sleep_until(end);
  uint64_t total = 0, least = UINT64_MAX, most = 0;
  for (auto& r : received) {
    auto n = r.load();
    total += n;
    least = std::min(least, n);
    most = std::max(most, n);
  }
  double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  for (auto& ctx : contexts)
    ctx->TryCancel();
  for (auto& t : readers)
    t.join();
  size_t cancelled = 0;
  std::string other;
  for (const auto& e : ends) {
    if (e.rfind(std::to_string(grpc::StatusCode::CANCELLED) + " ", 0) == 0)
      ++cancelled;
    else
      other = e;
  }
  std::printf("StreamProfiles\tsubscribers %zu\twindows %llu\twindows_per_s %.0f\tper_subscriber_min "
              "%llu\tper_subscriber_max %llu\tended_other_than_cancel %zu%s%s\n",
              subscribers, static_cast<unsigned long long>(total), total / seconds,
              static_cast<unsigned long long>(least), static_cast<unsigned long long>(most),
              subscribers - cancelled, other.empty() ? "" : "\tlast_end ", other.c_str());
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"api_load: load on hostflowd's gRPC API for the benchmarks"};
  app.require_subcommand(1);
  std::string server = "127.0.0.1:50051";
  double duration = 30, rate = 20;
  size_t subscribers = 100;
  std::string network = "0.0.0.0/0";
  auto* latency = app.add_subcommand("latency", "GetHostProfile and TopHosts latency");
  latency->add_option("--server", server)->capture_default_str();
  latency->add_option("--duration", duration, "seconds")->capture_default_str();
  latency->add_option("--rate", rate, "calls/s of each RPC")->capture_default_str();
  auto* fanout = app.add_subcommand("fanout", "StreamProfiles to many subscribers");
  fanout->add_option("--server", server)->capture_default_str();
  fanout->add_option("--duration", duration, "seconds")->capture_default_str();
  fanout->add_option("--subscribers", subscribers)->capture_default_str();
  fanout->add_option("--network", network)->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (latency->parsed())
    return run_latency(server, duration, rate);
  return run_fanout(server, duration, subscribers, network);
}
