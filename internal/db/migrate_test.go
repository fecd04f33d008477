package db_test

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/google/go-cmp/cmp"

	"github.com/teachtrack/api/internal/db"
	"github.com/teachtrack/api/internal/dbtest"
	"github.com/teachtrack/api/migrations"
)

// lockName is the lock Migrate takes (see migrate.go), evaluated in a session
// that has the database selected.
const lockName = "CONCAT('teachtrack.migrate.', MD5(DATABASE()))"

// migrationFiles lists the embedded migrations, so the test follows new ones.
func migrationFiles(t *testing.T) []string {
	t.Helper()
	files, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no embedded migrations: %v", err)
	}
	return files
}

// tableExists probes the table itself: information_schema queries build Aria
// temporary tables, and polling them next to concurrent DDL crashed MariaDB
// 10.11.19 (signal 11 in ha_maria::drop_table) once.
func tableExists(t *testing.T, admin *sql.DB, dbName, table string) bool {
	t.Helper()
	_, err := admin.Exec("SELECT 1 FROM `" + dbName + "`.`" + table + "` LIMIT 0")
	var me *mysql.MySQLError
	switch {
	case err == nil:
		return true
	case errors.As(err, &me) && me.Number == 1146: // no such table
		return false
	}
	t.Fatal(err)
	return false
}

// lockWaiters counts the sessions on dbName waiting in GET_LOCK, from SHOW
// FULL PROCESSLIST (not information_schema, see tableExists).
func lockWaiters(t *testing.T, admin *sql.DB, dbName string) int {
	t.Helper()
	procs, err := dbtest.Processlist(admin)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, row := range procs {
		if row["db"] == dbName && strings.HasPrefix(row["Info"], "SELECT GET_LOCK(") {
			n++
		}
	}
	return n
}

// TestMigrateConcurrentUp starts two "up" runs on a fresh database while the
// migration lock is held elsewhere, checks both wait on it and touch nothing,
// then lets them go: both succeed and the migrations are applied once.
func TestMigrateConcurrentUp(t *testing.T) {
	d := dbtest.NewEmpty(t)
	cfg := loadConfig(t, d)
	primary := openApp(t, cfg.Primary)
	ctx := context.Background()
	admin := d.Admin()

	holderDB, err := d.AdminTo(0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { holderDB.Close() })
	holder, err := holderDB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	var got int
	if err := holder.QueryRowContext(ctx, "SELECT GET_LOCK("+lockName+", 5)").Scan(&got); err != nil || got != 1 {
		t.Fatalf("taking the migration lock: %d, %v", got, err)
	}

	var wg sync.WaitGroup
	outs := make([]strings.Builder, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() { errs[i] = db.Migrate(ctx, primary, migrations.FS, "up", &outs[i]) })
	}
	// Both runs must be waiting on the lock before it is let go.
	deadline := time.Now().Add(30 * time.Second)
	for {
		waiting := lockWaiters(t, admin, d.Name)
		if waiting == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of 2 migrate runs are waiting on the lock after 30s", waiting)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if tableExists(t, admin, d.Name, "goose_db_version") || tableExists(t, admin, d.Name, "users") {
		t.Fatal("a migrate run changed the schema while another session held the lock")
	}
	if _, err := holder.ExecContext(ctx, "SELECT RELEASE_LOCK("+lockName+")"); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("migrate up #%d: %v\n%s", i+1, err, outs[i].String())
		}
	}
	// One run applied everything; the other found nothing to do.
	files := migrationFiles(t)
	applied := outs[0].String() + outs[1].String()
	for _, f := range files {
		if n := strings.Count(applied, "migrated up "+f); n != 1 {
			t.Errorf("%s applied %d times, want once:\n%s", f, n, applied)
		}
	}
	for _, table := range []string{"users", "schools"} {
		if !tableExists(t, admin, d.Name, table) {
			t.Errorf("table %s missing after migrate up", table)
		}
	}
}

func TestMigrateStatusAndDown(t *testing.T) {
	d := dbtest.NewEmpty(t)
	cfg := loadConfig(t, d)
	primary := openApp(t, cfg.Primary)
	ctx := context.Background()
	files := migrationFiles(t)
	last := files[len(files)-1]

	migrate := func(command string) string {
		t.Helper()
		var out strings.Builder
		if err := db.Migrate(ctx, primary, migrations.FS, command, &out); err != nil {
			t.Fatalf("migrate %s: %v\n%s", command, err, out.String())
		}
		return out.String()
	}
	// status maps each file to "applied" or "pending".
	status := func() map[string]string {
		t.Helper()
		got := map[string]string{}
		for _, line := range strings.Split(strings.TrimSpace(migrate("status")), "\n") {
			fields := strings.Fields(line)
			if len(fields) < 2 {
				t.Fatalf("status line %q", line)
			}
			got[fields[0]] = fields[1]
		}
		return got
	}
	all := func(state string) map[string]string {
		m := map[string]string{}
		for _, f := range files {
			m[f] = state
		}
		return m
	}

	if diff := cmp.Diff(status(), all("pending")); diff != "" {
		t.Errorf("status of a fresh database (-got +want):\n%s", diff)
	}
	migrate("up")
	if diff := cmp.Diff(status(), all("applied")); diff != "" {
		t.Errorf("status after up (-got +want):\n%s", diff)
	}
	if out := migrate("up"); out != "" {
		t.Errorf("second up printed %q, want nothing to do", out)
	}

	if out := migrate("down"); out != "migrated down "+last+"\n" {
		t.Errorf("down printed %q, want the last migration rolled back", out)
	}
	want := all("applied")
	want[last] = "pending"
	if diff := cmp.Diff(status(), want); diff != "" {
		t.Errorf("status after down (-got +want):\n%s", diff)
	}
	if last == "00001_users_schools.sql" {
		for _, table := range []string{"users", "schools"} {
			if tableExists(t, d.Admin(), d.Name, table) {
				t.Errorf("table %s still exists after rolling back %s", table, last)
			}
		}
	}
	// The down migration leaves a schema the up migration applies to again.
	migrate("up")
	if diff := cmp.Diff(status(), all("applied")); diff != "" {
		t.Errorf("status after down and up (-got +want):\n%s", diff)
	}

	t.Run("unknown command", func(t *testing.T) {
		err := db.Migrate(ctx, primary, migrations.FS, "sideways", &strings.Builder{})
		if err == nil || !strings.Contains(err.Error(), "sideways") {
			t.Errorf("migrate sideways = %v, want an error naming the command", err)
		}
	})
}
