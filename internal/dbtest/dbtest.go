// Package dbtest gives tests a fresh database on the real local cluster
// (scripts/devdb.sh): created on the primary, replicated to every replica,
// migrated, and dropped when the test ends. Nothing here fakes a database.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/teachtrack/api/internal/config"
	"github.com/teachtrack/api/internal/db"
	"github.com/teachtrack/api/migrations"
)

// Defaults match scripts/devdb.sh; TEST_* variables point tests elsewhere.
var defaults = map[string]string{
	"TEST_DATABASE_URL":          "mysql://teachtrack:teachtrack-dev@127.0.0.1:3316/teachtrack",
	"TEST_DATABASE_REPLICA_URLS": "mysql://teachtrack:teachtrack-dev@127.0.0.1:3317/teachtrack,mysql://teachtrack:teachtrack-dev@127.0.0.1:3318/teachtrack",
	"TEST_DB_ADMIN_USER":         "tt_admin",
	"TEST_DB_ADMIN_PASSWORD":     "tt-admin-dev",
	"TEST_REPLICATION_PASSWORD":  "tt-repl-dev",
	"TEST_REDIS_URL":             "redis://127.0.0.1:6379/0",
}

// Env returns a TEST_* setting or its devdb default.
func Env(name string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return defaults[name]
}

// Database is a fresh, migrated database replicated to every replica.
type Database struct {
	Name string
	// Getenv answers like the process environment of an API pointed at this
	// database; tests override entries with Set.
	vars  map[string]string
	admin *sql.DB
}

// Getenv returns the environment variable the API would see.
func (d *Database) Getenv(k string) string { return d.vars[k] }

// Set overrides one variable of the API's environment.
func (d *Database) Set(k, v string) { d.vars[k] = v }

// Config loads the API's configuration for this database.
func (d *Database) Config() (*config.Config, error) { return config.Load(d.Getenv, "") }

// Admin is an administrative connection to the primary (no database selected).
func (d *Database) Admin() *sql.DB { return d.admin }

// AdminTo opens an administrative connection to one node (0 = primary, 1.. =
// replicas) with this database selected.
func (d *Database) AdminTo(node int) (*sql.DB, error) { return d.adminTo(node, d.Name) }

// adminTo connects to node with dbName selected ("" for none).
func (d *Database) adminTo(node int, dbName string) (*sql.DB, error) {
	cfg, err := d.Config()
	if err != nil {
		return nil, err
	}
	n := cfg.Primary
	if node > 0 {
		n = cfg.Replicas[node-1]
	}
	c := n.Clone()
	c.User, c.Passwd, c.DBName = Env("TEST_DB_ADMIN_USER"), Env("TEST_DB_ADMIN_PASSWORD"), dbName
	return sql.Open("mysql", c.FormatDSN())
}

// New creates a migrated database for t and drops it when t ends.
func New(t testing.TB) *Database {
	t.Helper()
	return newFor(t, true)
}

// NewEmpty is New without the migrations, for tests of migrating itself.
func NewEmpty(t testing.TB) *Database {
	t.Helper()
	return newFor(t, false)
}

func newFor(t testing.TB, migrate bool) *Database {
	t.Helper()
	d, err := create(context.Background(), Env("TEST_DATABASE_URL"), Env("TEST_DATABASE_REPLICA_URLS"), migrate)
	if err != nil {
		t.Fatalf("dbtest: %v (is the local cluster up? run `make db-up`)", err)
	}
	t.Cleanup(func() { d.Drop() })
	return d
}

// Create makes a fresh database named tt_test_<random>, grants the app user on
// it, waits until every replica has it, and applies the migrations. For use in
// TestMain; call Drop when done.
func Create(ctx context.Context) (*Database, error) {
	return create(ctx, Env("TEST_DATABASE_URL"), Env("TEST_DATABASE_REPLICA_URLS"), true)
}

