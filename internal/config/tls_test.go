package config

import (
	"strings"
	"testing"
)

func TestDatabaseTLSSettings(t *testing.T) {
	const host = "mysql://app:pw@db.example.com:3306/tt"
	for _, tc := range []struct {
		name         string
		env          env
		wantTLS      bool
		skipVerify   bool
		fallback     bool
		serverName   string
		customVerify bool
	}{
		{"default preferred", env{"DATABASE_URL": host}, true, true, true, "", false},
		{"disabled", env{"DATABASE_URL": host, "DB_TLS": "disabled"}, false, false, false, "", false},
		{"required", env{"DATABASE_URL": host, "DB_TLS": "REQUIRED"}, true, true, false, "", false},
		{"verify-ca", env{"DATABASE_URL": host, "DB_TLS": "verify_ca"}, true, true, false, "", true},
		{"verify-identity", env{"DATABASE_URL": host, "DB_TLS": "verify-identity"}, true, false, false, "db.example.com", false},
		{"URL ssl-mode wins", env{"DATABASE_URL": host + "?ssl-mode=VERIFY_IDENTITY", "DB_TLS": "disabled"}, true, false, false, "db.example.com", false},
		{"URL sslmode=disable", env{"DATABASE_URL": host + "?sslmode=disable"}, false, false, false, "", false},
		{"URL tls=true", env{"DATABASE_URL": host + "?tls=true", "DB_TLS": "disabled"}, true, false, false, "db.example.com", false},
		{"DSN tls=skip-verify", env{"DATABASE_URL": "app:pw@tcp(db.example.com:3306)/tt?tls=skip-verify", "DB_TLS": "disabled"}, true, true, false, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(tc.env.get, "")
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			p := c.Primary
			if got := p.TLS != nil; got != tc.wantTLS {
				t.Fatalf("TLS on = %v, want %v", got, tc.wantTLS)
			}
			if p.TLS == nil {
				return
			}
			if p.TLS.InsecureSkipVerify != tc.skipVerify || p.AllowFallbackToPlaintext != tc.fallback ||
				p.TLS.ServerName != tc.serverName || (p.TLS.VerifyConnection != nil) != tc.customVerify {
				t.Errorf("got skipVerify=%v fallback=%v serverName=%q customVerify=%v", p.TLS.InsecureSkipVerify,
					p.AllowFallbackToPlaintext, p.TLS.ServerName, p.TLS.VerifyConnection != nil)
			}
			if _, ok := p.Params["ssl-mode"]; ok {
				t.Error("ssl-mode was left for the driver, which would send it to the server as a variable")
			}
		})
	}
	for _, tc := range []struct {
		name string
		env  env
		want string
	}{
		{"bad mode", env{"DATABASE_URL": host, "DB_TLS": "sometimes"}, "DB_TLS must be one of"},
		{"bad URL mode", env{"DATABASE_URL": host + "?ssl-mode=maybe"}, "ssl-mode"},
		{"CA missing", env{"DATABASE_URL": host, "DB_TLS": "verify-identity", "DB_TLS_CA": "/nonexistent/ca.pem"}, "DB_TLS_CA names a file that can't be read"},
		{"cert without key", env{"DATABASE_URL": host, "DB_TLS_CERT": "/x.pem"}, "DB_TLS_CERT and DB_TLS_KEY go together"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.env.get, "")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load error = %v, want %q", err, tc.want)
			}
		})
	}
}
