package db

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/teachtrack/api/internal/testpki"
)

// redisTLSPort is issue 22's private port for a TLS-only redis-server.
const redisTLSPort = 3430

// startTLSRedis runs Debian's redis-server with TLS only (no plain port),
// its certificate signed by ca for "localhost".
func startTLSRedis(t *testing.T, dir string, ca testpki.CA) {
	t.Helper()
	cert, key := ca.Issue(t, dir, "localhost")
	cmd := exec.Command("redis-server", "--port", "0", "--tls-port", fmt.Sprint(redisTLSPort), "--bind", "127.0.0.1",
		"--tls-cert-file", cert, "--tls-key-file", key, "--tls-ca-cert-file", ca.File, "--tls-auth-clients", "no",
		"--save", "", "--appendonly", "no", "--dir", dir)
	out, err := os.Create(filepath.Join(dir, "redis.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("redis-server: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for i := 0; ; i++ {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", redisTLSPort))
		if err == nil {
			c.Close()
			return
		}
		if i > 100 {
			log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
			t.Fatalf("redis-server with TLS did not start: %v\n%s", err, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Consistency points in a Redis reached over TLS (rediss://, REDIS_TLS_CA):
// the right CA and host work; another CA or a host name the certificate
// doesn't name fail, so verification can't be off.
func TestRedisTLS(t *testing.T) {
	dir := t.TempDir()
	ca := testpki.NewCA(t, dir, "redis-test-ca")
	other := testpki.NewCA(t, dir, "other-ca")
	startTLSRedis(t, dir, ca)
	ctx := context.Background()
	url := func(host string) string { return fmt.Sprintf("rediss://%s:%d/0", host, redisTLSPort) }

	s, err := newRedisStore(url("localhost"), "tt-tls-test:", ca.File)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	want := Point{GTID: "0-1-42", At: time.Now().Truncate(time.Microsecond)}
	if err := s.Set(ctx, 7, want); err != nil {
		t.Fatalf("Set over TLS: %v", err)
	}
	got, ok, err := s.Get(ctx, 7)
	if err != nil || !ok || got.GTID != want.GTID {
		t.Fatalf("Get over TLS = %v, %v, %v; want %v", got, ok, err, want)
	}

	for _, tc := range []struct{ name, url, ca string }{
		{"another CA", url("localhost"), other.File},
		{"a host the certificate does not name", url("127.0.0.1"), ca.File},
		{"the system's roots", url("localhost"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad, err := newRedisStore(tc.url, "tt-tls-test:", tc.ca)
			if err != nil {
				t.Fatal(err)
			}
			defer bad.Close()
			err = bad.Set(ctx, 7, want)
			if err == nil || !strings.Contains(err.Error(), "certificate") {
				t.Fatalf("Set = %v, want a certificate verification error", err)
			}
		})
	}
}
