package config

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// env is a fake process environment; Load only ever sees it through getenv.
type env map[string]string

func (e env) get(k string) string { return e[k] }

// minimal is the smallest environment Load accepts.
func minimal() env {
	return env{"DATABASE_URL": "mysql://teachtrack:primary-pw@127.0.0.1:3316/teachtrack"}
}

func (e env) with(kv ...string) env {
	out := env{}
	for k, v := range e {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

func TestLoadDefaults(t *testing.T) {
	c, err := Load(minimal().get, "")
	if err != nil {
		t.Fatal(err)
	}
	type view struct {
		AppEnv, HTTPAddr, ReadYourWrites, ReplicationUser string
		LogLevel                                          slog.Level
		MaxOpen, MaxIdle                                  int
		Lifetime, Shutdown                                time.Duration
		MigrateOnStart, DocsEnabled, Production           bool
		Replicas                                          int
		SecretSet                                         bool
	}
	got := view{c.AppEnv, c.HTTPAddr, c.ReadYourWrites, c.ReplicationUser, c.LogLevel, c.DBMaxOpenConns, c.DBMaxIdleConns,
		c.DBConnMaxLifetime, c.ShutdownTimeout, c.MigrateOnStart, c.DocsEnabled, c.Production(), len(c.Replicas), c.JWTSecret != ""}
	want := view{"development", ":8080", "causal", "tt_repl", slog.LevelInfo, 20, 10,
		5 * time.Minute, 15 * time.Second, true, true, false, 0, true}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("defaults (-got +want):\n%s", diff)
	}
}

func TestLoadValues(t *testing.T) {
	e := minimal().with(
		"APP_ENV", "test", "HTTP_ADDR", "127.0.0.1:9000", "LOG_LEVEL", "debug",
		"DB_MAX_OPEN_CONNS", "5", "DB_MAX_IDLE_CONNS", "50", "DB_CONN_MAX_LIFETIME", "90",
		"MIGRATE_ON_START", "false", "READ_YOUR_WRITES", "Window", "SHUTDOWN_TIMEOUT", "1.5",
		"TRUSTED_PROXIES", " 10.0.0.0/8, ,127.0.0.1 ",
	)
	c, err := Load(e.get, "")
	if err != nil {
		t.Fatal(err)
	}
	if c.AppEnv != "test" || c.HTTPAddr != "127.0.0.1:9000" || c.LogLevel != slog.LevelDebug {
		t.Errorf("app settings = %q %q %v", c.AppEnv, c.HTTPAddr, c.LogLevel)
	}
	// Idle connections are capped at the open limit; bare numbers are seconds.
	if c.DBMaxOpenConns != 5 || c.DBMaxIdleConns != 5 || c.DBConnMaxLifetime != 90*time.Second {
		t.Errorf("pool = %d open, %d idle, %v lifetime; want 5, 5, 1m30s", c.DBMaxOpenConns, c.DBMaxIdleConns, c.DBConnMaxLifetime)
	}
	if c.MigrateOnStart || c.ReadYourWrites != "window" || c.ShutdownTimeout != 1500*time.Millisecond {
		t.Errorf("MigrateOnStart=%v ReadYourWrites=%q ShutdownTimeout=%v", c.MigrateOnStart, c.ReadYourWrites, c.ShutdownTimeout)
	}
	if diff := cmp.Diff(c.TrustedProxies, []string{"10.0.0.0/8", "127.0.0.1"}); diff != "" {
		t.Errorf("TrustedProxies (-got +want):\n%s", diff)
	}
}

// TestLoadRejects gives every variable a bad value, one at a time: Load must
// fail with one line that starts with the variable's name and never shows a
// password.
func TestLoadRejects(t *testing.T) {
	tests := []struct {
		name, value string
		wantIn      string
	}{
		{"APP_ENV", "staging", "must be development, production or test"},
		{"HTTP_ADDR", "localhost", "host:port"},
		{"HTTP_ADDR", ":http-alt", "port"},
		{"LOG_LEVEL", "loud", "debug, info, warn or error"},
		{"DB_MAX_OPEN_CONNS", "many", "whole number"},
		{"DB_MAX_OPEN_CONNS", "0", "between 1 and"},
		{"DB_MAX_IDLE_CONNS", "-1", "between 0 and"},
		{"DB_CONN_MAX_LIFETIME", "forever", "duration"},
		{"DB_CONN_MAX_LIFETIME", "-5m", "negative"},
		{"DB_WRITE_TIMEOUT", "3 seconds", "duration"},
		{"MIGRATE_ON_START", "yes please", "true or false"},
		{"READ_YOUR_WRITES", "sometimes", "causal, window, off"},
		{"CAUSAL_WAIT", "soon", "duration"},
		{"STICKY_WINDOW", "2x", "duration"},
		{"HEALTH_INTERVAL", "often", "duration"},
		{"HEALTH_INTERVAL", "0s", "greater than zero"},
		{"PPROF_ADDR", "6060", "host:port"},
		{"MAX_REPLICA_LAG", "NaN", "duration"},
		{"ROUTING_DEBUG_HEADER", "on-ish", "true or false"},
		{"ACCESS_TOKEN_TTL", "15 minutes", "duration"},
		{"REFRESH_TOKEN_TTL", "Inf", "duration"},
		{"SESSION_TTL", "a week", "duration"},
		{"BCRYPT_COST", "3", "between 4 and 31"},
		{"BCRYPT_COST", "twelve", "whole number"},
		{"LOGIN_RATE_LIMIT", "0", "between 1 and"},
		{"REGISTER_RATE_LIMIT", "1.5", "whole number"},
		{"SHUTDOWN_TIMEOUT", "later", "duration"},
		{"MAX_SUBJECTS_PER_USER", "0", "between 1 and"},
		{"DOCS_ENABLED", "maybe", "true or false"},
		{"APP_TIMEZONE", "Mars/Olympus_Mons", "IANA time zone"},
		{"DATABASE_URL", "", "is required"},
		{"DATABASE_URL", "postgres://teachtrack:primary-pw@db/tt", "scheme"},
		{"DATABASE_URL", "mysql://teachtrack:primary-pw@db:3306", "no database"},
		{"DATABASE_URL", "mysql://teachtrack:primary/pw@db:3306/tt", "not a valid URL"},
		{"DATABASE_REPLICA_URLS", "mysql://app:replica-pw@db:3317/tt,mysql://app:replica-pw@:3318/tt", "entry 2"},
		{"DATABASE_REPLICA_1_URL", "mysql://app:replica-pw@db:3317", "no database"},
	}
	for _, tt := range tests {
		t.Run(tt.name+"="+tt.value, func(t *testing.T) {
			c, err := Load(minimal().with(tt.name, tt.value).get, "")
			if err == nil {
				t.Fatalf("Load with %s=%q = %+v, want an error", tt.name, tt.value, c)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, tt.name+" ") {
				t.Errorf("error %q does not start with the variable's name %s", msg, tt.name)
			}
			if !strings.Contains(msg, tt.wantIn) {
				t.Errorf("error %q does not contain %q", msg, tt.wantIn)
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error %q is more than one line", msg)
			}
			for _, pw := range []string{"primary-pw", "replica-pw", "primary/pw", "primary"} {
				if strings.Contains(msg, pw) {
					t.Errorf("error %q shows the password %q", msg, pw)
				}
			}
		})
	}
}

func TestLoadReportsFirstBadVariableOnly(t *testing.T) {
	_, err := Load(minimal().with("LOG_LEVEL", "loud", "BCRYPT_COST", "99").get, "")
	if err == nil {
		t.Fatal("Load accepted two bad variables")
	}
	if n := strings.Count(err.Error(), "must be"); n != 1 {
		t.Errorf("error %q names %d problems, want 1", err, n)
	}
}

func TestLoadReplicas(t *testing.T) {
	const (
		r1 = "mysql://app:pw@db1:3317/tt"
		r2 = "mysql+pymysql://app:pw@db2:3318/tt"
		r3 = "app:pw@tcp(db3:3319)/tt"
	)
	tests := []struct {
		name string
		env  env
		want []string
	}{
		{"none", minimal(), nil},
		{"list", minimal().with("DATABASE_REPLICA_URLS", r1+", "+r2+","), []string{"db1:3317", "db2:3318"}},
		{"legacy names", minimal().with("DATABASE_REPLICA_1_URL", r1, "DATABASE_REPLICA_2_URL", r2),
			[]string{"db1:3317", "db2:3318"}},
		{"legacy names stop at the first gap", minimal().with("DATABASE_REPLICA_1_URL", r1, "DATABASE_REPLICA_3_URL", r3),
			[]string{"db1:3317"}},
		{"list wins over legacy names", minimal().with("DATABASE_REPLICA_URLS", r3, "DATABASE_REPLICA_1_URL", r1),
			[]string{"db3:3319"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(tt.env.get, "")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range c.Replicas {
				got = append(got, r.Addr)
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("replica addresses (-got +want):\n%s", diff)
			}
		})
	}
}

func TestLoadEnvFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".env")
	file := "# comment\n" +
		"DATABASE_URL=mysql://app:file-pw@filehost:3316/tt\n" +
		"HTTP_ADDR=:7000\n" +
		"LOG_LEVEL=warn\n" +
		`JWT_SECRET="from the file, quoted"` + "\n"
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(env{"HTTP_ADDR": ":9999"}.get, path)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{c.Primary.Addr, c.HTTPAddr, c.LogLevel.String(), c.JWTSecret}
	want := []string{"filehost:3316", ":9999", "WARN", "from the file, quoted"}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("merged settings (-got +want):\n%s", diff)
	}

	t.Run("missing file is fine", func(t *testing.T) {
		if _, err := Load(minimal().get, filepath.Join(t.TempDir(), "absent.env")); err != nil {
			t.Errorf("Load with a missing .env: %v", err)
		}
	})
	t.Run("bad value in the file names the variable", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), ".env")
		if err := os.WriteFile(bad, []byte("DATABASE_URL=mysql://app:file-pw@filehost:3316/tt\nBCRYPT_COST=lots\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Load(env{}.get, bad)
		if err == nil || !strings.HasPrefix(err.Error(), "BCRYPT_COST ") {
			t.Errorf("Load = %v, want an error naming BCRYPT_COST", err)
		}
	})
}

