#!/usr/bin/env bash
# What hostile clients cost a well-behaved one, on every listener the
# library serves (issue 17), in one command:
#
#   bash scripts/hostile-load.sh
#
# Builds bench-server, loadgen, adapters-bench, grpc-bench (crate
# `health-bench`) and hostile-client (crate `tests-http`) in release. For
# each listener in turn, a server of its own pinned to CPU 0 (background
# mode over the bench's three pings), a well-behaved client pinned to CPU 1,
# measured first alone (quiet), then under an attack (the attacker also on
# CPU 1, a process of its own):
#   axum    bench-server background-axum   `health.http().router()` under axum::serve
#   hyper   bench-server background        the library's hyper listener
#   tower   adapters-bench serve tower     `into_service()` under hyper-util (README recipe: 5 s header-read timeout)
#   actix   adapters-bench serve actix     `actix_configure()`, 1 worker (client_request_timeout 5 s, the default)
#   grpc    grpc-bench serve listener      `health.grpc().bind(..)`, GrpcLimits::default()
# HTTP: `loadgen` (CONNECTIONS keep-alive connections, closed loop) on
# /health/ready; the attack is `hostile-client` holding IDLE idle
# connections and HALF_SENT half-sent request heads, measured from the
# moment they are open. gRPC: closed-loop Check("") (`grpc-bench load`,
# GRPC_CONCURRENCY callers over GRPC_CONNECTIONS connections, made before
# the attack: the listener's cap of 256 connections would refuse them
# while the attack holds it, which one fresh client, `fresh`, shows); two
# attacks, each on a new server: the same idle connections and unfinished
# HTTP/2 prefaces, then a `Watch` flood (`hostile-client watch`:
# WATCH_STREAMS streams at once on each of WATCH_CONNECTIONS connections,
# one burst after another while measured).
# The server's CPU use during each phase (% of one CPU, from
# /proc/<pid>/stat): under 100 while the client slows down means the
# client, not the server, ran short (the attacker shares its CPU).
# Memory: the server's RSS before and during the attack; per held
# connection (the growth over the sockets the server holds, counted in
# /proc/<pid>/fd) and, for the Watch flood, per refused stream (peak RSS
# growth of the first burst over its refusals: an upper bound, the held
# streams included).
# Settings (environment, defaults in brackets): LISTENERS ["axum hyper
# tower actix grpc"], CONNECTIONS [32], GRPC_CONNECTIONS [4],
# GRPC_CONCURRENCY [32], DURATION seconds per phase [3], IDLE [10000],
# HALF_SENT [1000], WATCH_CONNECTIONS [100], WATCH_STREAMS [500],
# RESULTS [bench/results/hostile-latest.md], CARGO_TARGET_DIR [target].
# The idle connections are closed by the header-read timeouts (5 s; gRPC:
# the 10 s handshake timeout): each attack phase is measured within them.
# Prints the report and writes it to RESULTS.
set -euo pipefail
cd "$(dirname "$0")/.."

LISTENERS=${LISTENERS:-"axum hyper tower actix grpc"}
CONNECTIONS=${CONNECTIONS:-32}
GRPC_CONNECTIONS=${GRPC_CONNECTIONS:-4}
GRPC_CONCURRENCY=${GRPC_CONCURRENCY:-32}
DURATION=${DURATION:-3}
IDLE=${IDLE:-10000}
HALF_SENT=${HALF_SENT:-1000}
WATCH_CONNECTIONS=${WATCH_CONNECTIONS:-100}
WATCH_STREAMS=${WATCH_STREAMS:-500}
RESULTS=${RESULTS:-bench/results/hostile-latest.md}
BIN=${CARGO_TARGET_DIR:-target}/release
export CARGO_INCREMENTAL=0

