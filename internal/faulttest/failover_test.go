package faulttest_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/teachtrack/api/internal/db"
	"github.com/teachtrack/api/internal/dbtest"
)

// Each failover test changes its cluster's topology for good, so each has a
// cluster of its own (ports 3500–3549, issue 21), stopped when it ends.
func failoverCluster(t *testing.T, base int) *dbtest.Cluster {
	t.Helper()
	cl, err := dbtest.StartCluster(base)
	if err != nil {
		t.Fatal(err)
	}
	// Registered first, so it runs last: after the APIs have stopped.
	t.Cleanup(cl.Close)
	return cl
}

// nodeAdmin is an administrative connection to node i of cl with database name selected.
func nodeAdmin(t *testing.T, cl *dbtest.Cluster, i int, name string) *sql.DB {
	t.Helper()
	conn, err := sql.Open("mysql", fmt.Sprintf("%s:%s@tcp(%s)/%s", dbtest.Env("TEST_DB_ADMIN_USER"), dbtest.Env("TEST_DB_ADMIN_PASSWORD"), cl.Addr(i), name))
	if err != nil {
		t.Fatal(err)
	}
	conn.SetMaxOpenConns(2)
	t.Cleanup(func() { conn.Close() })
	return conn
}

func replicationConfig(t *testing.T, d *dbtest.Database) db.ReplicationConfig {
	t.Helper()
	cfg, err := d.Config()
	if err != nil {
		t.Fatal(err)
	}
	return db.ReplicationConfigFrom(cfg)
}

// writeLoad registers users (writes) and reads signed-in users' profiles
// from several clients, recording the e-mail of every registration answered
// 201: those must all be on the primary afterwards.
type writeLoad struct {
	mu           sync.Mutex
	acked        []string
	statuses     map[int]int
	noRetryAfter int
	reads        int
	readFails    []string
	lastOK       time.Time
	longestGap   time.Duration // the longest stretch without a successful write
	firstOKAfter map[string]time.Time
	stop         chan struct{}
	wg           sync.WaitGroup
}

func startWriteLoad(a *api, readers []*user, prefix string, writers int) *writeLoad {
	l := &writeLoad{statuses: map[int]int{}, stop: make(chan struct{}), lastOK: time.Now()}
	ctx := context.Background()
	for w := range writers {
		l.wg.Go(func() {
			for k := 0; ; k++ {
				select {
				case <-l.stop:
					return
				default:
				}
				email := fmt.Sprintf("%s-%d-%d@example.com", prefix, w, k)
				res := a.do(ctx, "", "POST", "/api/v1/auth/register", map[string]string{"email": email, "password": "password-1", "full_name": "W"})
				l.mu.Lock()
				l.statuses[res.status]++
				switch {
				case res.err == nil && res.status == http.StatusCreated:
					l.acked = append(l.acked, email)
					now := time.Now()
					l.longestGap = max(l.longestGap, now.Sub(l.lastOK))
					l.lastOK = now
				case res.status == http.StatusServiceUnavailable && res.header.Get("Retry-After") == "":
					l.noRetryAfter++
				}
				l.mu.Unlock()
				if res.status != http.StatusCreated {
					time.Sleep(20 * time.Millisecond) // a client honouring Retry-After, briefly
				}
			}
		})
	}
	for _, u := range readers {
		l.wg.Go(func() {
			for {
				select {
				case <-l.stop:
					return
				default:
				}
				res := a.do(ctx, u.token, "GET", "/api/v1/auth/me", nil)
				l.mu.Lock()
				l.reads++
				if res.err != nil || res.status != http.StatusOK {
					if len(l.readFails) < 10 {
						l.readFails = append(l.readFails, fmt.Sprintf("%d %v %s", res.status, res.err, res.body))
					} else {
						l.readFails = append(l.readFails[:10], "…")
					}
				}
				l.mu.Unlock()
			}
		})
	}
	return l
}

// okSince counts the acknowledged writes so far.
func (l *writeLoad) okCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.acked)
}