func TestLoadProductionSecret(t *testing.T) {
	prod := minimal().with("APP_ENV", "production")
	tests := []struct {
		name, secret, wantIn string
	}{
		{"missing", "", "is required"},
		{"short", "0123456789abcdef0123456789abcde", "at least 32 bytes"},
		{"the .env.example value", "dev-secret-change-me-in-production-please", "example value"},
		{"another change-me", "please-CHANGE-ME-before-going-live-0123456789", "example value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(prod.with("JWT_SECRET", tt.secret).get, "")
			if err == nil {
				t.Fatalf("production accepted JWT_SECRET=%q", tt.secret)
			}
			if !strings.HasPrefix(err.Error(), "JWT_SECRET ") || !strings.Contains(err.Error(), tt.wantIn) {
				t.Errorf("error %q, want JWT_SECRET … %s", err, tt.wantIn)
			}
			if tt.secret != "" && strings.Contains(err.Error(), tt.secret) {
				t.Errorf("error %q shows the secret", err)
			}
		})
	}
	t.Run("a good secret starts", func(t *testing.T) {
		secret := "0123456789abcdef0123456789abcdef"
		c, err := Load(prod.with("JWT_SECRET", secret).get, "")
		if err != nil {
			t.Fatal(err)
		}
		if !c.Production() || c.JWTSecret != secret || c.DocsEnabled {
			t.Errorf("Production()=%v secret kept=%v DocsEnabled=%v; want true, true, false", c.Production(), c.JWTSecret == secret, c.DocsEnabled)
		}
	})
	t.Run("development fills in a secret", func(t *testing.T) {
		c, err := Load(minimal().get, "")
		if err != nil {
			t.Fatal(err)
		}
		if c.JWTSecret == "" {
			t.Error("JWTSecret is empty in development")
		}
	})
}