COMMAND="LISTENERS=\"$LISTENERS\" CONNECTIONS=$CONNECTIONS GRPC_CONNECTIONS=$GRPC_CONNECTIONS GRPC_CONCURRENCY=$GRPC_CONCURRENCY DURATION=$DURATION IDLE=$IDLE HALF_SENT=$HALF_SENT WATCH_CONNECTIONS=$WATCH_CONNECTIONS WATCH_STREAMS=$WATCH_STREAMS bash scripts/hostile-load.sh"

cargo build --release --quiet -p health-bench --bin bench-server --bin loadgen --bin adapters-bench --bin grpc-bench
cargo build --release --quiet -p tests-http --bin hostile-client

SERVER_PIN=()
LOAD_PIN=()
PINNING="no pinning (taskset missing or fewer than 2 CPUs)"
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
  SERVER_PIN=(taskset -c 0)
  LOAD_PIN=(taskset -c 1)
  PINNING="server on CPU 0, client and attacker on CPU 1"
fi

WORK=$(mktemp -d)
PIDS=()
trap 'for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT
ulimit -n "$(ulimit -Hn)"

# Waits (at most 60 s) until file $1 has a line starting with $2.
wait_line() {
  for _ in $(seq 1200); do grep -q "^$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  echo "no \"$2\" line in $1:" >&2
  cat "$1" >&2
  exit 1
}
field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }
status_kib() { awk -v key="$2:" '$1 == key { print $2 }' "/proc/$1/status"; }
sockets() { find "/proc/$1/fd" -lname 'socket:*' 2>/dev/null | wc -l; }
# The server's user + system CPU time so far, and the clock, in ticks and
# seconds: `cpu_mark` before a phase, `cpu_share` after it prints the
# share of one CPU the server used meanwhile (%).
cpu_ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$SERVER_PID/stat"; }
cpu_mark() { MARK_TICKS=$(cpu_ticks); MARK_TIME=$(date +%s.%N); }
cpu_share() {
  awk -v t0="$MARK_TICKS" -v t1="$(cpu_ticks)" -v s0="$MARK_TIME" -v s1="$(date +%s.%N)" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "%.0f", 100 * (t1 - t0) / hz / (s1 - s0) }'
}

# Starts a server (the command in "$@"); sets SERVER_PID and ADDR.
start_server() {
  "${SERVER_PIN[@]}" "$@" >"$WORK/server.out" 2>"$WORK/server.err" &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  wait_line "$WORK/server.out" "ready "
  ADDR=$(grep -m1 '^ready ' "$WORK/server.out" | tr ' ' '\n' | sed -n 's/^addr=//p')
}
stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
}

# Starts hostile-client with "$@", its standard input held open on fd 3;
# waits for its first line ($ATTACK_READY).
start_attacker() {
  rm -f "$WORK/hold" "$WORK/attacker.out"
  mkfifo "$WORK/hold"
  "${LOAD_PIN[@]}" "$BIN/hostile-client" "$@" <"$WORK/hold" >"$WORK/attacker.out" 2>"$WORK/attacker.err" &
  ATTACKER_PID=$!
  PIDS+=("$ATTACKER_PID")
  exec 3>"$WORK/hold"
}
stop_attacker() {
  exec 3>&-
  wait "$ATTACKER_PID" 2>/dev/null || true
}

http_load() {
  "${LOAD_PIN[@]}" "$BIN/loadgen" --url "http://$ADDR/health/ready" --connections "$CONNECTIONS" \
    --duration "$DURATION" --request-timeout 5
}
grpc_load() {
  "${LOAD_PIN[@]}" "$BIN/grpc-bench" load --addr "$ADDR" --connections "$GRPC_CONNECTIONS" \
    --concurrency "$GRPC_CONCURRENCY" --warmup 0 --duration "$DURATION" "$@"
}

