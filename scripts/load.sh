#!/usr/bin/env bash
# Load benchmark of the readiness endpoint (issue 6), in one command:
#
#   bash scripts/load.sh
#
# Builds the harness (crate `health-bench`) in release, then serves each
# variant in a process of its own on loopback and drives it with the load
# generator, the server pinned to CPU 0 and the generator to CPU 1:
#   (a) static     minimal hyper 1.x server, fixed JSON body (ours, verbatim)
#       static-timer the same with health-core's header-read timeout
#   (b) naive-join hand-written axum handler, 3 pings joined, each under a timeout
#       naive-seq  the same, pings awaited one after the other
#   (c) cached     our readiness endpoint, on-demand mode (hyper listener)
#   (d) background our readiness endpoint, background mode (hyper listener)
#       background-axum  the same through our axum router
#       background-metrics  (d) with a Prometheus exporter installed as the
#                  `metrics` recorder. Probes record nothing (the metrics are
#                  recorded when a check's run ends, and the probe-status
#                  gauge when a status changes), and the checks run once a
#                  second: about 3 runs recorded per second whatever the
#                  request rate. So this variant measures that an installed
#                  recorder costs the probe path nothing, not what recording
#                  costs; that is the criterion bench `events` (per run).
#   (e) blackhole  our on-demand readiness over a dependency that never answers
#   (f) soak       RSS of a background-mode server after 10k and 1M probes,
#                  its checks run every 10 ms (one flapping) so that every
#                  history ring (runs, transitions) is full and wrapping
#   (g) peers      what users would pick instead, over the same pings:
#       peer-axum-health  the axum-health crate (most built-in checks)
#       peer-health       the framework-independent `health` crate
#       peer-terminus     Node.js @godaddy/terminus (bench/node, npm ci)
#     and each of them over the blackholed dependency (e).
# Every ping sleeps 5 ms and counts its calls; the control listener of the
# server reports them, so the table shows dependency calls per probe.
#
# Writes bench/results/load-latest.md (header: scripts/lib/results.sh) and
# prints it, only when every part ran: a server that does not start or dies,
# a load generator that fails or any transport error ends the run non-zero
# and leaves the previous report as it was.
# Settings (environment, defaults in brackets): CONNECTIONS [32],
# DURATION seconds per variant and round [10], WARMUP seconds [2],
# ROUNDS [3], SOAK_FIRST [10000], SOAK_TOTAL [1000000],
# RESULTS [bench/results/load-latest.md], CARGO_TARGET_DIR [target],
# PROBE_TIMEOUT seconds a blackholed peer's answer is waited for [1, the
# Kubernetes default timeoutSeconds].
# Takes about 8 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/results.sh
results_start CONNECTIONS DURATION WARMUP ROUNDS SOAK_FIRST SOAK_TOTAL PROBE_TIMEOUT RESULTS CARGO_TARGET_DIR

CONNECTIONS=${CONNECTIONS:-32}
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-2}
SOAK_FIRST=${SOAK_FIRST:-10000}
SOAK_TOTAL=${SOAK_TOTAL:-1000000}
RESULTS=${RESULTS:-bench/results/load-latest.md}
PROBE_TIMEOUT=${PROBE_TIMEOUT:-1}
CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
BIN="$CARGO_TARGET_DIR/release"

