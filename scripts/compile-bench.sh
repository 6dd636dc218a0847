#!/usr/bin/env bash
# Compile-time cost of the macros (issue 6), in one command:
#
#   bash scripts/compile-bench.sh
#
# Generates, under the target directory (never in git), a workspace with two
# crates over the same CHECKS (100) checks:
#   checks-macro  each check declared with #[health_check], and a
#                 #[derive(HealthReport)] over all of them;
#   checks-hand   the same async fns plain, and the aggregation written by
#                 hand: join_all under tokio timeouts, a status fold, a
#                 Serialize impl.
# Both end with the same `readiness_body(&State) -> (u16, String)` that
# collects the report and serializes it with serde_json, so each crate
# compiles its (generic, in the macros' case) collection code. A third crate,
# checks-baseline (the state alone), times what any rebuild costs (cargo's
# start, fingerprints, rustc's start, linking metadata); the ratio is also
# given above that baseline.
# Builds both once (dependencies prebuilt), then times REPS (3) clean
# rebuilds of each crate alone (`touch src/lib.rs && cargo build -p <crate>`,
# dev profile with CARGO_INCREMENTAL=0 so that the crate is compiled in full
# rather than replayed from the incremental cache, and the same with
# `cargo check`), and reports the medians and the ratio macro / hand-written.
#
# Writes bench/results/compile-latest.md (header: scripts/lib/results.sh) and
# prints it, only when every build ran: a build that fails ends the run
# non-zero and leaves the previous report as it was.
# Settings (environment): CHECKS [100], REPS [3], RESULTS
# [bench/results/compile-latest.md], CARGO_TARGET_DIR [target].
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/results.sh
results_start CHECKS REPS RESULTS CARGO_TARGET_DIR

CHECKS=${CHECKS:-100}
REPS=${REPS:-3}
RESULTS=${RESULTS:-bench/results/compile-latest.md}
CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
TARGET_DIR=$(realpath -m "$CARGO_TARGET_DIR")
WORKSPACE="$TARGET_DIR/compile-bench"

cargo build --release --quiet -p health-bench --bin compile-gen
CRATES=(checks-macro checks-hand checks-baseline)
for crate in "${CRATES[@]}"; do rm -rf "${WORKSPACE:?}/$crate"; done
"$TARGET_DIR/release/compile-gen" "$WORKSPACE" health-core "$CHECKS" >&2
# The same dependency versions as this workspace.
cp Cargo.lock "$WORKSPACE/Cargo.lock"

cd "$WORKSPACE"
BENCH_TARGET_DIR=$CARGO_TARGET_DIR
export CARGO_TARGET_DIR="$WORKSPACE/target"
# A touched but unchanged file would be replayed from the incremental cache
# (about 0.3 s whatever the crate holds): compile it in full instead.
export CARGO_INCREMENTAL=0
echo "prebuilding dependencies ..." >&2
for crate in "${CRATES[@]}"; do
  cargo build --quiet -p "$crate"
  cargo check --quiet -p "$crate"
done

# Seconds (wall clock) of `cargo $1 -p $2` after touching the crate's source.
timed() {
  touch "$2/src/lib.rs"
  local start end
  start=$(date +%s.%N)
  cargo "$1" --quiet -p "$2"
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }'
}

declare -A RUNS MEDIAN
# Alternate the crates so that a burst of outside load hits both alike.
for rep in $(seq "$REPS"); do
  for command in build check; do
    for crate in "${CRATES[@]}"; do
      echo "cargo $command -p $crate, run $rep ..." >&2
      RUNS[$command/$crate]+="$(timed "$command" "$crate") "
    done
  done
done
for key in "${!RUNS[@]}"; do
  # shellcheck disable=SC2086 # the runs are space-separated numbers
  MEDIAN[$key]=$(median ${RUNS[$key]})
done

lines() { wc -l <"$1/src/lib.rs"; }
# ratio of (A - BASE) to (B - BASE)
above() { awk -v a="$1" -v b="$2" -v z="$3" 'BEGIN { if (b - z <= 0) print "n/a"; else printf "%.2f", (a - z) / (b - z) }'; }
cd - >/dev/null
# The header names the settings as given, not the generated workspace's target.
CARGO_TARGET_DIR=$BENCH_TARGET_DIR
REPORT=$(mktemp)
trap 'rm -f "$REPORT"' EXIT
{
  echo "Each figure: wall time of \`touch src/lib.rs && cargo <command> -p <crate>\` (dev profile, CARGO_INCREMENTAL=0, dependencies prebuilt), median of $REPS runs; runs in seconds in brackets."
  echo
  echo "| crate | source lines | cargo build s | cargo check s |"
  echo "|---|---:|---:|---:|"
  for crate in "${CRATES[@]}"; do
    echo "| $crate | $(lines "$WORKSPACE/$crate") | ${MEDIAN[build/$crate]} (${RUNS[build/$crate]% }) | ${MEDIAN[check/$crate]} (${RUNS[check/$crate]% }) |"
  done
  echo "| ratio macro / hand-written | | $(ratio "${MEDIAN[build/checks-macro]}" "${MEDIAN[build/checks-hand]}") | $(ratio "${MEDIAN[check/checks-macro]}" "${MEDIAN[check/checks-hand]}") |"
  echo "| same, above checks-baseline | | $(above "${MEDIAN[build/checks-macro]}" "${MEDIAN[build/checks-hand]}" "${MEDIAN[build/checks-baseline]}") | $(above "${MEDIAN[check/checks-macro]}" "${MEDIAN[check/checks-hand]}" "${MEDIAN[check/checks-baseline]}") |"
  echo
  echo "\`checks-macro\`: $CHECKS \`#[health_check]\` functions and a \`#[derive(HealthReport)]\` over all of them (depends on health-core and serde_json)."
  echo "\`checks-hand\`: the same functions, plus a hand-written report struct, \`join_all\` under \`tokio::time::timeout\`, a status fold and a \`Serialize\` impl (depends on tokio, futures-util, serde and serde_json)."
  echo "\`checks-baseline\`: the state alone, no check, no dependency: what any rebuild costs; the second ratio subtracts it from both."
  echo "Both end with the same \`readiness_body(&State) -> (u16, String)\` (collect the report, serialize it with serde_json), so each crate compiles its collection and serialization code."
  echo "The hand-written crate does less than the macros give (no panic catching, no registration, no caching, no thresholds): the ratio is an upper bound of the macros' cost for equal function."
} >"$REPORT"
results_write "$RESULTS" "Compile-time benchmark: $CHECKS checks, macros vs hand-written" "$REPORT"
echo "the generated crates are in $WORKSPACE" >&2
