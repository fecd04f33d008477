// Package config reads the API's settings from the environment (and a .env
// file) once, validates them, and hands one Config to everything else.
package config

import (
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // APP_TIMEZONE works in images without /usr/share/zoneinfo

	"github.com/go-sql-driver/mysql"
	"github.com/joho/godotenv"
)

// Config is every setting of the API. Nothing below cmd/api reads the environment.
type Config struct {
	AppEnv   string
	HTTPAddr string
	LogLevel slog.Level
	Version  string

	// Databases.
	Primary           *mysql.Config
	Replicas          []*mysql.Config
	DBMaxOpenConns    int
	DBMaxIdleConns    int
	DBConnMaxLifetime time.Duration
	DBWriteTimeout    time.Duration
	DBReadTimeout     time.Duration
	MigrateOnStart    bool
	// DBTLS is how every database connection is encrypted and verified
	// (DB_TLS*); a URL's own ssl-mode/tls parameters override it for that node.
	DBTLS DBTLS

	// Administrative access for `api replication setup|status` only.
	DBAdminUser            string
	DBAdminPassword        string
	ReplicationUser        string
	ReplicationPassword    string
	ReplicationPrimaryHost string
	ReplicationTLS         bool
	// SemiSyncTimeout is how long a commit waits for a replica's
	// acknowledgement before the primary falls back to asynchronous
	// replication (SEMI_SYNC_TIMEOUT; set on the servers by `replication setup`).
	SemiSyncTimeout time.Duration
	// Failover is manual or auto (FAILOVER): auto lets the API promote a
	// replica once the primary has been unreachable for FailoverAfter; it
	// needs DB_ADMIN_USER and REPLICATION_PASSWORD.
	Failover      string
	FailoverAfter time.Duration

	// Routing and read-your-writes.
	ReadYourWrites     string // causal | window | off
	CausalWait         time.Duration
	StickyWindow       time.Duration
	HealthInterval     time.Duration
	MaxReplicaLag      time.Duration
	RoutingDebugHeader bool
	ReadsOnPrimary     bool
	RedisURL           string
	RedisKeyPrefix     string
	// RedisTLSCA is the PEM file of the CA that signed a rediss:// server's
	// certificate (REDIS_TLS_CA); empty: the system's roots.
	RedisTLSCA string

	// Auth and sessions.
	JWTSecret          string
	AccessTokenTTL     time.Duration
	RefreshTokenTTL    time.Duration
	SessionTTL         time.Duration
	BcryptCost         int
	LoginRateLimit     int // attempts per minute per IP and per email
	RegisterRateLimit  int // attempts per minute per IP
	TrustedProxies     []string
	CORSAllowedOrigins []string

	// HTTP server.
	ShutdownTimeout time.Duration
	// PprofAddr serves net/http/pprof on its own listener when set (benchmarks
	// and profiling only; empty, the default, serves nothing).
	PprofAddr string
	// MetricsAddr serves /metrics on a listener of its own (and not on
	// HTTP_ADDR); MetricsToken requires Authorization: Bearer <token> for it.
	// In production, with neither, /metrics is not served at all.
	MetricsAddr  string
	MetricsToken string

	// Product limits.
	MaxSubjectsPerUser int
	DocsEnabled        bool

	// Lesson-plan AI assistant: an OpenAI-compatible chat-completions
	// service. Without LLMAPIKey the assistant is off.
	LLMBaseURL string
	LLMAPIKey  string
	LLMModels  []string // tried in order
	LLMTimeout time.Duration
	// School year and timetable (issue 14): the time zone in which term dates
	// are calendar dates and lesson times are wall-clock times.
	TimeZone *time.Location
	// Accounts (issue 18): mail, links, Google sign-in, captcha.
	SMTPURL                 string // empty: mail is written to the log
	EmailFrom               string
	FrontendURL             string
	GoogleClientID          string // empty: Google sign-in is off
	GoogleCertsURL          string
	LoginCaptcha            string // always | after-failures | off
	LoginCaptchaAfter       int    // failed logins of an address before after-failures asks
	ForgotPasswordRateLimit int    // requests per minute per IP and per email
	CaptchaRateLimit        int    // captchas per minute per IP
	// Payments (issue 19): Safaricom Daraja. Empty keys leave payments off.
	Mpesa Mpesa

	// Curriculum catalogue (issue 13): a directory of CBC curriculum JSON
	// files imported at every start, after the migrations (idempotent).
	CurriculumDir string
	// Files: notes, logos and share links (issue 17).
	Storage        string // local | s3
	StorageDir     string // STORAGE=local: where files live
	S3             S3Config
	UploadMaxBytes int64         // largest note upload
	LogoMaxBytes   int64         // largest logo upload
	UploadTimeout  time.Duration // how long one upload's body may take to arrive
	SignedURLTTL   time.Duration // how long a file URL the API hands out works
}

