#!/usr/bin/env bash
# gRPC benchmark of the grpc.health.v1 service (issue 11), in one command:
#
#   bash scripts/grpc-bench.sh
#
# Builds `grpc-bench` (crate health-bench) in release, then, server pinned to
# CPU 0 and load to CPU 1, measures closed-loop Check("") calls against
#   fixed         a tonic server whose Check answers a constant SERVING
#   tonic-health  tonic-health's own service, its status set by hand
#   ours          health.grpc() over three 5 ms pings, background mode
# in ROUNDS paired rounds: each round measures all three, ours and the
# baselines alternately (fixed, tonic-health, ours in odd rounds; ours,
# tonic-health, fixed in even ones), so that each round gives its own ratio
# ours / fixed and ours / tonic-health, measured minutes apart at most; the
# report gives the median of each variant and the min, median and max of
# the per-round ratios (their spread is the run's noise), for requests/s
# and for the server's CPU time per call (the steadier of the two on a
# shared machine).
# Then WATCHERS Watch("") streams held open on ours: the server's memory per
# watcher and its CPU while nothing changes. `ours` is served with the
# global Watch cap (GrpcLimits::max_watch_streams, default 1024) raised to
# 1 000 000 so that the 10 000 watchers are all held; the cap is the only
# limit changed, and Check("") does not use it. All three servers use
# tonic's `Server::builder()` defaults (no stream or connection caps).
# There is no metrics variant here: gRPC probes record no metric.
#
# Writes bench/results/grpc-latest.md (header: scripts/lib/results.sh) only
# when every part ran: a server that does not start, a load or watch that
# fails, any Check that did not answer SERVING or fewer watchers than asked
# end the run non-zero and leave the previous report as it was.
# Settings (environment, defaults in brackets): ROUNDS [5], DURATION [10],
# WARMUP [2], CONNECTIONS [4], CONCURRENCY [32], WATCHERS [10000], IDLE
# seconds the watchers are held with nothing changing [10], RESULTS
# [bench/results/grpc-latest.md], CARGO_TARGET_DIR [target].
# Takes about 4 minutes with the defaults (3 variants x ROUNDS x 12 s, then
# the watchers).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/results.sh
results_start ROUNDS DURATION WARMUP CONNECTIONS CONCURRENCY WATCHERS IDLE RESULTS CARGO_TARGET_DIR

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
CONNECTIONS=${CONNECTIONS:-4}
CONCURRENCY=${CONCURRENCY:-32}
WATCHERS=${WATCHERS:-10000}
IDLE=${IDLE:-10}
RESULTS=${RESULTS:-bench/results/grpc-latest.md}
CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
BIN="$CARGO_TARGET_DIR/release/grpc-bench"

cargo build --release --quiet -p health-bench --bin grpc-bench

pin_cpus
WORK=$(mktemp -d)
SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}
trap 'stop_server; rm -rf "$WORK"' EXIT

# Starts `grpc-bench serve $1`; sets SERVER_PID and ADDR.
start_server() {
  : >"$WORK/server.out"
  "${SERVER_PIN[@]}" "$BIN" serve "$1" >"$WORK/server.out" 2>"$WORK/server.err" &
  SERVER_PID=$!
  ADDR=""
  for _ in $(seq 200); do
    ADDR=$(sed -n 's/^ready addr=\([^ ]*\).*/\1/p' "$WORK/server.out")
    # The server's own pid (taskset, if any, became it).
    SERVING_PID=$(sed -n 's/^ready .*pid=\([0-9]*\).*/\1/p' "$WORK/server.out")
    [ -n "$ADDR" ] && return
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.05
  done
  cat "$WORK/server.err" >&2
  fail "grpc-bench serve $1 did not start"
}
field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }
# min, median and max of the arguments.
spread() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $0 } END { printf "%s / %s / %s", v[1], v[int((NR + 1) / 2)], v[NR] }'; }

