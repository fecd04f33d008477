#!/bin/bash
# Entrypoint of the mariadb:10.11 stand-in: on an empty data directory it does
# what the official image's entrypoint does for the variables and hooks the
# compose file uses — MARIADB_/MYSQL_ ROOT_PASSWORD, DATABASE, USER, PASSWORD,
# then /docker-entrypoint-initdb.d/*.sh (sourced, with docker_process_sql and
# mysql_note defined) and *.sql — on a temporary server listening on its socket
# only, so a TCP health check passes only once initialisation has finished.
set -eo pipefail

mysql_note() { echo "$(date -u +%FT%TZ) [Note] [Entrypoint]: $*"; }
mysql_error() { echo "$(date -u +%FT%TZ) [ERROR] [Entrypoint]: $*" >&2; exit 1; }

env_of() { local a="MARIADB_$1" b="MYSQL_$1"; echo "${!a:-${!b:-}}"; }

SOCKET=/run/mysqld/mysqld.sock
docker_process_sql() {
	mariadb --protocol=socket -S "$SOCKET" -uroot ${ROOT_PW:+-p"$ROOT_PW"} --comments "$@"
}

if [ "${1:0:1}" = '-' ]; then
	set -- mariadbd "$@"
fi

if [ "$1" = mariadbd ] || [ "$1" = mysqld ]; then
	DATADIR=/var/lib/mysql
	if [ ! -d "$DATADIR/mysql" ]; then
		ROOT_PASSWORD=$(env_of ROOT_PASSWORD)
		DATABASE=$(env_of DATABASE)
		USER=$(env_of USER)
		PASSWORD=$(env_of PASSWORD)
		[ -n "$ROOT_PASSWORD" ] || mysql_error "MARIADB_ROOT_PASSWORD (or MYSQL_ROOT_PASSWORD) is required"
		mysql_note "initialising the database directory"
		mariadb-install-db --user=mysql --datadir="$DATADIR" --skip-test-db --auth-root-authentication-method=normal >/dev/null
		mysql_note "starting a temporary server (socket only)"
		mariadbd --user=mysql --datadir="$DATADIR" --skip-networking --socket="$SOCKET" "${@:2}" &
		pid=$!
		for _ in $(seq 1 60); do
			mariadb --protocol=socket -S "$SOCKET" -uroot -e 'SELECT 1' >/dev/null 2>&1 && break
			sleep 1
		done
		esc() { printf '%s' "$1" | sed "s/'/''/g; s/\\\\/\\\\\\\\/g"; }
		docker_process_sql <<-EOSQL
			SET @@SESSION.SQL_LOG_BIN=0;
			DELETE FROM mysql.global_priv WHERE User='' OR (User='root' AND Host NOT IN ('localhost'));
			CREATE USER 'root'@'%' IDENTIFIED BY '$(esc "$ROOT_PASSWORD")';
			GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;
			ALTER USER 'root'@'localhost' IDENTIFIED BY '$(esc "$ROOT_PASSWORD")';
			FLUSH PRIVILEGES;
		EOSQL
		ROOT_PW=$ROOT_PASSWORD
		if [ -n "$DATABASE" ]; then
			mysql_note "creating database $DATABASE"
			docker_process_sql <<<"CREATE DATABASE IF NOT EXISTS \`$DATABASE\`;"
		fi
		if [ -n "$USER" ] && [ -n "$PASSWORD" ]; then
			mysql_note "creating user $USER"
			docker_process_sql <<<"CREATE USER '$(esc "$USER")'@'%' IDENTIFIED BY '$(esc "$PASSWORD")';"
			[ -z "$DATABASE" ] || docker_process_sql <<<"GRANT ALL ON \`$DATABASE\`.* TO '$(esc "$USER")'@'%';"
		fi
		for f in /docker-entrypoint-initdb.d/*; do
			case "$f" in
				*.sh) mysql_note "sourcing $f"; . "$f" ;;
				*.sql) mysql_note "running $f"; docker_process_sql ${DATABASE:+--database="$DATABASE"} <"$f" ;;
				*) ;;
			esac
		done
		mysql_note "stopping the temporary server"
		kill "$pid"
		wait "$pid" || true
		mysql_note "initialisation done"
	fi
	exec mariadbd --user=mysql --datadir="$DATADIR" --bind-address=0.0.0.0 --port=3306 --socket="$SOCKET" "${@:2}"
fi
exec "$@"
