package config

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// dsnParts is what a test cares about in a parsed address.
type dsnParts struct {
	User, Passwd, Net, Addr, DBName string
	Params                          map[string]string
	Timeout                         time.Duration
	ParseTime, InterpolateParams    bool
	Collation                       string
}

func TestParseDatabaseURL(t *testing.T) {
	defaults := func(p dsnParts) dsnParts {
		if p.Net == "" {
			p.Net = "tcp"
		}
		if p.Timeout == 0 {
			p.Timeout = 2 * time.Second
		}
		p.ParseTime, p.InterpolateParams = true, true
		if p.Collation == "" {
			p.Collation = "utf8mb4_unicode_ci"
		}
		return p
	}
	tests := []struct {
		name string
		raw  string
		want dsnParts
	}{
		{"mysql URL", "mysql://teachtrack:pw@127.0.0.1:3316/teachtrack",
			dsnParts{User: "teachtrack", Passwd: "pw", Addr: "127.0.0.1:3316", DBName: "teachtrack"}},
		{"pymysql URL of the old backend", "mysql+pymysql://app:pw@db.internal:3307/teachtrack",
			dsnParts{User: "app", Passwd: "pw", Addr: "db.internal:3307", DBName: "teachtrack"}},
		{"mariadb scheme", "mariadb://app:pw@db:3306/tt",
			dsnParts{User: "app", Passwd: "pw", Addr: "db:3306", DBName: "tt"}},
		{"Go DSN", "app:pw@tcp(10.0.0.5:3316)/teachtrack",
			dsnParts{User: "app", Passwd: "pw", Addr: "10.0.0.5:3316", DBName: "teachtrack"}},
		{"Go DSN with params", "app:pw@tcp(db:3306)/tt?timeout=5s&time_zone=%27%2B00%3A00%27",
			dsnParts{User: "app", Passwd: "pw", Addr: "db:3306", DBName: "tt", Timeout: 5 * time.Second,
				Params: map[string]string{"time_zone": "'+00:00'"}}},
		{"URL with params", "mysql://app:pw@db:3306/tt?timeout=7s&collation=utf8mb4_bin&sql_mode=%27STRICT_ALL_TABLES%27",
			dsnParts{User: "app", Passwd: "pw", Addr: "db:3306", DBName: "tt", Timeout: 7 * time.Second,
				Collation: "utf8mb4_bin", Params: map[string]string{"sql_mode": "'STRICT_ALL_TABLES'"}}},
		{"URL-escaped password", "mysql://app:p%40ss%3Aw%2Frd%23%3F@db:3306/tt",
			dsnParts{User: "app", Passwd: "p@ss:w/rd#?", Addr: "db:3306", DBName: "tt"}},
		{"no port means 3306", "mysql://app:pw@db.example.com/tt",
			dsnParts{User: "app", Passwd: "pw", Addr: "db.example.com:3306", DBName: "tt"}},
		{"IPv6 host", "mysql://app:pw@[::1]:3316/tt",
			dsnParts{User: "app", Passwd: "pw", Addr: "[::1]:3316", DBName: "tt"}},
		{"no password", "mysql://app@db:3306/tt",
			dsnParts{User: "app", Addr: "db:3306", DBName: "tt"}},
		{"surrounding spaces", "  mysql://app:pw@db:3306/tt \n",
			dsnParts{User: "app", Passwd: "pw", Addr: "db:3306", DBName: "tt"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := ParseDatabaseURL(tt.raw)
			if err != nil {
				t.Fatalf("ParseDatabaseURL(%q): %v", tt.raw, err)
			}
			got := dsnParts{User: cfg.User, Passwd: cfg.Passwd, Net: cfg.Net, Addr: cfg.Addr, DBName: cfg.DBName,
				Params: cfg.Params, Timeout: cfg.Timeout, ParseTime: cfg.ParseTime,
				InterpolateParams: cfg.InterpolateParams, Collation: cfg.Collation}
			if diff := cmp.Diff(got, defaults(tt.want)); diff != "" {
				t.Errorf("ParseDatabaseURL(%q) (-got +want):\n%s", tt.raw, diff)
			}
			if cfg.Loc.String() != "UTC" {
				t.Errorf("Loc = %v, want UTC", cfg.Loc)
			}
		})
	}
}

func TestParseDatabaseURLRejects(t *testing.T) {
	// Every bad value carries a password, to show it never reaches the message.
	const secret = "s3cr3t"
	tests := []struct {
		name, raw, wantIn string
	}{
		{"empty", "", "empty"},
		{"blank", "   ", "empty"},
		{"wrong scheme", "postgres://app:s3cr3t@db:5432/tt", `scheme "postgres"`},
		{"no host", "mysql://app:s3cr3t@/tt", "no host"},
		{"no host at all", "mysql:///tt", "no host"},
		{"no database", "mysql://app:s3cr3t@db:3306", "no database"},
		{"no database, slash only", "mysql://app:s3cr3t@db:3306/", "no database"},
		{"no user", "mysql://db:3306/tt", "no user"},
		{"no user, empty name", "mysql://:s3cr3t@db:3306/tt", "no user"},
		{"Go DSN without user", "tcp(db:3306)/tt", "no user"},
		{"Go DSN without database", "app:s3cr3t@tcp(db:3306)/", "no database"},
		{"Go DSN malformed", "app:s3cr3t@tcp(db:3306/tt", "not a valid DSN"},
		{"path beyond the database", "mysql://app:s3cr3t@db:3306/tt/extra", "more than a database name"},
		{"bad port", "mysql://app:s3cr3t@db:port/tt", "not a valid URL"},
		{"unknown parameter value", "mysql://app:s3cr3t@db:3306/tt?parseTime=maybe", "bad parameters"},
		{"garbage", "not a database address", "neither"},
		// An unescaped / or # in the password ends the host part early; url.Parse's
		// message would quote the password's first half as a "port".
		{"unescaped slash in password", "mysql://app:s3cr3t/x@db:3306/tt", "percent-encode"},
		{"unescaped hash in password", "mysql://app:s3cr3t#x@db:3306/tt", "percent-encode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := ParseDatabaseURL(tt.raw)
			if err == nil {
				t.Fatalf("ParseDatabaseURL(%q) = %+v, want an error", tt.raw, cfg)
			}
			if !strings.Contains(err.Error(), tt.wantIn) {
				t.Errorf("error %q does not contain %q", err, tt.wantIn)
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "s3c") {
				t.Errorf("error %q leaks the password", err)
			}
		})
	}
}

func TestRedactDSN(t *testing.T) {
	cfg, err := ParseDatabaseURL("mysql://app:hunter2hunter2@db:3306/tt")
	if err != nil {
		t.Fatal(err)
	}
	got := RedactDSN(cfg)
	if want := "mysql://app:***@db:3306/tt"; got != want {
		t.Errorf("RedactDSN = %q, want %q", got, want)
	}
	if RedactDSN(nil) != "" {
		t.Errorf("RedactDSN(nil) = %q, want empty", RedactDSN(nil))
	}
}
