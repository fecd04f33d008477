package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/teachtrack/api/internal/auth"
	"github.com/teachtrack/api/internal/db"
	"github.com/teachtrack/api/internal/dbtest"
	"github.com/teachtrack/api/internal/handlers"
	"github.com/teachtrack/api/internal/models"
	"github.com/teachtrack/api/internal/storage"
)

// testServer is the real router on a fresh database of the local cluster.
type testServer struct {
	*httptest.Server
	DB      *dbtest.Database
	Cluster *db.Cluster
	Secret  string
	Store   storage.Store
	seq     atomic.Int64
}

// newTestServer starts the API on a fresh database; env pairs (name, value)
// override its environment, e.g. "ACCESS_TOKEN_TTL", "1s".
func newTestServer(t *testing.T, env ...string) *testServer {
	t.Helper()
	return newLoggingServer(t, slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn})), env...)
}

// newLoggingServer is newTestServer whose API and cluster log to log.
func newLoggingServer(t *testing.T, log *slog.Logger, env ...string) *testServer {
	t.Helper()
	return newServerWith(t, log, nil, env...)
}

// newServerWith is newLoggingServer whose dependencies edit changes before
// the API is built; it gets the server's URL (for outside services that call
// the API back, such as M-Pesa).
func newServerWith(t *testing.T, log *slog.Logger, edit func(d *handlers.Deps, url string), env ...string) *testServer {
	t.Helper()
	d := dbtest.New(t)
	d.Set("STORAGE_DIR", t.TempDir()) // uploaded files; env may name an S3 bucket instead
	for i := 0; i+1 < len(env); i += 2 {
		d.Set(env[i], env[i+1])
	}
	cfg, err := d.Config()
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	cluster, err := db.Open(context.Background(), db.OptionsFromConfig(cfg, log))
	if err != nil {
		t.Fatalf("opening cluster: %v", err)
	}
	t.Cleanup(func() { cluster.Close() })
	bg, stop := context.WithCancel(context.Background())
	t.Cleanup(stop)
	cluster.Start(bg)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	store, err := storage.Open(cfg)
	if err != nil {
		t.Fatalf("opening storage: %v", err)
	}
	deps := handlers.Deps{Config: cfg, Cluster: cluster, Version: "test", Logger: log, Storage: store}
	if edit != nil {
		edit(&deps, "http://"+l.Addr().String())
	}
	srv := &httptest.Server{Listener: l, Config: &http.Server{Handler: checkSpec(t, handlers.New(deps))}}
	srv.Start()
	t.Cleanup(srv.Close)
	return &testServer{Server: srv, DB: d, Cluster: cluster, Secret: cfg.JWTSecret, Store: store}
}

// testLog sends the API's warnings and errors to the test's log.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// primary is a *gorm.DB on the primary, for arranging what no route can
// (the first SUPER_ADMIN, schools, expired sessions) and for checking rows.
func (s *testServer) primary(t *testing.T) *gorm.DB {
	t.Helper()
	return s.Cluster.OnPrimary(context.Background())
}

// caller is who makes a request: a bearer token, a session cookie, both or neither.
type caller struct {
	Token  string
	Cookie *http.Cookie
	// Header adds request headers (e.g. X-Forwarded-For).
	Header http.Header
}

var anonymous = caller{}

// cookieOnly is the browser's view of c: the cookie and no Authorization header.
func (c caller) cookieOnly() caller { return caller{Cookie: c.Cookie} }

// bearerOnly is an API client's view of c.
func (c caller) bearerOnly() caller { return caller{Token: c.Token} }

// response is a finished request.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// cookie returns the response's Set-Cookie for name, or nil.
func (r *response) cookie(name string) *http.Cookie {
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// decode unmarshals the body into v.
func (r *response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.Body, err)
	}
}

// problem is a problem+json body.
type problem struct {
	Status int                 `json:"status"`
	Detail string              `json:"detail"`
	Errors []models.FieldError `json:"errors"`
}

// rawBody is a request body sent as is, with its content type.
type rawBody struct {
	ContentType string
	Data        string
}

// do sends a request as c. body is nil, a rawBody, or a value sent as JSON.
// After a write it waits until the replicas have it, so a test's next read
// doesn't depend on replication lag.
func (s *testServer) do(t *testing.T, c caller, method, path string, body any) *response {
	t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case rawBody:
		rd, ct = strings.NewReader(b.Data), b.ContentType
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd, ct = bytes.NewReader(data), "application/json"
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	for k, vs := range c.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if c.Cookie != nil {
		// Unrelated cookies beside ours, as the Next.js proxy forwards them.
		req.Header.Add("Cookie", "next-auth.csrf-token=abc; "+c.Cookie.Name+"="+c.Cookie.Value+"; theme=dark")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if method != http.MethodGet && method != http.MethodHead {
		s.waitReplicas(t)
	}
	return &response{Status: res.StatusCode, Header: res.Header, Body: data}
}

func (s *testServer) waitReplicas(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.DB.WaitReplicas(ctx); err != nil {
		t.Fatalf("waiting for replicas: %v", err)
	}
}

// expect fails t unless r has status want; it returns r for chaining.
func expect(t *testing.T, r *response, want int) *response {
	t.Helper()
	if r.Status != want {
		t.Fatalf("status %d, want %d; body %s", r.Status, want, r.Body)
	}
	return r
}

// testUser is a user made for a test, signed in.
type testUser struct {
	ID       uint64
	Email    string
	Password string
	Role     models.Role
	SchoolID *uint64
	Refresh  string
	caller
}

// createUser makes an active, verified user of role in school (nil: none)
// directly in the database, as no route can make the first SUPER_ADMIN, then
// signs them in through POST /auth/login.
func createUser(t *testing.T, s *testServer, role models.Role, schoolID *uint64) *testUser {
	t.Helper()
	n := s.seq.Add(1)
	u := &testUser{Email: fmt.Sprintf("user%d-%s@example.com", n, strings.ToLower(string(role))), Password: "password-" + fmt.Sprint(n), Role: role, SchoolID: schoolID}
	hash, err := auth.NewPasswords(4).Hash(u.Password)
	if err != nil {
		t.Fatal(err)
	}
	m := &models.User{Email: u.Email, PasswordHash: hash, FullName: fmt.Sprintf("User %d", n), Role: role, SchoolID: schoolID, IsActive: true, EmailVerified: true}
	if err := models.CreateUser(s.primary(t), m); err != nil {
		t.Fatalf("creating user: %v", err)
	}
	u.ID = m.ID
	s.waitReplicas(t)
	u.login(t, s)
	return u
}

// login signs u in again, replacing its token, cookie and refresh token.
func (u *testUser) login(t *testing.T, s *testServer) {
	t.Helper()
	res := expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/login", map[string]string{"email": u.Email, "password": u.Password}), http.StatusOK)
	var body struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	res.decode(t, &body)
	u.Token, u.Refresh, u.Cookie = body.AccessToken, body.RefreshToken, res.cookie("access_token")
	if u.Cookie == nil {
		t.Fatalf("login set no access_token cookie")
	}
}

// createSchool makes a school directly in the database and returns its id.
func createSchool(t *testing.T, s *testServer, name string) *uint64 {
	t.Helper()
	sc := &models.School{Name: name}
	if err := models.CreateSchool(s.primary(t), sc); err != nil {
		t.Fatalf("creating school: %v", err)
	}
	s.waitReplicas(t)
	return &sc.ID
}
