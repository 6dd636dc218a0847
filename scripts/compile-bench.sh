#!/usr/bin/env bash
# Compile-time cost of the macros (issues 6 and 20), in one command:
#
#   bash scripts/compile-bench.sh
#
# Generates, under the target directory (never in git), a workspace with
# crates in pairs that differ only in how health is written:
#   checks-macro   CHECKS (100) checks declared with #[health_check], and a
#                  #[derive(HealthReport)] over all of them;
#   checks-hand    the same async fns plain, and the aggregation written by
#                  hand: join_all under tokio timeouts, a status fold, a
#                  Serialize impl;
#   service-macro  a service over 10 such checks, its health served by
#                  health-core's features axum (the probes merged into the
#                  app's router, the derived report on a route), tower (the
#                  probes, deep report and metrics as a layer in front of the
#                  admin routes), grpc (the grpc.health.v1 service) and
#                  metrics (recorded into a Prometheus exporter);
#   service-hand   the same service with the same endpoints written by hand:
#                  a background refresh recording the metrics and setting
#                  tonic-health's status, the probes and the report as axum
#                  handlers, metrics behind the same token.
# Each checks crate ends with the same `readiness_body(&State) -> (u16,
# String)` that collects the report and serializes it with serde_json, so
# each compiles its collection code. A fifth crate, checks-baseline (the
# state alone), times what any rebuild costs (cargo's start, fingerprints,
# rustc's start, linking metadata); the checks ratio is also given above it.
#
# Three measurements, each with the dependencies prebuilt:
#   clean rebuild  REPS (5) times `touch src/lib.rs && cargo build -p <crate>`
#                  and the same with `cargo check`, CARGO_INCREMENTAL=0 so
#                  that the crate is compiled in full rather than replayed
#                  from the incremental cache;
#   edit loop      what a developer waits for after an edit: in checks-macro
#                  and checks-hand alike, the body of the check in the middle
#                  (check_050 of 100) gains (or loses) `.map_err(..)` on its
#                  dependency call, then
#                  `cargo check` and `cargo build` run, incremental as the
#                  dev profile is by default (its own target directory, so
#                  that the clean rebuilds stay non-incremental), REPS edits;
# the crates alternate within each repetition so that a burst of outside
# load hits both alike. Each figure is the median of the runs, with every
# run in brackets (the spread); wall time, and the CPU time (user + system,
# of cargo and rustc) that a shared machine disturbs less.
#
# Writes bench/results/compile-latest.md (header: scripts/lib/results.sh) and
# prints it, only when every build ran: a build that fails ends the run
# non-zero and leaves the previous report as it was.
# Settings (environment): CHECKS [100], REPS [5], RESULTS
# [bench/results/compile-latest.md], CARGO_TARGET_DIR [target].
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/results.sh
results_start CHECKS REPS RESULTS CARGO_TARGET_DIR

CHECKS=${CHECKS:-100}
REPS=${REPS:-5}
RESULTS=${RESULTS:-bench/results/compile-latest.md}
CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
TARGET_DIR=$(realpath -m "$CARGO_TARGET_DIR")
WORKSPACE="$TARGET_DIR/compile-bench"

cargo build --release --quiet -p health-bench --bin compile-gen
CRATES=(checks-macro checks-hand checks-baseline service-macro service-hand)
EDITED_CRATES=(checks-macro checks-hand)
for crate in "${CRATES[@]}"; do rm -rf "${WORKSPACE:?}/$crate"; done
"$TARGET_DIR/release/compile-gen" "$WORKSPACE" health-core "$CHECKS" >&2
# The same dependency versions as this workspace.
cp Cargo.lock "$WORKSPACE/Cargo.lock"