// S3Config is STORAGE=s3's bucket on any S3-compatible service.
type S3Config struct {
	Endpoint        string
	Bucket          string
	Region          string
	AccessKeyID     string
	SecretAccessKey string
	PathStyle       bool
}

// Mpesa is the Daraja (M-Pesa STK push) configuration. Payments are on only
// when every credential and the callback are set (Configured).
type Mpesa struct {
	Env            string // sandbox | production
	BaseURL        string // Daraja's base URL for Env, or MPESA_BASE_URL (tests)
	ConsumerKey    string
	ConsumerSecret string
	Shortcode      string
	Passkey        string
	// CallbackURL is the public URL of POST /api/v1/payments/callback;
	// Safaricom is given CallbackURL + "/" + CallbackToken, and a callback
	// on any other token is refused.
	CallbackURL   string
	CallbackToken string
	Timeout       time.Duration
}

// Configured reports whether payments can be taken.
func (m Mpesa) Configured() bool {
	return m.ConsumerKey != "" && m.ConsumerSecret != "" && m.Shortcode != "" && m.Passkey != "" &&
		m.CallbackURL != "" && m.CallbackToken != ""
}

// Daraja's base URLs.
const (
	MpesaSandboxURL    = "https://sandbox.safaricom.co.ke"
	MpesaProductionURL = "https://api.safaricom.co.ke"
)

// Production reports whether APP_ENV is production.
func (c *Config) Production() bool { return c.AppEnv == "production" }

// exampleSecrets are values shipped in .env.example or docs; production refuses them.
var exampleSecrets = []string{"change-me", "changeme", "secret", "dev-secret-change-me-in-production-please"}

