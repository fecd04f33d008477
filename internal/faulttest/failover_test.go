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
	target := 1
	if strings.Contains(res.To, cl.Addr(2)) {
		target = 2 // the most advanced replica at the time
	}
	load.finish(t, nodeAdmin(t, cl, target, d.Name))
	t.Logf("write gap measured by the command: %s (old primary read-only → new one writable)", res.WriteGap.Round(time.Millisecond))
	if got := a.cluster.PrimaryAddr(); got != cl.Addr(target) {
		t.Errorf("writes go to %s, want %s", got, cl.Addr(target))
	}
	if ch := a.cluster.Topology().LastChange; ch == nil || ch.Failover {
		t.Errorf("last change = %+v, want a switchover", ch)
	}
	semiSyncBackOn(t, a)
}

// semiSyncBackOn waits until the new primary acknowledges semi-synchronously
// again (MariaDB switches it on at the first acknowledged commit).
func semiSyncBackOn(t *testing.T, a *api) {
	t.Helper()
	dbtest.WaitFor(t, 10*time.Second, "semi-synchronous replication on again on the new primary", func() bool {
		_ = a.do(context.Background(), "", "POST", "/api/v1/auth/register", map[string]string{"email": fmt.Sprintf("semi-%d@example.com", time.Now().UnixNano()), "password": "password-1", "full_name": "S"})
		return a.cluster.Topology().SemiSync == db.SemiSyncOn
	})
}

// TestAutoFailoverAfterSIGKILL: with FAILOVER=auto and two API instances,
// the primary is SIGKILLed under load. Exactly one instance promotes a
// replica (the majority lock), both follow it, writes succeed again within
// FAILOVER_AFTER + 5 s, reads never fail and no acknowledged write is
// missing. The old primary, restarted, is never written to, and `rejoin`
// makes it a replica of the new primary.
func TestAutoFailoverAfterSIGKILL(t *testing.T) {
	cl := failoverCluster(t, 3530)
	d := cl.Database(t)
	const after = 2 * time.Second
	env := []string{"DB_WRITE_TIMEOUT", "1s", "FAILOVER", "auto", "FAILOVER_AFTER", after.String()}
	a := newAPI(t, d, env...)
	b := newAPI(t, d, env...)
	// Each instance's readers signed in through it: without a shared store
	// (REDIS_URL) an instance doesn't know the other's users' consistency points.
	readers := a.users(t, "auto-reader", 2)
	loadA := startWriteLoad(a, readers, "auto-a", 2)
	loadB := startWriteLoad(b, b.users(t, "auto-reader-b", 1), "auto-b", 1)
	time.Sleep(time.Second)

	cl.Kill(t, 0)
	killed := time.Now()
	// Writes answer again within FAILOVER_AFTER + 5 s (a bounded wait, not a timing assertion).
	for _, x := range []struct {
		l    *writeLoad
		name string
	}{{loadA, "instance A"}, {loadB, "instance B"}} {
		n := x.l.okCount()
		dbtest.WaitFor(t, after+5*time.Second-time.Since(killed), "writes through "+x.name+" after the SIGKILL", func() bool { return x.l.okCount() > n+5 })
	}
	t.Logf("writes succeed again through both instances %s after the SIGKILL (FAILOVER_AFTER %s)", time.Since(killed).Round(time.Millisecond), after)

	newPrimary := a.cluster.PrimaryAddr()
	if got := b.cluster.PrimaryAddr(); got != newPrimary || newPrimary == cl.Addr(0) {
		t.Fatalf("instance A writes to %s, instance B to %s; want the same promoted replica", newPrimary, got)
	}
	idx := 1
	if newPrimary == cl.Addr(2) {
		idx = 2
	}
	primaryConn := nodeAdmin(t, cl, idx, d.Name)
	loadA.finish(t, primaryConn)
	loadB.finish(t, primaryConn)

	// Exactly one instance promoted; the other observed the change.
	var promoters []string
	for name, x := range map[string]*api{"A": a, "B": b} {
		ch := x.cluster.Topology().LastChange
		if ch == nil || !ch.Failover {
			t.Errorf("instance %s: last change %+v, want a failover", name, ch)
			continue
		}
		t.Logf("instance %s: %+v", name, *ch)
		if ch.By == "this instance" {
			promoters = append(promoters, name)
		}
	}
	if len(promoters) != 1 {
		t.Errorf("instances that promoted a replica: %v, want exactly one", promoters)
	}
	semiSyncBackOn(t, a)
	other := nodeAdmin(t, cl, 3-idx, d.Name)
	var ro bool
	if err := other.QueryRow("SELECT @@GLOBAL.read_only").Scan(&ro); err != nil || !ro {
		t.Errorf("the other replica: read_only=%v %v, want one primary only", ro, err)
	}

	// The old primary comes back (read-only, as every node starts): never written to.
	cl.StartNode(t, 0)
	old := nodeAdmin(t, cl, 0, d.Name)
	before := serverWrites(t, old)
	u := readers[0]
	for range 20 {
		if res := a.do(context.Background(), u.token, "PATCH", "/api/v1/auth/me", map[string]string{"full_name": "after return"}); res.status != http.StatusOK {
			t.Errorf("a write with the old primary back: %d %s", res.status, res.body)
		}
	}
	if after := serverWrites(t, old); after != before {
		t.Errorf("the returning old primary took writes: %q → %q", before, after)
	}
	var out strings.Builder
	if err := db.Rejoin(context.Background(), replicationConfig(t, d), "primary", &out); err != nil {
		t.Fatalf("rejoin: %v\n%s", err, out.String())
	}
	t.Logf("rejoin: %s", strings.TrimSpace(out.String()))
	var name string
	if err := old.QueryRow("SELECT full_name FROM users WHERE id = ?", u.id).Scan(&name); err != nil || name != "after return" {
		t.Errorf("the rejoined node lacks the new primary's writes: %q %v", name, err)
	}
}

