package faulttest_test

import (
	"context"
	"database/sql"
	"net/http"
	"runtime"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/teachtrack/api/internal/dbtest"
)

// TestClientDisconnectCancelsQuery makes PATCH /auth/me wait on a row lock
// held by an administrator, then hangs up the clients: their requests'
// contexts must end the queries, return every connection to the pool and
// leave no goroutine behind.
func TestClientDisconnectCancelsQuery(t *testing.T) {
	cl := privateCluster(t)
	d := cl.Database(t)
	// A long write timeout, so only the client's going away can end the wait.
	a := newAPI(t, d, "DB_WRITE_TIMEOUT", "60s")
	u := a.register(t, "hangup@example.com")
	a.do(context.Background(), u.token, "GET", "/api/v1/auth/me", nil) // warm the pools
	// The administrator's pool is opened before the baseline is taken: its
	// goroutines are the test's, not the API's.
	admin := adminConn(t, d, 0)
	tx, err := admin.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	a.client.CloseIdleConnections()
	time.Sleep(200 * time.Millisecond)
	baseGoroutines := runtime.NumGoroutine()
	primary := a.cluster.Primary().DB

	var id uint64
	if err := tx.QueryRow("SELECT id FROM users WHERE id = ? FOR UPDATE", u.id).Scan(&id); err != nil {
		t.Fatal(err)
	}

	const clients = 5
	ctx, hangUp := context.WithCancel(context.Background())
	done := make(chan result, clients)
	for range clients {
		go func() {
			done <- a.do(ctx, u.token, "PATCH", "/api/v1/auth/me", map[string]string{"full_name": "Never"})
		}()
	}
	waiting := func() int { return waitingUpdates(t, admin, d.Name) }
	dbtest.WaitFor(t, 20*time.Second, "the updates waiting on the lock", func() bool { return waiting() == clients })
	inUse := primary.Stats().InUse
	t.Logf("%d updates wait on the lock; primary pool in use: %d; goroutines %d (baseline %d)", clients, inUse, runtime.NumGoroutine(), baseGoroutines)

	hangUp()
	for range clients {
		if r := <-done; r.err == nil {
			t.Errorf("a client that hung up got an answer: %d %s", r.status, r.body)
		}
	}
	took := dbtest.WaitFor(t, 20*time.Second, "the pool's connections back", func() bool { return primary.Stats().InUse == 0 })
	t.Logf("pool connections released %s after the clients hung up", took)
	// The driver ends a cancelled query by closing its connection, but
	// MariaDB notices only when the statement's lock wait ends: the statement
	// lingers on the server (holding no pool connection) and, if the lock is
	// released first, still runs. A known limitation (see the README's
	// failure table): the client that hung up can't know either way.
	t.Logf("server-side statements still waiting after the hang-up: %d", waiting())

	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	dbtest.WaitFor(t, 20*time.Second, "the lingering statements done", func() bool { return waiting() == 0 })
	var name string
	if err := admin.QueryRow("SELECT full_name FROM `"+d.Name+"`.users WHERE id = ?", u.id).Scan(&name); err != nil {
		t.Fatal(err)
	}
	t.Logf("full name after the lock was released: %q (%q means a statement of a client that hung up ran on the server)", name, "Never")
	a.client.CloseIdleConnections()
	deadline := time.Now().Add(20 * time.Second)
	for runtime.NumGoroutine() > baseGoroutines+2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > baseGoroutines+2 {
		var stacks strings.Builder
		_ = pprof.Lookup("goroutine").WriteTo(&stacks, 1)
		t.Errorf("%d goroutines 20s after the hang-ups, baseline %d:\n%s", n, baseGoroutines, stacks.String())
	}
	if res := a.do(context.Background(), u.token, "PATCH", "/api/v1/auth/me", map[string]string{"full_name": "After"}); res.status != http.StatusOK {
		t.Errorf("a write after the hang-ups: %d %s", res.status, res.body)
	}
}

// waitingUpdates counts the statements updating users in database name.
func waitingUpdates(t *testing.T, admin *sql.DB, name string) int {
	t.Helper()
	procs, err := dbtest.Processlist(admin)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, row := range procs {
		if row["db"] == name && strings.HasPrefix(row["Info"], "UPDATE") && strings.Contains(row["Info"], "users") {
			n++
		}
	}
	return n
}

// TestTimedOutWriteDoesNotLandLater: a write stuck on a row lock answers 503
// at DB_WRITE_TIMEOUT, and the server gives the statement up too, so it can't
// commit behind the client's back once the lock is released.
func TestTimedOutWriteDoesNotLandLater(t *testing.T) {
	d := privateCluster(t).Database(t)
	a := newAPI(t, d, "DB_WRITE_TIMEOUT", "1s")
	u := a.register(t, "stuck@example.com")
	admin := adminConn(t, d, 0)
	tx, err := admin.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var id uint64
	if err := tx.QueryRow("SELECT id FROM users WHERE id = ? FOR UPDATE", u.id).Scan(&id); err != nil {
		t.Fatal(err)
	}
	res := a.do(context.Background(), u.token, "PATCH", "/api/v1/auth/me", map[string]string{"full_name": "Late"})
	if res.status != http.StatusServiceUnavailable {
		t.Fatalf("a write stuck on a lock answered %d %s, want 503", res.status, res.body)
	}
	dbtest.WaitFor(t, 10*time.Second, "the server to give the statement up", func() bool { return waitingUpdates(t, admin, d.Name) == 0 })
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	var name string
	if err := admin.QueryRow("SELECT full_name FROM `"+d.Name+"`.users WHERE id = ?", u.id).Scan(&name); err != nil {
		t.Fatal(err)
	}
	if name == "Late" {
		t.Errorf("the write answered 503 but was stored after the lock was released")
	}
}
