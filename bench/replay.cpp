// replay: hostflow's export sender. Reads a capture of NetFlow/IPFIX exports
// and sends its UDP payloads to a collector, paced by a fixed datagram rate or
// by the capture's own timestamps, looping the capture as one live exporter.

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "actors/udp_socket.hpp"
#include "flow/capture_file.hpp"

#include "bench/export_rewriter.hpp"

using namespace hostflow;
using clock_type = std::chrono::steady_clock;

namespace {

// -- settings -------------------------------------------------------------------------

/// Everything the command line decides.
struct replay_options {
  std::string capture;
  std::string target = "127.0.0.1:2055";
  double rate = 0; ///< datagrams/s; 0 with rate_given: as fast as possible
  bool rate_given = false;
  double speedup = 1.0; ///< capture time / replay time, when not pacing by rate
  std::optional<double> duration_s;
  std::optional<uint64_t> loops;
  bool shift = true;
  bool quiet = false;
};

// Stops the send loop between bursts; only a flag is safe in a handler.
volatile std::sig_atomic_t stop_requested = 0;

void on_stop_signal(int) {
  stop_requested = 1;
}

// -- sending ----------------------------------------------------------------------------

/// What was sent, for the summary.
struct send_totals {
  uint64_t datagrams = 0;
  uint64_t failed = 0;
  uint64_t data_records = 0;
  uint64_t options_records = 0;
  uint64_t bytes = 0;
  uint64_t passes_started = 0;
  uint64_t passes_completed = 0;
  std::string first_error;
};

/// Sends the capture in passes until a bound is reached.
class replayer {
public:
  replayer(const replay_options& options, std::vector<captured_datagram> datagrams,
           std::vector<udp_sender> senders, std::vector<uint32_t> sender_of)
      : options_(options), datagrams_(std::move(datagrams)), rewriter_(datagrams_),
        senders_(std::move(senders)), sender_of_(std::move(sender_of)) {}

  const bench::export_rewriter& rewriter() const noexcept { return rewriter_; }

  /// Runs to the end; returns the totals and the elapsed seconds.
  send_totals run(double& elapsed_s);

private:
  /// When datagram `index` of pass `pass` is due, in seconds after the start.
  double due_s(uint64_t pass, size_t index) const;
  bool out_of_time(clock_type::time_point now) const {
    return options_.duration_s &&
           now - start_ >= std::chrono::duration<double>(*options_.duration_s);
  }
  /// Sends datagrams [first, first + count) of the current pass, all of one sender.
  void send_burst(size_t first, size_t count, send_totals& totals);

