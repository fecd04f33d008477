// Package legacytest builds a database in the original backend's schema on
// a private MariaDB server, filled with a fixture of every table and the
// original's oddities, for the import tests. The schema is
// ../testdata/original_schema.sql, written from the original's models.py.
package legacytest

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/teachtrack/api/internal/dbtest"
)

// Password is every fixture account's password.
const Password = "old-password-1"

// Fixture's known accounts and values, by what the tests check.
const (
	TeacherEmail = "jane.teacher@example.com" // stored as "Jane.Teacher@Example.com"
	GoogleSub    = "google-sub-5"
	GoogleEmail  = "grace.google@example.com"
	BannedEmail  = "banned@example.com"
	LegacyAdmin  = "old.admin@example.com" // is_admin with role TEACHER
	// The teacher's Mathematics: 18 lessons, 7 done.
	MathLessons, MathDone = 18, 7
)

// Source is the original database on its private server.
type Source struct {
	// URL reads it as a user with SELECT only.
	URL    string
	server *dbtest.Server
}

// Exec runs statements on the source as root (to change it between runs).
func (s *Source) Exec(t testing.TB, stmts ...string) {
	t.Helper()
	for i, q := range stmts {
		stmts[i] = "USE teachtrack_orig; " + q
	}
	s.server.Exec(t, stmts...)
}

// Start starts a private server on port, creates the original schema and
// loads the fixture; scale multiplies the generated teachers (1: 20).
func Start(t testing.TB, port, scale int) *Source {
	t.Helper()
	srv := dbtest.StartServer(t, port)
	_, file, _, _ := runtime.Caller(0)
	ddl, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "testdata", "original_schema.sql"))
	if err != nil {
		t.Fatal(err)
	}
	root, err := srv.Root()
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	root.SetMaxOpenConns(1) // one session: FOREIGN_KEY_CHECKS stays off for all of it
	mustExec(t, root, "CREATE DATABASE teachtrack_orig CHARACTER SET utf8mb4", "USE teachtrack_orig",
		"SET FOREIGN_KEY_CHECKS = 0", "SET time_zone = '+00:00'", string(ddl))
	hash, err := bcrypt.GenerateFromPassword([]byte(Password), 4)
	if err != nil {
		t.Fatal(err)
	}
	// The original's Python bcrypt wrote $2b$: same algorithm as Go's $2a$.
	f := &fixture{hash: "$2b$" + strings.TrimPrefix(string(hash), "$2a$")}
	f.build(scale)
	for _, q := range f.statements() {
		mustExec(t, root, q)
	}
	mustExec(t, root, "CREATE USER reader@'127.0.0.1' IDENTIFIED BY 'reader-pw'",
		"GRANT SELECT ON teachtrack_orig.* TO reader@'127.0.0.1'")
	return &Source{URL: fmt.Sprintf("mysql://reader:reader-pw@127.0.0.1:%d/teachtrack_orig", port), server: srv}
}

func mustExec(t testing.TB, db *sql.DB, stmts ...string) {
	t.Helper()
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%.200s: %v", q, err)
		}
	}
}