ROWS=()
NOTES=()
# One table row: listener, attack, quiet line, attack line, memory text.
row() {
  local q=$3 a=$4
  local ratio p99ratio
  ratio=$(awk -v q="$(field "$q" rps)" -v a="$(field "$a" rps)" 'BEGIN { if (q > 0) printf "%.2f", a / q; else print "-" }')
  p99ratio=$(awk -v q="$(field "$q" p99_ms)" -v a="$(field "$a" p99_ms)" 'BEGIN { if (q > 0) printf "%.2f", a / q; else print "-" }')
  local qerr aerr
  qerr=$(field "$q" errors)
  aerr=$(field "$a" errors)
  if [ -n "$(field "$q" timeouts)" ]; then
    qerr="$qerr, $(field "$q" timeouts)"
    aerr="$aerr, $(field "$a" timeouts)"
  fi
  ROWS+=("| $1 | $2 | $(field "$q" rps) | $(field "$a" rps) | **$ratio** | $(field "$q" p99_ms) | $(field "$a" p99_ms) | $p99ratio | $qerr / $aerr | $CPU_Q / $CPU_A | $5 |")
}
# "<before> → <during> MiB, <n> held: <bytes> B each"
per_held() {
  local before=$1 during=$2 held=$3
  if [ "$held" -gt 0 ]; then
    echo "$((before / 1024)) → $((during / 1024)) MiB; $held sockets held: $(( (during - before) * 1024 / held )) B each"
  else
    echo "$((before / 1024)) → $((during / 1024)) MiB; no socket held"
  fi
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')

for listener in $LISTENERS; do
  echo "$listener ..." >&2
  case $listener in
    axum) start_server "$BIN/bench-server" background-axum ;;
    hyper) start_server "$BIN/bench-server" background ;;
    tower) start_server "$BIN/adapters-bench" serve tower ;;
    actix) start_server "$BIN/adapters-bench" serve actix ;;
    grpc) start_server "$BIN/grpc-bench" serve listener ;;
    *) echo "unknown listener $listener (axum hyper tower actix grpc)" >&2; exit 2 ;;
  esac
  if [ "$listener" != grpc ]; then
    http_load >/dev/null # warm-up
    cpu_mark; QUIET=$(http_load); CPU_Q=$(cpu_share)
    RSS0=$(status_kib "$SERVER_PID" VmRSS); S0=$(sockets "$SERVER_PID")
    start_attacker "$ADDR" "$IDLE" "$HALF_SENT"
    wait_line "$WORK/attacker.out" "open "
    RSS1=$(status_kib "$SERVER_PID" VmRSS); S1=$(sockets "$SERVER_PID")
    cpu_mark; FLOOD=$(http_load); CPU_A=$(cpu_share)
    stop_attacker
    stop_server
    row "$listener" "$IDLE idle + $HALF_SENT half-sent heads ($(sed 's/^open //' "$WORK/attacker.out" | tr ' ' '+') opened)" \
      "$QUIET" "$FLOOD" "$(per_held "$RSS0" "$RSS1" $((S1 - S0)))"
    continue
  fi

  # gRPC, attack 1: idle connections and unfinished HTTP/2 prefaces.
  grpc_load >/dev/null # warm-up
  cpu_mark; QUIET=$(grpc_load); CPU_Q=$(cpu_share)
  rm -f "$WORK/go"
  mkfifo "$WORK/go"
  grpc_load --after-line <"$WORK/go" >"$WORK/load.out" &
  LOAD_PID=$!
  PIDS+=("$LOAD_PID")
  exec 4>"$WORK/go"
  wait_line "$WORK/load.out" connected
  RSS0=$(status_kib "$SERVER_PID" VmRSS); S0=$(sockets "$SERVER_PID")
  start_attacker "$ADDR" "$IDLE" "$HALF_SENT" h2
  wait_line "$WORK/attacker.out" "open "
  RSS1=$(status_kib "$SERVER_PID" VmRSS); S1=$(sockets "$SERVER_PID")
  FRESH=$("${LOAD_PIN[@]}" "$BIN/grpc-bench" load --addr "$ADDR" --connections 1 --concurrency 1 --warmup 0 --duration 1 2>&1 | tail -n1 || true)
  cpu_mark
  echo go >&4
  exec 4>&-
  wait "$LOAD_PID"
  CPU_A=$(cpu_share)
  FLOOD=$(grep '^rps=' "$WORK/load.out")
  stop_attacker
  stop_server
  row grpc "$IDLE idle + $HALF_SENT half-sent HTTP/2 prefaces ($(sed 's/^open //' "$WORK/attacker.out" | tr ' ' '+') opened)" \
    "$QUIET" "$FLOOD" "$(per_held "$RSS0" "$RSS1" $((S1 - S0)))"
  NOTES+=("gRPC, a fresh client (1 connection, \`Check(\"\")\` for 1 s) while the idle connections were held: \`$FRESH\`")

  # gRPC, attack 2: a Watch flood, on a new server.
  echo "grpc (Watch flood) ..." >&2
  start_server "$BIN/grpc-bench" serve listener
  grpc_load >/dev/null # warm-up
  cpu_mark; QUIET=$(grpc_load); CPU_Q=$(cpu_share)
  RSS0=$(status_kib "$SERVER_PID" VmRSS)
  start_attacker watch "$ADDR" "$WATCH_CONNECTIONS" "$WATCH_STREAMS"
  wait_line "$WORK/attacker.out" "burst "
  PEAK=$(status_kib "$SERVER_PID" VmHWM); RSS1=$(status_kib "$SERVER_PID" VmRSS)
  BURST=$(grep -m1 '^burst ' "$WORK/attacker.out")
  echo go >&3
  cpu_mark; FLOOD=$(grpc_load); CPU_A=$(cpu_share)
  stop_attacker
  stop_server
  TOTAL=$(grep -m1 '^bursts=' "$WORK/attacker.out" || echo "bursts=?")
  REFUSED=$(field "$BURST" refused)
  row grpc "\`Watch\` flood: $WATCH_CONNECTIONS × $WATCH_STREAMS streams per burst, bursts back to back ($TOTAL)" \
    "$QUIET" "$FLOOD" \
    "$((RSS0 / 1024)) → peak $((PEAK / 1024)) MiB in the first burst ($BURST): $(( REFUSED > 0 ? (PEAK - RSS0) * 1024 / REFUSED : 0 )) B per refused stream"
