package faulttest_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/teachtrack/api/internal/db"
	"github.com/teachtrack/api/internal/dbtest"
	"github.com/teachtrack/api/internal/handlers"
)

// private is this package's own cluster, started by the first test needing it.
var private = &dbtest.LazyCluster{BasePort: 3356}

func privateCluster(t *testing.T) *dbtest.Cluster { return private.Get(t) }

func TestMain(m *testing.M) {
	code := m.Run()
	private.Close()
	os.Exit(code)
}

// api is the real router (handlers.New) over a database of the private cluster.
type api struct {
	*httptest.Server
	cluster *db.Cluster
	d       *dbtest.Database
	client  *http.Client
}

// newAPI serves d; env pairs override the API's environment first.
func newAPI(t *testing.T, d *dbtest.Database, env ...string) *api {
	t.Helper()
	d.Set("REGISTER_RATE_LIMIT", "1000000")
	d.Set("LOGIN_RATE_LIMIT", "1000000")
	for i := 0; i+1 < len(env); i += 2 {
		d.Set(env[i], env[i+1])
	}
	cfg, err := d.Config()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	cluster, err := db.Open(context.Background(), db.OptionsFromConfig(cfg, log))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cluster.Start(ctx)
	srv := httptest.NewServer(handlers.New(handlers.Deps{Config: cfg, Cluster: cluster, Logger: log, Version: "test"}))
	// Cleanups run last-in first-out: the server closes before the cluster.
	t.Cleanup(func() { cancel(); cluster.Close() })
	t.Cleanup(srv.Close)
	// A generous client timeout: a request that hangs fails the test instead of stalling it.
	return &api{Server: srv, cluster: cluster, d: d, client: &http.Client{Timeout: 30 * time.Second}}
}

// testLog sends the API's warnings to the test's log (rotation changes show there).
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// result is one finished request.
type result struct {
	status   int
	node     string
	header   http.Header
	body     []byte
	took     time.Duration
	err      error
	fullName string
}

// do sends a JSON request with a bearer token ("" for none).
func (a *api) do(ctx context.Context, token, method, path string, body any) result {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.URL+path, rd)
	if err != nil {
		return result{err: err}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	start := time.Now()
	res, err := a.client.Do(req)
	if err != nil {
		return result{err: err, took: time.Since(start)}
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	out := result{status: res.StatusCode, node: res.Header.Get("X-DB-Node"), header: res.Header, body: data, took: time.Since(start), err: err}
	var u struct {
		FullName string `json:"full_name"`
	}
	if json.Unmarshal(data, &u) == nil {
		out.fullName = u.FullName
	}
	return out
}

// user is a registered, signed-in teacher.
type user struct {
	id    uint64
	email string
	token string
}

// register signs up email through POST /auth/register and signs in.
func (a *api) register(t *testing.T, email string) *user {
	t.Helper()
	ctx := context.Background()
	res := a.do(ctx, "", "POST", "/api/v1/auth/register", map[string]string{"email": email, "password": "password-1", "full_name": "Load user"})
	if res.err != nil || res.status != http.StatusCreated {
		t.Fatalf("register %s: %d %v %s", email, res.status, res.err, res.body)
	}
	res = a.do(ctx, "", "POST", "/api/v1/auth/login", map[string]string{"email": email, "password": "password-1"})
	var body struct {
		AccessToken string `json:"access_token"`
		User        struct {
			ID uint64 `json:"id"`
		} `json:"user"`
	}
	if res.err != nil || res.status != http.StatusOK || json.Unmarshal(res.body, &body) != nil {
		t.Fatalf("login %s: %d %v %s", email, res.status, res.err, res.body)
	}
	return &user{id: body.User.ID, email: email, token: body.AccessToken}
}

// users registers n users named prefix-i.
func (a *api) users(t *testing.T, prefix string, n int) []*user {
	t.Helper()
	out := make([]*user, n)
	for i := range out {
		out[i] = a.register(t, fmt.Sprintf("%s-%d@example.com", prefix, i))
	}
	return out
}

// health is the checker's view of a node.
func (a *api) health(name string) db.NodeHealth {
	for _, n := range a.cluster.Status(context.Background()) {
		if n.Name == name {
			return n
		}
	}
	return db.NodeHealth{}
}

// adminExec runs statements as the administrator on node (0 primary, 1.. replicas).
func adminExec(t *testing.T, d *dbtest.Database, node int, stmts ...string) {
	t.Helper()
	conn, err := d.AdminTo(node)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, s := range stmts {
		if _, err := conn.Exec(s); err != nil {
			t.Fatalf("node %d: %s: %v", node, s, err)
		}
	}
}

// adminConn is an administrative connection to node, closed at cleanup.
func adminConn(t *testing.T, d *dbtest.Database, node int) *sql.DB {
	t.Helper()
	conn, err := d.AdminTo(node)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}
