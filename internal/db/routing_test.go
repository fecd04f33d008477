package db_test

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/gorm/clause"

	"github.com/teachtrack/api/internal/config"
	"github.com/teachtrack/api/internal/db"
	"github.com/teachtrack/api/internal/dbtest"
)

// private is a cluster of this package's own (ports 3326–3328) for tests that
// stop replication, so the shared cluster other packages use stays untouched.
var private = &dbtest.LazyCluster{BasePort: 3326}

func TestMain(m *testing.M) {
	code := m.Run()
	private.Close()
	os.Exit(code)
}

// openCluster opens and starts a Cluster on d's database; mutate adjusts its configuration.
func openCluster(t *testing.T, d *dbtest.Database, mutate func(*config.Config)) *db.Cluster {
	t.Helper()
	cfg, err := d.Config()
	if err != nil {
		t.Fatal(err)
	}
	if mutate != nil {
		mutate(cfg)
	}
	c, err := db.Open(context.Background(), db.OptionsFromConfig(cfg, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); c.Close() })
	c.Start(ctx)
	return c
}

// createProbe makes a table of one counter per user and waits for the replicas to have it.
func createProbe(t *testing.T, d *dbtest.Database) {
	t.Helper()
	if _, err := d.Admin().Exec("CREATE TABLE `" + d.Name + "`.probe (user_id BIGINT UNSIGNED PRIMARY KEY, n BIGINT NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	if err := d.WaitReplicas(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// write sets user's counter to n through a write binding and records the point, as the middleware does.
func write(t *testing.T, c *db.Cluster, user uint64, n int64) db.Route {
	t.Helper()
	ctx := context.Background()
	b := c.ForRequest(ctx, db.Write, user)
	defer b.Release()
	if err := b.DB.Exec("INSERT INTO probe (user_id, n) VALUES (?, ?) ON DUPLICATE KEY UPDATE n = VALUES(n)", user, n).Error; err != nil {
		t.Errorf("write for user %d: %v", user, err)
	}
	c.AfterWrite(ctx, user)
	return b.Route
}

// read returns user's counter (-1 when absent), the port of the server that
// answered, and the route, through one read binding.
func read(t *testing.T, c *db.Cluster, user uint64) (int64, int, db.Route) {
	t.Helper()
	b := c.ForRequest(context.Background(), db.Read, user)
	defer b.Release()
	var row struct {
		N    sql.NullInt64
		Port int
	}
	if err := b.DB.Raw("SELECT (SELECT n FROM probe WHERE user_id = ?) AS n, @@port AS port", user).Scan(&row).Error; err != nil {
		t.Errorf("read for user %d: %v", user, err)
	}
	if !row.N.Valid {
		return -1, row.Port, b.Route
	}
	return row.N.Int64, row.Port, b.Route
}

func portOf(t *testing.T, d *dbtest.Database, node int) int {
	t.Helper()
	cfg, err := d.Config()
	if err != nil {
		t.Fatal(err)
	}
	addr := cfg.Primary.Addr
	if node > 0 {
		addr = cfg.Replicas[node-1].Addr
	}
	var port int
	fmt.Sscanf(addr[len("127.0.0.1:"):], "%d", &port)
	return port
}

func TestIdleReadsSpreadOverReplicasAndWritesHitPrimary(t *testing.T) {
	d := dbtest.New(t)
	createProbe(t, d)
	c := openCluster(t, d, nil)

	counts := map[int]int{}
	const reads = 1000
	for i := 0; i < reads; i++ {
		_, port, route := read(t, c, uint64(1000+i)) // users who never wrote
		counts[port]++
		if route.Reason != db.ReasonReplica {
			t.Fatalf("read %d: reason %q, want %q", i, route.Reason, db.ReasonReplica)
		}
	}
	for _, node := range []int{1, 2} {
		got := counts[portOf(t, d, node)]
		if got < 400 || got > 600 {
			t.Errorf("replica-%d served %d of %d reads, want 50%% ± 10%% (counts by port: %v)", node, got, reads, counts)
		}
	}
	if got := counts[portOf(t, d, 0)]; got != 0 {
		t.Errorf("primary served %d idle reads, want 0", got)
	}

	route := write(t, c, 1, 1)
	if route.Node != "primary" || route.Reason != db.ReasonWrite {
		t.Errorf("write route = %+v, want primary/write", route)
	}
}

// TestReadsAfterWritesSpreadOverReplicas: a read right after its user's
// write, when no replica is known yet to have it, waits on a replica taken in
// turn. Waiting on the replica whose position was best known sent every such
// read to the replica asked last (one bench run: 69% on one replica; this
// test: 139 of 200).
func TestReadsAfterWritesSpreadOverReplicas(t *testing.T) {
	d := dbtest.New(t)
	createProbe(t, d)
	c := openCluster(t, d, nil)

	counts := map[int]int{}
	const rounds = 200
	for i := range rounds {
		user := uint64(1 + i%8)
		write(t, c, user, int64(i))
		n, port, _ := read(t, c, user)
		if n != int64(i) {
			t.Fatalf("round %d: user %d read %d, want %d (stale)", i, user, n, i)
		}
		counts[port]++
	}
	t.Logf("reads after writes by port: %v", counts)
	for _, node := range []int{1, 2} {
		if got := counts[portOf(t, d, node)]; got < rounds*4/10 {
			t.Errorf("replica-%d served %d of %d reads after writes, want at least 40%% (counts by port: %v)", node, got, rounds, counts)
		}
	}
}

func TestOneNodePerRequest(t *testing.T) {
	d := dbtest.New(t)
	createProbe(t, d)
	c := openCluster(t, d, nil)
	ctx := context.Background()
	for i := 0; i < 20; i++ {
		b := c.ForRequest(ctx, db.Read, 0)
		var ports [5]int
		for j := range ports {
			if err := b.DB.Raw("SELECT @@port").Scan(&ports[j]).Error; err != nil {
				t.Fatal(err)
			}
		}
		b.Release()
		for j := range ports {
			if ports[j] != ports[0] {
				t.Fatalf("read request %d used ports %v, want one node", i, ports)
			}
		}
	}
	// A write request's own SELECTs run on the primary too.
	b := c.ForRequest(ctx, db.Write, 1)
	defer b.Release()
	var port int
	if err := b.DB.Raw("SELECT @@port").Scan(&port).Error; err != nil {
		t.Fatal(err)
	}
	if want := portOf(t, d, 0); port != want {
		t.Errorf("SELECT in a write request ran on port %d, want the primary's %d", port, want)
	}
}

// setDelay makes replica node lag by seconds (MASTER_DELAY); 0 removes the delay.
func setDelay(t *testing.T, d *dbtest.Database, node, seconds int) {
	t.Helper()
	conn, err := d.AdminTo(node)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, s := range []string{"STOP SLAVE", fmt.Sprintf("CHANGE MASTER TO MASTER_DELAY=%d", seconds), "START SLAVE"} {
		if _, err := conn.Exec(s); err != nil {
			t.Fatalf("replica-%d: %s: %v", node, s, err)
		}
	}
}

// staleReads runs users concurrent write-then-read rounds and counts reads that
// did not show the user's own write. It also reports how many reads of a user
// who never writes were served by replicas.
func staleReads(t *testing.T, c *db.Cluster, users, rounds int) (stale, bystanderOnReplica, bystanderReads int64) {
	t.Helper()
	var wg sync.WaitGroup
	var staleN, byRep, byAll atomic.Int64
	for u := 1; u <= users; u++ {
		wg.Go(func() {
			for r := 1; r <= rounds; r++ {
				write(t, c, uint64(u), int64(r))
				if got, _, _ := read(t, c, uint64(u)); got != int64(r) {
					staleN.Add(1)
				}
			}
		})
	}
	wg.Go(func() {
		for i := 0; i < users*rounds/2; i++ {
			_, _, route := read(t, c, 999999)
			byAll.Add(1)
			if route.Reason == db.ReasonReplica {
				byRep.Add(1)
			}
		}
	})
	wg.Wait()
	return staleN.Load(), byRep.Load(), byAll.Load()
}

// TestReadYourWritesUnderLag runs on a private cluster whose replica-1 applies
// events a second late (MASTER_DELAY) while staying healthy (lag < MAX_REPLICA_LAG).
func TestReadYourWritesUnderLag(t *testing.T) {
	d := private.Get(t).Database(t)
	createProbe(t, d)
	setDelay(t, d, 1, 1)
	setDelay(t, d, 2, 1)
	t.Cleanup(func() { setDelay(t, d, 1, 0); setDelay(t, d, 2, 0) })

	for _, tc := range []struct {
		mode      string
		wantStale bool
	}{
		{db.ModeCausal, false},
		{db.ModeWindow, false},
		{db.ModeOff, true}, // proves the test can see stale reads at all
	} {
		t.Run(tc.mode, func(t *testing.T) {
			c := openCluster(t, d, func(cfg *config.Config) { cfg.ReadYourWrites = tc.mode })
			stale, byRep, byAll := staleReads(t, c, 20, 5)
			t.Logf("%s: %d stale reads of 100; bystander reads on replicas %d/%d", tc.mode, stale, byRep, byAll)
			if tc.wantStale && stale == 0 {
				t.Errorf("mode %s: no stale reads with replicas 1s behind; the test can't tell routing apart", tc.mode)
			}
			if !tc.wantStale && stale != 0 {
				t.Errorf("mode %s: %d stale reads, want 0", tc.mode, stale)
			}
			if byRep != byAll {
				t.Errorf("mode %s: a user who never wrote had %d of %d reads off the replicas", tc.mode, byAll-byRep, byAll)
			}
		})
	}

	// With one replica delayed and one current, causal reads after a write use
	// the current replica rather than the primary.
	setDelay(t, d, 2, 0)
	if err := d.WaitReplicas(context.Background()); err != nil { // replica-2 works off its backlog
		t.Fatal(err)
	}
	c := openCluster(t, d, nil)
	var onReplica int
	for r := 1; r <= 20; r++ {
		write(t, c, 42, int64(100+r))
		got, port, route := read(t, c, 42)
		t.Logf("round %d: %+v port %d", r, route, port)
		if got != int64(100+r) {
			t.Fatalf("round %d: read %d after writing %d", r, got, 100+r)
		}
		// Which replica serves it is a heuristic (MASTER_DELAY counts in whole
		// seconds of event time, so the delayed one is sometimes current too);
		// what matters is that a replica with the write serves it, not the primary.
		if route.Reason == db.ReasonReplica {
			onReplica++
		}
	}
	if onReplica < 15 {
		t.Errorf("only %d of 20 reads after a write were served by a replica (the rest by the primary)", onReplica)
	}
}

func TestConsistencySharedThroughRedis(t *testing.T) {
	d := private.Get(t).Database(t)
	createProbe(t, d)
	prefix := "tt-test:" + d.Name + ":"
	redisURL := dbtest.Env("TEST_REDIS_URL")
	shared := func(cfg *config.Config) {
		cfg.RedisURL, cfg.RedisKeyPrefix = redisURL, prefix
		cfg.CausalWait = 0 // a read must rely on the shared point, not on luck
	}
	// Both replicas apply events 2 s late while staying healthy (lag under
	// MAX_REPLICA_LAG): a read that ignored the point would be stale.
	setDelay(t, d, 1, 2)
	setDelay(t, d, 2, 2)
	t.Cleanup(func() { setDelay(t, d, 1, 0); setDelay(t, d, 2, 0) })
	a := openCluster(t, d, shared)
	b := openCluster(t, d, shared)
	for u := uint64(1); u <= 10; u++ {
		write(t, a, u, 7)
		if got, _, route := read(t, b, u); got != 7 {
			t.Errorf("user %d: instance B read %d (%+v) after instance A wrote 7", u, got, route)
		}
	}
	// Instance B has no in-memory state: the points came through Redis. The
	// replicas stayed in rotation, so a user without writes still reads there.
	if _, _, route := read(t, b, 999); route.Reason != db.ReasonReplica {
		t.Errorf("a user without writes was routed %+v, want a replica", route)
	}
	// Without the shared store, the same reads are stale: the test can fail.
	c := openCluster(t, d, func(cfg *config.Config) { cfg.CausalWait = 0 })
	write(t, a, 500, 9)
	if got, _, route := read(t, c, 500); got == 9 || route.Reason != db.ReasonReplica {
		t.Errorf("an instance without the shared store read %d via %+v; want the stale value from a replica", got, route)
	}
}

func TestRedisDownKeepsWritersOnPrimary(t *testing.T) {
	d := private.Get(t).Database(t)
	createProbe(t, d)
	c := openCluster(t, d, func(cfg *config.Config) {
		cfg.RedisURL = "redis://127.0.0.1:1/0" // nothing listens there
		cfg.CausalWait = 0
	})
	// The replicas are healthy and current, yet with the store unreachable the
	// API can't know what a user wrote elsewhere: the primary serves them.
	for u := uint64(1); u <= 5; u++ {
		write(t, c, u, 9)
		got, _, route := read(t, c, u)
		if got != 9 || route.Reason != db.ReasonStickyPrimary {
			t.Errorf("user %d with Redis down: read %d via %+v, want 9 from the primary", u, got, route)
		}
	}
}

func TestReplicaDownAtStart(t *testing.T) {
	d := dbtest.New(t)
	createProbe(t, d)
	c := openCluster(t, d, func(cfg *config.Config) {
		dead := cfg.Replicas[1].Clone()
		dead.Addr = "127.0.0.1:1" // nothing listens there
		cfg.Replicas[1] = dead
	})
	for i := 0; i < 20; i++ {
		_, port, route := read(t, c, 0)
		if port != portOf(t, d, 1) || route.Node != "replica-1" {
			t.Fatalf("read %d served by port %d (%+v), want the live replica-1", i, port, route)
		}
	}
	for _, n := range c.Status(context.Background()) {
		if n.Name == "replica-2" && (n.Healthy || n.Reason == "") {
			t.Errorf("replica-2 (down) reported %+v, want unhealthy with a reason", n)
		}
	}
}

func TestReadsOnPrimaryShareTheRotation(t *testing.T) {
	d := dbtest.New(t)
	createProbe(t, d)
	c := openCluster(t, d, func(cfg *config.Config) { cfg.ReadsOnPrimary = true })
	counts := map[int]int{}
	for i := 0; i < 300; i++ {
		_, port, route := read(t, c, 0)
		counts[port]++
		if (port == portOf(t, d, 0)) != (route.Reason == db.ReasonPrimaryShare) {
			t.Fatalf("read on port %d routed %+v: reason and node disagree", port, route)
		}
	}
	for node := 0; node <= 2; node++ {
		if got := counts[portOf(t, d, node)]; got < 70 || got > 130 {
			t.Errorf("node %d served %d of 300 reads, want about a third (%v)", node, got, counts)
		}
	}
}

func TestLockingReadsCountAsWrites(t *testing.T) {
	d := dbtest.New(t)
	createProbe(t, d)
	c := openCluster(t, d, nil)
	reg := prometheus.NewRegistry()
	c.RegisterMetrics(reg)
	count := func(kind string) float64 {
		t.Helper()
		families, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range families {
			if f.GetName() != "db_queries_total" {
				continue
			}
			for _, m := range f.GetMetric() {
				labels := map[string]string{}
				for _, l := range m.GetLabel() {
					labels[l.GetName()] = l.GetValue()
				}
				if labels["node"] == "primary" && labels["kind"] == kind {
					return m.GetCounter().GetValue()
				}
			}
		}
		return 0
	}
	write(t, c, 1, 1)
	reads, writes := count("read"), count("write")
	b := c.ForRequest(context.Background(), db.Write, 1)
	defer b.Release()
	var row struct{ N int64 }
	if err := b.DB.Table("probe").Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).Where("user_id = ?", 1).Take(&row).Error; err != nil {
		t.Fatal(err)
	}
	if err := b.DB.Table("probe").Where("user_id = ?", 1).Take(&row).Error; err != nil {
		t.Fatal(err)
	}
	if got := count("write") - writes; got != 1 {
		t.Errorf("a SELECT … FOR UPDATE added %v write statements, want 1", got)
	}
	if got := count("read") - reads; got != 1 {
		t.Errorf("a plain SELECT added %v read statements, want 1", got)
	}
}