// finish stops the load and checks that reads never failed, every 503 said
// when to retry, and every acknowledged write is on the node at primary.
func (l *writeLoad) finish(t *testing.T, primary *sql.DB) {
	t.Helper()
	close(l.stop)
	l.wg.Wait()
	rows, err := primary.Query("SELECT email FROM users")
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for rows.Next() {
		var e string
		_ = rows.Scan(&e)
		have[e] = true
	}
	rows.Close()
	var missing []string
	for _, e := range l.acked {
		if !have[e] {
			missing = append(missing, e)
		}
	}
	t.Logf("load: %d writes acknowledged, statuses %v, %d reads; longest stretch without a successful write %s; %d acknowledged writes missing",
		len(l.acked), l.statuses, l.reads, l.longestGap.Round(time.Millisecond), len(missing))
	if len(missing) > 0 {
		t.Errorf("%d acknowledged writes are missing on the new primary, want 0: %v", len(missing), missing[:min(5, len(missing))])
	}
	if len(l.readFails) > 0 {
		t.Errorf("reads failed, want none: %v", l.readFails)
	}
	if l.noRetryAfter > 0 {
		t.Errorf("%d writes answered 503 without Retry-After", l.noRetryAfter)
	}
	if len(l.acked) == 0 || l.reads == 0 {
		t.Errorf("the load acknowledged %d writes and made %d reads: it proved nothing", len(l.acked), l.reads)
	}
}

// patchOK waits until a write through a succeeds.
func patchOK(t *testing.T, a *api, u *user, limit time.Duration, what string) time.Duration {
	t.Helper()
	return dbtest.WaitFor(t, limit, what, func() bool {
		res := a.do(context.Background(), u.token, "PATCH", "/api/v1/auth/me", map[string]string{"full_name": "probe " + time.Now().String()})
		return res.status == http.StatusOK
	})
}

// serverWrites is the last sequence number node i's server id wrote itself
// (from gtid_binlog_state): it grows only when the node takes a write as primary.
func serverWrites(t *testing.T, conn *sql.DB) string {
	t.Helper()
	var id int
	var state string
	if err := conn.QueryRow("SELECT @@server_id, @@gtid_binlog_state").Scan(&id, &state); err != nil {
		t.Fatal(err)
	}
	for _, g := range strings.Split(state, ",") {
		if f := strings.Split(strings.TrimSpace(g), "-"); len(f) == 3 && f[1] == fmt.Sprint(id) {
			return g
		}
	}
	return ""
}

