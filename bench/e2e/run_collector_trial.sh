#!/usr/bin/env bash
# End-to-end collector trial: replays a capture at a fixed datagram rate to a
# collector on 127.0.0.1 and reports whether it received everything and how
# much CPU it spent per million records. See docs/BENCHMARKS.md.
#
#   run_collector_trial.sh -c nfcapd -f CAPTURE -r 40000
#   run_collector_trial.sh -c hostflowd -f CAPTURE -l          (ladder of rates)
#
# Options:
#   -c NAME     collector: nfcapd or hostflowd (add collector_start_NAME and
#               collector_records_NAME below for another)
#   -f FILE     capture of exports to replay (pcap, pcapng, raw)
#   -r RATE     datagrams/s for a single trial
#   -l          ladder: try RATES (env, default below) upwards, report the
#               highest rate without loss; stops at the first lossy rate
#               unless LADDER_ALL=1
#   -d SECONDS  send time per trial (default 10)
#   -o FILE     also append each result line to FILE
#   -k          keep the collector's work directory
# Environment: BUILD_DIR (default: <repo>/build-bench) for bench/replay,
#   HOSTFLOWD (default: BUILD_DIR/hostflowd, else <repo>/build/hostflowd), RATES, LADDER_ALL,
#   HOSTFLOWD_ARGS (extra daemon arguments).
# Output, one tab-separated line per trial: rate asked and achieved by the
# sender, datagrams sent, kernel drops of the collector's socket (drops column
# of /proc/net/udp), RcvbufErrors delta (/proc/net/snmp; system-wide, so it
# only annotates: other sockets count there too), flow
# records sent and stored/counted by the collector, a collector-specific
# sequence figure (nfcapd: sequence failures; hostflowd: lost per sequence /
# records dropped inside the daemon for want of downstream credit),
# collector CPU seconds (utime+stime from socket ready to drained) and per
# million records, 1-minute load average at the start, lossless yes/no.
# Needs root: it raises net.core.rmem_max for the trial and restores it.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$repo/build-bench}
REPLAY=${REPLAY:-$BUILD_DIR/bench/replay}
# The Release daemon of the bench build when there is one, else the main build's.
if [[ -z ${HOSTFLOWD:-} ]]; then
  HOSTFLOWD=$BUILD_DIR/hostflowd
  [[ -x $HOSTFLOWD ]] || HOSTFLOWD=$repo/build/hostflowd
fi
RATES=${RATES:-"10000 20000 40000 60000 80000 120000 160000 200000"}
BUFFER_BYTES=33554432 # collector socket buffer, and the rmem_max that permits it

collector="" capture="" rate="" ladder=0 duration=10 out_file="" keep=0
while getopts "c:f:r:ld:o:kh" opt; do
  case $opt in
    c) collector=$OPTARG ;;
    f) capture=$OPTARG ;;
    r) rate=$OPTARG ;;
    l) ladder=1 ;;
    d) duration=$OPTARG ;;
    o) out_file=$OPTARG ;;
    k) keep=1 ;;
    h) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) exit 2 ;;
  esac
done
die() { echo "run_collector_trial: $*" >&2; exit 2; }
[[ -n $collector && -n $capture ]] || die "need -c COLLECTOR and -f CAPTURE (-h for help)"
[[ -f $capture ]] || die "$capture: no such file"
[[ $ladder == 1 || -n $rate ]] || die "need -r RATE or -l"
[[ -x $REPLAY ]] || die "$REPLAY missing: build with cmake --build $BUILD_DIR"

# -- collectors: start (background, sets COLLECTOR_PID) and records (after stop) --------

# nfcapd (nfdump 1.7): stores flows in files under the work directory.
collector_start_nfcapd() { # port workdir
  mkdir -p "$2/flows"
  nfcapd -w "$2/flows" -p "$1" -b 127.0.0.1 -B "$BUFFER_BYTES" >"$2/collector.log" 2>&1 &
  COLLECTOR_PID=$!
}
collector_records_nfcapd() { # workdir -> "records seq_failures"
  local stat
  stat=$(nfdump -R "$1/flows" -I 2>/dev/null || true)
  echo "$(awk '/^Flows:/ {print $2}' <<<"$stat") $(awk '/^Sequence failures:/ {print $3}' <<<"$stat")"
}

