package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

// Semi-synchronous replication states, as /api/v1/admin/replication shows them.
const (
	SemiSyncOn    = "on"    // commits wait for a replica's acknowledgement
	SemiSyncAsync = "async" // enabled, but fallen back after SEMI_SYNC_TIMEOUT
	SemiSyncOff   = "off"   // not enabled on this node
)

// semiSyncState is one node's semi-synchronous replication, read with SHOW
// (which needs no privilege and answers on MariaDB and on MySQL with or
// without the plugins: names are matched by their master/source and
// slave/replica suffixes).
type semiSyncState struct {
	Enabled bool // as a primary: rpl_semi_sync_master_enabled
	Active  bool // as a primary: Rpl_semi_sync_master_status (false: fell back to async)
	Clients int  // replicas acknowledging semi-synchronously
	// ReplicaEnabled and ReplicaActive are the same as a replica.
	ReplicaEnabled, ReplicaActive bool
}

// String is on, async or off for the node as a primary.
func (s semiSyncState) String() string {
	switch {
	case !s.Enabled:
		return SemiSyncOff
	case s.Active:
		return SemiSyncOn
	}
	return SemiSyncAsync
}

func readSemiSync(ctx context.Context, conn *sql.DB, f Flavor) semiSyncState {
	st, _ := tryReadSemiSync(ctx, conn, f)
	return st
}

// tryReadSemiSync is readSemiSync that says whether the node answered (a
// timed-out check must not read as "off").
func tryReadSemiSync(ctx context.Context, conn *sql.DB, _ Flavor) (st semiSyncState, ok bool) {
	vals := map[string]string{}
	for _, q := range []string{"SHOW GLOBAL VARIABLES LIKE 'rpl_semi_sync%'", "SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync%'"} {
		rows, err := conn.QueryContext(ctx, q)
		if err != nil {
			return st, false
		}
		for rows.Next() {
			var k, v string
			if rows.Scan(&k, &v) == nil {
				vals[strings.ToLower(k)] = strings.ToUpper(v)
			}
		}
		rows.Close()
	}
	get := func(names ...string) string {
		for _, n := range names {
			if v, ok := vals[n]; ok {
				return v
			}
		}
		return ""
	}
	on := func(v string) bool { return v == "ON" || v == "1" }
	st.Enabled = on(get("rpl_semi_sync_master_enabled", "rpl_semi_sync_source_enabled"))
	st.Active = on(get("rpl_semi_sync_master_status", "rpl_semi_sync_source_status"))
	st.Clients, _ = strconv.Atoi(get("rpl_semi_sync_master_clients", "rpl_semi_sync_source_clients"))
	st.ReplicaEnabled = on(get("rpl_semi_sync_slave_enabled", "rpl_semi_sync_replica_enabled"))
	st.ReplicaActive = on(get("rpl_semi_sync_slave_status", "rpl_semi_sync_replica_status"))
	return st, true
}

// erPluginExists: INSTALL PLUGIN of a plugin already installed.
const erPluginExists = 1125

// enableSemiSync turns semi-synchronous replication on for a node in both
// roles (any node may be promoted), acknowledged AFTER_SYNC: a commit is
// visible to other sessions only once a replica has it, so a transaction
// nobody saw acknowledged can't be read and then lost in a failover. timeout
// is how long a commit waits before falling back to asynchronous replication.
func enableSemiSync(ctx context.Context, conn *sql.DB, f Flavor, timeout time.Duration) error {
	ms := max(timeout.Milliseconds(), 1)
	var stmts []string
	if f == MySQL {
		for _, p := range [][2]string{{"rpl_semi_sync_source", "semisync_source.so"}, {"rpl_semi_sync_replica", "semisync_replica.so"}} {
			_, err := conn.ExecContext(ctx, fmt.Sprintf("INSTALL PLUGIN %s SONAME '%s'", p[0], p[1]))
			var me *mysql.MySQLError
			if err != nil && !(errors.As(err, &me) && me.Number == erPluginExists) {
				return fmt.Errorf("installing %s: %w", p[0], err)
			}
		}
		stmts = []string{
			"SET GLOBAL rpl_semi_sync_source_wait_point = AFTER_SYNC",
			fmt.Sprintf("SET GLOBAL rpl_semi_sync_source_timeout = %d", ms),
			"SET GLOBAL rpl_semi_sync_source_enabled = 1",
			"SET GLOBAL rpl_semi_sync_replica_enabled = 1",
		}
	} else {
		stmts = []string{
			"SET GLOBAL rpl_semi_sync_master_wait_point = AFTER_SYNC",
			fmt.Sprintf("SET GLOBAL rpl_semi_sync_master_timeout = %d", ms),
			"SET GLOBAL rpl_semi_sync_master_enabled = ON",
			"SET GLOBAL rpl_semi_sync_slave_enabled = ON",
		}
	}
	for _, q := range stmts {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

// restartReceiver restarts a replica's IO thread, which takes up semi-sync
// only when it connects.
func restartReceiver(ctx context.Context, conn *sql.DB, f Flavor) error {
	stop, start := "STOP SLAVE IO_THREAD", "START SLAVE IO_THREAD"
	if f == MySQL {
		stop, start = "STOP REPLICA IO_THREAD", "START REPLICA IO_THREAD"
	}
	for _, q := range []string{stop, start} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}
