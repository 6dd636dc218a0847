#!/usr/bin/env bash
# The whole test suite, in one command, on a fresh machine:
#   bash scripts/test.sh
# Installs what the tests need (cargo-expand for the expansion snapshots),
# then runs unit, integration, compile-fail (trybuild), expansion (macrotest)
# and doc tests of every workspace member.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_EXPAND_VERSION=1.0.127
if ! cargo expand --version 2>/dev/null | grep -q "$CARGO_EXPAND_VERSION"; then
  echo "installing cargo-expand $CARGO_EXPAND_VERSION (expansion snapshots need it)"
  cargo install cargo-expand --locked --version "$CARGO_EXPAND_VERSION"
fi

cargo test --workspace --all-features --no-fail-fast
