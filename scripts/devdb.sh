#!/usr/bin/env bash
# devdb.sh — a local MariaDB primary (127.0.0.1:3316) and two replicas (3317, 3318)
# with binlog + GTID replication, data under .devdb/. No Docker needed.
#
#   scripts/devdb.sh up       start (creating on first run); safe to repeat, recovers after a crash
#   scripts/devdb.sh down     stop all three nodes
#   scripts/devdb.sh status   show each node and its replication state
#   scripts/devdb.sh reset    wipe .devdb/ and build it anew
#   scripts/devdb.sh node-up N   start node N (0-2) alone, read-only, without re-wiring replication
#                                (a former primary coming back: see `api replication rejoin`)
#   scripts/devdb.sh redis    make sure a Redis answers on 127.0.0.1:6379 (for the tests)
#
# The MariaDB on 3306 (if any) is never touched.
set -euo pipefail

root_dir=$(cd "$(dirname "$0")/.." && pwd)
dir=${DEVDB_DIR:-$root_dir/.devdb}
# DEVDB_PORTS lets fault-injection tests run a private cluster of their own beside this one.
read -r -a ports <<<"${DEVDB_PORTS:-3316 3317 3318}"
names=(primary replica-1 replica-2)
app_user=teachtrack
app_pass=${DEVDB_APP_PASSWORD:-teachtrack-dev}
admin_user=tt_admin
admin_pass=${DEVDB_ADMIN_PASSWORD:-tt-admin-dev}
repl_pass=${DEVDB_REPL_PASSWORD:-tt-repl-dev}
database=teachtrack

log() { echo "devdb: $*" >&2; }

# apt_install <binary> <packages…> — installs Debian packages when binary is missing.
apt_install() {
  local bin=$1; shift
  if command -v "$bin" >/dev/null 2>&1 || [ -x "/usr/sbin/$bin" ] || [ -x "/usr/bin/$bin" ]; then return; fi
  log "$bin not found: installing $* from Debian packages"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if ! command -v apt-get >/dev/null 2>&1; then
    log "no apt-get here: install $* and run again"
    exit 1
  fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  # A policy-rc.d that answers 101 stops the package from starting a server of
  # its own on its default port (only when the machine has none, and removed afterwards).
  local policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null && $sudo chmod 755 "$policy"
  fi
  local rc=0
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null || rc=$?
  [ -z "$policy" ] || $sudo rm -f "$policy"
  [ "$rc" -eq 0 ] || { log "installing $* failed (apt-get exit $rc)"; exit 1; }
}

ensure_mariadb() { apt_install mariadbd mariadb-server mariadb-client; }

