#!/usr/bin/env bash
# What a connection flood costs a well-behaved client (issue 17), in one
# command:
#
#   bash scripts/hostile-load.sh
#
# Builds bench-server, loadgen (crate `health-bench`) and hostile-client
# (crate `tests-http`) in release; serves `bench-server background` (the
# hyper listener, background mode) pinned to CPU 0, and measures with the
# load generator pinned to CPU 1:
#   quiet   the readiness endpoint alone
#   flood   the same while hostile-client (CPU 1 too) holds IDLE idle
#           connections and HALF_SENT half-sent request heads, measured
#           from the moment they are open
# and the server's RSS before and after the flood opened, per connection it
# holds (at most its connection cap, 1024). Prints one Markdown table.
# Settings (environment, defaults in brackets): CONNECTIONS [32],
# DURATION seconds per phase [3], IDLE [10000], HALF_SENT [1000],
# CARGO_TARGET_DIR [target].
# The flood's idle connections are closed by the listener's 5 s header-read
# timeout: the flood phase is measured within it.
set -euo pipefail
cd "$(dirname "$0")/.."

CONNECTIONS=${CONNECTIONS:-32}
DURATION=${DURATION:-3}
IDLE=${IDLE:-10000}
HALF_SENT=${HALF_SENT:-1000}
BIN=${CARGO_TARGET_DIR:-target}/release
export CARGO_INCREMENTAL=0

cargo build --release --quiet -p health-bench --bin bench-server --bin loadgen
cargo build --release --quiet -p tests-http --bin hostile-client

SERVER_PIN=()
LOAD_PIN=()
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
  SERVER_PIN=(taskset -c 0)
  LOAD_PIN=(taskset -c 1)
fi

WORK=$(mktemp -d)
PIDS=()
trap 'for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT
ulimit -n "$(ulimit -Hn)"

"${SERVER_PIN[@]}" "$BIN/bench-server" background >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER_PID=$!
PIDS+=("$SERVER_PID")
for _ in $(seq 200); do grep -q '^ready ' "$WORK/server.out" && break; sleep 0.05; done
ADDR=$(grep -m1 '^ready ' "$WORK/server.out" | tr ' ' '\n' | sed -n 's/^addr=//p')
[ -n "$ADDR" ] || { echo "bench-server did not start" >&2; cat "$WORK/server.err" >&2; exit 1; }

rss_kib() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$SERVER_PID/status"; }
load() {
  "${LOAD_PIN[@]}" "$BIN/loadgen" --url "http://$ADDR/health/ready" --connections "$CONNECTIONS" \
    --duration "$DURATION" --request-timeout 5
}
field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }

load >/dev/null # warm-up
QUIET=$(load)
RSS_BEFORE=$(rss_kib)

mkfifo "$WORK/hold"
"${LOAD_PIN[@]}" "$BIN/hostile-client" "$ADDR" "$IDLE" "$HALF_SENT" <"$WORK/hold" >"$WORK/attacker.out" &
PIDS+=("$!")
exec 3>"$WORK/hold" # holds the attacker's stdin open
for _ in $(seq 600); do grep -q '^open ' "$WORK/attacker.out" && break; sleep 0.05; done
OPENED=$(cat "$WORK/attacker.out")
RSS_FLOOD=$(rss_kib)
FLOOD=$(load)
exec 3>&-

HELD=$(( IDLE + HALF_SENT < 1024 ? IDLE + HALF_SENT : 1024 ))
echo "hostile-load: $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD), $(nproc) CPUs, $CONNECTIONS connections, ${DURATION}s per phase"
echo "attacker: $OPENED (idle, half-sent) opened; the listener holds at most $HELD"
echo
echo "| phase | requests/s | p50 ms | p99 ms | max ms | errors | timeouts |"
echo "|---|---|---|---|---|---|---|"
for phase in quiet flood; do
  line=$QUIET; [ "$phase" = flood ] && line=$FLOOD
  echo "| $phase | $(field "$line" rps) | $(field "$line" p50_ms) | $(field "$line" p99_ms) | $(field "$line" max_ms) | $(field "$line" errors) | $(field "$line" timeouts) |"
done
echo
awk -v q="$(field "$QUIET" rps)" -v f="$(field "$FLOOD" rps)" -v qp="$(field "$QUIET" p99_ms)" -v fp="$(field "$FLOOD" p99_ms)" \
  'BEGIN { printf "flood/quiet: throughput %.2fx, p99 %.2fx\n", f / q, fp / qp }'
echo "server RSS: $RSS_BEFORE KiB quiet, $RSS_FLOOD KiB flooded: $(( (RSS_FLOOD - RSS_BEFORE) * 1024 / HELD )) bytes per held connection"
