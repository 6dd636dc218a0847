#!/usr/bin/env bash
# Load benchmark of the HTTP adapters (axum, the hyper listener, the tower
# service and layer, actix-web), each next to a static answer on its own
# framework, in one command:
#
#   bash scripts/adapters-bench.sh
#
# Builds `adapters-bench` and `loadgen` (crate health-bench) in release and
# runs `adapters-bench run` (bench/src/bin/adapters_bench.rs): in each of
# ROUNDS interleaved rounds (every other one in reverse order, so that each
# variant runs as often just before its baseline as just after), each
# variant in a process of its own pinned to CPU 0, `loadgen` pinned to CPU 1
# against its readiness path; medians over rounds, and the median of each
# round's ratio to the baseline. Then, when valgrind is installed,
# each variant's user-space instructions per request under callgrind over
# INSTRUCTIONS requests: CPU per request as a count that a busy machine
# does not move.
#
# Writes bench/results/adapters-latest.md (header: scripts/lib/results.sh)
# and prints it, only when the run completed: a variant that does not start,
# a load generator that fails, a transport error or a non-2xx answer ends
# the run non-zero and leaves the previous report as it was.
# Settings (environment, defaults in brackets): ROUNDS [9], DURATION seconds
# measured per variant and round [6], WARMUP seconds [1], CONNECTIONS [32],
# INSTRUCTIONS requests counted per variant, 0 for none [20000],
# RESULTS [bench/results/adapters-latest.md], CARGO_TARGET_DIR [target].
# Takes about 12 minutes with the defaults (8 variants x ROUNDS x 7 s, then
# about 15 s per variant under callgrind).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/results.sh
results_start ROUNDS DURATION WARMUP CONNECTIONS INSTRUCTIONS RESULTS CARGO_TARGET_DIR

ROUNDS=${ROUNDS:-9}
DURATION=${DURATION:-6}
WARMUP=${WARMUP:-1}
CONNECTIONS=${CONNECTIONS:-32}
INSTRUCTIONS=${INSTRUCTIONS:-20000}
RESULTS=${RESULTS:-bench/results/adapters-latest.md}
CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}

cargo build --release --quiet -p health-bench --bin adapters-bench --bin loadgen

BODY=$(mktemp)
trap 'rm -f "$BODY"' EXIT
"$CARGO_TARGET_DIR/release/adapters-bench" run --rounds "$ROUNDS" --duration "$DURATION" \
  --warmup "$WARMUP" --connections "$CONNECTIONS" --instructions "$INSTRUCTIONS" >"$BODY"
results_write "$RESULTS" "Load benchmark: the HTTP adapters" "$BODY"