// TestFailoverCommandRefuses: `replication failover` refuses while the
// primary answers, when semi-synchronous replication was not acknowledging
// (unless forced), and when no replica is eligible, each with a sentence.
func TestFailoverCommandRefuses(t *testing.T) {
	cl := failoverCluster(t, 3540)
	d := cl.Database(t)
	rc := replicationConfig(t, d)
	ctx := context.Background()
	var out strings.Builder
	failover := func(force bool) error {
		out.Reset()
		_, err := db.Failover(ctx, rc, db.FailoverOptions{Force: force}, &out)
		return err
	}
	if err := failover(false); err == nil || !strings.Contains(err.Error(), "switchover") {
		t.Errorf("failover with the primary up = %v, want a refusal pointing to switchover", err)
	}

	// Replicas that don't acknowledge: the primary was effectively asynchronous.
	for i := 1; i <= 2; i++ {
		conn := nodeAdmin(t, cl, i, "")
		for _, q := range []string{"SET GLOBAL rpl_semi_sync_slave_enabled = OFF", "STOP SLAVE IO_THREAD", "START SLAVE IO_THREAD"} {
			if _, err := conn.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
	}
	cl.Kill(t, 0)
	if err := failover(false); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("failover after semi-sync stopped acknowledging = %v, want a refusal naming --force", err)
	}
	if err := failover(true); err != nil {
		t.Fatalf("failover --force: %v\n%s", err, out.String())
	}
	t.Logf("failover --force:\n%s", out.String())
	if !strings.Contains(out.String(), "lost") {
		t.Errorf("--force does not say what may be lost:\n%s", out.String())
	}

	// The new primary dies too and the last replica stops replicating: no one is eligible.
	promoted := 1
	if strings.Contains(out.String(), "to replica-2") {
		promoted = 2
	}
	last := nodeAdmin(t, cl, 3-promoted, "")
	cl.Kill(t, promoted)
	if _, err := last.Exec("STOP SLAVE"); err != nil {
		t.Fatal(err)
	}
	if _, err := last.Exec("RESET SLAVE ALL"); err != nil {
		t.Fatal(err)
	}
	if err := failover(true); err == nil || !strings.Contains(err.Error(), "no replica is eligible") {
		t.Errorf("failover with no replica left = %v, want \"no replica is eligible\"", err)
	}
}