cargo build --release --quiet -p health-bench --bin bench-server --bin loadgen
# The Node.js peer: its package and lockfile are in bench/node; installed here,
# never by the test command.
NODE_PEER=""
if command -v node >/dev/null && command -v npm >/dev/null; then
  (cd bench/node && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  NODE_PEER="peer-terminus"
else
  echo "node or npm missing: the Node.js peer is left out" >&2
fi
# Versions of the peers, as resolved by the lockfiles.
locked() { awk -v name="$1" '$0 == "name = \"" name "\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock; }
AXUM_HEALTH_VERSION=$(locked axum-health)
HEALTH_VERSION=$(locked health)
TERMINUS_VERSION=$( [ -n "$NODE_PEER" ] && node -p 'require("./bench/node/node_modules/@godaddy/terminus/package.json").version' || echo "-")
NODE_VERSION=$( [ -n "$NODE_PEER" ] && node --version || echo "-")

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

# Starts the server of variant $1 (`bench-server $1`, or the Node.js peer);
# sets SERVER_PID, ADDR, CONTROL, DEADLINE_US, INTERVAL_US.
start_server() {
  : >"$WORK/server.out"
  local server=("$BIN/bench-server")
  case $1 in peer-terminus*) server=(node bench/node/terminus-server.js) ;; esac
  CURRENT=$1
  "${SERVER_PIN[@]}" "${server[@]}" "$1" >"$WORK/server.out" 2>"$WORK/server.err" &
  SERVER_PID=$!
  local line=""
  for _ in $(seq 200); do
    line=$(grep -m1 '^ready ' "$WORK/server.out" || true)
    [ -n "$line" ] && break
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      cat "$WORK/server.err" >&2
      fail "bench-server $1 exited"
    fi
    sleep 0.05
  done
  [ -n "$line" ] || fail "bench-server $1 did not start"
  for kv in $line; do
    case $kv in
      addr=*) ADDR=${kv#addr=} ;;
      control=*) CONTROL=${kv#control=} ;;
      deadline_us=*) DEADLINE_US=${kv#deadline_us=} ;;
      interval_us=*) INTERVAL_US=${kv#interval_us=} ;;
    esac
  done
}

# A field of /proc/<server>/status, in KiB (VmRSS, VmHWM).
server_kib() {
  awk -v key="$1:" '$1 == key { print $2 }' "/proc/$SERVER_PID/status"
}

# Involuntary context switches of every thread of the server so far: how
# often something else took its CPU (the machine's noise, per variant).
server_preempted() {
  cat /proc/"$SERVER_PID"/task/*/status 2>/dev/null | awk '$1 == "nonvoluntary_ctxt_switches:" { n += $2 } END { print n + 0 }'
}

# Runs the load generator against the server's readiness path with the
# given options; sets LG_<key> for each key=value it prints. A transport
# error (connect, reset, malformed answer) or a server that died ends the run.
load() {
  local line
  line=$("${LOAD_PIN[@]}" "$BIN/loadgen" --url "http://$ADDR/health/ready" \
    --calls-url "http://$CONTROL/calls" --server-pid "$SERVER_PID" "$@")
  for kv in $line; do
    declare -g "LG_${kv%%=*}=${kv#*=}"
  done
  [ "$LG_errors" = 0 ] || fail "$LG_errors transport errors against $CURRENT ($line)"
  kill -0 "$SERVER_PID" 2>/dev/null || fail "the $CURRENT server died during its measurement"
}

mib() { awk -v kib="$1" 'BEGIN { printf "%.1f", kib / 1024 }'; }
# verdict VALUE OP LIMIT: "met" when VALUE OP LIMIT holds (OP is >= or <=).
verdict() {
  awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
    if (v == "n/a") { print "n/a"; exit }
    ok = (op == ">=") ? (v + 0 >= l + 0) : (v + 0 <= l + 0)
    print ok ? "met" : "**not met**" }'
}

REPORT="$WORK/report.md"
STARTED=$(date +%s)
{
  echo "Pinning: $PINNING; each process runs a tokio runtime with one worker per CPU it may use."
  echo "$CONNECTIONS keep-alive connections (closed loop), ${WARMUP} s warm-up then ${DURATION} s measured per variant, $ROUNDS rounds;"
  echo "every check is a 5 ms ping (\`tokio::time::sleep\`; \`setTimeout\` in Node.js) counting its calls; 3 checks per readiness answer, interval 1 s, deadline 250 ms (where the library has them)."
  echo "Peers: axum-health $AXUM_HEALTH_VERSION, health $HEALTH_VERSION (crates.io), @godaddy/terminus $TERMINUS_VERSION on Node.js $NODE_VERSION (npm)."
  echo
} >"$REPORT"

declare -A RPS P50 P99 ERRORS OK NON HWM CPU CPR PRE
VARIANTS=(static static-timer naive-join naive-seq cached background background-axum background-metrics peer-axum-health peer-health $NODE_PEER)
declare -A WHAT=(
  [static]="(a) hyper 1.x, fixed JSON body (our readiness body)"
  [static-timer]="(a') the same with health-core's header-read timeout (a tokio timer per request head)"
  [naive-join]="(b) hand-written axum, 3 pings joined under timeouts"
  [naive-seq]="(b') hand-written axum, 3 pings in sequence"
  [cached]="(c) ours, on-demand (cached), hyper listener"
  [background]="(d) ours, background, hyper listener"
  [background-axum]="(d') ours, background, axum router"
  [background-metrics]="(d'') ours, background, a Prometheus exporter installed as the metrics recorder (probes record nothing; the checks' runs, 3 a second, do)"
  [peer-axum-health]="(g) peer: axum-health $AXUM_HEALTH_VERSION, its layer and handler"
  [peer-health]="(g) peer: health $HEALTH_VERSION, periodic checkers (interval 1 s, leeway 2 s), hyper handler"
  [peer-terminus]="(g) peer: @godaddy/terminus $TERMINUS_VERSION, Node.js $NODE_VERSION, pings under Promise.all"
)
# Rounds interleave the variants, so that a burst of outside load hits a
# round rather than a variant; each figure below is the median over rounds.
for round in $(seq "$ROUNDS"); do
  for variant in "${VARIANTS[@]}"; do
    echo "round $round/$ROUNDS: measuring $variant ..." >&2
    start_server "$variant"
    load --connections "$CONNECTIONS" --duration "$DURATION" --warmup "$WARMUP"
    RPS[$variant]+="$LG_rps "
    P50[$variant]+="$LG_p50_ms "
    P99[$variant]+="$LG_p99_ms "
    CPU[$variant]+="$LG_server_cpu_us_per_request "
    CPR[$variant]+="$LG_calls_per_request "
    ERRORS[$variant]=$((${ERRORS[$variant]:-0} + LG_errors))
    OK[$variant]=$((${OK[$variant]:-0} + LG_ok_2xx))
    NON[$variant]=$((${NON[$variant]:-0} + LG_non_2xx))
    PRE[$variant]=$((${PRE[$variant]:-0} + $(server_preempted)))
    hwm=$(server_kib VmHWM)
    [ "$hwm" -gt "${HWM[$variant]:-0}" ] && HWM[$variant]=$hwm
    stop_server
  done
done

# shellcheck disable=SC2086 # the lists are space-separated numbers
med() { median $1; }
declare -A M_RPS M_CPR
for v in "${VARIANTS[@]}"; do
  M_RPS[$v]=$(med "${RPS[$v]}")
  M_CPR[$v]=$(med "${CPR[$v]}")
done

{
  echo "## Throughput and latency"
  echo
  echo "Median over $ROUNDS interleaved rounds (requests/s of each round in brackets); errors, answers and preemptions summed over rounds, peak RSS the largest."
  echo
  echo "| variant | what | requests/s | p50 ms | p99 ms | errors | 2xx | non-2xx | peak RSS MiB (VmHWM) | server CPU µs/request | dependency calls/request | server preempted |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for v in "${VARIANTS[@]}"; do
    echo "| $v | ${WHAT[$v]} | ${M_RPS[$v]} (${RPS[$v]% }) | $(med "${P50[$v]}") | $(med "${P99[$v]}") | ${ERRORS[$v]} | ${OK[$v]} | ${NON[$v]} | $(mib "${HWM[$v]}") | $(med "${CPU[$v]}") | ${M_CPR[$v]} | ${PRE[$v]} |"
  done
  echo
  echo "*server CPU*: CPU time of the server's threads over the measured phase (schedstat), per answered request."
  echo "*dependency calls/request*: pings started during the measured phase / answers."
  echo "*server preempted*: involuntary context switches of the server's threads over warm-up and measurement: how often another process took its CPU."
  echo
  echo "## Ratios (of the medians)"
  echo
  echo "| ratio | measured | target | verdict |"
  echo "|---|---:|---:|---|"
  r=$(ratio "${M_RPS[background]}" "${M_RPS[static]}")
  echo "| background rps / static rps | $r | ≥ 0.9 | $(verdict "$r" '>=' 0.9) |"
  r=$(ratio "${M_RPS[background]}" "${M_RPS[naive-join]}" 1)
  echo "| background rps / naive-join rps | $r | ≥ 5 | $(verdict "$r" '>=' 5) |"
  r=$(ratio "${M_RPS[background]}" "${M_RPS[naive-seq]}" 1)
  echo "| background rps / naive-seq rps | $r | ≥ 5 | $(verdict "$r" '>=' 5) |"
  r=$(ratio "${M_RPS[background-metrics]}" "${M_RPS[background]}")
  echo "| background-metrics rps / background rps | $r | ≥ 0.95 | $(verdict "$r" '>=' 0.95) |"
  r=$(ratio "${M_RPS[background-axum]}" "${M_RPS[naive-join]}" 1)
  echo "| background-axum rps / naive-join rps (same stack) | $r | ≥ 5 | $(verdict "$r" '>=' 5) |"
  r=$(ratio "${M_RPS[cached]}" "${M_RPS[static]}")
  echo "| cached rps / static rps | $r | (none) | |"
  for ours in background cached; do
    r=$(ratio "${M_CPR[$ours]}" "${M_CPR[naive-join]}" 6)
    echo "| calls/request $ours / naive-join | $r | ≤ 0.01 | $(verdict "$r" '<=' 0.01) |"
  done
  echo
} >>"$REPORT"

# (e) A blackholed dependency: every probe waits on the deadline; the peers
# over the same dependency, each answer waited for PROBE_TIMEOUT seconds.
echo "measuring blackhole ..." >&2
{
  echo "## Blackholed dependency (on-demand mode; peers alike)"
  echo
  echo "One critical check that never answers (\`std::future::pending\`; a never-settling promise in Node.js). Ours: deadline 50 ms, interval 1 µs,"
  echo "so each probe starts a run, or joins the one in flight, and answers 503 at the deadline. Target: p99 ≤ deadline + 5 ms."
  echo "Each request is given up after ${PROBE_TIMEOUT} s without an answer (the Kubernetes default \`timeoutSeconds\`), its connection dropped and a new one opened."
  echo
  echo "| variant | clients | answered | no answer within ${PROBE_TIMEOUT} s | 2xx | 503s | p50 ms | p99 ms | max ms | dependency calls (per answer) | deadline ms | p99 - deadline ms | verdict |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
} >>"$REPORT"
for variant in blackhole peer-axum-health-blackhole peer-health-blackhole ${NODE_PEER:+peer-terminus-blackhole}; do
  echo "measuring $variant ..." >&2
  start_server "$variant"
  for clients in 1 "$CONNECTIONS"; do
    load --connections "$clients" --duration "$DURATION" --warmup 1 --request-timeout "$PROBE_TIMEOUT"
    if [ "$DEADLINE_US" = "-" ]; then
      deadline="none"; over="-"; judged="n/a"
    else
      deadline=$(awk -v us="$DEADLINE_US" 'BEGIN { printf "%g", us / 1000 }')
      over=$(awk -v p="$LG_p99_ms" -v d="$deadline" 'BEGIN { printf "%.3f", p - d }')
      judged=$(verdict "$over" '<=' 5)
    fi
    answered() { [ "$LG_requests" -gt 0 ] && echo "$1" || echo "-"; }
    echo "| $variant | $clients | $LG_requests | $LG_timeouts | $LG_ok_2xx | $LG_non_2xx | $(answered "$LG_p50_ms") | $(answered "$LG_p99_ms") | $(answered "$LG_max_ms") | $LG_calls ($(answered "$LG_calls_per_request")) | $deadline | $over | $judged |" >>"$REPORT"
  done
  stop_server
done
{
  echo
  echo "*dependency calls*: calls started during the measured phase (per answered request in brackets)."
  echo
} >>"$REPORT"

# (f) Memory under a long probe run, background mode, histories full.
echo "measuring soak ($SOAK_TOTAL requests) ..." >&2
start_server soak
load --connections "$CONNECTIONS" --requests "$SOAK_FIRST"
RSS_FIRST=$(server_kib VmRSS)
HWM_FIRST=$(server_kib VmHWM)
FIRST_ERRORS=$LG_errors
load --connections "$CONNECTIONS" --requests $((SOAK_TOTAL - SOAK_FIRST))
RSS_TOTAL=$(server_kib VmRSS)
HWM_TOTAL=$(server_kib VmHWM)
SOAK_RPS=$LG_rps
SOAK_ERRORS=$((FIRST_ERRORS + LG_errors))
stop_server
GROWTH_KIB=$((RSS_TOTAL - RSS_FIRST))
{
  echo "## Memory over $SOAK_TOTAL probes (background mode)"
  echo
  echo "Checks run every 10 ms, one of them flapping: each check's run history (120 runs) and the transition history (100) fill within 2 s and wrap for the rest of the soak."
  echo
  echo "| after | VmRSS MiB | VmHWM MiB |"
  echo "|---|---:|---:|"
  echo "| $SOAK_FIRST requests | $(mib "$RSS_FIRST") | $(mib "$HWM_FIRST") |"
  echo "| $SOAK_TOTAL requests | $(mib "$RSS_TOTAL") | $(mib "$HWM_TOTAL") |"
  echo
  echo "RSS growth: $GROWTH_KIB KiB ($(mib "$GROWTH_KIB") MiB); target within 2 MiB: $(verdict "${GROWTH_KIB#-}" '<=' 2048)."
  echo "Transport errors: $SOAK_ERRORS; $SOAK_TOTAL requests at $SOAK_RPS requests/s over the last phase."
  echo
  echo "Total run time $(($(date +%s) - STARTED)) s."
} >>"$REPORT"

results_write "$RESULTS" "Load benchmark: readiness endpoint" "$REPORT"