// Load reads the configuration through getenv, after merging a .env file found
// at envFile (if it exists) under the real environment: a variable set in the
// environment wins over the file. The error names the variable and what is wrong.
func Load(getenv func(string) string, envFile string) (*Config, error) {
	get := getenv
	if envFile != "" {
		if fileVars, err := godotenv.Read(envFile); err == nil {
			get = func(k string) string {
				if v := getenv(k); v != "" {
					return v
				}
				return fileVars[k]
			}
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: %v", envFile, err)
		}
	}
	p := &parser{}
	p.get = p.withFiles(get)
	c := &Config{
		AppEnv:   p.str("APP_ENV", "development"),
		HTTPAddr: p.str("HTTP_ADDR", ":8080"),

		DBMaxOpenConns:    p.int("DB_MAX_OPEN_CONNS", 20, 1, 10000),
		DBMaxIdleConns:    p.int("DB_MAX_IDLE_CONNS", 10, 0, 10000),
		DBConnMaxLifetime: p.dur("DB_CONN_MAX_LIFETIME", 5*time.Minute),
		DBWriteTimeout:    p.dur("DB_WRITE_TIMEOUT", 3*time.Second),
		DBReadTimeout:     p.dur("DB_READ_TIMEOUT", 5*time.Second),
		MigrateOnStart:    p.bool("MIGRATE_ON_START", true),

		DBAdminUser:            p.str("DB_ADMIN_USER", ""),
		DBAdminPassword:        p.str("DB_ADMIN_PASSWORD", ""),
		ReplicationUser:        p.str("REPLICATION_USER", "tt_repl"),
		ReplicationPassword:    p.str("REPLICATION_PASSWORD", ""),
		ReplicationPrimaryHost: p.str("REPLICATION_PRIMARY_HOST", ""),
		ReplicationTLS:         p.bool("REPLICATION_TLS", false),
		SemiSyncTimeout:        p.dur("SEMI_SYNC_TIMEOUT", time.Second),
		Failover:               p.oneOf("FAILOVER", "manual", "manual", "auto"),
		FailoverAfter:          p.dur("FAILOVER_AFTER", 10*time.Second),

		ReadYourWrites:     p.oneOf("READ_YOUR_WRITES", "causal", "causal", "window", "off"),
		CausalWait:         p.dur("CAUSAL_WAIT", 50*time.Millisecond),
		StickyWindow:       p.dur("STICKY_WINDOW", 2*time.Second),
		HealthInterval:     p.dur("HEALTH_INTERVAL", 500*time.Millisecond),
		MaxReplicaLag:      p.dur("MAX_REPLICA_LAG", 5*time.Second),
		RoutingDebugHeader: p.bool("ROUTING_DEBUG_HEADER", false),
		ReadsOnPrimary:     p.bool("READS_ON_PRIMARY", false),
		RedisURL:           p.str("REDIS_URL", ""),
		RedisKeyPrefix:     p.str("REDIS_KEY_PREFIX", "teachtrack:"),
		RedisTLSCA:         p.str("REDIS_TLS_CA", ""),

		JWTSecret:          p.str("JWT_SECRET", ""),
		AccessTokenTTL:     p.dur("ACCESS_TOKEN_TTL", 15*time.Minute),
		RefreshTokenTTL:    p.dur("REFRESH_TOKEN_TTL", 30*24*time.Hour),
		SessionTTL:         p.dur("SESSION_TTL", 7*24*time.Hour),
		BcryptCost:         p.int("BCRYPT_COST", 12, 4, 31),
		LoginRateLimit:     p.int("LOGIN_RATE_LIMIT", 10, 1, 1000000),
		RegisterRateLimit:  p.int("REGISTER_RATE_LIMIT", 5, 1, 1000000),
		TrustedProxies:     p.list("TRUSTED_PROXIES"),
		CORSAllowedOrigins: p.list("CORS_ALLOWED_ORIGINS"),

		ShutdownTimeout: p.dur("SHUTDOWN_TIMEOUT", 15*time.Second),
		PprofAddr:       p.str("PPROF_ADDR", ""),
		MetricsAddr:     p.str("METRICS_ADDR", ""),
		MetricsToken:    p.str("METRICS_TOKEN", ""),

		MaxSubjectsPerUser: p.int("MAX_SUBJECTS_PER_USER", 50, 1, 100000),

		LLMBaseURL: p.str("LLM_BASE_URL", "https://openrouter.ai/api/v1"),
		LLMAPIKey:  p.str("LLM_API_KEY", ""),
		LLMModels:  p.list("LLM_MODEL"),
		LLMTimeout: p.dur("LLM_TIMEOUT", 30*time.Second),

		SMTPURL:                 p.str("SMTP_URL", ""),
		EmailFrom:               p.str("EMAIL_FROM", "TeachTrack <no-reply@teachtrack.local>"),
		GoogleClientID:          p.str("GOOGLE_CLIENT_ID", ""),
		GoogleCertsURL:          p.str("GOOGLE_CERTS_URL", GoogleCertsURL),
		LoginCaptcha:            p.oneOf("LOGIN_CAPTCHA", "after-failures", "after-failures", "always", "off"),
		LoginCaptchaAfter:       p.int("LOGIN_CAPTCHA_AFTER", 3, 1, 1000),
		ForgotPasswordRateLimit: p.int("FORGOT_PASSWORD_RATE_LIMIT", 5, 1, 1000000),
		CaptchaRateLimit:        p.int("CAPTCHA_RATE_LIMIT", 30, 1, 1000000),

		CurriculumDir: p.str("CURRICULUM_DIR", ""),
	}
	if len(c.LLMModels) == 0 {
		c.LLMModels = []string{"openrouter/auto"}
	}
	if u, err := url.Parse(c.LLMBaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.fail("LLM_BASE_URL", "must be an http or https URL such as https://openrouter.ai/api/v1, not %q", c.LLMBaseURL)
	}
	if c.LLMTimeout <= 0 {
		p.fail("LLM_TIMEOUT", "must be greater than zero")
	}
	c.DocsEnabled = p.bool("DOCS_ENABLED", !c.Production())
	c.Mpesa = p.mpesa()
	p.files(c)
	c.LogLevel = p.level("LOG_LEVEL", slog.LevelInfo)
	c.TimeZone = p.location("APP_TIMEZONE", "Africa/Nairobi")
	if c.CurriculumDir != "" {
		if st, err := os.Stat(c.CurriculumDir); err != nil || !st.IsDir() {
			p.fail("CURRICULUM_DIR", "must be a directory of curriculum JSON files; %q is not one", c.CurriculumDir)
		}
	}

	if c.AppEnv != "development" && c.AppEnv != "production" && c.AppEnv != "test" {
		p.fail("APP_ENV", "must be development, production or test, not %q", c.AppEnv)
	}
	if _, port, err := net.SplitHostPort(c.HTTPAddr); err != nil {
		p.fail("HTTP_ADDR", "must be host:port or :port (e.g. :8080), not %q", c.HTTPAddr)
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		p.fail("HTTP_ADDR", "must end in a port number from 0 to 65535, not %q", c.HTTPAddr)
	}
	if c.PprofAddr != "" {
		if _, _, err := net.SplitHostPort(c.PprofAddr); err != nil {
			p.fail("PPROF_ADDR", "must be host:port (e.g. 127.0.0.1:6060), not %q", c.PprofAddr)
		}
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			p.fail("METRICS_ADDR", "must be host:port (e.g. 127.0.0.1:9090), not %q", c.MetricsAddr)
		}
	}
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		p.fail("METRICS_TOKEN", "must be at least 16 characters (e.g. `openssl rand -hex 16`)")
	}
	if c.HealthInterval <= 0 {
		// A zero interval would make the health checker's ticker panic.
		p.fail("HEALTH_INTERVAL", "must be greater than zero")
	}
	if c.SemiSyncTimeout <= 0 {
		p.fail("SEMI_SYNC_TIMEOUT", "must be greater than zero (e.g. 1s)")
	}
	if c.FailoverAfter <= 0 {
		p.fail("FAILOVER_AFTER", "must be greater than zero (e.g. 10s)")
	}
	if c.Failover == "auto" && (c.DBAdminUser == "" || c.ReplicationPassword == "") {
		// Promoting a replica needs administrative credentials, and re-pointing
		// the others needs the replication account's password.
		p.fail("FAILOVER", "is auto but DB_ADMIN_USER or REPLICATION_PASSWORD is not set: promoting a replica needs both")
	}
	c.DBTLS = DBTLS{Mode: p.str("DB_TLS", TLSPreferred), CAFile: p.str("DB_TLS_CA", ""),
		CertFile: p.str("DB_TLS_CERT", ""), KeyFile: p.str("DB_TLS_KEY", "")}
	if m, ok := normaliseTLSMode(c.DBTLS.Mode); ok {
		c.DBTLS.Mode = m
	} else {
		p.fail("DB_TLS", "must be one of disabled, preferred, required, verify-ca, verify-identity, not %q", c.DBTLS.Mode)
	}
	p.tls = c.DBTLS
	if c.RedisTLSCA != "" {
		if !strings.HasPrefix(c.RedisURL, "rediss://") {
			p.fail("REDIS_TLS_CA", "is set but REDIS_URL is not a rediss:// (TLS) URL")
		} else if pem, err := os.ReadFile(c.RedisTLSCA); err != nil {
			p.fail("REDIS_TLS_CA", "names a file that can't be read: %v", err)
		} else if !x509.NewCertPool().AppendCertsFromPEM(pem) {
			p.fail("REDIS_TLS_CA", "(%s) holds no PEM certificate", c.RedisTLSCA)
		}
	}
	c.Primary = p.dsn("DATABASE_URL", true)
	c.Replicas = p.replicas()
	for _, e := range c.TrustedProxies {
		if _, err := netip.ParsePrefix(e); err != nil {
			if _, err := netip.ParseAddr(e); err != nil {
				p.fail("TRUSTED_PROXIES", "entry %q is neither an IP address nor a CIDR range such as 10.0.0.0/8", e)
			}
		}
	}
	if c.DBMaxIdleConns > c.DBMaxOpenConns {
		c.DBMaxIdleConns = c.DBMaxOpenConns
	}
	switch {
	case c.JWTSecret == "" && c.Production():
		p.fail("JWT_SECRET", "is required when APP_ENV=production")
	case c.Production() && len(c.JWTSecret) < 32:
		p.fail("JWT_SECRET", "must be at least 32 bytes when APP_ENV=production")
	case c.Production() && isExampleSecret(c.JWTSecret):
		p.fail("JWT_SECRET", "is the example value; generate one with `openssl rand -hex 32`")
	case c.JWTSecret == "":
		// Development convenience only: a fixed secret means sessions survive restarts.
		c.JWTSecret = "dev-secret-change-me-in-production-please"
	}
	c.checkOrigins(p)
	p.accounts(c)
	if p.err != nil {
		return nil, p.err
	}
	return c, nil
}