cd "$WORKSPACE"
BENCH_TARGET_DIR=$CARGO_TARGET_DIR
CLEAN_TARGET="$WORKSPACE/target"
EDIT_TARGET="$WORKSPACE/target-edit"
# A touched but unchanged file would be replayed from the incremental cache
# (about 0.3 s whatever the crate holds): compile it in full instead.
echo "prebuilding dependencies ..." >&2
for crate in "${CRATES[@]}"; do
  CARGO_INCREMENTAL=0 CARGO_TARGET_DIR=$CLEAN_TARGET cargo build --quiet -p "$crate"
  CARGO_INCREMENTAL=0 CARGO_TARGET_DIR=$CLEAN_TARGET cargo check --quiet -p "$crate"
done
for crate in "${EDITED_CRATES[@]}"; do
  CARGO_TARGET_DIR=$EDIT_TARGET cargo build --quiet -p "$crate"
  CARGO_TARGET_DIR=$EDIT_TARGET cargo check --quiet -p "$crate"
done

# Runs `cargo "$@" --quiet` and prints "wall cpu" in seconds (cpu: user +
# system of cargo and rustc), or "failed".
timed() {
  local TIMEFORMAT='%R %U %S' times
  times=$(mktemp)
  if { time cargo "$@" --quiet 2>&3 >&3; } 3>&2 2>"$times"; then
    awk '{ printf "%.3f %.3f", $1, $2 + $3 }' "$times"
  else
    echo failed
  fi
  rm -f "$times"
}

# Adds `.map_err(..)` to the dependency call of the edited check in crate
# $1, or removes it when it is there: one edit of one check's body.
EDITED=$((CHECKS / 2))
CALL="state.probe($EDITED).await"
EDIT='.map_err(|e| format!("edited: {e}"))'
edit() {
  local file="$1/src/lib.rs"
  if grep -qF "$CALL$EDIT" "$file"; then
    sed -i "s/^    ${CALL//./\\.}\\.map_err.*\$/    $CALL/" "$file"
  else
    sed -i "s/^    ${CALL//./\\.}\$/    $CALL$EDIT/" "$file"
  fi
  grep -qxF "    $CALL" "$file" || grep -qxF "    $CALL$EDIT" "$file" || fail "$file: no check body to edit"
}

declare -A WALL CPU
# Records one run: key, then "wall cpu".
record() {
  local times
  read -r -a times <<<"$2"
  [[ ${times[1]-} =~ ^[0-9.]+$ ]] || fail "$1: the build failed"
  WALL[$1]+="${times[0]} "
  CPU[$1]+="${times[1]} "
}

for rep in $(seq "$REPS"); do
  for command in build check; do
    for crate in "${CRATES[@]}"; do
      echo "cargo $command -p $crate (clean rebuild), run $rep ..." >&2
      touch "$crate/src/lib.rs"
      record "$command/$crate" "$(CARGO_INCREMENTAL=0 CARGO_TARGET_DIR=$CLEAN_TARGET timed "$command" -p "$crate")"
    done
  done
  for crate in "${EDITED_CRATES[@]}"; do
    echo "edit, cargo check and cargo build -p $crate, run $rep ..." >&2
    edit "$crate"
    for command in check build; do
      record "edit-$command/$crate" "$(CARGO_TARGET_DIR=$EDIT_TARGET timed "$command" -p "$crate")"
    done
  done
done