# redis_up — a Redis on 127.0.0.1:6379 for the tests of shared consistency
# points; an existing one is used as it is.
redis_up() {
  if (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then return; fi
  apt_install redis-server redis-server
  log "starting redis-server on 127.0.0.1:6379 (nothing kept on disk)"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /tmp --logfile "${TMPDIR:-/tmp}/teachtrack-redis.log"
  for _ in $(seq 1 40); do (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && return; sleep 0.25; done
  log "redis-server did not start; see ${TMPDIR:-/tmp}/teachtrack-redis.log"; exit 1
}

mariadbd_bin() { command -v mariadbd 2>/dev/null || echo /usr/sbin/mariadbd; }

sock() { echo "$dir/$1/mysqld.sock"; }
pidfile() { echo "$dir/$1/mysqld.pid"; }

# client <node> — the mariadb client as the OS user over the node's socket (unix_socket auth).
client() { local n=$1; shift; mariadb --protocol=socket -S "$(sock "$n")" -uroot "$@"; }

alive() { client "$1" -N -e 'SELECT 1' >/dev/null 2>&1; }

# running <node> — the pid file names a live mariadbd serving this node's data
# directory. A SIGKILLed server can linger as a zombie (kill -0 succeeds on it),
# and pids wrap quickly (pid_max is often 32768), so a stale pid file can name
# another program or another cluster's mariadbd: none of these counts, and none
# must be sent a signal.
running() {
  local pid
  pid=$(cat "$(pidfile "$1")" 2>/dev/null) || return 1
  [ -n "$pid" ] || return 1
  [ "$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1)" != Z ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "--datadir=$dir/$1/data "
}

start_node() {
  local i=$1 n=${names[$1]} port=${ports[$1]}
  local data="$dir/$n/data"
  if alive "$n"; then return; fi
  # Already served on this port (e.g. started from another checkout): use it as
  # it is — except for a test's private cluster, which must own its nodes.
  if [ -z "${DEVDB_PRIVATE:-}" ] && mariadb --protocol=tcp -h127.0.0.1 -P"$port" -u"$admin_user" -p"$admin_pass" -N -e 'SELECT 1' >/dev/null 2>&1; then
    return
  fi
  # A killed server leaves its pid and socket behind: clear them so it starts again.
  if [ -f "$(pidfile "$n")" ] && ! running "$n"; then
    rm -f "$(pidfile "$n")" "$(sock "$n")" "$(sock "$n").lock"
  fi
  if [ ! -d "$data/mysql" ]; then
    log "initialising $n"
    rm -rf "$data"; mkdir -p "$data"
    # Each node has a temporary directory of its own: servers sharing /tmp
    # were seen to lose (and crash on) each other's internal temporary tables.
    mkdir -p "$dir/$n/tmp"
    TMPDIR="$dir/$n/tmp" mariadb-install-db --no-defaults --datadir="$data" --user="$(id -un)" \
      --auth-root-authentication-method=socket --auth-root-socket-user="$(id -un)" \
      --skip-test-db >"$dir/$n/install.log" 2>&1 || { cat "$dir/$n/install.log" >&2; exit 1; }
  fi
  # Every node starts read-only, the primary too: a server coming back after a
  # crash or a failover must never take writes before someone decides it is
  # the primary. `api replication setup` (run by `up`) makes the primary —
  # found by its role, not its position here — writable.
  local ro=1
  log "starting $n on 127.0.0.1:$port"
  mkdir -p "$dir/$n/tmp"
  TMPDIR="$dir/$n/tmp" nohup "$(mariadbd_bin)" --no-defaults --user="$(id -un)" --datadir="$data" --tmpdir="$dir/$n/tmp" \
    --port="$port" --bind-address=127.0.0.1 --socket="$(sock "$n")" --pid-file="$(pidfile "$n")" \
    --log-error="$dir/$n/error.log" --server-id=$((i + 1)) --log-bin=mysql-bin --log-slave-updates=1 \
    --binlog-format=ROW --gtid-strict-mode=1 --read-only=$ro --skip-name-resolve \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
    --innodb-buffer-pool-size=64M --innodb-log-file-size=48M --max-connections=300 \
    --relay-log=relay-bin --skip-slave-start=0 --expire-logs-days=2 \
    --rpl-semi-sync-master-enabled=ON --rpl-semi-sync-slave-enabled=ON \
    --rpl-semi-sync-master-wait-point=AFTER_SYNC --rpl-semi-sync-master-timeout=1000 >/dev/null 2>&1 &
  for _ in $(seq 1 120); do
    alive "$n" && return
    sleep 0.25
  done
  log "$n did not start; last lines of $dir/$n/error.log:"; tail -20 "$dir/$n/error.log" >&2; exit 1
}

# Users exist on every node with sql_log_bin=0, so they never travel through replication
# and a replica's GTID history stays a prefix of the primary's.
create_users() {
  local n=$1
  client "$n" <<SQL
SET SESSION sql_log_bin = 0;
CREATE USER IF NOT EXISTS '$admin_user'@'%' IDENTIFIED BY '$admin_pass';
GRANT ALL PRIVILEGES ON *.* TO '$admin_user'@'%' WITH GRANT OPTION;
CREATE USER IF NOT EXISTS '$app_user'@'%' IDENTIFIED BY '$app_pass';
CREATE DATABASE IF NOT EXISTS $database CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, DROP, INDEX, REFERENCES, LOCK TABLES, CREATE TEMPORARY TABLES ON $database.* TO '$app_user'@'%';
GRANT SLAVE MONITOR ON *.* TO '$app_user'@'%';
SQL
}

api() { (cd "$root_dir" && go run ./cmd/api "$@"); }

export_env() {
  export DATABASE_URL="mysql://$app_user:$app_pass@127.0.0.1:${ports[0]}/$database"
  export DATABASE_REPLICA_URLS="mysql://$app_user:$app_pass@127.0.0.1:${ports[1]}/$database,mysql://$app_user:$app_pass@127.0.0.1:${ports[2]}/$database"
  export DB_ADMIN_USER="$admin_user" DB_ADMIN_PASSWORD="$admin_pass"
  export REPLICATION_USER=tt_repl REPLICATION_PASSWORD="$repl_pass"
}

up() {
  ensure_mariadb
  mkdir -p "$dir"
  for i in 0 1 2; do start_node "$i"; done
  for n in "${names[@]}"; do [ -S "$(sock "$n")" ] && create_users "$n"; done
  export_env
  api replication setup
}

down() {
  for n in "${names[@]}"; do
    if running "$n"; then
      log "stopping $n"
      kill "$(cat "$(pidfile "$n")")"
      for _ in $(seq 1 120); do running "$n" || break; sleep 0.25; done
      if running "$n"; then
        log "$n (pid $(cat "$(pidfile "$n")")) did not stop within 30s; see $dir/$n/error.log"
        exit 1
      fi
    fi
  done
}

status() {
  export_env
  api replication status
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  reset) down; rm -rf "$dir"; up ;;
  redis) redis_up ;;
  node-up) ensure_mariadb; start_node "${2:?usage: $0 node-up 0|1|2}" ;;
  env) export_env; env | grep -E '^(DATABASE_|DB_ADMIN_|REPLICATION_)' | sort ;;
  *) echo "usage: $0 up|down|status|reset" >&2; exit 2 ;;
esac
