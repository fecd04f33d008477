package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every variable can come from NAME_FILE, as Docker and Kubernetes mount secrets.
func TestSecretsFromFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	secret := strings.Repeat("s3cr3t-", 6)
	e := env{
		"APP_ENV":              "production",
		"CORS_ALLOWED_ORIGINS": "https://teachtrack.example",
		"DATABASE_URL_FILE":    write("db", "mysql://app:file-pw@db.internal:3306/tt\n"),
		"JWT_SECRET_FILE":      write("jwt", secret+"\n"),
	}
	c, err := Load(e.get, "")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.JWTSecret != secret {
		t.Errorf("JWT secret from file = %q, want %q (final newline dropped)", c.JWTSecret, secret)
	}
	if c.Primary.Passwd != "file-pw" || c.Primary.Addr != "db.internal:3306" {
		t.Errorf("primary from DATABASE_URL_FILE = %s@%s", c.Primary.User, c.Primary.Addr)
	}

	for _, tc := range []struct {
		name string
		e    env
		want string
	}{
		{"both set", minimal().with("JWT_SECRET", secret, "JWT_SECRET_FILE", write("jwt2", secret)), "JWT_SECRET and JWT_SECRET_FILE are both set"},
		{"missing file", minimal().with("JWT_SECRET_FILE", filepath.Join(dir, "nope")), "JWT_SECRET_FILE names a file that can't be read"},
		{"bad value in file", env{"DATABASE_URL_FILE": write("bad", "postgres://app:hunter2@db/tt")}, "DATABASE_URL has scheme"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.e.get, "")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load error = %v, want it to contain %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), secret) {
				t.Errorf("the error shows the secret: %v", err)
			}
		})
	}
}