# "median (run run ...)" of the runs recorded under a key, in array $1.
figure() {
  local -n runs=$1
  # shellcheck disable=SC2086 # the runs are space-separated numbers
  echo "$(median ${runs[$2]}) (${runs[$2]% })"
}
# The medians' ratio of two keys, in array $1.
ratio_of() {
  local -n runs=$1
  # shellcheck disable=SC2086
  ratio "$(median ${runs[$2]})" "$(median ${runs[$3]})"
}
# ratio of (A - BASE) to (B - BASE), medians of keys in array $1
above() {
  local -n runs=$1
  # shellcheck disable=SC2086
  awk -v a="$(median ${runs[$2]})" -v b="$(median ${runs[$3]})" -v z="$(median ${runs[$4]})" \
    'BEGIN { if (b - z <= 0) print "n/a"; else printf "%.2f", (a - z) / (b - z) }'
}
lines() { wc -l <"$1/src/lib.rs"; }
# The ratio rows of a pair: wall and CPU, for two commands' keys.
pair_rows() {
  local macro=$1 hand=$2 first=$3 second=$4
  echo "| ratio $macro / $hand, wall | | $(ratio_of WALL "$first/$macro" "$first/$hand") | $(ratio_of WALL "$second/$macro" "$second/$hand") |"
  echo "| ratio $macro / $hand, CPU | | $(ratio_of CPU "$first/$macro" "$first/$hand") | $(ratio_of CPU "$second/$macro" "$second/$hand") |"
}
cd - >/dev/null
# The header names the settings as given, not the generated workspace's target.
CARGO_TARGET_DIR=$BENCH_TARGET_DIR
REPORT=$(mktemp)
trap 'rm -f "$REPORT"' EXIT
{
  echo "Each figure: the median of $REPS runs in seconds, every run in brackets; wall time, and CPU time (user + system of cargo and rustc). Dependencies prebuilt, dev profile."
  echo
  echo "### Clean rebuild: \`touch src/lib.rs && cargo <command> -p <crate>\`, CARGO_INCREMENTAL=0"
  echo
  echo "| crate | source lines | cargo build s | cargo check s |"
  echo "|---|---:|---:|---:|"
  for crate in "${CRATES[@]}"; do
    echo "| $crate, wall | $(lines "$WORKSPACE/$crate") | $(figure WALL "build/$crate") | $(figure WALL "check/$crate") |"
    echo "| $crate, CPU | | $(figure CPU "build/$crate") | $(figure CPU "check/$crate") |"
  done
  pair_rows checks-macro checks-hand build check
  echo "| same, above checks-baseline, wall | | $(above WALL build/checks-macro build/checks-hand build/checks-baseline) | $(above WALL check/checks-macro check/checks-hand check/checks-baseline) |"
  pair_rows service-macro service-hand build check
  echo
  echo "### Edit loop: one check's body edited, then \`cargo check\` and \`cargo build\`, incremental (the dev profile's default)"
  echo
  echo "| crate | | cargo check s | cargo build s |"
  echo "|---|---|---:|---:|"
  for crate in "${EDITED_CRATES[@]}"; do
    echo "| $crate, wall | | $(figure WALL "edit-check/$crate") | $(figure WALL "edit-build/$crate") |"
    echo "| $crate, CPU | | $(figure CPU "edit-check/$crate") | $(figure CPU "edit-build/$crate") |"
  done
  pair_rows checks-macro checks-hand edit-check edit-build
  echo
  echo "\`checks-macro\`: $CHECKS \`#[health_check]\` functions and a \`#[derive(HealthReport)]\` over all of them (depends on health-core and serde_json)."
  echo "\`checks-hand\`: the same functions, plus a hand-written report struct, \`join_all\` under \`tokio::time::timeout\`, a status fold and a \`Serialize\` impl (depends on tokio, futures-util, serde and serde_json)."
  echo "\`checks-baseline\`: the state alone, no check, no dependency: what any rebuild costs; the \"above\" ratio subtracts it from both."
  echo "\`service-macro\`: 10 such checks and their report served by health-core with the features axum, tower, grpc and metrics (router merged into the app, layer in front of the admin routes with metrics behind a token, the gRPC health service, a Prometheus recorder)."
  echo "\`service-hand\`: the same endpoints written by hand on axum, tonic-health and the metrics facade (a background refresh that records metrics and sets the gRPC status; the probes and the report as handlers)."
  echo "Edit loop: the body of check $EDITED gains or loses \`.map_err(..)\` on its dependency call before each pair of \`cargo check\` and \`cargo build\` (its own target directory)."
  echo "The hand-written crates do less than the macros give (no panic catching, no registration, no caching, no thresholds, no transitions): the ratios are upper bounds of the macros' cost for equal function."
} >"$REPORT"
results_write "$RESULTS" "Compile-time benchmark: $CHECKS checks and a service, macros vs hand-written" "$REPORT"
echo "the generated crates are in $WORKSPACE" >&2