func create(ctx context.Context, primary, replicas string, migrate bool) (*Database, error) {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	primaryURL, err := config.ParseDatabaseURL(primary)
	if err != nil {
		return nil, fmt.Errorf("TEST_DATABASE_URL %v", err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "tt_test_" + hex.EncodeToString(b[:])

	adminCfg := primaryURL.Clone()
	adminCfg.User, adminCfg.Passwd, adminCfg.DBName = Env("TEST_DB_ADMIN_USER"), Env("TEST_DB_ADMIN_PASSWORD"), ""
	admin, err := sql.Open("mysql", adminCfg.FormatDSN())
	if err != nil {
		return nil, err
	}
	stmts := []string{
		"CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
		fmt.Sprintf("GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, DROP, INDEX, REFERENCES, LOCK TABLES, CREATE TEMPORARY TABLES ON `%s`.* TO '%s'@'%%'", name, primaryURL.User),
	}
	for _, s := range stmts {
		if _, err := admin.ExecContext(ctx, s); err != nil {
			admin.Close()
			return nil, err
		}
	}
	d := &Database{Name: name, admin: admin, vars: map[string]string{
		"APP_ENV":               "test",
		"DATABASE_URL":          withDB(primary, name),
		"DATABASE_REPLICA_URLS": withDBList(replicas, name),
		"DB_ADMIN_USER":         Env("TEST_DB_ADMIN_USER"),
		"DB_ADMIN_PASSWORD":     Env("TEST_DB_ADMIN_PASSWORD"),
		"REPLICATION_PASSWORD":  Env("TEST_REPLICATION_PASSWORD"),
		"JWT_SECRET":            "test-secret-0123456789abcdef0123456789abcdef",
		"BCRYPT_COST":           "4",
		"ROUTING_DEBUG_HEADER":  "true",
		"HEALTH_INTERVAL":       "100ms",
		"LOGIN_RATE_LIMIT":      "1000",
		"REGISTER_RATE_LIMIT":   "1000",
	}}
	cfg, err := d.Config()
	if err != nil {
		d.Drop()
		return nil, err
	}
	if migrate {
		conn, err := sql.Open("mysql", cfg.Primary.FormatDSN())
		if err != nil {
			d.Drop()
			return nil, err
		}
		defer conn.Close()
		if err := db.Migrate(ctx, conn, migrations.FS, "up", discard{}); err != nil {
			d.Drop()
			return nil, fmt.Errorf("migrating %s: %w", name, err)
		}
	}
	if err := d.WaitReplicas(ctx); err != nil {
		d.Drop()
		return nil, err
	}
	return d, nil
}

// WaitReplicas blocks until every replica has applied everything the primary has.
func (d *Database) WaitReplicas(ctx context.Context) error {
	var pos string
	if err := d.admin.QueryRowContext(ctx, "SELECT @@GLOBAL.gtid_binlog_pos").Scan(&pos); err != nil {
		return err
	}
	cfg, err := d.Config()
	if err != nil {
		return err
	}
	for i := range cfg.Replicas {
		// No database selected: the replica may not have created it yet, which
		// is what this waits for.
		conn, err := d.adminTo(i+1, "")
		if err != nil {
			return err
		}
		var res sql.NullInt64
		err = conn.QueryRowContext(ctx, "SELECT MASTER_GTID_WAIT(?, 30)", pos).Scan(&res)
		conn.Close()
		if err != nil {
			return fmt.Errorf("replica-%d: %w", i+1, err)
		}
		if !res.Valid || res.Int64 != 0 {
			return fmt.Errorf("replica-%d did not reach %s in 30s: is replication running? (make db-status)", i+1, pos)
		}
	}
	return nil
}

// Drop removes the database.
func (d *Database) Drop() {
	if d.admin == nil {
		return
	}
	_, _ = d.admin.Exec("DROP DATABASE IF EXISTS `" + d.Name + "`")
	d.admin.Close()
	d.admin = nil
}

func withDB(raw, name string) string {
	cfg, err := config.ParseDatabaseURL(raw)
	if err != nil {
		return raw
	}
	u := url.URL{Scheme: "mysql", User: url.UserPassword(cfg.User, cfg.Passwd), Host: cfg.Addr, Path: "/" + name}
	return u.String()
}

func withDBList(raw, name string) string {
	var out []string
	for _, r := range strings.Split(raw, ",") {
		if strings.TrimSpace(r) != "" {
			out = append(out, withDB(r, name))
		}
	}
	return strings.Join(out, ",")
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// Processlist returns SHOW FULL PROCESSLIST as one column → value map per
// connection (SHOW rather than information_schema: it needs no temporary table).
func Processlist(conn *sql.DB) ([]map[string]string, error) {
	rows, err := conn.Query("SHOW FULL PROCESSLIST")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []map[string]string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make(map[string]string, len(cols))
		for i, c := range cols {
			row[c] = vals[i].String
		}
		out = append(out, row)
	}
	return out, rows.Err()
}
