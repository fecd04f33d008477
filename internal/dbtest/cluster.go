package dbtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/teachtrack/api/internal/devdb"
)

// Cluster is a private primary + 2 replicas for tests that break things
// (kill a node, stop replication) without disturbing other test packages,
// which share the cluster on 3316–3318. It is started by scripts/devdb.sh on
// the given ports with its data in a temporary folder, and stopped at cleanup.
type Cluster struct {
	Ports [3]int
	dir   string
}

// StartCluster starts a private cluster on basePort, basePort+1, basePort+2.
// Call Close when done (from TestMain when tests share it).
func StartCluster(basePort int) (*Cluster, error) {
	dir, err := os.MkdirTemp("", "tt-cluster-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{Ports: [3]int{basePort, basePort + 1, basePort + 2}, dir: dir}
	if err := c.script("up"); err != nil {
		c.Close()
		return nil, fmt.Errorf("starting a private cluster on %v: %v", c.Ports, err)
	}
	return c, nil
}

// Close stops the nodes and removes their data.
func (c *Cluster) Close() {
	_ = c.script("down")
	os.RemoveAll(c.dir)
}

func (c *Cluster) script(args ...string) error {
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	cmd := exec.Command(filepath.Join(root, "scripts", "devdb.sh"), args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "DEVDB_DIR="+c.dir, "DEVDB_PRIVATE=1",
		fmt.Sprintf("DEVDB_PORTS=%d %d %d", c.Ports[0], c.Ports[1], c.Ports[2]))
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("devdb.sh %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// URLs returns the app-user URLs of the primary and the replicas.
func (c *Cluster) URLs() (primary, replicas string) {
	u := func(p int) string { return fmt.Sprintf("mysql://teachtrack:teachtrack-dev@127.0.0.1:%d/teachtrack", p) }
	return u(c.Ports[0]), u(c.Ports[1]) + "," + u(c.Ports[2])
}

// Database creates a fresh, migrated database on this cluster.
func (c *Cluster) Database(t testing.TB) *Database {
	t.Helper()
	primary, replicas := c.URLs()
	d, err := create(context.Background(), primary, replicas, true)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	t.Cleanup(d.Drop)
	return d
}

var nodeNames = devdb.NodeNames

// Kill SIGKILLs node i (0 = primary, 1 and 2 = replicas).
func (c *Cluster) Kill(t testing.TB, i int) {
	t.Helper()
	pid, err := c.pid(i)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("killing %s: %v", nodeNames[i], err)
	}
	for j := 0; j < 100 && c.alive(i, pid); j++ {
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop shuts node i down cleanly (SIGTERM) and waits for it to exit.
func (c *Cluster) Stop(t testing.TB, i int) {
	t.Helper()
	pid, err := c.pid(i)
	if err != nil {
		t.Fatal(err)
	}
	_ = syscall.Kill(pid, syscall.SIGTERM)
	for j := 0; j < 600 && c.alive(i, pid); j++ {
		time.Sleep(50 * time.Millisecond)
	}
}

// Restart brings every stopped node back and re-wires replication (idempotent).
func (c *Cluster) Restart(t testing.TB) {
	t.Helper()
	if err := c.script("up"); err != nil {
		t.Fatal(err)
	}
}

// StartNode starts node i alone, read-only, without re-wiring replication
// (devdb.sh node-up): a former primary coming back after a failover.
func (c *Cluster) StartNode(t testing.TB, i int) {
	t.Helper()
	if err := c.script("node-up", fmt.Sprint(i)); err != nil {
		t.Fatal(err)
	}
}

// Addr is node i's address.
func (c *Cluster) Addr(i int) string { return fmt.Sprintf("127.0.0.1:%d", c.Ports[i]) }

// pid is node i's server process (see devdb.ServerPID for why the pid file
// alone is not trusted).
func (c *Cluster) pid(i int) (int, error) { return devdb.ServerPID(c.dir, nodeNames[i]) }

// LazyCluster is a private cluster a test package shares: started by the first
// test that asks for it, stopped by Close from the package's TestMain.
type LazyCluster struct {
	BasePort int
	once     sync.Once
	c        *Cluster
	err      error
}

// Get starts the cluster on first use; a failure to start fails every test that asks.
func (l *LazyCluster) Get(t testing.TB) *Cluster {
	t.Helper()
	l.once.Do(func() { l.c, l.err = StartCluster(l.BasePort) })
	if l.err != nil {
		t.Fatal(l.err)
	}
	return l.c
}

// Close stops the cluster if it was started.
func (l *LazyCluster) Close() {
	if l.c != nil {
		l.c.Close()
	}
}

// alive reports whether pid is still node i's server (a reaped, zombie or
// reused pid is not).
func (c *Cluster) alive(i, pid int) bool {
	p, err := c.pid(i)
	return err == nil && p == pid
}

// WaitFor polls cond every 50ms until it holds, failing t after limit, and
// reports how long it took.
func WaitFor(t testing.TB, limit time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > limit {
			t.Fatalf("%s: not within %s", what, limit)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return time.Since(start)
}
