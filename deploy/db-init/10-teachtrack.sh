# Initialisation of every database node of docker-compose.replication.yml.
#
# The mariadb and mysql images SOURCE this file (it must stay non-executable, so that
# docker_process_sql, the entrypoint's root client on the init socket, is defined) once, on an
# empty data volume, after they have created MYSQL_DATABASE and MYSQL_USER, with the server's
# own command line: binlog on, and read-only (every node: `replication setup` makes the primary
# writable; root is exempt).
#
# 1. The application's account may read replication state (the API's replica health checker
#    runs SHOW SLAVE/REPLICA STATUS) but gets no SUPER / READ ONLY ADMIN, so read_only still
#    stops it writing to a replica.
# 2. The entrypoint wrote CREATE DATABASE / CREATE USER / GRANT to each node's binlog under that
#    node's own server id. Left there, the primary would send its copies to replicas that
#    already ran the same statements (the SQL thread stops on "CREATE USER failed"), and each
#    replica's local GTIDs would diverge from the primary's (MariaDB's gtid_current_pos, which
#    the health checker compares, and gtid_strict_mode both trip on that). Every node ran the
#    same init, so the data already agree: forget that history on every node. Replication
#    then starts from an empty GTID position, and everything `api replication setup` and the
#    migrations write later reaches the replicas through the binlog.

teachtrack_app_user=${MARIADB_USER:-$MYSQL_USER}
teachtrack_app_user=${teachtrack_app_user//\'/\'\'}

if command -v mariadbd >/dev/null 2>&1; then
	mysql_note "teachtrack: MariaDB: SLAVE MONITOR for '$teachtrack_app_user', then an empty GTID history"
	docker_process_sql --database=mysql <<-EOSQL
		SET SESSION sql_log_bin = 0;
		GRANT SLAVE MONITOR ON *.* TO '${teachtrack_app_user}'@'%';
		RESET MASTER;
		SET GLOBAL gtid_slave_pos = '';
	EOSQL
else
	mysql_note "teachtrack: MySQL: REPLICATION CLIENT for '$teachtrack_app_user', then an empty GTID history"
	docker_process_sql --database=mysql <<-EOSQL
		SET SESSION sql_log_bin = 0;
		GRANT REPLICATION CLIENT ON *.* TO '${teachtrack_app_user}'@'%';
	EOSQL
	# RESET BINARY LOGS AND GTIDS replaced RESET MASTER in MySQL 8.2 (8.4 has only the new name).
	docker_process_sql --database=mysql <<<'RESET BINARY LOGS AND GTIDS' 2>/dev/null \
		|| docker_process_sql --database=mysql <<<'RESET MASTER'
fi
unset teachtrack_app_user
