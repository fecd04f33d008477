package dbtest

import (
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Server is a single private MariaDB server a test starts with options of its
// own (TLS certificates, say), on a port of its own, with its data in a
// temporary folder. It is stopped when the test ends.
type Server struct {
	Port int
	dir  string
}

// StartServer initialises and starts mariadbd on 127.0.0.1:port with extra
// server options (e.g. "--ssl-cert=…"). Root connects over the server's socket
// (Root); nothing else exists until the test creates it.
func StartServer(t testing.TB, port int, options ...string) *Server {
	t.Helper()
	dir := t.TempDir()
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	tmp := filepath.Join(dir, "tmp")
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	install := exec.Command("mariadb-install-db", "--no-defaults", "--datadir="+data, "--user="+me.Username,
		"--auth-root-authentication-method=socket", "--auth-root-socket-user="+me.Username, "--skip-test-db")
	install.Env = append(os.Environ(), "TMPDIR="+tmp)
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("mariadb-install-db: %v\n%s", err, out)
	}
	s := &Server{Port: port, dir: dir}
	args := append([]string{"--no-defaults", "--user=" + me.Username, "--datadir=" + data, "--tmpdir=" + tmp,
		fmt.Sprintf("--port=%d", port), "--bind-address=127.0.0.1", "--socket=" + s.socket(),
		"--pid-file=" + filepath.Join(dir, "mysqld.pid"), "--log-error=" + filepath.Join(dir, "error.log"),
		"--skip-name-resolve", "--innodb-buffer-pool-size=32M"}, options...)
	bin := "/usr/sbin/mariadbd"
	if p, err := exec.LookPath("mariadbd"); err == nil {
		bin = p
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting mariadbd: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		root, err := s.Root()
		if err == nil {
			err = root.Ping()
			root.Close()
			if err == nil {
				return s
			}
		}
		select {
		case <-done:
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("mariadbd on %d exited:\n%s", port, tail(string(log), 2000))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("mariadbd on %d did not answer within 60s: %v", port, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (s *Server) socket() string { return filepath.Join(s.dir, "mysqld.sock") }

// Root is a connection as root over the server's socket.
func (s *Server) Root() (*sql.DB, error) {
	return sql.Open("mysql", "root@unix("+s.socket()+")/?multiStatements=true")
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// Exec runs statements as root, failing the test on error.
func (s *Server) Exec(t testing.TB, stmts ...string) {
	t.Helper()
	root, err := s.Root()
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	for _, q := range stmts {
		if _, err := root.Exec(q); err != nil {
			t.Fatalf("%s: %v", strings.SplitN(q, "\n", 2)[0], err)
		}
	}
}