# hostflowd: counts records itself; its final log lines carry the totals.
collector_start_hostflowd() { # port workdir
  [[ -x $HOSTFLOWD ]] || die "$HOSTFLOWD missing"
  printf '{"udp_receive_buffer_bytes": %d, "status_interval_seconds": 10}\n' "$BUFFER_BYTES" \
    >"$2/hostflowd.json"
  # The gRPC API needs a TCP port of its own: a free one, so a hostflowd
  # already running on the default port does not fail the trial.
  local grpc_port
  grpc_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  # shellcheck disable=SC2086 # HOSTFLOWD_ARGS is a list of words
  "$HOSTFLOWD" --config "$2/hostflowd.json" --udp-listen "127.0.0.1:$1" \
    --grpc-listen "127.0.0.1:$grpc_port" --metrics-listen '' ${HOSTFLOWD_ARGS:-} \
    >"$2/collector.log" 2>&1 &
  COLLECTOR_PID=$!
}
collector_records_hostflowd() { # workdir -> "records lost_per_sequence/dropped_no_credit"
  local log=$1/collector.log records lost dropped
  # "final ingest: D datagrams, N records, ..." at exit; else the last
  # periodic "totals: N records".
  records=$(sed -n 's/.*final ingest: [0-9]* datagrams, \([0-9]*\) records.*/\1/p' "$log" |
    tail -n 1)
  [[ -n $records ]] || records=$(sed -n 's/.*totals: \([0-9]*\) records.*/\1/p' "$log" | tail -n 1)
  # Records decoded but dropped inside the daemon (no downstream credit) are
  # loss the kernel counters cannot show.
  # "lost per sequence: R records, D datagrams" (D: v9, whose sequence counts datagrams)
  lost=$(sed -n 's/.*lost per sequence: \([0-9]*\) records, \([0-9]*\) datagrams.*/\1r+\2d/p' \
    "$log" | tail -n 1)
  dropped=$(sed -n 's/.* \([0-9]*\) dropped (no credit).*/\1/p' "$log" | tail -n 1)
  # A record view a shard never got is loss as much as a datagram the kernel
  # dropped: count the trial's records short by the dropped views so the
  # trial is not lossless.
  if [[ -n $records && -n $dropped && $dropped -gt 0 ]]; then
    records=$((records > dropped ? records - dropped : 0))
  fi
  echo "${records:-?} ${lost:-?}/${dropped:-?}"
}

declare -F "collector_start_$collector" >/dev/null || die "unknown collector '$collector'"

# -- system state ----------------------------------------------------------------------------

old_rmem_max=$(sysctl -n net.core.rmem_max)
COLLECTOR_PID="" workdir=""
cleanup() {
  if [[ -n $COLLECTOR_PID ]] && kill -0 "$COLLECTOR_PID" 2>/dev/null; then
    kill -KILL "$COLLECTOR_PID" 2>/dev/null || true
  fi
  sysctl -q -w net.core.rmem_max="$old_rmem_max" || true
  if [[ -n $workdir && $keep == 0 ]]; then rm -rf "$workdir"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
sysctl -q -w net.core.rmem_max=$BUFFER_BYTES

# The /proc/net/udp line of the socket bound to 127.0.0.1:port (empty if none).
udp_line() { awk -v a="$(printf '0100007F:%04X' "$1")" '$2 == a' /proc/net/udp; }
# Named counter of the Udp: lines of /proc/net/snmp.
udp_snmp() {
  awk -v k="$1" '/^Udp:/ { if (!h) { for (i = 2; i <= NF; i++) if ($i == k) c = i; h = 1 } else print $c }' \
    /proc/net/snmp
}
# utime + stime of a process in clock ticks (all its threads).
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 40000))
    [[ -z $(udp_line "$p") ]] && { echo "$p"; return; }
  done
  die "no free UDP port found"
}
ticks_per_s=$(getconf CLK_TCK)
protocol=$(basename "$capture" | sed -n 's/.*-\(v5\|v9\|ipfix\)\..*/\1/p')
protocol=${protocol:-?}

# -- one trial -------------------------------------------------------------------------------