// checkOrigins refuses a CORS allow-list that would let any site act with
// the session cookie: "*" (the cookie goes along with every request) or an
// entry that is not a bare origin, and, in production, an empty list.
func (c *Config) checkOrigins(p *parser) {
	if len(c.CORSAllowedOrigins) == 0 && c.Production() {
		p.fail("CORS_ALLOWED_ORIGINS", "is required when APP_ENV=production: list the frontend's origins, e.g. https://app.example.com")
		return
	}
	for i, o := range c.CORSAllowedOrigins {
		if strings.Contains(o, "*") {
			p.fail("CORS_ALLOWED_ORIGINS", "must list origins, not %q: the session cookie goes along with cross-origin requests, so a wildcard would let any site use it", o)
			return
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
			p.fail("CORS_ALLOWED_ORIGINS", "entry %q is not an origin such as https://app.example.com (scheme, host and optional port only)", o)
			return
		}
		// Browsers send origins lower-cased and without a trailing slash.
		c.CORSAllowedOrigins[i] = strings.ToLower(u.Scheme + "://" + u.Host)
	}
}

// GoogleCertsURL is where Google publishes the keys that sign its ID tokens.
const GoogleCertsURL = "https://www.googleapis.com/oauth2/v3/certs"

// accounts checks the mail, link and Google settings.
func (p *parser) accounts(c *Config) {
	if c.SMTPURL != "" {
		u, err := url.Parse(c.SMTPURL)
		switch {
		case err != nil:
			p.fail("SMTP_URL", "is not a URL (e.g. smtp://user:password@smtp.example.com:587)")
		case u.Scheme != "smtp" && u.Scheme != "smtps":
			p.fail("SMTP_URL", "must start with smtp:// or smtps://")
		case u.Hostname() == "":
			p.fail("SMTP_URL", "has no host (e.g. smtp://user:password@smtp.example.com:587)")
		}
	}
	if a, err := mail.ParseAddress(c.EmailFrom); err != nil || a.Address == "" {
		p.fail("EMAIL_FROM", "must be an address such as TeachTrack <no-reply@example.com>, not %q", c.EmailFrom)
	}
	if u, err := url.Parse(c.FrontendURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.fail("FRONTEND_URL", "must be the site's address such as https://teachtrack.example.com, not %q", c.FrontendURL)
	}
	if u, err := url.Parse(c.GoogleCertsURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.fail("GOOGLE_CERTS_URL", "must be an http(s) address, not %q", c.GoogleCertsURL)
	} else if c.Production() && c.GoogleCertsURL != GoogleCertsURL {
		// Another key server would let whoever runs it sign anyone in.
		p.fail("GOOGLE_CERTS_URL", "is for tests only and can't be changed when APP_ENV=production")
	}
}

