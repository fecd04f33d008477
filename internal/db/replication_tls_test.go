package db_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/teachtrack/api/internal/config"
	"github.com/teachtrack/api/internal/db"
	"github.com/teachtrack/api/internal/dbtest"
	"github.com/teachtrack/api/internal/testpki"
)

// REPLICATION_TLS: `replication setup` makes the replica connect to the
// primary over TLS and the replication account REQUIRE SSL; a write on the
// primary then reaches the replica through that encrypted channel. Two
// private MariaDB servers (issue 22's ports 3422–3423) with certificates a
// test CA signed.
func TestReplicationOverTLS(t *testing.T) {
	dir := t.TempDir()
	ca := testpki.NewCA(t, dir, "replication-ca")
	cert, key := ca.Issue(t, dir, "localhost")
	tlsOpts := []string{"--ssl-ca=" + ca.File, "--ssl-cert=" + cert, "--ssl-key=" + key, "--log-bin=mysql-bin",
		"--binlog-format=ROW", "--gtid-strict-mode=1", "--log-slave-updates=1"}
	primary := dbtest.StartServer(t, 3422, append([]string{"--server-id=1"}, tlsOpts...)...)
	replica := dbtest.StartServer(t, 3423, append([]string{"--server-id=2", "--read-only=1"}, tlsOpts...)...)
	for _, s := range []*dbtest.Server{primary, replica} {
		s.Exec(t, "SET SESSION sql_log_bin = 0",
			"CREATE USER 'tt_admin'@'%' IDENTIFIED BY 'tls-admin-pw'",
			"GRANT ALL ON *.* TO 'tt_admin'@'%' WITH GRANT OPTION",
			"RESET MASTER")
	}
	node := func(port int) string { return fmt.Sprintf("mysql://tt_admin:tls-admin-pw@localhost:%d/mysql", port) }
	cfg, err := config.Load(func(k string) string {
		return map[string]string{"DATABASE_URL": node(3422), "DATABASE_REPLICA_URLS": node(3423), "DB_TLS": "verify-ca",
			"DB_TLS_CA": ca.File}[k]
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	rc := db.ReplicationConfig{Primary: cfg.Primary, Replicas: cfg.Replicas, AdminUser: "tt_admin", AdminPassword: "tls-admin-pw",
		ReplUser: "tt_repl", ReplPassword: "tls-repl-pw", PrimaryHost: "127.0.0.1:3422", TLS: true, Timeout: 30 * time.Second}
	ctx := context.Background()
	var out strings.Builder
	if err := db.SetupReplication(ctx, rc, &out); err != nil {
		t.Fatalf("replication setup with TLS: %v\n%s", err, out.String())
	}
	primary.Exec(t, "CREATE DATABASE tlsrepl", "CREATE TABLE tlsrepl.t (id INT PRIMARY KEY)", "INSERT INTO tlsrepl.t VALUES (42)")

	root, err := replica.Root()
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	var got int
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if err := root.QueryRow("SELECT id FROM tlsrepl.t").Scan(&got); err == nil || time.Now().After(deadline) {
			break
		}
	}
	if got != 42 {
		t.Fatalf("the primary's row did not reach the replica over TLS (got %d)", got)
	}
	rows, err := root.Query("SHOW SLAVE STATUS")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	raw := make([][]byte, len(cols))
	for i := range vals {
		vals[i] = &raw[i]
	}
	if !rows.Next() {
		t.Fatal("the replica has no replication status")
	}
	if err := rows.Scan(vals...); err != nil {
		t.Fatal(err)
	}
	for i, c := range cols {
		if c == "Master_SSL_Allowed" && string(raw[i]) != "Yes" {
			t.Errorf("Master_SSL_Allowed = %q, want Yes", raw[i])
		}
	}
	var require string
	proot, err := primary.Root()
	if err != nil {
		t.Fatal(err)
	}
	defer proot.Close()
	if err := proot.QueryRow("SELECT ssl_type FROM mysql.user WHERE user = 'tt_repl'").Scan(&require); err != nil || require != "ANY" {
		t.Errorf("tt_repl on the primary: ssl_type %q (%v), want ANY (REQUIRE SSL)", require, err)
	}
	// Run again: idempotent, and already following over TLS.
	out.Reset()
	if err := db.SetupReplication(ctx, rc, &out); err != nil || !strings.Contains(out.String(), "already following") {
		t.Errorf("second setup: %v\n%s", err, out.String())
	}
}
