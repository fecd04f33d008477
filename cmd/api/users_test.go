package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/teachtrack/api/internal/dbtest"
)

func TestUsersCreateAdmin(t *testing.T) {
	d := dbtest.New(t)
	run1 := func(stdin string, args ...string) (string, error) {
		var out bytes.Buffer
		err := run(context.Background(), append([]string{"api", "users"}, args...), d.Getenv, strings.NewReader(stdin), &out, &out)
		return out.String(), err
	}
	for _, tt := range []struct {
		name, stdin string
		args        []string
	}{
		{"no subcommand", "", nil},
		{"no email", "password1\n", []string{"create-admin", "--password-stdin"}},
		{"password as a flag", "", []string{"create-admin", "--email", "a@example.com", "--password", "x"}},
		{"bad email", "password1\n", []string{"create-admin", "--email", "nope", "--password-stdin"}},
		{"short password", "short\n", []string{"create-admin", "--email", "a@example.com", "--password-stdin"}},
	} {
		if _, err := run1(tt.stdin, tt.args...); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
	args := []string{"create-admin", "--email", "Root@Example.com", "--password-stdin"}
	if out, err := run1("first-password\n", args...); err != nil || !strings.Contains(out, "created SUPER_ADMIN root@example.com") {
		t.Fatalf("create-admin: %q, %v", out, err)
	}
	// Again, with a new password: the same account, updated.
	if out, err := run1("second-password", args...); err != nil || !strings.Contains(out, "updated root@example.com") {
		t.Fatalf("create-admin again: %q, %v", out, err)
	}
	conn, err := d.AdminTo(0)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var n int
	var role, hash string
	if err := conn.QueryRow("SELECT COUNT(*), MAX(role), MAX(password_hash) FROM users").Scan(&n, &role, &hash); err != nil {
		t.Fatal(err)
	}
	if n != 1 || role != "SUPER_ADMIN" || bcrypt.CompareHashAndPassword([]byte(hash), []byte("second-password")) != nil {
		t.Errorf("after two runs: %d users, role %s, password updated: %v", n, role, bcrypt.CompareHashAndPassword([]byte(hash), []byte("second-password")) == nil)
	}
}
