package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/teachtrack/api/internal/config"
	"github.com/teachtrack/api/internal/db"
	"github.com/teachtrack/api/internal/dbtest"
)

// These tests drive the routing middleware (bindDB) over HTTP on a private
// cluster (ports 3336–3338) whose nodes they kill and restart. A probe route
// stands in for the resource handlers: it reads or writes one counter per user.

var private = &dbtest.LazyCluster{BasePort: 3336}

func TestMain(m *testing.M) {
	code := m.Run()
	private.Close()
	os.Exit(code)
}

type probeServer struct {
	*httptest.Server
	cluster *db.Cluster
}

func newProbeServer(t *testing.T, d *dbtest.Database, mutate func(*config.Config)) *probeServer {
	t.Helper()
	if _, err := d.Admin().Exec("CREATE TABLE IF NOT EXISTS `" + d.Name + "`.probe (user_id BIGINT UNSIGNED PRIMARY KEY, n BIGINT NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	if err := d.WaitReplicas(context.Background()); err != nil {
		t.Fatal(err)
	}
	cfg, err := d.Config()
	if err != nil {
		t.Fatal(err)
	}
	if mutate != nil {
		mutate(cfg)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cluster, err := db.Open(context.Background(), db.OptionsFromConfig(cfg, log))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cluster.Start(ctx)
	a := &API{cfg: cfg, cluster: cluster, log: log, reg: prometheus.NewRegistry()}
	a.metrics = newHTTPMetrics(a.reg)

	r := chi.NewRouter()
	r.Use(requestID, a.recoverer)
	// Stands in for authentication: the user is named by a header.
	r.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			stateFrom(r.Context()).userID, _ = strconv.ParseUint(r.Header.Get("X-Test-User"), 10, 64)
			next.ServeHTTP(w, r)
		})
	})
	r.Get("/readyz", a.handleReadyz)
	r.With(a.bindDB).Get("/probe", func(w http.ResponseWriter, r *http.Request) {
		var row struct {
			N    *int64 `json:"n"`
			Port int    `json:"port"`
		}
		user := stateFrom(r.Context()).userID
		if err := reqDB(r).Raw("SELECT (SELECT n FROM probe WHERE user_id = ?) AS n, @@port AS port", user).Scan(&row).Error; err != nil {
			a.writeError(w, r, db.Translate(err))
			return
		}
		writeJSON(w, http.StatusOK, row)
	})
	r.With(a.bindDB).Post("/probe/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.ParseInt(chi.URLParam(r, "n"), 10, 64)
		user := stateFrom(r.Context()).userID
		if err := reqDB(r).Exec("INSERT INTO probe (user_id, n) VALUES (?, ?) ON DUPLICATE KEY UPDATE n = VALUES(n)", user, n).Error; err != nil {
			a.writeError(w, r, db.Translate(err))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	srv := httptest.NewServer(r)
	t.Cleanup(func() { srv.Close(); cancel(); cluster.Close() })
	return &probeServer{Server: srv, cluster: cluster}
}

type probeResult struct {
	status int
	node   string
	n      *int64
	header http.Header
}

func (s *probeServer) do(t *testing.T, method string, user uint64, n int64) probeResult {
	t.Helper()
	path := "/probe"
	if method == http.MethodPost {
		path = fmt.Sprintf("/probe/%d", n)
	}
	req, _ := http.NewRequest(method, s.URL+path, nil)
	req.Header.Set("X-Test-User", strconv.FormatUint(user, 10))
	res, err := s.Client().Do(req)
	if err != nil {
		t.Errorf("%s %s: %v", method, path, err)
		return probeResult{}
	}
	defer res.Body.Close()
	out := probeResult{status: res.StatusCode, node: res.Header.Get("X-DB-Node"), header: res.Header}
	if method == http.MethodGet && res.StatusCode == http.StatusOK {
		var body struct{ N *int64 }
		_ = json.NewDecoder(res.Body).Decode(&body)
		out.n = body.N
	}
	return out
}

func replicaHealthy(c *db.Cluster, name string) bool {
	for _, n := range c.Status(context.Background()) {
		if n.Name == name {
			return n.Healthy
		}
	}
	return false
}

// load runs readers concurrent GET loops until stop is closed and counts the
// requests that did not answer 200, and those served by each node.
func load(t *testing.T, s *probeServer, readers int, stop <-chan struct{}) (failed *atomic.Int64, byNode *sync.Map, done func()) {
	failed, byNode = &atomic.Int64{}, &sync.Map{}
	var wg sync.WaitGroup
	for i := 0; i < readers; i++ {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				res := s.do(t, http.MethodGet, uint64(500+i), 0)
				if res.status != http.StatusOK {
					failed.Add(1)
				}
				v, _ := byNode.LoadOrStore(res.node, &atomic.Int64{})
				v.(*atomic.Int64).Add(1)
			}
		})
	}
	return failed, byNode, wg.Wait
}

