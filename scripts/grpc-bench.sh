#!/usr/bin/env bash
# gRPC benchmark of the grpc.health.v1 service (issue 11), in one command:
#
#   bash scripts/grpc-bench.sh
#
# Builds `grpc-bench` (crate health-bench) in release, then, server pinned to
# CPU 0 and load to CPU 1, in interleaved rounds:
#   fixed         a tonic server whose Check answers a constant SERVING
#   tonic-health  tonic-health's own service, its status set by hand
#   ours          health.grpc() over three 5 ms pings, background mode
# each driven by closed-loop Check("") calls; then 10 000 Watch("") streams
# held open on ours: the server's memory per watcher and its CPU while
# nothing changes. Prints a Markdown report and writes it to
# bench/results/grpc-latest.md. Settings (environment): ROUNDS [3],
# DURATION [10], WARMUP [2], CONNECTIONS [4], CONCURRENCY [32], WATCHERS
# [10000], RESULTS [bench/results/grpc-latest.md], CARGO_TARGET_DIR [target].
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
CONNECTIONS=${CONNECTIONS:-4}
CONCURRENCY=${CONCURRENCY:-32}
WATCHERS=${WATCHERS:-10000}
RESULTS=${RESULTS:-bench/results/grpc-latest.md}
BIN="${CARGO_TARGET_DIR:-target}/release/grpc-bench"

cargo build --release --quiet -p health-bench --bin grpc-bench

SERVER_PIN=(taskset -c 0)
LOAD_PIN=(taskset -c 1)
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
  "${SERVER_PIN[@]}" "$BIN" serve "$1" >"$WORK/server.out" 2>"$WORK/server.err" &
  SERVER_PID=$!
  for _ in $(seq 200); do grep -q '^ready ' "$WORK/server.out" && break; sleep 0.05; done
  ADDR=$(grep -m1 '^ready ' "$WORK/server.out" | sed 's/.*addr=\([^ ]*\).*/\1/')
  [ -n "$ADDR" ] || { cat "$WORK/server.err" >&2; exit 1; }
}
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $0 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A RPS P99 ERR
VARIANTS=(fixed tonic-health ours)
for round in $(seq "$ROUNDS"); do
  for variant in "${VARIANTS[@]}"; do
    echo "round $round/$ROUNDS: $variant ..." >&2
    start_server "$variant"
    line=$("${LOAD_PIN[@]}" "$BIN" load --addr "$ADDR" --connections "$CONNECTIONS" --concurrency "$CONCURRENCY" --warmup "$WARMUP" --duration "$DURATION")
    stop_server
    RPS[$variant]+="$(field "$line" rps) "
    P99[$variant]+="$(field "$line" p99_ms) "
    ERR[$variant]+="$(field "$line" errors) "
  done
done

echo "watchers ..." >&2
start_server ours
WATCH=$("${LOAD_PIN[@]}" "$BIN" watch --addr "$ADDR" --pid "$SERVER_PID" --watchers "$WATCHERS")
stop_server

{
  echo "# gRPC benchmark: grpc.health.v1 Check and Watch"
  echo
  echo "Measured by \`scripts/grpc-bench.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD); $(nproc) CPUs, load average before: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "Closed-loop Check(\"\"), $CONCURRENCY callers over $CONNECTIONS HTTP/2 connections, ${WARMUP} s warm-up then ${DURATION} s per variant and round, $ROUNDS interleaved rounds (medians); server on CPU 0, load on CPU 1."
  echo
  echo "| server | requests/s (median) | rounds | p99 ms (median) | errors |"
  echo "|---|---:|---|---:|---:|"
  for v in "${VARIANTS[@]}"; do
    # shellcheck disable=SC2086
    echo "| $v | $(median ${RPS[$v]}) | ${RPS[$v]}| $(median ${P99[$v]}) | ${ERR[$v]}|"
  done
  echo
  # shellcheck disable=SC2086
  echo "ours / fixed: **$(ratio "$(median ${RPS[ours]})" "$(median ${RPS[fixed]})")** (target ≥ 0.9); ours / tonic-health: $(ratio "$(median ${RPS[ours]})" "$(median ${RPS[tonic-health]})")."
  echo
  echo "Watch streams held open on ours: $WATCH"
} >"$WORK/report.md"
mkdir -p "$(dirname "$RESULTS")"
cp "$WORK/report.md" "$RESULTS"
cat "$RESULTS"
