// Package s3test starts a real S3-compatible server on 127.0.0.1 for tests:
// versitygw (Versity S3 Gateway, Apache-2.0) over a temporary directory. It
// is a separate program speaking the S3 protocol over HTTP, with SigV4
// authentication and multipart uploads, not an in-process fake. The binary is
// built once from the Go module proxy (`go install
// github.com/versity/versitygw/cmd/versitygw@v1.8.0`, about two minutes on two
// cores) into the user's cache directory and reused; TT_VERSITYGW names an
// existing binary instead.
package s3test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/teachtrack/api/internal/storage"
)

// Version is the versitygw release the tests run.
const Version = "v1.8.0"

// Server is a running versitygw with one empty bucket.
type Server struct {
	Config storage.S3Config
	Store  *storage.S3
}

// Env is the server as the API's environment names it (STORAGE=s3 …).
func (s *Server) Env() []string {
	return []string{"STORAGE", "s3", "S3_ENDPOINT", s.Config.Endpoint, "S3_BUCKET", s.Config.Bucket,
		"S3_REGION", s.Config.Region, "S3_ACCESS_KEY_ID", s.Config.AccessKeyID,
		"S3_SECRET_ACCESS_KEY", s.Config.SecretAccessKey, "S3_FORCE_PATH_STYLE", "true"}
}

// Binary returns the path of the versitygw binary, building it first when
// it is missing (under a lock, so parallel test packages build it once).
func Binary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("TT_VERSITYGW"); p != "" {
		return p
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Fatalf("no cache directory for the versitygw binary: %v", err)
	}
	dir := filepath.Join(cache, "teachtrack", "versitygw-"+Version)
	bin := filepath.Join(dir, "versitygw")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	lock, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	if _, err := os.Stat(bin); err == nil {
		return bin // another package built it while we waited
	}
	t.Logf("building versitygw %s into %s (once per machine)", Version, dir)
	start := time.Now()
	cmd := exec.Command("go", "install", "github.com/versity/versitygw/cmd/versitygw@"+Version)
	// Outside any module, so that our go.mod neither constrains nor records it.
	cmd.Dir = os.TempDir()
	cmd.Env = append(os.Environ(), "GOBIN="+dir, "GOWORK=off", "GOFLAGS=-buildvcs=false", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building versitygw: %v\n%s", err, out)
	}
	t.Logf("built versitygw in %s", time.Since(start).Round(time.Second))
	return bin
}

// Start runs a versitygw on a free port of 127.0.0.1 with a fresh bucket,
// stopped when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := Binary(t)
	root := t.TempDir()
	data, meta := filepath.Join(root, "data"), filepath.Join(root, "meta")
	for _, d := range []string{data, meta} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cfg := storage.S3Config{Endpoint: "http://" + addr, Bucket: "teachtrack-test", Region: "us-east-1",
		AccessKeyID: "tt-test-access", SecretAccessKey: "tt-test-secret-key", PathStyle: true}
	// The metadata sidecar keeps versitygw off extended attributes, which
	// not every file system under a test's temporary directory has.
	cmd := exec.Command(bin, "--port", addr, "--access", cfg.AccessKeyID, "--secret", cfg.SecretAccessKey,
		"--region", cfg.Region, "--quiet", "posix", "--sidecar", meta, data)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting versitygw: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
	})
	store, err := storage.NewS3(cfg)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err = store.EnsureBucket(ctx)
		cancel()
		if err == nil {
			break
		}
		select {
		case <-done:
			t.Fatalf("versitygw exited: %s", out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("versitygw on %s not ready within 30s: %v\n%s", addr, err, out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	return &Server{Config: cfg, Store: store}
}

// String names the server for logs.
func (s *Server) String() string {
	return fmt.Sprintf("versitygw %s at %s", Version, s.Config.Endpoint)
}
