package db_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/teachtrack/api/internal/config"
	"github.com/teachtrack/api/internal/db"
	"github.com/teachtrack/api/internal/dbtest"
	"github.com/teachtrack/api/internal/models"
)

// These tests run against the local cluster (scripts/devdb.sh): the primary on
// 3316 and the replicas on 3317 and 3318, each test in a fresh database.

func loadConfig(t *testing.T, d *dbtest.Database) *config.Config {
	t.Helper()
	cfg, err := d.Config()
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Replicas) != 2 {
		t.Fatalf("the test cluster has %d replicas configured, want 2", len(cfg.Replicas))
	}
	return cfg
}

// openApp connects as the application user to one node.
func openApp(t *testing.T, node *mysql.Config) *sql.DB {
	t.Helper()
	conn, err := sql.Open("mysql", node.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func replicationConfig(cfg *config.Config) db.ReplicationConfig {
	return db.ReplicationConfig{
		Primary: cfg.Primary, Replicas: cfg.Replicas,
		AdminUser: cfg.DBAdminUser, AdminPassword: cfg.DBAdminPassword,
		ReplUser: cfg.ReplicationUser, ReplPassword: cfg.ReplicationPassword,
		PrimaryHost: cfg.ReplicationPrimaryHost, Timeout: time.Minute,
	}
}

// writeAndSeeEverywhere inserts a row through the primary and checks that each
// replica serves it once it has applied the primary's position (MASTER_GTID_WAIT
// bounds the wait; no sleeping).
func writeAndSeeEverywhere(t *testing.T, cfg *config.Config, body string) {
	t.Helper()
	ctx := context.Background()
	primary := openApp(t, cfg.Primary)
	if _, err := primary.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS replication_probe (id BIGINT AUTO_INCREMENT PRIMARY KEY, body VARCHAR(100) NOT NULL) ENGINE=InnoDB"); err != nil {
		t.Fatal(err)
	}
	res, err := primary.ExecContext(ctx, "INSERT INTO replication_probe (body) VALUES (?)", body)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	var pos string
	if err := primary.QueryRowContext(ctx, "SELECT @@GLOBAL.gtid_binlog_pos").Scan(&pos); err != nil {
		t.Fatal(err)
	}
	for i, r := range cfg.Replicas {
		replica := openApp(t, r)
		var waited sql.NullInt64
		if err := replica.QueryRowContext(ctx, "SELECT MASTER_GTID_WAIT(?, 30)", pos).Scan(&waited); err != nil {
			t.Fatalf("replica-%d: MASTER_GTID_WAIT: %v", i+1, err)
		}
		if !waited.Valid || waited.Int64 != 0 {
			t.Fatalf("replica-%d did not reach the primary's position %s within 30s", i+1, pos)
		}
		var got string
		if err := replica.QueryRowContext(ctx, "SELECT body FROM replication_probe WHERE id = ?", id).Scan(&got); err != nil {
			t.Fatalf("replica-%d: reading the row written on the primary: %v", i+1, err)
		}
		if got != body {
			t.Errorf("replica-%d has body %q, want %q", i+1, got, body)
		}
	}
}

func TestWriteOnPrimaryReachesBothReplicas(t *testing.T) {
	d := dbtest.New(t)
	writeAndSeeEverywhere(t, loadConfig(t, d), "written on the primary")
}

func TestAppUserCannotWriteOnReplica(t *testing.T) {
	d := dbtest.New(t)
	cfg := loadConfig(t, d)
	ctx := context.Background()
	for i, r := range cfg.Replicas {
		t.Run(fmt.Sprintf("replica-%d", i+1), func(t *testing.T) {
			replica := openApp(t, r)
			_, err := replica.ExecContext(ctx, "INSERT INTO schools (name) VALUES (?)", "Written on a replica")
			var me *mysql.MySQLError
			if !errors.As(err, &me) || me.Number != 1290 {
				t.Fatalf("INSERT on replica-%d as the app user: err = %v, want MySQL error 1290 (read_only)", i+1, err)
			}
			if !strings.Contains(err.Error(), "read-only") {
				t.Errorf("error %q does not mention read-only", err)
			}
			if got := db.Translate(err); !errors.Is(got, models.ErrUnavailable) {
				t.Errorf("Translate(%v) = %v, want models.ErrUnavailable", err, got)
			}
			var n int
			if err := replica.QueryRowContext(ctx, "SELECT COUNT(*) FROM schools").Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Errorf("replica-%d has %d schools after a refused write, want 0", i+1, n)
			}
			// The app user holds no SUPER, so it can't lift read_only either.
			if _, err := replica.ExecContext(ctx, "SET GLOBAL read_only = 0"); err == nil {
				admin, aerr := d.AdminTo(i + 1)
				if aerr == nil {
					_, _ = admin.Exec("SET GLOBAL read_only = 1")
					admin.Close()
				}
				t.Fatalf("the app user turned read_only off on replica-%d (restored)", i+1)
			}
		})
	}
}