VARIANTS=(fixed tonic-health ours)
declare -A RPS P99 ERR CPU
PER_ROUND_FIXED=()
PER_ROUND_TONIC=()
PER_ROUND_CPU=()
for round in $(seq "$ROUNDS"); do
  order=("${VARIANTS[@]}")
  [ $((round % 2)) -eq 0 ] && order=(ours tonic-health fixed)
  declare -A this=()
  for variant in "${order[@]}"; do
    echo "round $round/$ROUNDS: $variant ..." >&2
    start_server "$variant"
    line=$("${LOAD_PIN[@]}" "$BIN" load --addr "$ADDR" --connections "$CONNECTIONS" --concurrency "$CONCURRENCY" --warmup "$WARMUP" --duration "$DURATION" --server-pid "$SERVING_PID")
    kill -0 "$SERVER_PID" 2>/dev/null || fail "the $variant server died during round $round"
    stop_server
    errors=$(field "$line" errors)
    [ "$errors" = 0 ] || fail "round $round, $variant: $errors Check calls failed or did not answer SERVING ($line)"
    this[$variant]=$(field "$line" rps)
    this[cpu-$variant]=$(field "$line" server_cpu_us_per_request)
    RPS[$variant]+="${this[$variant]} "
    CPU[$variant]+="${this[cpu-$variant]} "
    P99[$variant]+="$(field "$line" p99_ms) "
    ERR[$variant]=$((${ERR[$variant]:-0} + errors))
  done
  PER_ROUND_FIXED+=("$(ratio "${this[ours]}" "${this[fixed]}")")
  PER_ROUND_TONIC+=("$(ratio "${this[ours]}" "${this[tonic-health]}")")
  PER_ROUND_CPU+=("$(ratio "${this[cpu-ours]}" "${this[cpu-fixed]}")")
done

echo "watchers ..." >&2
start_server ours
WATCH=$("${LOAD_PIN[@]}" "$BIN" watch --addr "$ADDR" --pid "$SERVER_PID" --watchers "$WATCHERS" --idle "$IDLE")
stop_server
held=$(field "$WATCH" watchers)
[ "$held" = "$WATCHERS" ] || fail "$held Watch streams held, $WATCHERS asked ($WATCH)"

BODY="$WORK/body.md"
{
  echo "Closed-loop Check(\"\"), $CONCURRENCY callers over $CONNECTIONS HTTP/2 connections, ${WARMUP} s warm-up then ${DURATION} s per variant and round;"
  echo "$ROUNDS paired rounds (odd rounds fixed, tonic-health, ours; even rounds ours, tonic-health, fixed); $PINNING."
  echo
  echo "| server | requests/s (median) | each round | p99 ms (median) | server CPU µs/call (median) | errors |"
  echo "|---|---:|---|---:|---:|---:|"
  for v in "${VARIANTS[@]}"; do
    # shellcheck disable=SC2086 # space-separated numbers
    echo "| $v | $(median ${RPS[$v]}) | ${RPS[$v]% } | $(median ${P99[$v]}) | $(median ${CPU[$v]}) | ${ERR[$v]} |"
  done
  echo
  echo "| ratio | of the medians | per round: min / median / max | each round |"
  echo "|---|---:|---|---|"
  # shellcheck disable=SC2086
  echo "| ours / fixed, requests/s (target ≥ 0.97) | **$(ratio "$(median ${RPS[ours]})" "$(median ${RPS[fixed]})")** | $(spread "${PER_ROUND_FIXED[@]}") | ${PER_ROUND_FIXED[*]} |"
  # shellcheck disable=SC2086
  echo "| ours / fixed, server CPU per call (target ≤ 1.05) | **$(ratio "$(median ${CPU[ours]})" "$(median ${CPU[fixed]})")** | $(spread "${PER_ROUND_CPU[@]}") | ${PER_ROUND_CPU[*]} |"
  # shellcheck disable=SC2086
  echo "| ours / tonic-health | $(ratio "$(median ${RPS[ours]})" "$(median ${RPS[tonic-health]})") | $(spread "${PER_ROUND_TONIC[@]}") | ${PER_ROUND_TONIC[*]} |"
  echo
  echo "Watch(\"\") streams held open on ours (global Watch cap raised to 1 000 000), over 50 connections, then ${IDLE} s with nothing changing:"
  echo
  echo "| watchers | server RSS before | with them open | after ${IDLE} s idle | per watcher | CPU ticks while idle |"
  echo "|---:|---:|---:|---:|---:|---:|"
  kib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
  echo "| $held | $(kib "$(field "$WATCH" rss_before_kib)") | $(kib "$(field "$WATCH" rss_open_kib)") | $(kib "$(field "$WATCH" rss_idle_kib)") | $(field "$WATCH" per_watcher_bytes) bytes | $(field "$WATCH" idle_cpu_ticks) |"
  echo
  echo "Raw: \`$WATCH\`"
} >"$BODY"
results_write "$RESULTS" "gRPC benchmark: grpc.health.v1 Check and Watch" "$BODY"