  const replay_options& options_;
  std::vector<captured_datagram> datagrams_; ///< rewritten in place pass by pass
  bench::export_rewriter rewriter_;
  std::vector<udp_sender> senders_;
  std::vector<uint32_t> sender_of_; ///< per datagram: index into senders_
  std::vector<byte_view> views_;    ///< reused for each burst
  clock_type::time_point start_;
  int64_t first_timestamp_ms_ = 0;
  uint64_t consecutive_failures_ = 0;
};

double replayer::due_s(uint64_t pass, size_t index) const {
  if (options_.rate_given) {
    if (options_.rate <= 0)
      return 0; // unpaced
    return static_cast<double>(pass * datagrams_.size() + index) / options_.rate;
  }
  // Capture pace: a pass lasts as long as the export times move per pass.
  double capture_s =
      static_cast<double>(pass * rewriter_.pass_seconds()) +
      static_cast<double>(datagrams_[index].timestamp_ms - first_timestamp_ms_) / 1000.0;
  return capture_s / options_.speedup;
}

void replayer::send_burst(size_t first, size_t count, send_totals& totals) {
  views_.clear();
  for (size_t i = first; i < first + count; ++i)
    views_.emplace_back(datagrams_[i].payload.data(), datagrams_[i].payload.size());
  auto& sender = senders_[sender_of_[first]];
  size_t done = 0;
  while (done < count) {
    size_t sent = sender.send(views_.data() + done, count - done);
    for (size_t i = first + done; i < first + done + sent; ++i) {
      totals.bytes += datagrams_[i].payload.size();
      totals.data_records += rewriter_.data_records(i);
      totals.options_records += rewriter_.options_records(i);
    }
    totals.datagrams += sent;
    done += sent;
    consecutive_failures_ = sent > 0 ? 0 : consecutive_failures_;
    if (done < count) {
      // The datagram at `done` failed (e.g. ECONNREFUSED while no collector
      // listens): count it, skip it, go on with the rest.
      ++totals.failed;
      ++consecutive_failures_;
      if (totals.first_error.empty())
        totals.first_error = sender.last_error();
      ++done;
    }
  }
}

send_totals replayer::run(double& elapsed_s) {
  send_totals totals;
  const size_t n = datagrams_.size();
  first_timestamp_ms_ = n > 0 ? datagrams_.front().timestamp_ms : 0;
  // Bursts of about a millisecond of traffic, at most one sendmmsg batch, so
  // pacing stays smooth at high rates without a sleep per datagram.
  size_t min_burst = 1;
  if (options_.rate_given && options_.rate > 0)
    min_burst =
        std::clamp<size_t>(static_cast<size_t>(options_.rate / 1000), 1, udp_sender::batch_size);
  const uint64_t max_passes = options_.loops.value_or(UINT64_MAX);
  start_ = clock_type::now();
  bool stopped = false;
  for (uint64_t pass = 0; pass < max_passes && !stopped && n > 0; ++pass) {
    ++totals.passes_started;
    size_t i = 0;
    while (i < n) {
      auto now = clock_type::now();
      if (stop_requested || out_of_time(now) || consecutive_failures_ > 10000) {
        stopped = true;
        break;
      }
      double elapsed = std::chrono::duration<double>(now - start_).count();
      // Wait until a burst's worth is due, unless the pass ends sooner.
      size_t wait_for = std::min(i + min_burst, n) - 1;
      double due = due_s(pass, wait_for);
      if (due > elapsed) {
        auto until = start_ + std::chrono::duration_cast<clock_type::duration>(
                                  std::chrono::duration<double>(due));
        if (options_.duration_s)
          until =
              std::min(until, start_ + std::chrono::duration_cast<clock_type::duration>(
                                           std::chrono::duration<double>(*options_.duration_s)));
        std::this_thread::sleep_until(until);
        continue;
      }
      // Everything due now, up to one batch of one sender.
      size_t end = i + 1;
      while (end < n && end - i < udp_sender::batch_size && sender_of_[end] == sender_of_[i] &&
             due_s(pass, end) <= elapsed)
        ++end;
      if (pass > 0 && options_.shift)
        for (size_t k = i; k < end; ++k)
          rewriter_.advance(k, datagrams_[k].payload.data(), datagrams_[k].payload.size());
      send_burst(i, end - i, totals);
      i = end;
    }
    if (i == n)
      ++totals.passes_completed;
  }
  elapsed_s = std::chrono::duration<double>(clock_type::now() - start_).count();
  if (consecutive_failures_ > 10000)
    fmt::print(stderr, "replay: stopped: 10000 sends in a row failed ({})\n", totals.first_error);
  return totals;
}

// -- setup -------------------------------------------------------------------------------

/// One sender per exporter address of the capture, so each keeps its own
/// source port and a collector keeps their templates and sequences apart.
bool open_senders(const endpoint& target, const std::vector<captured_datagram>& datagrams,
                  std::vector<udp_sender>& senders, std::vector<uint32_t>& sender_of) {
  // More exporters than this share senders; their streams may then mix.
  constexpr size_t max_senders = 256;
  std::map<endpoint, uint32_t> index;
  for (const auto& d : datagrams) {
    auto it = index.find(d.source);
    if (it == index.end()) {
      if (senders.size() < max_senders) {
        auto s = udp_sender::open(target);
        if (!s) {
          fmt::print(stderr, "replay: {}\n", s.error);
          return false;
        }
        senders.push_back(std::move(*s));
      }
      it = index.emplace(d.source, static_cast<uint32_t>(index.size() % max_senders)).first;
    }
    sender_of.push_back(it->second);
  }
  if (index.size() > max_senders)
    fmt::print(stderr, "replay: {} exporters share {} sockets\n", index.size(), max_senders);
  return true;
}

void add_options(CLI::App& app, replay_options& o) {
  app.add_option("capture", o.capture, "pcap, pcapng or raw NetFlow/IPFIX file of exports")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("--target", o.target, "collector address, as 127.0.0.1:2055 or [::1]:4739")
      ->capture_default_str();
  auto rate = app.add_option("--rate", o.rate,
                             "send N datagrams/s in bursts of about 1 ms (0: as fast as possible)")
                  ->check(CLI::NonNegativeNumber);
  app.add_option("--speedup", o.speedup,
                 "follow the capture's timestamps, X times faster (the default, X = 1)")
      ->check(CLI::PositiveNumber)
      ->excludes(rate);
  app.add_option("--duration", o.duration_s, "stop after S seconds")->check(CLI::PositiveNumber);
  app.add_option("--loops", o.loops,
                 "stop after N passes over the capture (default: 1, or unbounded with --duration)")
      ->check(CLI::PositiveNumber);
  app.add_flag("!--no-shift", o.shift,
               "send every pass as captured (default: move sequence numbers and times on each "
               "pass so a collector sees one continuous exporter)");
  app.add_flag("-q,--quiet", o.quiet, "print only the summary line");
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"replay: sends the export datagrams of a capture to a collector over UDP, looping "
               "it as one live exporter",
               "replay"};
  replay_options options;
  add_options(app, options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  options.rate_given = app.count("--rate") > 0;
  if (!options.duration_s && !options.loops)
    options.loops = 1;

  auto target = parse_listen_address(options.target);
  if (!target || target->port == 0 || target->address.is_unspecified()) {
    fmt::print(stderr, "replay: --target {}: {}\n", options.target,
               target ? "needs a concrete address and a port" : target.error);
    return 2;
  }
  std::string error;
  auto capture = read_capture(options.capture, error);
  if (!capture) {
    fmt::print(stderr, "replay: {}\n", error);
    return 1;
  }
  if (capture->datagrams.empty()) {
    fmt::print(stderr, "replay: {}: no export datagrams in the file\n", options.capture);
    return 1;
  }
  if (!options.rate_given && capture->datagrams.back().timestamp_ms == 0) {
    fmt::print(stderr, "replay: {}: no capture timestamps to follow; use --rate\n",
               options.capture);
    return 2;
  }
  std::vector<udp_sender> senders;
  std::vector<uint32_t> sender_of;
  if (!open_senders(*target, capture->datagrams, senders, sender_of))
    return 1;

  replayer r{options, std::move(capture->datagrams), std::move(senders), std::move(sender_of)};
  if (!options.quiet)
    fmt::print("replay: {} -> {}\n{}\n", options.capture, target->to_string(),
               r.rewriter().describe());
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  double elapsed = 0;
  send_totals t = r.run(elapsed);

  double rate = elapsed > 0 ? static_cast<double>(t.datagrams) / elapsed : 0;
  if (!options.quiet) {
    fmt::print("sent {} datagrams ({} failed), {} records (+{} options records), {} bytes in "
               "{:.3f} s: {:.0f} datagrams/s, {:.0f} records/s; {} passes ({} complete){}\n",
               t.datagrams, t.failed, t.data_records, t.options_records, t.bytes, elapsed, rate,
               elapsed > 0 ? static_cast<double>(t.data_records) / elapsed : 0, t.passes_started,
               t.passes_completed, options.shift ? "" : ", not shifted");
    if (!t.first_error.empty())
      fmt::print("first send error: {}\n", t.first_error);
  }
  // One key=value line for scripts (bench/e2e/run_collector_trial.sh reads it).
  fmt::print("replay-summary datagrams={} failed={} records={} options_records={} bytes={} "
             "elapsed_s={:.3f} rate={:.0f} passes={} passes_complete={}\n",
             t.datagrams, t.failed, t.data_records, t.options_records, t.bytes, elapsed, rate,
             t.passes_started, t.passes_completed);
  return t.datagrams > 0 ? 0 : 1;
}