func TestReplicaKilledUnderLoad(t *testing.T) {
	cl := private.Get(t)
	d := cl.Database(t)
	s := newProbeServer(t, d, nil)
	dbtest.WaitFor(t, 10*time.Second, "both replicas in rotation", func() bool {
		return replicaHealthy(s.cluster, "replica-1") && replicaHealthy(s.cluster, "replica-2")
	})

	stop := make(chan struct{})
	failed, byNode, wait := load(t, s, 6, stop)
	time.Sleep(500 * time.Millisecond)
	cl.Kill(t, 1)
	out := dbtest.WaitFor(t, 5*time.Second, "replica-1 out of rotation", func() bool { return !replicaHealthy(s.cluster, "replica-1") })
	t.Logf("replica-1 left rotation %s after SIGKILL (HEALTH_INTERVAL 100ms)", out)
	time.Sleep(time.Second)
	close(stop)
	wait()
	if n := failed.Load(); n != 0 {
		t.Errorf("%d read requests failed while replica-1 died, want 0", n)
	}
	byNode.Range(func(k, v any) bool { t.Logf("reads served by %q: %d", k, v.(*atomic.Int64).Load()); return true })

	cl.Restart(t)
	back := dbtest.WaitFor(t, 30*time.Second, "replica-1 back in rotation", func() bool { return replicaHealthy(s.cluster, "replica-1") })
	t.Logf("replica-1 back in rotation %s after restart", back)
	seen := false
	for i := 0; i < 20 && !seen; i++ {
		seen = s.do(t, http.MethodGet, 0, 0).node == "replica-1"
	}
	if !seen {
		t.Error("replica-1 serves no reads after coming back")
	}
}

func TestBothReplicasDownReadsFromPrimary(t *testing.T) {
	cl := private.Get(t)
	d := cl.Database(t)
	s := newProbeServer(t, d, nil)
	if res := s.do(t, http.MethodPost, 7, 3); res.status != http.StatusNoContent {
		t.Fatalf("write: status %d", res.status)
	}
	cl.Kill(t, 1)
	cl.Kill(t, 2)
	t.Cleanup(func() { cl.Restart(t) })
	// Reads keep answering while the checker notices (retries on the primary), then route there directly.
	for i := 0; i < 40; i++ {
		res := s.do(t, http.MethodGet, 7, 0)
		if res.status != http.StatusOK || res.n == nil || *res.n != 3 {
			t.Fatalf("read %d with both replicas down: status %d node %q n %v", i, res.status, res.node, res.n)
		}
		if i >= 20 && res.node != "primary" {
			t.Errorf("read %d served by %q, want primary", i, res.node)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func TestPrimaryDown(t *testing.T) {
	cl := private.Get(t)
	d := cl.Database(t)
	s := newProbeServer(t, d, func(cfg *config.Config) { cfg.DBWriteTimeout = time.Second })
	cl.Stop(t, 0)
	t.Cleanup(func() { cl.Restart(t) })

	start := time.Now()
	res := s.do(t, http.MethodPost, 8, 1)
	took := time.Since(start)
	if res.status != http.StatusServiceUnavailable || res.header.Get("Retry-After") == "" {
		t.Errorf("write with the primary down: status %d Retry-After %q, want 503 with Retry-After", res.status, res.header.Get("Retry-After"))
	}
	// Bounded by DB_WRITE_TIMEOUT (1s here); the margin is for a loaded machine, not a performance goal.
	if took > 5*time.Second {
		t.Errorf("write with the primary down took %s, want about DB_WRITE_TIMEOUT", took)
	}
	if res := s.do(t, http.MethodGet, 0, 0); res.status != http.StatusOK {
		t.Errorf("read with the primary down: status %d, want 200", res.status)
	}
	ready, err := http.Get(s.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	var body struct{ Status string }
	_ = json.NewDecoder(ready.Body).Decode(&body)
	ready.Body.Close()
	if ready.StatusCode != http.StatusServiceUnavailable || body.Status != "degraded" {
		t.Errorf("/readyz with the primary down: %d %q, want 503 degraded", ready.StatusCode, body.Status)
	}

	cl.Restart(t)
	dbtest.WaitFor(t, 30*time.Second, "writes succeed after the primary restarts", func() bool {
		return s.do(t, http.MethodPost, 8, 2).status == http.StatusNoContent
	})
}

func TestReadYourWritesOverHTTP(t *testing.T) {
	d := dbtest.New(t) // the shared cluster: nothing here breaks it
	s := newProbeServer(t, d, nil)
	for r := int64(1); r <= 30; r++ {
		user := uint64(r%3 + 1)
		if res := s.do(t, http.MethodPost, user, r); res.status != http.StatusNoContent || res.node != "primary" {
			t.Fatalf("write %d: status %d node %q", r, res.status, res.node)
		}
		res := s.do(t, http.MethodGet, user, 0)
		if res.status != http.StatusOK || res.n == nil || *res.n != r {
			t.Fatalf("read after write %d: status %d node %q n %v", r, res.status, res.node, res.n)
		}
	}
}
