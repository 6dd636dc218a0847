#!/usr/bin/env bash
# The criterion micro-benchmarks of health-core, in one command:
#
#   bash scripts/criterion.sh
#
# Runs, each against its hand-written baseline measured in the same run:
#   runtime  cargo bench -p health-core --bench runtime
#            executor (N checks, cache hit and fresh run), derived report,
#            background snapshot to JSON (BENCHMARKS.md section 1)
#   redact   cargo bench -p health-core --bench redact
#            a typical driver error and 1 KiB to 1 MiB of adversarial text,
#            str::contains as the baseline (section 9)
#   events   cargo bench -p health-core --features metrics --bench events
#            one run recorded into a Prometheus exporter vs no recorder, one
#            transition to 1 000 subscribers (section 5)
# with CRITERION_HOME set to a directory of this run's own (so no earlier
# run's figures are picked up), then reads each benchmark's estimates
# (criterion's `new/estimates.json`) and writes the median of each, with
# its 95 % confidence interval and, where the bench sets a throughput, the
# time per byte (redact) or per element (runtime: per check), to
# bench/results/criterion-latest.md (header: scripts/lib/results.sh). A
# bench that fails ends the run non-zero and leaves the previous report as
# it was.
# Settings (environment, defaults in brackets): BENCHES, the benches to run
# [runtime redact events]; CRITERION_ARGS, options given to every bench's
# criterion (e.g. `--warm-up-time 1 --measurement-time 2` for a short run;
# groups that set their own times, redact's adversarial and baseline,
# keep them) [none]; RESULTS [bench/results/criterion-latest.md];
# CARGO_TARGET_DIR [target].
# Takes about 6 minutes with the defaults, after the build.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/results.sh
results_start BENCHES CRITERION_ARGS RESULTS CARGO_TARGET_DIR

BENCHES=${BENCHES:-runtime redact events}
CRITERION_ARGS=${CRITERION_ARGS:-}
RESULTS=${RESULTS:-bench/results/criterion-latest.md}
CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
command -v jq >/dev/null || fail "jq is needed to read criterion's estimates"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
BODY="$WORK/body.md"
: >"$BODY"

# The cargo arguments of bench $1.
cargo_args() {
  case $1 in
    runtime | redact) echo "-p health-core --bench $1" ;;
    events) echo "-p health-core --features metrics --bench events" ;;
    *) fail "unknown bench \`$1\`: runtime, redact or events" ;;
  esac
}
for bench in $BENCHES; do cargo_args "$bench" >/dev/null; done

# Nanoseconds as ns, µs, ms or s with 3 significant digits.
human() {
  awk -v ns="$1" 'BEGIN {
    if (ns < 1) { printf "%.3f ns", ns; exit }
    if (ns < 1e3) { v = ns; u = "ns" } else if (ns < 1e6) { v = ns / 1e3; u = "µs" }
    else if (ns < 1e9) { v = ns / 1e6; u = "ms" } else { v = ns / 1e9; u = "s" }
    d = v < 10 ? 2 : (v < 100 ? 1 : 0); printf "%.*f %s", d, v, u }'
}

for bench in $BENCHES; do
  read -ra args <<<"$(cargo_args "$bench")"
  echo "cargo bench ${args[*]} -- $CRITERION_ARGS ..." >&2
  home="$WORK/criterion-$bench"
  # shellcheck disable=SC2086 # CRITERION_ARGS is a list of options
  CRITERION_HOME="$home" cargo bench --quiet "${args[@]}" -- $CRITERION_ARGS >&2
  [ -d "$home" ] || fail "cargo bench ${args[*]} wrote no estimates under $home"
  {
    echo "## \`cargo bench ${args[*]}\`"
    echo
    echo "| benchmark | median | 95 % CI of the median | median per byte or element (criterion's throughput) |"
    echo "|---|---:|---|---:|"
  } >>"$BODY"
  count=0
  # In the order they ran (criterion writes each benchmark's files when it ends).
  while read -r _ file; do
    dir=$(dirname "$file")
    IFS=$'\t' read -r id median low high per_unit < <(jq -r -n --slurpfile b "$file" --slurpfile e "$dir/estimates.json" \
      '[$b[0].full_id, $e[0].median.point_estimate, $e[0].median.confidence_interval.lower_bound,
        $e[0].median.confidence_interval.upper_bound, (($b[0].throughput // {}) | if .Bytes then "\(.Bytes) byte" elif .BytesDecimal then "\(.BytesDecimal) byte" elif .Elements then "\(.Elements) element" else "-" end)] | @tsv')
    per="-"
    if [ "$per_unit" != "-" ]; then
      per="$(human "$(awk -v ns="$median" -v n="${per_unit% *}" 'BEGIN { print ns / n }')")/${per_unit#* }"
    fi
    echo "| \`$id\` | $(human "$median") | $(human "$low") – $(human "$high") | $per |" >>"$BODY"
    count=$((count + 1))
  done < <(find "$home" -path '*/new/benchmark.json' -printf '%T@ %p\n' | sort -n)
  [ "$count" -gt 0 ] || fail "cargo bench ${args[*]} reported no benchmark"
  echo >>"$BODY"
done
echo "Median: criterion's median of the per-iteration times of its samples (\`estimates.json\`), with its bootstrap 95 % confidence interval." >>"$BODY"
results_write "$RESULTS" "Criterion micro-benchmarks of health-core" "$BODY"