func isExampleSecret(s string) bool {
	l := strings.ToLower(s)
	for _, e := range exampleSecrets {
		if l == e {
			return true
		}
	}
	return strings.Contains(l, "change-me") || strings.Contains(l, "changeme")
}

// LogAttrs describes the configuration for the start-up log line, secrets masked.
func (c *Config) LogAttrs() []any {
	replicas := make([]string, len(c.Replicas))
	for i, r := range c.Replicas {
		replicas[i] = RedactDSN(r)
	}
	return []any{
		"app_env", c.AppEnv, "http_addr", c.HTTPAddr, "primary", RedactDSN(c.Primary),
		"replicas", replicas, "read_your_writes", c.ReadYourWrites, "redis", c.RedisURL != "",
		"db_max_open_conns", c.DBMaxOpenConns, "migrate_on_start", c.MigrateOnStart,
		"llm_assistant", c.LLMAPIKey != "",
		"mpesa", c.Mpesa.Configured(), "mpesa_base_url", c.Mpesa.BaseURL,
		"storage", c.Storage,
	}
}

// mpesa reads the MPESA_* variables. Credentials are never defaulted (the old
// backend shipped sandbox keys in its code): without them payments are off.
func (p *parser) mpesa() Mpesa {
	m := Mpesa{
		Env:            p.oneOf("MPESA_ENV", "sandbox", "sandbox", "production"),
		BaseURL:        strings.TrimRight(p.str("MPESA_BASE_URL", ""), "/"),
		ConsumerKey:    p.str("MPESA_CONSUMER_KEY", ""),
		ConsumerSecret: p.str("MPESA_CONSUMER_SECRET", ""),
		Shortcode:      p.str("MPESA_SHORTCODE", ""),
		Passkey:        p.str("MPESA_PASSKEY", ""),
		CallbackURL:    strings.TrimRight(p.str("MPESA_CALLBACK_URL", ""), "/"),
		CallbackToken:  p.str("MPESA_CALLBACK_TOKEN", ""),
		Timeout:        p.dur("MPESA_TIMEOUT", 30*time.Second),
	}
	if m.BaseURL == "" {
		m.BaseURL = MpesaSandboxURL
		if m.Env == "production" {
			m.BaseURL = MpesaProductionURL
		}
	} else if u, err := url.Parse(m.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.fail("MPESA_BASE_URL", "must be an http(s) URL such as https://sandbox.safaricom.co.ke, not %q", m.BaseURL)
	}
	if m.CallbackURL != "" {
		if u, err := url.Parse(m.CallbackURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			p.fail("MPESA_CALLBACK_URL", "must be the public http(s) URL of /api/v1/payments/callback, not %q", m.CallbackURL)
		}
	}
	if m.CallbackToken != "" && (len(m.CallbackToken) < 32 || strings.ContainsAny(m.CallbackToken, "/?#% ")) {
		// The token is all that tells Safaricom's callback from a forgery.
		p.fail("MPESA_CALLBACK_TOKEN", "must be at least 32 URL-safe characters (e.g. `openssl rand -hex 32`)")
	}
	if m.Shortcode != "" {
		if _, err := strconv.ParseUint(m.Shortcode, 10, 32); err != nil {
			p.fail("MPESA_SHORTCODE", "must be the digits of the paybill or till number, not %q", m.Shortcode)
		}
	}
	return m
}

