package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/teachtrack/api/internal/dbtest"
	"github.com/teachtrack/api/internal/devdb"
)

// syncBuffer is an io.Writer the server's goroutines and the test can share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// freeAddr returns a 127.0.0.1 address no one listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// newDB is a fresh database whose environment keeps any developer .env out.
func newDB(t *testing.T) *dbtest.Database {
	t.Helper()
	d := dbtest.New(t)
	d.Set("ENV_FILE", filepath.Join(t.TempDir(), "absent.env"))
	return d
}

// server is `api serve` running in the test's process.
type server struct {
	addr   string
	stdout *syncBuffer
	cancel context.CancelFunc
	done   chan error
}

func startServer(t *testing.T, d *dbtest.Database) *server {
	t.Helper()
	s := &server{addr: freeAddr(t), stdout: &syncBuffer{}, done: make(chan error, 1)}
	d.Set("HTTP_ADDR", s.addr)
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go func() {
		s.done <- run(ctx, []string{"api", "serve"}, d.Getenv, strings.NewReader(""), s.stdout, io.Discard)
	}()
	t.Cleanup(func() {
		cancel()
		<-s.done
	})
	return s
}

type readyz struct {
	Status string `json:"status"`
	Nodes  []struct {
		Name    string `json:"name"`
		Role    string `json:"role"`
		Healthy bool   `json:"healthy"`
	} `json:"nodes"`
}

