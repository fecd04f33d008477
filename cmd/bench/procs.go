package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/go-sql-driver/mysql" // the admin connection that creates databases

	"github.com/teachtrack/api/internal/devdb"
)

// cluster is a private primary + 2 replicas started with scripts/devdb.sh, so
// the benchmark neither disturbs the tests' cluster nor is disturbed by them.
type cluster struct {
	root  string // repository root
	dir   string // DEVDB_DIR
	ports [3]int
}

func (c *cluster) script(ctx context.Context, arg string) error {
	cmd := exec.CommandContext(ctx, filepath.Join(c.root, "scripts", "devdb.sh"), arg)
	cmd.Dir = c.root
	cmd.Env = append(os.Environ(), "DEVDB_DIR="+c.dir, "DEVDB_PRIVATE=1",
		fmt.Sprintf("DEVDB_PORTS=%d %d %d", c.ports[0], c.ports[1], c.ports[2]))
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("devdb.sh %s: %v\n%s", arg, err, out)
	}
	return nil
}

func (c *cluster) url(node int, db string) string {
	return fmt.Sprintf("mysql://teachtrack:teachtrack-dev@127.0.0.1:%d/%s", c.ports[node], db)
}

func (c *cluster) replicaURLs(n int, db string) string {
	var out []string
	for i := 1; i <= n; i++ {
		out = append(out, c.url(i, db))
	}
	return strings.Join(out, ",")
}

// pid is node i's mariadbd process id, checked to be that node's server.
func (c *cluster) pid(i int) (int, error) { return devdb.ServerPID(c.dir, devdb.NodeNames[i]) }

// allAlive reports whether every node's server is running.
func (c *cluster) allAlive() bool {
	for i := range devdb.NodeNames {
		if _, err := c.pid(i); err != nil {
			return false
		}
	}
	return true
}

// kill SIGKILLs node i and waits for it to go.
func (c *cluster) kill(i int) error {
	pid, err := c.pid(i)
	if err != nil {
		return err
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		return err
	}
	for j := 0; j < 100; j++ {
		if p, err := c.pid(i); err != nil || p != pid {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	return nil
}

// createDatabase makes a fresh database on the primary, as internal/dbtest
// does, and grants the app user on it; replication brings both to replicas.
func (c *cluster) createDatabase(ctx context.Context, prefix string) (string, error) {
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := prefix + hex.EncodeToString(b[:])
	admin, err := sql.Open("mysql", fmt.Sprintf("tt_admin:tt-admin-dev@tcp(127.0.0.1:%d)/", c.ports[0]))
	if err != nil {
		return "", err
	}
	defer admin.Close()
	for _, s := range []string{
		"CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
		"GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, DROP, INDEX, REFERENCES, LOCK TABLES, CREATE TEMPORARY TABLES ON `" + name + "`.* TO 'teachtrack'@'%'",
	} {
		if _, err := admin.ExecContext(ctx, s); err != nil {
			return "", err
		}
	}
	return name, nil
}

// server is a process under test (the API or the reference server).
type server struct {
	name string
	cmd  *exec.Cmd
	url  string
	done chan error
	logf *os.File
}

// start runs bin with env, logging to logPath, and waits until readyPath answers 200.
func start(ctx context.Context, name, bin string, args, env []string, addr, readyPath, logPath string) (*server, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	s := &server{name: name, cmd: cmd, url: "http://" + addr, done: make(chan error, 1), logf: logf}
	go func() { s.done <- cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-s.done:
			s.done <- err
			return nil, fmt.Errorf("%s exited at start (%v); see %s", name, err, logPath)
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		res, err := http.Get(s.url + readyPath)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s, nil
			}
		}
	}
	s.stop()
	return nil, fmt.Errorf("%s not ready at %s%s within 60s; see %s", name, s.url, readyPath, logPath)
}

// stop sends SIGTERM and waits (SIGKILL after 20s).
func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	s.logf.Close()
}

// peakRSS is the process's VmHWM (peak resident set) in bytes.
func peakRSS(pid int) (int64, error) { return procStatus(pid, "VmHWM:") }

// rss is the process's current VmRSS in bytes.
func rss(pid int) (int64, error) { return procStatus(pid, "VmRSS:") }

func procStatus(pid int, field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, errors.New(field + " not found")
}

// freeAddr returns a loopback address with a port nobody listens on.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