// TestPromotionBySQLIsFollowed: a promotion done by hand with SQL, as an
// outside tool (MaxScale, orchestrator, a managed database) would, is
// followed without a restart; two writable nodes refuse writes; the old
// primary is not written to again.
func TestPromotionBySQLIsFollowed(t *testing.T) {
	cl := failoverCluster(t, 3500)
	d := cl.Database(t)
	a := newAPI(t, d, "DB_WRITE_TIMEOUT", "1s")
	u := a.register(t, "hand@example.com")
	n0, n1, n2 := nodeAdmin(t, cl, 0, d.Name), nodeAdmin(t, cl, 1, d.Name), nodeAdmin(t, cl, 2, d.Name)
	exec := func(conn *sql.DB, stmts ...string) {
		t.Helper()
		for _, s := range stmts {
			if _, err := conn.Exec(s); err != nil {
				t.Fatalf("%s: %v", s, err)
			}
		}
	}
	// The outside tool's switchover, in plain SQL.
	exec(n0, "SET GLOBAL read_only = 1")
	var pos string
	if err := n0.QueryRow("SELECT @@gtid_binlog_pos").Scan(&pos); err != nil {
		t.Fatal(err)
	}
	var waited int
	if err := n1.QueryRow("SELECT MASTER_GTID_WAIT(?, 10)", pos).Scan(&waited); err != nil || waited != 0 {
		t.Fatalf("replica-1 did not reach %s: %d %v", pos, waited, err)
	}
	change := fmt.Sprintf("CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=%d, MASTER_USER='tt_repl', MASTER_PASSWORD='%s', MASTER_USE_GTID=slave_pos",
		cl.Ports[1], dbtest.Env("TEST_REPLICATION_PASSWORD"))
	exec(n1, "STOP SLAVE", "RESET SLAVE ALL")
	exec(n2, "STOP SLAVE", change, "START SLAVE")
	exec(n0, "SET GLOBAL gtid_slave_pos = @@gtid_binlog_pos", change, "START SLAVE")
	before := serverWrites(t, n0)
	exec(n1, "SET GLOBAL read_only = 0")
	promoted := time.Now()

	took := patchOK(t, a, u, 5*time.Second, "a write after the promotion by hand")
	t.Logf("writes succeed again %s after replica-1 turned writable (HEALTH_INTERVAL 100ms)", took.Round(time.Millisecond))
	if got := a.cluster.PrimaryAddr(); got != cl.Addr(1) {
		t.Errorf("writes go to %s, want replica-1 %s", got, cl.Addr(1))
	}
	var name string
	if err := n1.QueryRow("SELECT full_name FROM users WHERE id = ?", u.id).Scan(&name); err != nil || !strings.HasPrefix(name, "probe ") {
		t.Errorf("the write is not on the new primary: %q %v", name, err)
	}
	topo := a.cluster.Topology()
	if topo.LastChange == nil || topo.LastChange.Failover || topo.PrimaryChanges != 1 || topo.Primary != "replica-1" {
		t.Errorf("topology after the promotion: %+v (last change %+v)", topo, topo.LastChange)
	}
	// A user's own write is read back through the change (GTID positions carry over).
	if res := a.do(context.Background(), u.token, "GET", "/api/v1/auth/me", nil); res.status != http.StatusOK || !strings.HasPrefix(res.fullName, "probe ") {
		t.Errorf("reading my write back: %d %q", res.status, res.fullName)
	}
	_ = promoted

	// Two writable nodes: every write is refused (and logged) until one is read-only.
	exec(n0, "SET GLOBAL read_only = 0")
	dbtest.WaitFor(t, 5*time.Second, "writes refused with two writable nodes", func() bool {
		res := a.do(context.Background(), u.token, "PATCH", "/api/v1/auth/me", map[string]string{"full_name": "split"})
		return res.status == http.StatusServiceUnavailable && res.header.Get("Retry-After") != ""
	})
	if !a.cluster.Topology().SplitBrain {
		t.Error("topology does not show the split brain")
	}
	exec(n0, "SET GLOBAL read_only = 1")
	patchOK(t, a, u, 5*time.Second, "a write once the old primary is read-only again")
	if after := serverWrites(t, n0); after != before {
		t.Errorf("the old primary wrote transactions of its own after the promotion: %q → %q", before, after)
	}
}

// TestSwitchoverUnderLoadLosesNoWrite runs `replication switchover` while
// clients write and read: no acknowledged write is missing on the new
// primary, reads never fail, and the write gap is printed.
func TestSwitchoverUnderLoadLosesNoWrite(t *testing.T) {
	cl := failoverCluster(t, 3510)
	d := cl.Database(t)
	a := newAPI(t, d, "DB_WRITE_TIMEOUT", "1s")
	readers := a.users(t, "switch-reader", 2)
	load := startWriteLoad(a, readers, "switch", 3)
	time.Sleep(time.Second)
	var out strings.Builder
	res, err := db.Switchover(context.Background(), replicationConfig(t, d), "", &out)
	t.Logf("switchover:\n%s", out.String())
	if err != nil {
		t.Fatal(err)
	}
	before := load.okCount()
	dbtest.WaitFor(t, 10*time.Second, "writes acknowledged after the switchover", func() bool { return load.okCount() > before+20 })
	load.finish(t, nodeAdmin(t, cl, 1, d.Name))
	t.Logf("write gap measured by the command: %s (old primary read-only → new one writable)", res.WriteGap.Round(time.Millisecond))
	if got := a.cluster.PrimaryAddr(); got != cl.Addr(1) {
		t.Errorf("writes go to %s, want %s", got, cl.Addr(1))
	}
	if ch := a.cluster.Topology().LastChange; ch == nil || ch.Failover {
		t.Errorf("last change = %+v, want a switchover", ch)
	}
}