done

LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
COMMIT="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo ' + uncommitted changes')"
{
  echo "# Hostile clients against every listener"
  echo
  echo "Measured by \`scripts/hostile-load.sh\` on $STARTED, commit $COMMIT; $(nproc) CPUs, $PINNING."
  echo "Load average (1, 5, 15 min) before: $LOAD_BEFORE; after: $LOAD_AFTER."
  echo
  echo "Command: \`$COMMAND\`"
  echo
  echo "Well-behaved client: HTTP \`loadgen\`, $CONNECTIONS keep-alive connections on /health/ready; gRPC \`grpc-bench load\`, $GRPC_CONCURRENCY callers over $GRPC_CONNECTIONS connections, \`Check(\"\")\`; closed loop, ${DURATION} s per phase, one run. *quiet*: alone; *attack*: while the attack is held (measured from the moment it is open)."
  echo
  echo "| listener | attack | quiet requests/s | attack requests/s | attack / quiet | quiet p99 ms | attack p99 ms | p99 attack / quiet | errors (, timeouts): quiet / attack | server CPU %: quiet / attack | server memory |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---|---|---|"
  printf '%s\n' "${ROWS[@]}"
  if [ "${#NOTES[@]}" -gt 0 ]; then
    echo
    printf -- '- %s\n' "${NOTES[@]}"
  fi
} >"$WORK/report.md"
mkdir -p "$(dirname "$RESULTS")"
cp "$WORK/report.md" "$RESULTS"
cat "$RESULTS"
