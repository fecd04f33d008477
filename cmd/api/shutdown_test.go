package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as the api binary: with TT_RUN_API_MAIN=1 it runs
// main() with the given arguments, so TestSIGTERMUnderLoad can send a real
// SIGTERM to a real process without building anything.
func TestMain(m *testing.M) {
	if os.Getenv("TT_RUN_API_MAIN") == "1" {
		os.Args = append([]string{"api"}, strings.Fields(os.Getenv("TT_API_ARGS"))...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// apiEnv are the variables dbtest sets for the API.
var apiEnv = []string{"APP_ENV", "DATABASE_URL", "DATABASE_REPLICA_URLS", "DB_ADMIN_USER", "DB_ADMIN_PASSWORD",
	"REPLICATION_PASSWORD", "JWT_SECRET", "BCRYPT_COST", "ROUTING_DEBUG_HEADER", "HEALTH_INTERVAL",
	"LOGIN_RATE_LIMIT", "REGISTER_RATE_LIMIT", "HTTP_ADDR", "ENV_FILE", "SHUTDOWN_TIMEOUT", "DB_WRITE_TIMEOUT"}

func TestSIGTERMUnderLoad(t *testing.T) {
	d := newDB(t)
	addr := freeAddr(t)
	d.Set("HTTP_ADDR", addr)
	d.Set("SHUTDOWN_TIMEOUT", "20s")
	d.Set("DB_WRITE_TIMEOUT", "30s") // the in-flight writes wait on a lock; only shutdown's patience counts
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = []string{"TT_RUN_API_MAIN=1", "TT_API_ARGS=serve", "PATH=" + os.Getenv("PATH")}
	for _, k := range apiEnv {
		cmd.Env = append(cmd.Env, k+"="+d.Getenv(k))
	}
	var stdout syncBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	base := "http://" + addr
	waitUntil(t, 60*time.Second, "the API ready", func() bool {
		res, err := http.Get(base + "/readyz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	})

	// A signed-in user whose row an administrator locks: their updates will
	// be in flight, waiting, when SIGTERM arrives.
	post := func(path, token string, body any) (*http.Response, error) {
		b, _ := json.Marshal(body)
		method := "POST"
		if path == "/api/v1/auth/me" {
			method = "PATCH"
		}
		req, _ := http.NewRequest(method, base+path, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		return http.DefaultClient.Do(req)
	}
	creds := map[string]string{"email": "sigterm@example.com", "password": "password-1", "full_name": "S"}
	if res, err := post("/api/v1/auth/register", "", creds); err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("register: %v %v", res, err)
	}
	res, err := post("/api/v1/auth/login", "", map[string]string{"email": creds["email"], "password": creds["password"]})
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("login: %v %v", res, err)
	}
	var login struct {
		AccessToken string              `json:"access_token"`
		User        struct{ ID uint64 } `json:"user"`
	}
	_ = json.NewDecoder(res.Body).Decode(&login)
	res.Body.Close()

	admin, err := d.AdminTo(0)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	tx, err := admin.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec("SELECT id FROM users WHERE id = ? FOR UPDATE", login.User.ID); err != nil {
		t.Fatal(err)
	}
	const inFlight = 4
	var wg sync.WaitGroup
	statuses := make(chan string, inFlight)
	for i := range inFlight {
		wg.Go(func() {
			res, err := post("/api/v1/auth/me", login.AccessToken, map[string]string{"full_name": fmt.Sprint("in flight ", i)})
			if err != nil {
				statuses <- err.Error()
				return
			}
			res.Body.Close()
			statuses <- fmt.Sprint(res.StatusCode)
		})
	}
	waitUntil(t, 20*time.Second, "the updates in flight", func() bool {
		var n int
		_ = admin.QueryRow("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = ? AND INFO LIKE 'UPDATE%users%'", d.Name).Scan(&n)
		return n == inFlight
	})

	sent := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 10*time.Second, "new connections refused", func() bool {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return errors.Is(err, syscall.ECONNREFUSED)
		}
		c.Close()
		return false
	})
	select {
	case err := <-exited:
		t.Fatalf("the API exited (%v) while requests were in flight:\n%s", err, stdout.String())
	default:
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	close(statuses)
	for s := range statuses {
		if s != "200" {
			t.Errorf("an in-flight request ended with %s, want 200", s)
		}
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("the API exited with %v, want 0:\n%s", err, stdout.String())
		}
	case <-time.After(25 * time.Second):
		t.Fatalf("the API had not exited 25s after SIGTERM (SHUTDOWN_TIMEOUT 20s):\n%s", stdout.String())
	}
	t.Logf("exit 0 %s after SIGTERM", time.Since(sent).Round(time.Millisecond))
	for _, msg := range []string{`"msg":"shutting down"`, `"msg":"stopped"`} {
		if !strings.Contains(stdout.String(), msg) {
			t.Errorf("log lacks %s:\n%s", msg, stdout.String())
		}
	}
}

// waitUntil polls cond every 50ms up to limit (a bound against hanging).
func waitUntil(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, limit)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