// parser collects the first error so Load reports exactly one variable.
type parser struct {
	get func(string) string
	err error
	tls DBTLS // applied to every database URL read after it is set
}

// withFiles lets every variable NAME be given as NAME_FILE, the path of a file
// holding its value (Docker and Kubernetes secrets), so secrets need not sit
// in the environment where `docker inspect` or /proc/PID/environ shows them.
// Setting both is an error: which one wins would be a guess. The file's
// content never appears in an error.
func (p *parser) withFiles(get func(string) string) func(string) string {
	return func(name string) string {
		v := get(name)
		path := strings.TrimSpace(get(name + "_FILE"))
		if path == "" {
			return v
		}
		if strings.TrimSpace(v) != "" {
			p.fail(name, "and %s_FILE are both set: keep one", name)
			return v
		}
		b, err := os.ReadFile(path)
		if err != nil {
			p.fail(name+"_FILE", "names a file that can't be read: %v", err)
			return ""
		}
		// Editors and `echo secret > file` add a final newline that is no part of the secret.
		return strings.TrimRight(string(b), "\r\n")
	}
}

// failWith records err, which names its setting itself.
func (p *parser) failWith(err error) {
	if p.err == nil {
		p.err = err
	}
}

func (p *parser) fail(name, format string, args ...any) {
	if p.err == nil {
		p.err = fmt.Errorf("%s %s", name, fmt.Sprintf(format, args...))
	}
}

