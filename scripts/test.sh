#!/usr/bin/env bash
# The whole test suite, in one command, on a fresh machine:
#   bash scripts/test.sh
# Installs what the tests need (cargo-expand for the expansion snapshots,
# HAProxy and nginx for tests-lb, Prometheus for the demo's metrics, Chromium
# for the status page, grpcio's Python client for gRPC interop), then runs unit, integration, compile-fail
# (trybuild), expansion (macrotest) and doc tests of every workspace member.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_EXPAND_VERSION=1.0.127
if ! cargo expand --version 2>/dev/null | grep -q "$CARGO_EXPAND_VERSION"; then
  echo "installing cargo-expand $CARGO_EXPAND_VERSION (expansion snapshots need it)"
  cargo install cargo-expand --locked --version "$CARGO_EXPAND_VERSION"
fi

# tests-lb runs the real load balancers, examples/tests/prometheus.rs a real
# Prometheus, examples/tests/status_page.rs headless Chromium (Debian packages named like their binaries; a missing one fails
# those tests, naming it). nginx lives in /usr/sbin, which a non-root PATH lacks.
missing=()
for binary in haproxy nginx prometheus chromium; do
  PATH="$PATH:/usr/sbin:/usr/local/sbin" command -v "$binary" >/dev/null || missing+=("$binary")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} (the end-to-end tests run them)"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
fi

# examples/tests/grpc_interop.rs asks the demo with the gRPC project's own
# Python client (PyPI), from a throwaway virtualenv under target/.
GRPC_VENV=target/grpc-venv
if ! "$GRPC_VENV/bin/python" -c "import grpc, grpc_health.v1.health_pb2" 2>/dev/null; then
  echo "creating $GRPC_VENV (the gRPC interop test runs grpcio's health-checking client)"
  python3 -m venv "$GRPC_VENV"
  "$GRPC_VENV/bin/pip" install --quiet grpcio==1.85.3 grpcio-health-checking==1.85.1
fi

cargo test --workspace --all-features --no-fail-fast
