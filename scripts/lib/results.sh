# Shared by the benchmark scripts (sourced, not run): every results file
# under bench/results/ is written by its script, in full, with one header.
#
#   results_start NAME...   first thing after `cd` to the workspace root,
#                           before the settings' defaults are applied: NAME...
#                           are the script's settings (environment variables);
#                           records the start, the commit, the exact command
#                           (with the settings given in the environment) and
#                           the machine's load before the run
#   results_write FILE TITLE BODY
#                           once the run is complete: writes FILE as the
#                           header (title, date, commit, command, settings
#                           with their values, machine and load before and
#                           after) followed by the Markdown file BODY,
#                           through a temporary file renamed over FILE, so a
#                           failed or interrupted run never leaves half a
#                           report; prints it too
#
# and the helpers the scripts share: `median`, `ratio`, `pin_cpus`, `fail`.
# A script that sources this runs under `set -euo pipefail`: any command that
# fails ends the run, non-zero, before results_write.

# The commit: `git rev-parse --short HEAD`, plus "+dirty" when the tree has
# changes (tracked or untracked) outside bench/results/ (the reports
# themselves, which every run rewrites).
results_commit() {
  local commit
  commit=$(git rev-parse --short HEAD)
  if [ -n "$(git status --porcelain -- . ':!bench/results' 2>/dev/null)" ]; then
    commit+="+dirty"
  fi
  echo "$commit"
}

# The 1, 5 and 15 minute load averages.
results_loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# Processes other than this run's using more than 5 % of a CPU over one
# second (other builds and benchmarks on a shared machine).
results_busy() {
  if ! command -v top >/dev/null; then
    echo "unknown (no top)"
    return
  fi
  top -b -n 2 -d 1 -w 200 | awk '
    /^top -/ { round++ }
    round == 2 && $1 ~ /^[0-9]+$/ && $9 + 0 > 5 && $12 != "top" { printf "%s%s %s%%", sep, $12, $9; sep = ", " }
    END { if (sep == "") printf "none" }'
}

results_start() {
  RESULTS_SETTINGS=("$@")
  RESULTS_STARTED=$(date -u '+%Y-%m-%d %H:%M:%S')
  RESULTS_COMMIT=$(results_commit)
  local given=() name
  for name in "$@"; do
    if [ -n "${!name+set}" ]; then given+=("$name=$(printf '%q' "${!name}")"); fi
  done
  RESULTS_COMMAND="${given[*]}${given[*]:+ }bash scripts/$(basename "$0")"
  RESULTS_LOAD_BEFORE=$(results_loadavg)
  RESULTS_BUSY_BEFORE=$(results_busy)
}

results_write() {
  local file=$1 title=$2 body=$3 settings="" name
  for name in "${RESULTS_SETTINGS[@]}"; do
    settings+="${settings:+, }\`$name=${!name-}\`"
  done
  local load_after busy_after
  load_after=$(results_loadavg)
  busy_after=$(results_busy)
  mkdir -p "$(dirname "$file")"
  local tmp
  tmp=$(mktemp "$(dirname "$file")/.$(basename "$file").XXXXXX")
  {
    echo "# $title"
    echo
    echo "Written by \`scripts/$(basename "$0")\` in full (never edited by hand)."
    echo
    echo "| run | |"
    echo "|---|---|"
    echo "| date (UTC) | $RESULTS_STARTED to $(date -u '+%H:%M:%S') |"
    echo "| commit | \`$RESULTS_COMMIT\` |"
    echo "| command | \`$RESULTS_COMMAND\` |"
    echo "| settings | ${settings:-none} |"
    echo "| machine | $(nproc) CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(rustc --version 2>/dev/null || echo 'rustc unknown') |"
    echo "| load average (1, 5, 15 min) | before: $RESULTS_LOAD_BEFORE; after: $load_after |"
    echo "| other processes busy (over 1 s) | before: $RESULTS_BUSY_BEFORE; after: $busy_after |"
    echo
    cat "$body"
  } >"$tmp"
  chmod 644 "$tmp"
  mv "$tmp" "$file"
  cat "$file"
  echo >&2
  echo "written to $file" >&2
}

# Prints its arguments to stderr and ends the run, non-zero.
fail() {
  echo "$(basename "$0"): $*" >&2
  exit 1
}

# The median of the arguments as written (the lower middle one for an even count).
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $0 } END { print v[int((NR + 1) / 2)] }'; }

# ratio A B [digits]: A / B, or n/a when B is 0.
ratio() { awk -v a="$1" -v b="$2" -v d="${3:-2}" 'BEGIN { if (b == 0) print "n/a"; else printf "%.*f", d, a / b }'; }

# Sets SERVER_PIN and LOAD_PIN (taskset prefixes: CPU 0 and CPU 1) and
# PINNING (what was done), or empty prefixes without taskset or 2 CPUs.
pin_cpus() {
  if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
    SERVER_PIN=(taskset -c 0)
    LOAD_PIN=(taskset -c 1)
    PINNING="server on CPU 0, load on CPU 1 (taskset)"
  else
    SERVER_PIN=()
    LOAD_PIN=()
    PINNING="none (taskset missing or fewer than 2 CPUs): server and load share the CPUs"
  fi
}