func (p *parser) str(name, def string) string {
	if v := strings.TrimSpace(p.get(name)); v != "" {
		return v
	}
	return def
}

func (p *parser) int(name string, def, min, max int) int {
	v := strings.TrimSpace(p.get(name))
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		p.fail(name, "must be a whole number, not %q", v)
		return def
	}
	if n < min || n > max {
		p.fail(name, "must be between %d and %d, not %d", min, max, n)
		return def
	}
	return n
}

func (p *parser) dur(name string, def time.Duration) time.Duration {
	v := strings.TrimSpace(p.get(name))
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		// Bare numbers are seconds, as in the old backend's settings
		// (ParseFloat also takes NaN and Inf, which are no durations).
		if n, err2 := strconv.ParseFloat(v, 64); err2 == nil && !math.IsNaN(n) && math.Abs(n) < math.MaxInt64/float64(time.Second) {
			d = time.Duration(n * float64(time.Second))
		} else {
			p.fail(name, "must be a duration such as 500ms, 5s or 15m, not %q", v)
			return def
		}
	}
	if d < 0 {
		p.fail(name, "must not be negative, not %q", v)
		return def
	}
	return d
}

func (p *parser) bool(name string, def bool) bool {
	v := strings.TrimSpace(p.get(name))
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		p.fail(name, "must be true or false, not %q", v)
		return def
	}
	return b
}

func (p *parser) oneOf(name, def string, allowed ...string) string {
	v := strings.ToLower(p.str(name, def))
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	p.fail(name, "must be one of %s, not %q", strings.Join(allowed, ", "), v)
	return def
}

// location reads an IANA time zone name (the zone database is embedded, so
// a container without tzdata still knows it).
func (p *parser) location(name, def string) *time.Location {
	v := p.str(name, def)
	loc, err := time.LoadLocation(v)
	if err != nil {
		p.fail(name, "must be an IANA time zone such as Africa/Nairobi, not %q", v)
		return time.UTC
	}
	return loc
}

func (p *parser) level(name string, def slog.Level) slog.Level {
	v := strings.TrimSpace(p.get(name))
	if v == "" {
		return def
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(v)); err != nil {
		p.fail(name, "must be debug, info, warn or error, not %q", v)
		return def
	}
	return l
}

func (p *parser) list(name string) []string {
	var out []string
	for _, s := range strings.Split(p.get(name), ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (p *parser) dsn(name string, required bool) *mysql.Config {
	v := strings.TrimSpace(p.get(name))
	if v == "" {
		if required {
			p.fail(name, "is required (e.g. mysql://teachtrack:password@127.0.0.1:3316/teachtrack)")
		}
		return nil
	}
	cfg, own, err := parseDatabaseURL(v)
	if err != nil {
		p.fail(name, "%v", err)
		return nil
	}
	if err := applyTLS(cfg, own, p.tls, "DB_TLS"); err != nil {
		p.failWith(err)
		return nil
	}
	return cfg
}

// replicas reads DATABASE_REPLICA_URLS, or else the old backend's
// DATABASE_REPLICA_1_URL, DATABASE_REPLICA_2_URL, … (stopping at the first gap).
func (p *parser) replicas() []*mysql.Config {
	var out []*mysql.Config
	if list := strings.TrimSpace(p.get("DATABASE_REPLICA_URLS")); list != "" {
		for i, raw := range strings.Split(list, ",") {
			if strings.TrimSpace(raw) == "" {
				continue
			}
			cfg, own, err := parseDatabaseURL(raw)
			if err != nil {
				p.fail("DATABASE_REPLICA_URLS", "entry %d %v", i+1, err)
				return nil
			}
			if err := applyTLS(cfg, own, p.tls, "DB_TLS"); err != nil {
				p.failWith(err)
				return nil
			}
			out = append(out, cfg)
		}
		return out
	}
	for i := 1; ; i++ {
		name := fmt.Sprintf("DATABASE_REPLICA_%d_URL", i)
		if strings.TrimSpace(p.get(name)) == "" {
			return out
		}
		if cfg := p.dsn(name, false); cfg != nil {
			out = append(out, cfg)
		}
	}
}
