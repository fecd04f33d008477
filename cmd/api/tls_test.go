package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/teachtrack/api/internal/dbtest"
	"github.com/teachtrack/api/internal/testpki"
)

// tlsPort is issue 22's private port (3420–3439) for the TLS server.
const tlsPort = 3421

// TestDatabaseTLS runs the API's commands against a private MariaDB whose
// certificate a test CA signed for "localhost" only, and whose app user
// REQUIRE SSL: verification must accept exactly the right CA and host name.
// These cases fail if certificate verification is switched off in the code.
func TestDatabaseTLS(t *testing.T) {
	dir := t.TempDir()
	ca := testpki.NewCA(t, dir, "teachtrack-test-ca")
	other := testpki.NewCA(t, dir, "some-other-ca")
	certFile, keyFile := ca.Issue(t, dir, "localhost")
	srv := dbtest.StartServer(t, tlsPort, "--ssl-ca="+ca.File, "--ssl-cert="+certFile, "--ssl-key="+keyFile)
	srv.Exec(t,
		"CREATE DATABASE teachtrack CHARACTER SET utf8mb4",
		"CREATE USER 'teachtrack'@'%' IDENTIFIED BY 'tls-pw' REQUIRE SSL",
		"GRANT ALL ON teachtrack.* TO 'teachtrack'@'%'",
	)
	url := func(host string) string {
		return fmt.Sprintf("mysql://teachtrack:tls-pw@%s:%d/teachtrack", host, tlsPort)
	}

	run1 := func(env ...string) (string, error) {
		m := map[string]string{"ENV_FILE": filepath.Join(dir, "absent.env"), "APP_ENV": "test"}
		for i := 0; i+1 < len(env); i += 2 {
			m[env[i]] = env[i+1]
		}
		var out strings.Builder
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		err := run(ctx, []string{"api", "migrate", "up"}, func(k string) string { return m[k] }, nil, &out, io.Discard)
		return out.String(), err
	}

	// Host names resolve here as everywhere: "localhost" must be the loopback.
	if addrs, err := net.LookupHost("localhost"); err != nil || len(addrs) == 0 {
		t.Fatalf("localhost does not resolve: %v", err)
	}
	t.Run("verify-identity with the right CA and host", func(t *testing.T) {
		out, err := run1("DATABASE_URL", url("localhost"), "DB_TLS", "verify-identity", "DB_TLS_CA", ca.File)
		if err != nil {
			t.Fatalf("migrate up over TLS: %v", err)
		}
		if !strings.Contains(out, "migrated up") {
			t.Errorf("migrate up printed %q, want migrations applied", out)
		}
	})
	t.Run("ssl-mode in the URL, as managed providers write it", func(t *testing.T) {
		_, err := run1("DATABASE_URL", url("localhost")+"?ssl-mode=VERIFY_IDENTITY&ssl-ca="+ca.File, "DB_TLS", "disabled")
		if err != nil {
			t.Fatalf("migrate up with ssl-mode in the URL: %v", err)
		}
	})
	t.Run("verify-ca ignores the host name", func(t *testing.T) {
		if _, err := run1("DATABASE_URL", url("127.0.0.1"), "DB_TLS", "verify-ca", "DB_TLS_CA", ca.File); err != nil {
			t.Fatalf("migrate up with verify-ca on 127.0.0.1: %v", err)
		}
	})
	for _, tc := range []struct {
		name string
		env  []string
		want string
	}{
		{"wrong CA", []string{"DATABASE_URL", url("localhost"), "DB_TLS", "verify-identity", "DB_TLS_CA", other.File}, "DB_TLS_CA"},
		{"wrong CA under verify-ca", []string{"DATABASE_URL", url("localhost"), "DB_TLS", "verify-ca", "DB_TLS_CA", other.File}, "DB_TLS"},
		{"wrong host name", []string{"DATABASE_URL", url("127.0.0.1"), "DB_TLS", "verify-identity", "DB_TLS_CA", ca.File}, "does not name the host"},
		{"TLS disabled against a user that requires it", []string{"DATABASE_URL", url("localhost"), "DB_TLS", "disabled"}, "Access denied"},
		{"server without TLS", []string{"DATABASE_URL", "mysql://teachtrack:teachtrack-dev@127.0.0.1:3316/teachtrack", "DB_TLS", "required"}, "does not offer TLS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := run1(tc.env...)
			if err == nil {
				t.Fatal("migrate up succeeded, want a TLS failure")
			}
			if msg := err.Error(); !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") || strings.Contains(msg, "tls-pw") {
				t.Errorf("error %q, want one line containing %q and no password", msg, tc.want)
			}
		})
	}
}
