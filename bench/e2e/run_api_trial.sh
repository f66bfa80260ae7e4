#!/usr/bin/env bash
# The gRPC API under load, end to end: a fresh hostflowd with RocksDB on
# 127.0.0.1, fed a capture over UDP by bench/replay, asked by bench/api_load.
# See docs/BENCHMARKS.md ("The API under load").
#
#   run_api_trial.sh latency -f CAPTURE [-r 7500] [-d 30]
#     replays at R datagrams/s (half of hostflowd's lossless rate with
#     profiles by default) and, after 10 s, calls GetHostProfile and TopHosts
#     20 times a second each for D seconds; then the same calls on the idle
#     server. Prints latency percentiles per RPC and phase.
#   run_api_trial.sh fanout -f CAPTURE [-s 10] [-n 100] [-d 30]
#     replays at S times the capture's own pace (time-shifted loops, so
#     windows close as in live traffic, S times as often) and opens N
#     StreamProfiles subscribers for every host at 10 s; prints the windows
#     delivered and hostflowd's CPU per second, beside a run with no
#     subscriber.
# Environment: BUILD_DIR (default <repo>/build-bench) holds hostflowd,
#   bench/replay and bench/api_load.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$repo/build-bench}
HOSTFLOWD=$BUILD_DIR/hostflowd
REPLAY=$BUILD_DIR/bench/replay
API_LOAD=$BUILD_DIR/bench/api_load

mode=${1:-}
[[ $mode == latency || $mode == fanout ]] || { sed -n 2,18p "$0"; exit 2; }
shift
capture="" rate=7500 speedup=10 subscribers=100 duration=30
while getopts "f:r:s:n:d:" opt; do
  case $opt in
    f) capture=$OPTARG ;;
    r) rate=$OPTARG ;;
    s) speedup=$OPTARG ;;
    n) subscribers=$OPTARG ;;
    d) duration=$OPTARG ;;
    *) exit 2 ;;
  esac
done
[[ -f $capture ]] || { echo "run_api_trial.sh: -f CAPTURE is required" >&2; exit 2; }
for exe in "$HOSTFLOWD" "$REPLAY" "$API_LOAD"; do
  [[ -x $exe ]] || { echo "run_api_trial.sh: $exe is missing (build it in $BUILD_DIR)" >&2; exit 2; }
done

work=$(mktemp -d /tmp/hostflow-api-trial.XXXXXX)
daemon_pid=""
replay_pid=""
cleanup() {
  [[ -n $replay_pid ]] && kill "$replay_pid" 2>/dev/null || true
  if [[ -n $daemon_pid ]]; then
    kill -TERM "$daemon_pid" 2>/dev/null || true
    wait "$daemon_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
ticks_per_s=$(getconf CLK_TCK)

# Starts a fresh hostflowd; sets daemon_pid, udp, grpc.
start_daemon() {
  udp="127.0.0.1:$(free_port)"
  grpc="127.0.0.1:$(free_port)"
  rm -rf "$work/store"
  printf '{"grpc": {"max_profile_streams": %d}, "status_interval_seconds": 60}\n' \
    $((subscribers + 8)) >"$work/hostflow.json"
  "$HOSTFLOWD" --config "$work/hostflow.json" --udp-listen "$udp" --grpc-listen "$grpc" \
    --metrics-listen "127.0.0.1:$(free_port)" --data-dir "$work/store" >"$work/daemon.log" 2>&1 &
  daemon_pid=$!
  for _ in $(seq 100); do
    grep -qs "running" "$work/daemon.log" && return 0
    sleep 0.1
  done
  echo "hostflowd did not start:" >&2
  cat "$work/daemon.log" >&2
  exit 1
}

stop_daemon() {
  kill -TERM "$daemon_pid"
  wait "$daemon_pid" || true
  daemon_pid=""
}

# CPU seconds hostflowd spends while `$@` runs.
measure_cpu() {
  local c0 c1 t0 t1
  c0=$(cpu_ticks "$daemon_pid")
  t0=$(date +%s.%N)
  "$@"
  c1=$(cpu_ticks "$daemon_pid")
  t1=$(date +%s.%N)
  awk -v t=$((c1 - c0)) -v hz="$ticks_per_s" -v w0="$t0" -v w1="$t1" \
    'BEGIN { printf "hostflowd\tcpu_s %.2f\twall_s %.1f\tcores %.2f\n", t / hz, w1 - w0, t / hz / (w1 - w0) }'
}

echo "commit $(git -C "$repo" rev-parse --short HEAD), load $(cut -d' ' -f1 /proc/loadavg), $(date -u +%FT%TZ)"
if [[ $mode == latency ]]; then
  start_daemon
  "$REPLAY" "$capture" --target "$udp" --rate "$rate" --duration $((duration + 15)) -q \
    >"$work/replay.log" 2>&1 &
  replay_pid=$!
  sleep 10
  echo "phase: ingest at $rate datagrams/s"
  measure_cpu "$API_LOAD" latency --server "$grpc" --duration "$duration" --rate 20
  wait "$replay_pid" || true
  replay_pid=""
  cat "$work/replay.log"
  sleep 3
  echo "phase: idle (no ingest)"
  measure_cpu "$API_LOAD" latency --server "$grpc" --duration "$duration" --rate 20
  grep -E "final ingest" "$work/daemon.log" || true
  stop_daemon
  grep -E "final ingest" "$work/daemon.log" | tail -1
else
  for n in 0 "$subscribers"; do
    start_daemon
    "$REPLAY" "$capture" --target "$udp" --speedup "$speedup" --duration $((duration + 20)) -q \
      >"$work/replay.log" 2>&1 &
    replay_pid=$!
    # The first windows close once the watermark has passed them (the
    # allowed lateness of event time, 12 s of wall time at 10x).
    sleep 15
    echo "phase: $n subscribers, capture at ${speedup}x its pace"
    if [[ $n == 0 ]]; then
      measure_cpu sleep "$duration"
    else
      measure_cpu "$API_LOAD" fanout --server "$grpc" --duration "$duration" --subscribers "$n"
    fi
    wait "$replay_pid" || true
    replay_pid=""
    cat "$work/replay.log"
    stop_daemon
  done
fi