// waitReady polls /readyz until it answers 200 with every node healthy; run
// returning first, or 60s passing, fails the test.
func (s *server) waitReady(t *testing.T) readyz {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	var last string
	for {
		select {
		case err := <-s.done:
			t.Fatalf("run returned before /readyz was ready: %v\n%s", err, s.stdout)
		default:
		}
		res, err := http.Get("http://" + s.addr + "/readyz")
		if err == nil {
			var body readyz
			derr := json.NewDecoder(res.Body).Decode(&body)
			res.Body.Close()
			last = fmt.Sprintf("%d %+v %v", res.StatusCode, body, derr)
			healthy := 0
			for _, n := range body.Nodes {
				if n.Healthy {
					healthy++
				}
			}
			if res.StatusCode == http.StatusOK && healthy == 3 && len(body.Nodes) == 3 {
				return body
			}
		} else {
			last = err.Error()
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz not ready with 3 healthy nodes after 60s; last answer: %s", last)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// logLine finds the JSON log line whose request_id is id.
func (s *server) logLine(t *testing.T, id string) map[string]any {
	t.Helper()
	for _, line := range strings.Split(s.stdout.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && m["request_id"] == id {
			return m
		}
	}
	t.Fatalf("no log line with request_id %q in:\n%s", id, s.stdout)
	return nil
}

func TestServeReadyAndShutdown(t *testing.T) {
	d := newDB(t)
	s := startServer(t, d)

	body := s.waitReady(t)
	var roles []string
	for _, n := range body.Nodes {
		roles = append(roles, n.Name+"/"+n.Role)
	}
	if diff := cmp.Diff(roles, []string{"primary/primary", "replica-1/replica", "replica-2/replica"}); diff != "" {
		t.Errorf("/readyz nodes (-got +want):\n%s", diff)
	}
	if body.Status != "ok" {
		t.Errorf("/readyz status = %q, want ok", body.Status)
	}

	t.Run("request ids", func(t *testing.T) {
		get := func(id string) string {
			t.Helper()
			req, _ := http.NewRequest(http.MethodGet, "http://"+s.addr+"/healthz", nil)
			if id != "" {
				req.Header.Set("X-Request-ID", id)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				t.Fatalf("/healthz = %d", res.StatusCode)
			}
			return res.Header.Get("X-Request-ID")
		}
		if got := get("client-chosen-42"); got != "client-chosen-42" {
			t.Errorf("X-Request-ID echoed as %q, want client-chosen-42", got)
		}
		generated := regexp.MustCompile(`^[0-9a-f]{24}$`)
		first, second := get(""), get("")
		if !generated.MatchString(first) || first == second {
			t.Errorf("generated ids %q and %q, want two different 24-hex ids", first, second)
		}
		if got := get("has a space"); !generated.MatchString(got) {
			t.Errorf("an unprintable client id came back as %q, want a generated one", got)
		}

		line := s.logLine(t, "client-chosen-42")
		for k, want := range map[string]any{"msg": "request", "method": "GET", "route": "/healthz", "status": float64(200)} {
			if line[k] != want {
				t.Errorf("log line %s = %v, want %v", k, line[k], want)
			}
		}
		if _, ok := line["duration"]; !ok {
			t.Errorf("log line %v has no duration", line)
		}
	})

	t.Run("healthcheck command", func(t *testing.T) {
		if err := run(context.Background(), []string{"api", "healthcheck"}, d.Getenv, nil, io.Discard, io.Discard); err != nil {
			t.Errorf("healthcheck against a ready server: %v", err)
		}
	})

	// Ending run's context shuts the server down gracefully. (That a running
	// handler is waited for is not tested here: no endpoint is slow, and
	// net/http drops a request whose headers are still arriving when Shutdown
	// starts, so a half-sent request can't stand in for one.)
	s.cancel()
	if err := <-s.done; err != nil {
		t.Fatalf("run after shutdown = %v, want nil", err)
	}
	s.done <- nil // for the cleanup
	out := s.stdout.String()
	for _, msg := range []string{`"msg":"shutting down"`, `"msg":"stopped"`} {
		if !strings.Contains(out, msg) {
			t.Errorf("log lacks %s:\n%s", msg, out)
		}
	}
	for _, secret := range []string{"teachtrack-dev", "tt-admin-dev", "tt-repl-dev", d.Getenv("JWT_SECRET")} {
		if strings.Contains(out, secret) {
			t.Errorf("the log shows the secret %q", secret)
		}
	}
	if err := run(context.Background(), []string{"api", "healthcheck"}, d.Getenv, nil, io.Discard, io.Discard); err == nil {
		t.Error("healthcheck succeeded after shutdown")
	}
}

func TestRunBadConfig(t *testing.T) {
	base := map[string]string{"ENV_FILE": filepath.Join(t.TempDir(), "absent.env")}
	getenv := func(kv ...string) func(string) string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	tests := []struct {
		name     string
		getenv   func(string) string
		wantIn   string
		password string
	}{
		{"missing DATABASE_URL in production", getenv("APP_ENV", "production"), "DATABASE_URL is required", ""},
		{"missing DATABASE_URL in test", getenv("APP_ENV", "test"), "DATABASE_URL is required", ""},
		{"malformed DATABASE_URL", getenv("DATABASE_URL", "mysql://teachtrack:Sup3r/Secret@127.0.0.1:3316/teachtrack"), "DATABASE_URL", "Sup3r"},
		{"wrong scheme", getenv("DATABASE_URL", "postgres://teachtrack:Sup3rSecret@127.0.0.1/teachtrack"), "DATABASE_URL", "Sup3rSecret"},
		{"production without a secret", getenv("DATABASE_URL", "mysql://teachtrack:Sup3rSecret@127.0.0.1:3316/teachtrack", "APP_ENV", "production"), "JWT_SECRET", "Sup3rSecret"},
		// A well-formed URL of a database that isn't there fails at the first
		// use (migrations), still without the password.
		{"unreachable database", getenv("DATABASE_URL", "mysql://teachtrack:Unreach4ble@127.0.0.1:1/teachtrack", "HTTP_ADDR", "127.0.0.1:0"), "connection refused", "Unreach4ble"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout syncBuffer
			err := run(context.Background(), []string{"api", "serve"}, tt.getenv, nil, &stdout, io.Discard)
			if err == nil {
				t.Fatal("run succeeded, want an error")
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.wantIn) || strings.Contains(msg, "\n") {
				t.Errorf("error %q, want one line containing %q", msg, tt.wantIn)
			}
			if tt.password != "" && (strings.Contains(msg, tt.password) || strings.Contains(stdout.String(), tt.password)) {
				t.Errorf("error %q or log shows the password %q", msg, tt.password)
			}
		})
	}
}

// A checkout without .env finds the local cluster in development, as `make
// run` does, and says so: the README's commands work as written.
func TestRunFindsLocalClusterWithoutEnv(t *testing.T) {
	m := map[string]string{"ENV_FILE": filepath.Join(t.TempDir(), "absent.env")}
	var stdout, stderr syncBuffer
	if err := run(context.Background(), []string{"api", "migrate", "status"}, func(k string) string { return m[k] }, nil, &stdout, &stderr); err != nil {
		t.Fatalf("api migrate status without DATABASE_URL: %v (stderr %q)", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "using the local development cluster") {
		t.Errorf("stderr %q does not say which database it used", stderr.String())
	}
	if !strings.Contains(stdout.String(), "00001_users_schools.sql") {
		t.Errorf("migrate status printed %q, want the migrations of the local cluster", stdout.String())
	}
}

// devdb.LocalEnv and `scripts/devdb.sh env` describe the same cluster.
func TestLocalEnvMatchesDevdbScript(t *testing.T) {
	out, err := exec.Command("bash", "../../scripts/devdb.sh", "env").Output()
	if err != nil {
		t.Fatalf("devdb.sh env: %v", err)
	}
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		k, v, _ := strings.Cut(line, "=")
		got[k] = v
	}
	if diff := cmp.Diff(got, devdb.LocalEnv); diff != "" {
		t.Errorf("devdb.sh env vs devdb.LocalEnv (-script +Go):\n%s", diff)
	}
}

func TestRunCommands(t *testing.T) {
	d := newDB(t)
	tests := []struct {
		args    []string
		wantOut []string
		wantErr string
	}{
		{[]string{"api", "version"}, []string{version + "\n"}, ""},
		{[]string{"api", "help"}, []string{"usage: api <command>", "migrate up|down|status"}, ""},
		{[]string{"api", "migrate", "status"}, []string{"00001_users_schools.sql", "applied"}, ""},
		{[]string{"api", "migrate", "up"}, nil, ""},
		{[]string{"api", "replication", "status"}, []string{"primary", "replica-1", "replica-2", "127.0.0.1:3318"}, ""},
		{[]string{"api", "migrate"}, nil, "usage: api migrate"},
		{[]string{"api", "replication", "sideways"}, nil, "sideways"},
		// Refused before anything changes: the primary answers.
		{[]string{"api", "replication", "failover"}, nil, "use `api replication switchover`"},
		{[]string{"api", "replication", "switchover", "--force"}, nil, "usage: api replication"},
		{[]string{"api", "replication", "rejoin"}, nil, "usage: api replication"},
		{[]string{"api", "replication", "switchover", "--to", "nowhere"}, nil, `no node "nowhere"`},
		{[]string{"api", "frobnicate"}, nil, `unknown command "frobnicate"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args[1:], " "), func(t *testing.T) {
			var stdout, stderr syncBuffer
			err := run(context.Background(), tt.args, d.Getenv, strings.NewReader(""), &stdout, &stderr)
			if tt.wantErr == "" && err != nil {
				t.Fatalf("run: %v\n%s", err, stderr.String())
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("run = %v, want an error with %q", err, tt.wantErr)
			}
			for _, want := range tt.wantOut {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("output lacks %q:\n%s", want, stdout.String())
				}
			}
			for _, pw := range []string{"teachtrack-dev", "tt-admin-dev", "tt-repl-dev"} {
				if strings.Contains(stdout.String()+stderr.String(), pw) {
					t.Errorf("output shows the password %q", pw)
				}
			}
		})
	}
}
