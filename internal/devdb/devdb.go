// Package devdb knows the on-disk layout of the local clusters that
// scripts/devdb.sh runs (the shared one, and the private ones of the tests and
// benchmarks), so Go code can find and signal their servers safely.
package devdb

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// NodeNames are the cluster's nodes, in the order of their ports.
var NodeNames = [3]string{"primary", "replica-1", "replica-2"}

// ServerPID returns the process id of node's server in the cluster under dir.
// The pid file alone is not trusted: pids wrap quickly (pid_max is often
// 32768) and a stale file can name another program, or another cluster's
// mariadbd, which must never be signalled. The process must be serving this
// node's own data directory and must not be a zombie.
func ServerPID(dir, node string) (int, error) {
	b, err := os.ReadFile(filepath.Join(dir, node, "mysqld.pid"))
	if err != nil {
		return 0, fmt.Errorf("%s: %w", node, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, fmt.Errorf("%s: bad pid file: %w", node, err)
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	want := "--datadir=" + filepath.Join(dir, node, "data") + "\x00"
	if err != nil || !strings.Contains(string(cmdline), want) {
		return 0, fmt.Errorf("%s: pid %d is not its server (not running)", node, pid)
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	// A SIGKILLed server stays a zombie until its parent reaps it.
	if err != nil || strings.Contains(string(stat), ") Z ") {
		return 0, fmt.Errorf("%s: pid %d has exited", node, pid)
	}
	return pid, nil
}

// LocalEnv is what `scripts/devdb.sh env` prints for the shared local cluster
// (127.0.0.1:3316 primary, 3317 and 3318 replicas): development settings with
// development passwords, used by `api` in development when no DATABASE_URL is
// given, so every subcommand finds the cluster `make run` uses.
var LocalEnv = map[string]string{
	"DATABASE_URL":          "mysql://teachtrack:teachtrack-dev@127.0.0.1:3316/teachtrack",
	"DATABASE_REPLICA_URLS": "mysql://teachtrack:teachtrack-dev@127.0.0.1:3317/teachtrack,mysql://teachtrack:teachtrack-dev@127.0.0.1:3318/teachtrack",
	"DB_ADMIN_USER":         "tt_admin",
	"DB_ADMIN_PASSWORD":     "tt-admin-dev",
	"REPLICATION_USER":      "tt_repl",
	"REPLICATION_PASSWORD":  "tt-repl-dev",
}