func TestSetupReplicationTwiceIsHarmless(t *testing.T) {
	d := dbtest.New(t)
	cfg := loadConfig(t, d)
	rc := replicationConfig(cfg)
	ctx := context.Background()
	var outputs []string
	for run := 1; run <= 2; run++ {
		var out strings.Builder
		if err := db.SetupReplication(ctx, rc, &out); err != nil {
			t.Fatalf("setup run %d: %v\n%s", run, err, out.String())
		}
		outputs = append(outputs, out.String())
	}
	second := outputs[1]
	for i, r := range cfg.Replicas {
		want := fmt.Sprintf("replica-%d %s: already following %s", i+1, r.Addr, cfg.Primary.Addr)
		if !strings.Contains(second, want) {
			t.Errorf("second setup output lacks %q:\n%s", want, second)
		}
		if want := fmt.Sprintf("replica-%d %s: caught up", i+1, r.Addr); !strings.Contains(second, want) {
			t.Errorf("second setup output lacks %q:\n%s", want, second)
		}
	}
	for _, out := range outputs {
		for _, pw := range []string{cfg.DBAdminPassword, cfg.ReplicationPassword, cfg.Primary.Passwd} {
			if strings.Contains(out, pw) {
				t.Errorf("setup output shows a password:\n%s", out)
			}
		}
	}
	assertReplicating(t, rc)
	writeAndSeeEverywhere(t, cfg, "written after two setups")
}

// assertReplicating checks that replication status sees every node and both
// threads of each replica running.
func assertReplicating(t *testing.T, rc db.ReplicationConfig) {
	t.Helper()
	st, err := db.ReplicationStatus(context.Background(), rc)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 1+len(rc.Replicas) {
		t.Fatalf("status has %d nodes, want %d", len(st), 1+len(rc.Replicas))
	}
	type view struct {
		Name, Role                             string
		Reachable, ReadOnly, IO, SQL, LagKnown bool
		Error                                  string
	}
	for i, s := range st {
		got := view{s.Name, s.Role, s.Reachable, s.ReadOnly, s.IORunning, s.SQLRunning, s.LagSeconds != nil, s.Error}
		want := view{"primary", "primary", true, false, false, false, false, ""}
		if i > 0 {
			want = view{fmt.Sprintf("replica-%d", i), "replica", true, true, true, true, true, ""}
		}
		if got != want {
			t.Errorf("node %d: got %+v, want %+v", i, got, want)
		}
		if s.GTID == "" {
			t.Errorf("%s reports no GTID position", s.Name)
		}
	}
}

func TestReplicationStatus(t *testing.T) {
	d := dbtest.New(t)
	rc := replicationConfig(loadConfig(t, d))
	assertReplicating(t, rc)

	var out strings.Builder
	st, err := db.ReplicationStatus(context.Background(), rc)
	if err != nil {
		t.Fatal(err)
	}
	db.WriteStatusTable(&out, st)
	if lines := strings.Split(strings.TrimSpace(out.String()), "\n"); len(lines) != 4 {
		t.Errorf("status table has %d lines, want a header and 3 nodes:\n%s", len(lines), out.String())
	}
}

func TestReplicationBadAdminCredentials(t *testing.T) {
	d := dbtest.New(t)
	cfg := loadConfig(t, d)
	rc := replicationConfig(cfg)
	rc.AdminPassword = "Wrong-Admin-Pa55word"
	rc.Timeout = 20 * time.Second

	var out strings.Builder
	err := db.SetupReplication(context.Background(), rc, &out)
	if err == nil {
		t.Fatal("setup with a wrong admin password succeeded")
	}
	for _, s := range []string{err.Error(), out.String()} {
		if strings.Contains(s, rc.AdminPassword) || strings.Contains(s, rc.ReplPassword) {
			t.Errorf("setup's error or output shows a password: %q", s)
		}
	}
	if !strings.Contains(err.Error(), "Access denied") {
		t.Errorf("error %q does not say access was denied", err)
	}

	st, err := db.ReplicationStatus(context.Background(), rc)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		if s.Reachable || s.Error == "" {
			t.Errorf("%s: Reachable=%v Error=%q, want unreachable with an error", s.Name, s.Reachable, s.Error)
		}
		if strings.Contains(s.Error, rc.AdminPassword) {
			t.Errorf("%s: error %q shows the password", s.Name, s.Error)
		}
	}

	t.Run("no admin user", func(t *testing.T) {
		rc := replicationConfig(cfg)
		rc.AdminUser = ""
		err := db.SetupReplication(context.Background(), rc, &out)
		if err == nil || !strings.Contains(err.Error(), "DB_ADMIN_USER") {
			t.Errorf("setup without DB_ADMIN_USER = %v, want an error naming it", err)
		}
	})
}
