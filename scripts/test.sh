#!/usr/bin/env bash
# The whole test suite, in one command, on a fresh Debian or Ubuntu machine:
#   bash scripts/test.sh            # prepare (below), start the servers, run every test
#   bash scripts/test.sh --prepare  # only install what the tests need, then exit
#
# Preparing installs what is missing, and only that (run again with
# everything present it needs no network):
# - Debian packages, through apt-get (as root, or with sudo): python3 and
#   python3-venv (gRPC interop client), procps (`kill`), the six servers the
#   dependency tests talk to (postgresql, mariadb-server, redis-server,
#   rabbitmq-server, nats-server, mosquitto), haproxy and nginx (tests-lb),
#   prometheus (the demo's metrics, promtool for the alert rules) and
#   chromium (the status page). Their services are not started by the
#   install (scripts/services.sh runs throwaway instances instead);
# - cargo-expand, for the macro expansion snapshots;
# - grpcio's Python client in a virtualenv under target/grpc-venv;
# - every crate of Cargo.lock (`cargo fetch`).
# Then scripts/services.sh starts the servers whose ports do not answer
# (and stops them again when this script ends, however it ends), and the
# unit, integration, compile-fail (trybuild), expansion (macrotest) and doc
# tests of every workspace member run.
set -euo pipefail
cd "$(dirname "$0")/.."
# One full build, not a cache for edits: incremental state would only fill the disk.
export CARGO_INCREMENTAL=0

prepare_only=false
case "${1:-}" in
  "") ;;
  --prepare) prepare_only=true ;;
  *)
    echo "usage: bash scripts/test.sh [--prepare]" >&2
    exit 2
    ;;
esac

# --- Debian packages --------------------------------------------------------
# Each package is looked for by what the tests run from it; apt-get is
# called (and its index updated) only when one is missing.
has() { PATH="$PATH:/usr/sbin:/usr/local/sbin:/sbin" command -v "$1" >/dev/null; }
missing=()
want() { missing+=("$1"); }
python3 -c "import ensurepip, venv" 2>/dev/null || want python3-venv
type -P kill >/dev/null || want procps
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || want postgresql
has mariadbd || want mariadb-server
has redis-server || want redis-server
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || want rabbitmq-server
has nats-server || want nats-server
has mosquitto || want mosquitto
has haproxy || want haproxy
has nginx || want nginx
{ has prometheus && has promtool; } || want prometheus
[ -x /usr/bin/chromium ] || want chromium

if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} with apt-get (the tests run them)"
  sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || {
      echo "apt-get needs root: run this as root or install sudo" >&2
      exit 1
    }
    sudo="sudo"
  fi
  # Installing a server must not start it (no system service appears behind
  # the developer's back, and a chroot or container has no init): a
  # policy-rc.d that refuses every start, for the install only, unless the
  # machine has its own.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    trap '$sudo rm -f "$policy"' EXIT
    printf '#!/bin/sh\n# scripts/test.sh: no service starts during its install\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod 755 "$policy"
  fi
  $sudo apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
  if [ -n "${policy:-}" ] && grep -q "scripts/test.sh" "$policy" 2>/dev/null; then
    $sudo rm -f "$policy"
    trap - EXIT
  fi
fi

# --- cargo-expand -----------------------------------------------------------
CARGO_EXPAND_VERSION=1.0.127
if ! cargo expand --version 2>/dev/null | grep -q "$CARGO_EXPAND_VERSION"; then
  echo "installing cargo-expand $CARGO_EXPAND_VERSION (expansion snapshots need it)"
  cargo install cargo-expand --locked --version "$CARGO_EXPAND_VERSION"
fi

# --- grpcio's client --------------------------------------------------------
# examples/tests/grpc_interop.rs asks the demo with the gRPC project's own
# Python client (PyPI), from a throwaway virtualenv under target/.
GRPC_VENV=target/grpc-venv
if ! "$GRPC_VENV/bin/python" -c "import grpc, grpc_health.v1.health_pb2" 2>/dev/null; then
  echo "creating $GRPC_VENV (the gRPC interop test runs grpcio's health-checking client)"
  rm -rf "$GRPC_VENV"
  python3 -m venv "$GRPC_VENV"
  "$GRPC_VENV/bin/pip" install --quiet grpcio==1.85.3 grpcio-health-checking==1.85.1
fi

# --- crates -----------------------------------------------------------------
# Every crate of Cargo.lock, for every platform (the MSRV test reads them
# all with `cargo metadata --offline`). Quiet and offline when all are there.
cargo fetch --locked --quiet

if $prepare_only; then
  echo "prepared: everything the tests need is installed"
  exit 0
fi

# --- servers and tests ------------------------------------------------------
# Stopped on exit: the servers this run started, not those a developer
# started by hand (`bash scripts/services.sh up`) before it.
started=target/services/started-by-test-sh
mkdir -p target/services
rm -f "$started"
trap '[ ! -s "$started" ] || bash scripts/services.sh down $(cat "$started")' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
SERVICES_STARTED="$PWD/$started" bash scripts/services.sh up

cargo test --workspace --all-features --no-fail-fast