# Prints one result line; returns 0 when the trial was lossless.
run_trial() { # rate
  local rate=$1 port summary sent achieved records_sent cpu0 cpu1 last line rx drops snmp0 snmp1
  local load
  load=$(cut -d' ' -f1 /proc/loadavg) # other work on the machine skews both sides
  workdir=$(mktemp -d /tmp/collector-trial.XXXXXX)
  port=$(free_port)
  "collector_start_$collector" "$port" "$workdir"
  for _ in $(seq 1 100); do # up to 10 s for the socket to appear
    [[ -n $(udp_line "$port") ]] && break
    kill -0 "$COLLECTOR_PID" 2>/dev/null || die "$collector exited: $(tail -n 5 "$workdir/collector.log")"
    sleep 0.1
  done
  [[ -n $(udp_line "$port") ]] || die "$collector did not bind 127.0.0.1:$port"
  cpu0=$(cpu_ticks "$COLLECTOR_PID") # startup work is not the trial's
  snmp0=$(udp_snmp RcvbufErrors)

  summary=$(timeout $((${duration%.*} + 30)) "$REPLAY" -q "$capture" --target "127.0.0.1:$port" \
    --rate "$rate" --duration "$duration" | grep '^replay-summary' || true)
  [[ -n $summary ]] || die "replay failed at $rate datagrams/s"
  sent=$(sed -n 's/.* datagrams=\([0-9]*\).*/\1/p' <<<"$summary")
  records_sent=$(sed -n 's/.* records=\([0-9]*\).*/\1/p' <<<"$summary")
  achieved=$(sed -n 's/.* rate=\([0-9]*\).*/\1/p' <<<"$summary")

  # Drained: receive queue empty and no CPU spent for 0.5 s; at most 30 s.
  last=-1
  for _ in $(seq 1 60); do
    sleep 0.5
    line=$(udp_line "$port")
    rx=$((16#$(awk '{ split($5, q, ":"); print q[2] }' <<<"$line")))
    cpu1=$(cpu_ticks "$COLLECTOR_PID")
    [[ $rx == 0 && $cpu1 == "$last" ]] && break
    last=$cpu1
  done
  drops=$(awk '{ print $NF }' <<<"$(udp_line "$port")")
  drops=${drops:-0} # the socket is gone only if the collector died; the record count shows that
  snmp1=$(udp_snmp RcvbufErrors)

  kill -TERM "$COLLECTOR_PID"
  for _ in $(seq 1 100); do kill -0 "$COLLECTOR_PID" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$COLLECTOR_PID" 2>/dev/null && kill -KILL "$COLLECTOR_PID"
  wait "$COLLECTOR_PID" 2>/dev/null || true
  COLLECTOR_PID=""

  local got records extra cpu_s per_m lossless=yes
  got=$("collector_records_$collector" "$workdir")
  records=${got%% *} extra=${got#* }
  cpu_s=$(awk -v t=$((cpu1 - cpu0)) -v hz="$ticks_per_s" 'BEGIN { printf "%.2f", t / hz }')
  per_m=$(awk -v c="$cpu_s" -v r="$records" 'BEGIN { if (r > 0) printf "%.2f", c / (r / 1e6); else print "-" }')
  # The socket's own drop count and the record count decide. RcvbufErrors is
  # system-wide: other sockets' drops show up there too, so it only annotates.
  if ((drops > 0)) || [[ $records != "$records_sent" ]]; then
    lossless=no
  elif ((snmp1 - snmp0 > 0)); then
    lossless="yes(rcvbuf-errors-elsewhere)"
  fi
  # A sender that fell short did not test the rate asked for.
  if ((achieved * 100 < rate * 95)); then lossless="$lossless(sender-limited)"; fi
  line=$(printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s' "$collector" \
    "$protocol" "$rate" "$achieved" "$sent" "$drops" "$((snmp1 - snmp0))" "$records_sent" \
    "$records" "$extra" "$cpu_s" "$per_m" "$load" "$lossless")
  echo "$line"
  [[ -n $out_file ]] && echo "$line" >>"$out_file"
  [[ $keep == 1 ]] && echo "# work dir kept: $workdir" >&2
  [[ $keep == 1 ]] || rm -rf "$workdir"
  workdir=""
  [[ $lossless == yes* && $lossless != *sender-limited* ]]
}

printf '# %s, %s, %s s per trial, rmem_max %s (was %s)\n' "$collector" "$(basename "$capture")" \
  "$duration" "$BUFFER_BYTES" "$old_rmem_max"
printf 'collector\tprotocol\trate\tachieved\tsent\tkernel_drops\trcvbuf_errors\trecords_sent\trecords\tseq_info\tcpu_s\tcpu_s_per_M\tload1\tlossless\n'
if [[ $ladder == 0 ]]; then
  run_trial "$rate" || exit 1
  exit 0
fi
best=none
for r in $RATES; do
  if run_trial "$r"; then
    best=$r
  elif [[ ${LADDER_ALL:-0} != 1 ]]; then
    break
  fi
done
echo "# highest lossless rate: $best datagrams/s ($collector, $protocol)"
