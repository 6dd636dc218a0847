#!/usr/bin/env bash
# The six servers the tests talk to, on their default ports on 127.0.0.1:
#   bash scripts/services.sh up     # start what is missing
#   bash scripts/services.sh down   # stop what `up` started, nothing else
#   bash scripts/services.sh down redis nats   # only those (if ours)
#   bash scripts/services.sh status
#
# For each server: if its port already answers (a machine or CI where it
# runs), it is used as it is and never touched. If not, a throwaway instance
# of our own is started without systemd (a container or a chroot has none),
# with the authentication the tests expect:
#   PostgreSQL  5432  database `test`, `postgres` without password over TCP (trust)
#   MariaDB     3306  database `test`, `root` without password over TCP
#   Redis       6379  no password
#   RabbitMQ    5672  guest/guest from loopback (RabbitMQ's default)
#   NATS        4222  JetStream on (-js)
#   Mosquitto   1883  anonymous
# Its data, log and pid file live under target/services/<name>/; `down`
# stops exactly the processes whose pid files `up` wrote. The binaries come
# from the Debian packages `bash scripts/test.sh --prepare` installs.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD/target/services"
PATH="$PATH:/usr/sbin:/usr/local/sbin:/sbin"

say() { echo "services: $*"; }
die() {
  echo "services: $*" >&2
  exit 1
}

# True when something accepts TCP connections on 127.0.0.1:$1.
answers() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# Waits up to $3 seconds for port $2 of server $1; on timeout prints the
# end of its log and fails.
wait_port() {
  local name=$1 port=$2 seconds=$3 i
  for ((i = 0; i < seconds * 5; i++)); do
    answers "$port" && return 0
    sleep 0.2
  done
  tail -n 30 "$ROOT/$name/log" >&2 2>/dev/null || true
  die "$name did not answer on 127.0.0.1:$port within ${seconds}s (log: $ROOT/$name/log)"
}

need() { command -v "$1" >/dev/null || die "$1 not found: run \`bash scripts/test.sh --prepare\` (installs $2)"; }

# The pid in $ROOT/$1/pid when that process is alive and is still the
# program $2 (a pid left by a killed run may since belong to another
# program); empty otherwise.
our_pid() {
  local file="$ROOT/$1/pid" pid
  [ -s "$file" ] || return 0
  pid=$(head -n 1 "$file")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  [ -r "/proc/$pid/cmdline" ] || return 0
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$2" || return 0
  echo "$pid"
}

# A fresh directory for server $1 (data of a previous throwaway run is removed).
fresh_dir() {
  rm -rf "${ROOT:?}/$1"
  mkdir -p "$ROOT/$1"
}