func TestLogAttrsMaskPasswords(t *testing.T) {
	c, err := Load(minimal().with("DATABASE_REPLICA_URLS", "mysql://app:replica-pw@db:3317/tt", "JWT_SECRET", "jwt-secret-value").get, "")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	slog.New(slog.NewJSONHandler(&b, nil)).Info("starting", c.LogAttrs()...)
	for _, secret := range []string{"primary-pw", "replica-pw", "jwt-secret-value"} {
		if strings.Contains(b.String(), secret) {
			t.Errorf("start-up log line %s shows %q", b.String(), secret)
		}
	}
	if !strings.Contains(b.String(), "127.0.0.1:3316") {
		t.Errorf("start-up log line %s does not show the primary's address", b.String())
	}
}

func TestLoadTimeZone(t *testing.T) {
	c, err := Load(minimal().get, "")
	if err != nil || c.TimeZone.String() != "Africa/Nairobi" {
		t.Fatalf("default APP_TIMEZONE: %v, %v", c, err)
	}
	c, err = Load(minimal().with("APP_TIMEZONE", "Africa/Kampala").get, "")
	if err != nil || c.TimeZone.String() != "Africa/Kampala" {
		t.Fatalf("APP_TIMEZONE=Africa/Kampala: %v, %v", c, err)
	}
	// Nairobi is UTC+3 all year: 22:00 UTC is already the next calendar day there.
	if d := time.Date(2026, 1, 4, 22, 0, 0, 0, time.UTC).In(c.TimeZone).Day(); d != 5 {
		t.Errorf("22:00 UTC on the 4th is the %dth in Kampala, want the 5th", d)
	}
}