# Runs a command as an unprivileged user when we are root (PostgreSQL refuses
# to run as root).
as_postgres() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start_postgres() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$bin" ] && [ -x "$bin/postgres" ] || die "PostgreSQL not found: run \`bash scripts/test.sh --prepare\` (installs postgresql)"
  fresh_dir postgres
  local dir="$ROOT/postgres"
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$dir"
    runuser -u postgres -- test -w "$dir" ||
      die "user postgres cannot write $dir (a parent directory is not searchable by it); run from a checkout outside /root"
  fi
  as_postgres "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    die "initdb failed: $(tail -n 5 "$dir/initdb.log")"
  as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=5432 -c unix_socket_directories=''" start >/dev/null ||
    die "PostgreSQL did not start: $(tail -n 5 "$dir/log")"
  head -n 1 "$dir/data/postmaster.pid" >"$dir/pid"
  "$bin/psql" -h 127.0.0.1 -U postgres -d postgres -q -c "CREATE DATABASE test" >/dev/null
}

start_mariadb() {
  need mariadbd mariadb-server
  fresh_dir mariadb
  local dir="$ROOT/mariadb"
  # --user=root: mariadbd runs as whoever starts it; root must say so.
  # --skip-name-resolve, --force: accounts by address (root@127.0.0.1), so
  # no /etc/hosts entry for the host name is needed.
  local user=()
  [ "$(id -u)" = 0 ] && user=(--user=root)
  mariadb-install-db --no-defaults "${user[@]}" --datadir="$dir/data" \
    --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve --force >"$dir/install.log" 2>&1 ||
    die "mariadb-install-db failed: $(tail -n 5 "$dir/install.log")"
  setsid mariadbd --no-defaults "${user[@]}" --datadir="$dir/data" --bind-address=127.0.0.1 --port=3306 --skip-name-resolve \
    --socket="$dir/mysqld.sock" --pid-file="$dir/pid" --log-error="$dir/log" \
    </dev/null >/dev/null 2>&1 &
  wait_port mariadb 3306 60
  mariadb --no-defaults -h 127.0.0.1 -P 3306 -u root -e "CREATE DATABASE IF NOT EXISTS test"
}

start_redis() {
  need redis-server redis-server
  fresh_dir redis
  local dir="$ROOT/redis"
  redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --pidfile "$dir/pid" \
    --dir "$dir" --logfile "$dir/log" --save '' --appendonly no
  wait_port redis 6379 30
}

start_rabbitmq() {
  local server=/usr/lib/rabbitmq/bin/rabbitmq-server
  [ -x "$server" ] || die "RabbitMQ not found: run \`bash scripts/test.sh --prepare\` (installs rabbitmq-server)"
  fresh_dir rabbitmq
  local dir="$ROOT/rabbitmq"
  # The Erlang port mapper: started by the node when none runs; remembered
  # so that `down` stops it only then.
  answers 4369 || touch "$dir/own-epmd"
  # Everything in our directory; the node runs as whoever starts it (the
  # wrapper in /usr/sbin would switch to the rabbitmq user). The node is
  # named by its address, so no /etc/hosts entry for localhost is needed (a
  # fresh chroot or container may have none).
  cat >"$dir/env" <<EOF
export HOME="$dir"
export RABBITMQ_NODENAME=health-test@127.0.0.1
export RABBITMQ_USE_LONGNAME=true
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_NODE_PORT=5672
export RABBITMQ_DIST_PORT=25673
export RABBITMQ_MNESIA_BASE="$dir/mnesia"
export RABBITMQ_LOG_BASE="$dir/logs"
export RABBITMQ_PID_FILE="$dir/pid"
export RABBITMQ_CONFIG_FILE="$dir/rabbitmq"
export RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config"
export RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
export RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf"
EOF
  : >"$dir/rabbitmq.conf"
  echo "[]." >"$dir/enabled_plugins"
  echo "[]." >"$dir/advanced.config"
  : >"$dir/rabbitmq-env.conf"
  (
    # shellcheck source=/dev/null
    . "$dir/env"
    cd "$dir"
    setsid "$server" </dev/null >"$dir/log" 2>&1 &
  )
  wait_port rabbitmq 5672 120
}

start_nats() {
  need nats-server nats-server
  fresh_dir nats
  local dir="$ROOT/nats"
  setsid nats-server -a 127.0.0.1 -p 4222 -js -sd "$dir/jetstream" -P "$dir/pid" -l "$dir/log" \
    </dev/null >/dev/null 2>&1 &
  wait_port nats 4222 30
}

start_mosquitto() {
  need mosquitto mosquitto
  fresh_dir mosquitto
  local dir="$ROOT/mosquitto"
  cat >"$dir/mosquitto.conf" <<EOF
listener 1883 127.0.0.1
allow_anonymous true
persistence false
pid_file $dir/pid
log_dest file $dir/log
user $(id -un)
EOF
  # (Its warning about running as root goes to the start log, not the terminal.)
  mosquitto -c "$dir/mosquitto.conf" -d 2>"$dir/start.log" || die "mosquitto did not start: $(cat "$dir/start.log")"
  wait_port mosquitto 1883 30
}

# name port program-in-cmdline
SERVERS=(
  "postgres 5432 postgres"
  "mariadb 3306 mariadbd"
  "redis 6379 redis-server"
  "rabbitmq 5672 beam"
  "nats 4222 nats-server"
  "mosquitto 1883 mosquitto"
)

up() {
  local entry name port program
  mkdir -p "$ROOT"
  for entry in "${SERVERS[@]}"; do
    read -r name port program <<<"$entry"
    if answers "$port"; then
      if [ -n "$(our_pid "$name" "$program")" ]; then
        say "$name: ours from an earlier run, on 127.0.0.1:$port"
      else
        say "$name: 127.0.0.1:$port answers, using it (not ours, left alone)"
      fi
      continue
    fi
    say "$name: starting a throwaway instance on 127.0.0.1:$port (data in target/services/$name)"
    # The caller's record of what this `up` started (scripts/test.sh stops
    # only those, not servers a developer started by hand before).
    [ -z "${SERVICES_STARTED:-}" ] || echo "$name" >>"$SERVICES_STARTED"
    "start_$name"
  done
}

# Stops process $2 of server $1 and waits for it to end.
stop_pid() {
  local name=$1 pid=$2 i signal=TERM
  # PostgreSQL's fast shutdown (TERM waits for clients to leave).
  [ "$name" = postgres ] && signal=INT
  kill -"$signal" "$pid" 2>/dev/null || true
  for ((i = 0; i < 300; i++)); do
    [ -d "/proc/$pid" ] || return 0
    # A zombie of ours (a child of this shell) has ended too.
    grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null && return 0
    sleep 0.2
  done
  say "$name (pid $pid) did not stop within 60s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

down() {
  local entry name port program pid
  [ -d "$ROOT" ] || return 0
  for entry in "${SERVERS[@]}"; do
    read -r name port program <<<"$entry"
    # With names given, only those.
    [ $# -eq 0 ] || [[ " $* " == *" $name "* ]] || continue
    pid=$(our_pid "$name" "$program")
    if [ -n "$pid" ]; then
      say "$name: stopping ours (pid $pid)"
      stop_pid "$name" "$pid"
    fi
    rm -f "$ROOT/$name/pid"
    if [ "$name" = rabbitmq ] && [ -f "$ROOT/rabbitmq/own-epmd" ]; then
      # The port mapper our node started (none ran before `up`).
      epmd -kill >/dev/null 2>&1 || true
      rm -f "$ROOT/rabbitmq/own-epmd"
    fi
  done
}

status() {
  local entry name port program pid
  for entry in "${SERVERS[@]}"; do
    read -r name port program <<<"$entry"
    pid=$(our_pid "$name" "$program")
    if [ -n "$pid" ]; then
      say "$name: ours, pid $pid, 127.0.0.1:$port"
    elif answers "$port"; then
      say "$name: 127.0.0.1:$port answers (not ours)"
    else
      say "$name: 127.0.0.1:$port does not answer"
    fi
  done
}

case "${1:-}" in
  up) up ;;
  down)
    shift
    down "$@"
    ;;
  status) status ;;
  *) die "usage: bash scripts/services.sh up|down|status" ;;
esac
