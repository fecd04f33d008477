package handlers_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/teachtrack/api/internal/auth"
	"github.com/teachtrack/api/internal/models"
)

// These tests try what an attacker would, through the real router on the real
// cluster. Every response is checked for the headers every answer carries and
// for a 5xx (no input may cause one); at the end the API's captured logs and
// every error body are searched for passwords, hashes, tokens and the DSN
// password. The tables of routes are where the subjects and lessons endpoints
// join as rows when they land.

// logBuffer is an io.Writer the API's goroutines and the test can share.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// secServer is a test server whose every log line (debug and up) and every
// error body are kept for the secrets check, and whose every response is
// checked for the always-on headers and for a 5xx.
type secServer struct {
	*testServer
	logs *logBuffer

	mu         sync.Mutex
	errBodies  []string
	secrets    []string // what must never appear in a log line or an error body
	secretsFor map[string]bool
}

func newSecServer(t *testing.T, env ...string) *secServer {
	t.Helper()
	logs := &logBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := &secServer{testServer: newLoggingServer(t, log, env...), logs: logs, secretsFor: map[string]bool{}}
	s.secret(s.Secret, "teachtrack-dev")
	t.Cleanup(func() { s.checkSecrets(t) })
	return s
}

// secret adds values that must never be logged or shown in an error.
func (s *secServer) secret(values ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range values {
		if v != "" && !s.secretsFor[v] {
			s.secretsFor[v] = true
			s.secrets = append(s.secrets, v)
		}
	}
}

// user is createUser whose password, hash and tokens join the secrets.
func (s *secServer) user(t *testing.T, role models.Role, school *uint64) *testUser {
	t.Helper()
	u := createUser(t, s.testServer, role, school)
	s.remember(t, u)
	return u
}

func (s *secServer) remember(t *testing.T, u *testUser) {
	t.Helper()
	var hash string
	if err := s.primary(t).Raw("SELECT password_hash FROM users WHERE id = ?", u.ID).Scan(&hash).Error; err != nil {
		t.Fatal(err)
	}
	s.secret(u.Password, hash, u.Token, u.Refresh)
	if u.Cookie != nil {
		s.secret(u.Cookie.Value)
	}
}

// do is testServer.do with the checks every response gets.
func (s *secServer) do(t *testing.T, c caller, method, path string, body any) *response {
	t.Helper()
	res := s.testServer.do(t, c, method, path, body)
	if got := res.Header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("%s %s: X-Content-Type-Options %q, want nosniff", method, path, got)
	}
	if got := res.Header.Get("Server"); got != "" {
		t.Errorf("%s %s: Server header %q, want none", method, path, got)
	}
	if res.Status >= 500 {
		t.Errorf("%s %s: status %d, want no 5xx for any input; body %s", method, path, res.Status, res.Body)
	}
	if res.Status >= 400 {
		s.mu.Lock()
		s.errBodies = append(s.errBodies, string(res.Body))
		s.mu.Unlock()
	}
	return res
}

var (
	bcryptHash = regexp.MustCompile(`\$2[abxy]?\$\d\d\$[./A-Za-z0-9]{53}`)
	jwtLike    = regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.`)
)

// checkSecrets fails t if a log line or an error body shows a secret.
func (s *secServer) checkSecrets(t *testing.T) {
	t.Helper()
	logs := s.logs.String()
	if !strings.Contains(logs, `"msg":"request"`) {
		t.Fatalf("no request was logged: the secrets check would prove nothing")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	places := map[string]string{"the log": logs, "an error body": strings.Join(s.errBodies, "\n")}
	for where, text := range places {
		for _, secret := range s.secrets {
			if strings.Contains(text, secret) {
				t.Errorf("%s shows a secret: %.24q…", where, secret)
			}
		}
		if m := bcryptHash.FindString(text); m != "" {
			t.Errorf("%s shows a bcrypt hash: %.10s…", where, m)
		}
		if m := jwtLike.FindString(text); m != "" {
			t.Errorf("%s shows a token: %.16s…", where, m)
		}
	}
	if strings.Contains(logs, `"level":"ERROR"`) {
		t.Errorf("the API logged errors (no input may cause a 500):\n%s", grepLines(logs, `"level":"ERROR"`))
	}
	t.Logf("secrets check: %d secrets, %d log bytes, %d error bodies", len(s.secrets), len(logs), len(s.errBodies))
}

func grepLines(text, substr string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// notOK fails unless the status is one of want.
func notOK(t *testing.T, res *response, what string, want ...int) {
	t.Helper()
	for _, w := range want {
		if res.Status == w {
			return
		}
	}
	t.Errorf("%s: status %d, want one of %v; body %s", what, res.Status, want, res.Body)
}

func TestHostileTokens(t *testing.T) {
	s := newSecServer(t)
	u := s.user(t, models.RoleTeacher, nil)
	admin := s.user(t, models.RoleSuperAdmin, nil)
	claims, err := auth.NewIssuer(s.Secret, time.Minute).Verify(u.Token)
	if err != nil {
		t.Fatal(err)
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})

	now := time.Now()
	valid := jwt.MapClaims{"sub": claims.Subject, "sid": claims.SessionID, "role": "TEACHER", "iat": now.Unix(), "exp": now.Add(time.Minute).Unix(), "jti": "x"}
	with := func(kv ...any) jwt.MapClaims {
		c := jwt.MapClaims{}
		for k, v := range valid {
			c[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(c, kv[i].(string))
			} else {
				c[kv[i].(string)] = kv[i+1]
			}
		}
		return c
	}
	hs := func(c jwt.MapClaims) string { return forge(t, jwt.SigningMethodHS256, []byte(s.Secret), c) }
	// HS/RS confusion: a token that claims RS256 but is MACed with our secret,
	// as a verifier that lets the header pick the algorithm would accept.
	rsHeaderHSBody := func() string {
		tok := jwt.NewWithClaims(jwt.SigningMethodHS256, valid)
		tok.Header["alg"] = "RS256"
		str, err := tok.SignedString([]byte(s.Secret))
		if err != nil {
			t.Fatal(err)
		}
		return str
	}()
	tests := []struct {
		name  string
		token string
	}{
		{"alg none", forge(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, valid)},
		{"RS256 signed with an attacker's RSA key", forge(t, jwt.SigningMethodRS256, rsaKey, valid)},
		{"RS256 header, HMAC with our secret", rsHeaderHSBody},
		{"HS256 keyed with a public key", forge(t, jwt.SigningMethodHS256, pubPEM, valid)},
		{"another key", forge(t, jwt.SigningMethodHS256, []byte("another-secret-0123456789abcdef0123456789"), valid)},
		{"expired", hs(with("exp", now.Add(-time.Hour).Unix(), "iat", now.Add(-2*time.Hour).Unix()))},
		{"not valid before a future nbf", hs(with("nbf", now.Add(time.Hour).Unix()))},
		{"issued in the future", hs(with("iat", now.Add(time.Hour).Unix()))},
		{"no exp", hs(with("exp", nil))},
		{"exp not a number", hs(with("exp", "never"))},
		{"subject overflows uint64", hs(with("sub", "18446744073709551616"))},
		{"subject negative", hs(with("sub", "-1"))},
		{"subject is SQL", hs(with("sub", "1 OR 1=1"))},
		{"session of another user", hs(with("sub", fmt.Sprint(admin.ID)))},
		{"empty", ""},
		{"three dots", "..."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header := http.Header{"Authorization": {"Bearer " + tt.token}}
			notOK(t, s.do(t, caller{Header: header}, "GET", "/api/v1/auth/me", nil), "bearer", http.StatusUnauthorized)
			notOK(t, s.do(t, caller{Header: header}, "GET", "/api/v1/admin/users", nil), "bearer on an admin route", http.StatusUnauthorized, http.StatusForbidden)
			if tt.name == "expired" || tt.token == "" {
				return // an expired cookie of a live session is renewed (TestCookieRenewal); an empty one is no cookie
			}
			c := caller{Cookie: &http.Cookie{Name: "access_token", Value: tt.token}}
			notOK(t, s.do(t, c, "GET", "/api/v1/auth/me", nil), "cookie", http.StatusUnauthorized)
		})
	}

	t.Run("banned user's token", func(t *testing.T) {
		v := s.user(t, models.RoleTeacher, nil)
		expect(t, s.do(t, admin.bearerOnly(), "POST", "/api/v1/admin/users/"+itoa(v.ID)+"/ban", nil), http.StatusOK)
		for _, c := range []caller{v.bearerOnly(), v.cookieOnly()} {
			notOK(t, s.do(t, c, "GET", "/api/v1/auth/me", nil), "after the ban", http.StatusUnauthorized, http.StatusForbidden)
			notOK(t, s.do(t, c, "PATCH", "/api/v1/auth/me", map[string]string{"full_name": "Still here"}), "write after the ban", http.StatusUnauthorized, http.StatusForbidden)
		}
		notOK(t, s.do(t, anonymous, "POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": v.Refresh}), "refresh after the ban", http.StatusUnauthorized, http.StatusForbidden)
		notOK(t, s.do(t, anonymous, "POST", "/api/v1/auth/login", map[string]string{"email": v.Email, "password": v.Password}), "login after the ban", http.StatusForbidden)
	})

	t.Run("refresh token reuse", func(t *testing.T) {
		v := s.user(t, models.RoleTeacher, nil)
		var pair struct {
			AccessToken  string `json:"access_token"`
			RefreshToken string `json:"refresh_token"`
		}
		expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": v.Refresh}), http.StatusOK).decode(t, &pair)
		s.secret(pair.AccessToken, pair.RefreshToken)
		// The thief replays the old token: the whole family ends, the
		// legitimate new pair included.
		notOK(t, s.do(t, anonymous, "POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": v.Refresh}), "old refresh token again", http.StatusUnauthorized)
		notOK(t, s.do(t, anonymous, "POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": pair.RefreshToken}), "new refresh token after reuse", http.StatusUnauthorized)
		notOK(t, s.do(t, caller{Token: pair.AccessToken}, "GET", "/api/v1/auth/me", nil), "access token of the revoked family", http.StatusUnauthorized)
		for _, bad := range []string{"", "x", strings.Repeat("A", 43), "' OR '1'='1", v.Token} {
			notOK(t, s.do(t, anonymous, "POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": bad}), "refresh with "+bad, http.StatusUnauthorized, http.StatusUnprocessableEntity)
		}
	})
}

// route is one endpoint for the access tables. %s in path is a user id.
type route struct {
	method, path string
	body         any
	superOnly    bool // SUPER_ADMIN only: anyone else gets 403 before the id is looked at
}

// adminRoutes are every admin endpoint.
var adminRoutes = []route{
	{"GET", "/api/v1/admin/users", nil, false},
	{"POST", "/api/v1/admin/users", map[string]string{"email": "new-by-admin@example.com", "password": "password-1", "full_name": "N"}, false},
	{"GET", "/api/v1/admin/users/export", nil, true},
	{"POST", "/api/v1/admin/users/bulk-delete", map[string]any{"user_ids": []uint64{1}}, true},
	{"POST", "/api/v1/admin/users/bulk-ban", map[string]any{"user_ids": []uint64{1}, "action": "ban"}, true},
	{"GET", "/api/v1/admin/schools", nil, true},
	{"POST", "/api/v1/admin/schools", map[string]string{"name": "Evil school"}, true},
	{"GET", "/api/v1/admin/replication", nil, true},
}

// userIDRoutes are the endpoints naming a user by id (subjects and lessons
// are in subjectRoutes).
var userIDRoutes = []route{
	{"GET", "/api/v1/admin/users/%s", nil, false},
	{"PATCH", "/api/v1/admin/users/%s", map[string]string{"full_name": "Changed"}, false},
	{"PATCH", "/api/v1/admin/users/%s/role", map[string]string{"role": "HOD"}, false},
	{"DELETE", "/api/v1/admin/users/%s", nil, false},
	{"PUT", "/api/v1/admin/users/%s/subscription", map[string]string{"subscription_type": "INDIVIDUAL_PREMIUM", "subscription_status": "ACTIVE"}, true},
	{"POST", "/api/v1/admin/users/%s/ban", nil, true},
	{"POST", "/api/v1/admin/users/%s/unban", nil, true},
	{"POST", "/api/v1/admin/users/%s/unlink", nil, true},
	{"POST", "/api/v1/admin/users/%s/impersonate", nil, true},
	{"POST", "/api/v1/admin/users/%s/reset-progress", map[string]any{}, false},
}

func (r route) at(id string) string {
	if strings.Contains(r.path, "%s") {
		return fmt.Sprintf(r.path, id)
	}
	return r.path
}

func TestAccessBoundaries(t *testing.T) {
	s := newSecServer(t)
	schoolA, schoolB := createSchool(t, s.testServer, "School A"), createSchool(t, s.testServer, "School B")
	super := s.user(t, models.RoleSuperAdmin, nil)
	adminA := s.user(t, models.RoleSchoolAdmin, schoolA)
	teacher := s.user(t, models.RoleTeacher, schoolA)
	hod := s.user(t, models.RoleHOD, schoolA)
	victim := s.user(t, models.RoleTeacher, schoolB)
	before := s.do(t, super.bearerOnly(), "GET", "/api/v1/admin/users/"+itoa(victim.ID), nil).Body

	t.Run("teacher and HOD on admin routes", func(t *testing.T) {
		for _, who := range []*testUser{teacher, hod} {
			for _, r := range append(append([]route{}, adminRoutes...), userIDRoutes...) {
				for _, c := range []caller{who.bearerOnly(), who.cookieOnly()} {
					notOK(t, s.do(t, c, r.method, r.at(itoa(victim.ID)), r.body), string(who.Role)+" "+r.method+" "+r.path, http.StatusForbidden)
				}
			}
		}
	})
	t.Run("school admin across schools", func(t *testing.T) {
		for _, r := range userIDRoutes {
			want := http.StatusNotFound
			if r.superOnly {
				want = http.StatusForbidden
			}
			notOK(t, s.do(t, adminA.bearerOnly(), r.method, r.at(itoa(victim.ID)), r.body), r.method+" "+r.path, want)
		}
		for _, r := range adminRoutes {
			if r.superOnly {
				notOK(t, s.do(t, adminA.bearerOnly(), r.method, r.path, r.body), r.method+" "+r.path, http.StatusForbidden)
			}
		}
		var list struct {
			Users []userBody `json:"users"`
		}
		expect(t, s.do(t, adminA.bearerOnly(), "GET", "/api/v1/admin/users?limit=100&search="+url.QueryEscape(victim.Email), nil), http.StatusOK).decode(t, &list)
		if len(list.Users) != 0 {
			t.Errorf("school A's admin lists %d users of school B", len(list.Users))
		}
		notOK(t, s.do(t, adminA.bearerOnly(), "POST", "/api/v1/admin/users", map[string]any{"email": "moved@example.com", "password": "password-1", "full_name": "M", "school_id": *schoolB}),
			"create in another school", http.StatusForbidden)
		notOK(t, s.do(t, adminA.bearerOnly(), "PATCH", "/api/v1/admin/users/"+itoa(teacher.ID), map[string]any{"school_id": *schoolB}),
			"move own teacher to another school", http.StatusForbidden)
	})
	t.Run("malformed ids", func(t *testing.T) {
		for _, id := range []string{"18446744073709551616", "99999999999999999999999999", "-1", "-0", "0", "abc", "1.5", "1e3", "0x10", "%201", "1%20OR%201=1", "%FF", "%00"} {
			for _, r := range userIDRoutes {
				notOK(t, s.do(t, super.bearerOnly(), r.method, r.at(id), r.body), r.method+" "+r.at(id), http.StatusBadRequest)
			}
		}
		for _, ids := range []string{`[-1]`, `[18446744073709551616]`, `["1"]`, `[1.5]`, `"1"`} {
			for _, path := range []string{"/api/v1/admin/users/bulk-delete", "/api/v1/admin/users/bulk-ban"} {
				body := rawBody{ContentType: "application/json", Data: `{"user_ids":` + ids + `,"action":"ban"}`}
				if strings.HasSuffix(path, "delete") {
					body.Data = `{"user_ids":` + ids + `}`
				}
				notOK(t, s.do(t, super.bearerOnly(), "POST", path, body), path+" "+ids, http.StatusBadRequest)
			}
		}
		for _, q := range []string{"page=-1", "page=0", "page=abc", "page=18446744073709551616", "limit=-5", "limit=1e9", "limit=99999999999999999999", "role=ROOT", "role=%27%20OR%201%3D1", "search=%FF", "role=%FF"} {
			notOK(t, s.do(t, super.bearerOnly(), "GET", "/api/v1/admin/users?"+q, nil), q, http.StatusBadRequest, http.StatusUnprocessableEntity)
		}
	})
	after := s.do(t, super.bearerOnly(), "GET", "/api/v1/admin/users/"+itoa(victim.ID), nil).Body
	if diff := cmp.Diff(string(after), string(before)); diff != "" {
		t.Errorf("the other school's user changed (-got +want):\n%s", diff)
	}
	expect(t, s.do(t, victim.bearerOnly(), "GET", "/api/v1/auth/me", nil), http.StatusOK)
}

// injections are strings that would break a query built by concatenation.
// Each fits the shortest text column (50 characters).
var injections = []string{
	`'; DROP TABLE users; --`,
	`" OR "1"="1`,
	`' OR 1=1 -- `,
	`\'; UPDATE users SET role='SUPER_ADMIN'; -- `,
	`Robert'); DROP TABLE schools;--`,
	`1 UNION SELECT password_hash FROM users`,
	`%_\%\_*?[]`,
	"nul\x00byte and \\0 and \\\\",
	`' AND SLEEP(5) AND '1'='1`,
	`<script>alert(1)</script>`,
	`ﾟ･✿ヾ╲(｡◕‿◕｡)╱✿･ﾟ 😀 ∮ Ω`,
}

func TestInjectionStoredVerbatim(t *testing.T) {
	s := newSecServer(t)
	super := s.user(t, models.RoleSuperAdmin, nil)
	bystander := s.user(t, models.RoleTeacher, nil)
	before := s.do(t, super.bearerOnly(), "GET", "/api/v1/admin/users/"+itoa(bystander.ID), nil).Body
	count := func() (users, schools int64) {
		t.Helper()
		db := s.primary(t)
		if err := db.Raw("SELECT COUNT(*) FROM users").Scan(&users).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Raw("SELECT COUNT(*) FROM schools").Scan(&schools).Error; err != nil {
			t.Fatal(err)
		}
		return
	}
	users0, schools0 := count()

	names := map[string]string{} // email → full name, every user of this test
	for _, u := range []*testUser{super, bystander} {
		var b userBody
		expect(t, s.do(t, super.bearerOnly(), "GET", "/api/v1/admin/users/"+itoa(u.ID), nil), http.StatusOK).decode(t, &b)
		names[b.Email] = b.FullName
	}
	for i, inj := range injections {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			email := fmt.Sprintf("o'reilly+%d@example.com", i)
			password := (inj + "-padding-to-eight")[:min(len(inj)+17, 72)]
			reg := map[string]string{"email": email, "password": password, "full_name": inj, "phone": inj, "school": inj, "grade_level": inj, "tsc_number": inj, "role": inj}
			var created userBody
			expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/register", reg), http.StatusCreated).decode(t, &created)
			want := userBody{ID: created.ID, Email: email, FullName: inj, Phone: &inj, School: &inj, GradeLevel: &inj, TSCNumber: &inj,
				Role: "TEACHER", IsActive: true, SubscriptionType: "FREE", SubscriptionStatus: "ACTIVE", CreatedAt: created.CreatedAt}
			if diff := cmp.Diff(created, want); diff != "" {
				t.Errorf("registered user (-got +want):\n%s", diff)
			}
			names[email] = inj
			u := &testUser{ID: created.ID, Email: email, Password: password}
			u.login(t, s.testServer)
			s.remember(t, u)
			var me userBody
			expect(t, s.do(t, u.cookieOnly(), "GET", "/api/v1/auth/me", nil), http.StatusOK).decode(t, &me)
			if diff := cmp.Diff(me, want); diff != "" {
				t.Errorf("GET /auth/me (-got +want):\n%s", diff)
			}
			// The same strings through an update, reversed so a no-op can't pass.
			rev := reverse(inj)
			patch := map[string]string{"full_name": rev, "phone": rev, "school": rev, "grade_level": rev, "tsc_number": rev}
			var updated userBody
			expect(t, s.do(t, u.bearerOnly(), "PATCH", "/api/v1/auth/me", patch), http.StatusOK).decode(t, &updated)
			want.FullName, want.Phone, want.School, want.GradeLevel, want.TSCNumber = rev, &rev, &rev, &rev, &rev
			if diff := cmp.Diff(updated, want); diff != "" {
				t.Errorf("PATCH /auth/me (-got +want):\n%s", diff)
			}
			names[email] = rev
			// Queries: the search finds exactly the users whose email or name
			// holds the string; role/page/limit refuse it.
			wantTotal := 0
			for e, n := range names {
				if strings.Contains(strings.ToLower(e), strings.ToLower(rev)) || strings.Contains(strings.ToLower(n), strings.ToLower(rev)) {
					wantTotal++
				}
			}
			var list struct {
				Total int `json:"total"`
			}
			expect(t, s.do(t, super.bearerOnly(), "GET", "/api/v1/admin/users?search="+url.QueryEscape(rev), nil), http.StatusOK).decode(t, &list)
			if list.Total != wantTotal {
				t.Errorf("search %q found %d users, want %d", rev, list.Total, wantTotal)
			}
			expect(t, s.do(t, super.bearerOnly(), "GET", "/api/v1/admin/users/export?search="+url.QueryEscape(rev), nil), http.StatusOK)
			for _, p := range []string{"role", "page", "limit"} {
				notOK(t, s.do(t, super.bearerOnly(), "GET", "/api/v1/admin/users?"+p+"="+url.QueryEscape(inj), nil), p+"="+inj, http.StatusUnprocessableEntity, http.StatusBadRequest)
			}
			// The login form with the string as email and password.
			notOK(t, s.do(t, anonymous, "POST", "/api/v1/auth/login", map[string]string{"email": inj, "password": inj}), "login", http.StatusUnauthorized, http.StatusUnprocessableEntity)
			notOK(t, s.do(t, anonymous, "POST", "/api/v1/auth/login", map[string]string{"email": bystander.Email, "password": inj}), "login as another", http.StatusUnauthorized, http.StatusUnprocessableEntity)
		})
	}
	users1, schools1 := count()
	if users1 != users0+int64(len(injections)) || schools1 != schools0 {
		t.Errorf("users %d → %d, schools %d → %d; want exactly %d users added and no school", users0, users1, schools0, schools1, len(injections))
	}
	var admins int64
	if err := s.primary(t).Raw("SELECT COUNT(*) FROM users WHERE role <> 'TEACHER'").Scan(&admins).Error; err != nil {
		t.Fatal(err)
	}
	if admins != 1 {
		t.Errorf("%d users are not teachers, want only the one super admin", admins)
	}
	after := s.do(t, super.bearerOnly(), "GET", "/api/v1/admin/users/"+itoa(bystander.ID), nil).Body
	if diff := cmp.Diff(string(after), string(before)); diff != "" {
		t.Errorf("a bystander changed (-got +want):\n%s", diff)
	}
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

func TestHostileBodies(t *testing.T) {
	s := newSecServer(t)
	u := s.user(t, models.RoleTeacher, nil)
	super := s.user(t, models.RoleSuperAdmin, nil)
	before := s.do(t, super.bearerOnly(), "GET", "/api/v1/admin/users/"+itoa(u.ID), nil).Body

	huge := `{"full_name":"` + strings.Repeat("a", 2<<20) + `"}`
	deep := `{"full_name":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`
	wide := "{" + strings.Repeat(`"x":1,`, 100000) + `"full_name":"w"}`
	long := `{"full_name":"` + strings.Repeat("é", 300000) + `"}`
	json := func(data string) rawBody { return rawBody{ContentType: "application/json", Data: data} }
	bodies := []struct {
		name string
		body rawBody
		want []int
	}{
		{"over 1 MiB", json(huge), []int{http.StatusRequestEntityTooLarge}},
		{"20000 levels deep", json(deep), []int{http.StatusBadRequest}},
		{"100000 keys", json(wide), []int{http.StatusBadRequest}},
		{"a 600 kB name", json(long), []int{http.StatusUnprocessableEntity}},
		{"invalid UTF-8", json("{\"full_name\":\"\xff\xfe\xc3\x28\"}"), []int{http.StatusBadRequest}},
		{"invalid UTF-8 in a key", json("{\"full_name\xff\":\"x\"}"), []int{http.StatusBadRequest}},

		{"not JSON", json(`full_name=x`), []int{http.StatusBadRequest}},
		{"truncated", json(`{"full_name":"x"`), []int{http.StatusBadRequest}},
		{"two objects", json(`{"full_name":"x"}{"full_name":"y"}`), []int{http.StatusBadRequest}},
		{"an array", json(`[]`), []int{http.StatusBadRequest}},
		{"a number", json(`1e999999`), []int{http.StatusBadRequest}},
		{"null", json(`null`), []int{http.StatusUnprocessableEntity, http.StatusBadRequest}},
		{"wrong type", json(`{"full_name":{"$ne":null}}`), []int{http.StatusBadRequest}},
		{"unknown field", json(`{"password_hash":"x"}`), []int{http.StatusBadRequest}},
		{"is_active smuggled", json(`{"is_active":true,"full_name":"x"}`), []int{http.StatusBadRequest}},
		{"text/plain", rawBody{ContentType: "text/plain", Data: `{"full_name":"x"}`}, []int{http.StatusUnsupportedMediaType}},
		{"form", rawBody{ContentType: "application/x-www-form-urlencoded", Data: `full_name=x`}, []int{http.StatusUnsupportedMediaType}},
		{"multipart", rawBody{ContentType: "multipart/form-data; boundary=x", Data: "--x\r\n\r\nx\r\n--x--"}, []int{http.StatusUnsupportedMediaType}},
		{"xml", rawBody{ContentType: "application/xml", Data: `<full_name>x</full_name>`}, []int{http.StatusUnsupportedMediaType}},
		{"no content type", rawBody{Data: `{"full_name":"x"}`}, []int{http.StatusUnsupportedMediaType}},
		{"malformed content type", rawBody{ContentType: "application/json; ;;=", Data: `{"full_name":"x"}`}, []int{http.StatusUnsupportedMediaType}},
	}
	targets := []struct {
		who          caller
		method, path string
	}{
		{u.bearerOnly(), "PATCH", "/api/v1/auth/me"},
		{anonymous, "POST", "/api/v1/auth/register"},
		{anonymous, "POST", "/api/v1/auth/login"},
		{anonymous, "POST", "/api/v1/auth/refresh"},
		{u.bearerOnly(), "POST", "/api/v1/auth/change-password"},
		{super.bearerOnly(), "POST", "/api/v1/admin/users"},
		{super.bearerOnly(), "PATCH", "/api/v1/admin/users/" + itoa(u.ID)},
		{super.bearerOnly(), "POST", "/api/v1/admin/schools"},
	}
	for _, b := range bodies {
		t.Run(b.name, func(t *testing.T) {
			for _, tg := range targets {
				want := b.want
				if tg.method != "PATCH" {
					// Endpoints that need other fields than full_name may
					// answer a missing or unknown field first: 400 or 422.
					want = append(want, http.StatusBadRequest, http.StatusUnprocessableEntity)
				}
				if b.name == "null" && tg.method == "PATCH" {
					want = append(want, http.StatusOK) // an empty update
				}
				notOK(t, s.do(t, tg.who, tg.method, tg.path, b.body), tg.method+" "+tg.path, want...)
			}
		})
	}
	// Logout takes an optional body but is held to the same rules.
	notOK(t, s.do(t, anonymous, "POST", "/api/v1/auth/logout", json(huge)), "logout, over 1 MiB", http.StatusRequestEntityTooLarge)
	notOK(t, s.do(t, anonymous, "POST", "/api/v1/auth/logout", rawBody{ContentType: "text/plain", Data: "x"}), "logout, text/plain", http.StatusUnsupportedMediaType)

	after := s.do(t, super.bearerOnly(), "GET", "/api/v1/admin/users/"+itoa(u.ID), nil).Body
	if diff := cmp.Diff(string(after), string(before)); diff != "" {
		t.Errorf("hostile bodies changed the user (-got +want):\n%s", diff)
	}
	expect(t, s.do(t, u.bearerOnly(), "GET", "/api/v1/auth/me", nil), http.StatusOK)
}

func TestLimiterIgnoresForwardedForFromUntrustedPeers(t *testing.T) {
	for _, trusted := range []string{"", "10.0.0.0/8"} {
		t.Run("TRUSTED_PROXIES="+trusted, func(t *testing.T) {
			s := newSecServer(t, "LOGIN_RATE_LIMIT", "3", "TRUSTED_PROXIES", trusted)
			u := s.user(t, models.RoleTeacher, nil) // one login used
			statuses := []int{}
			for i := 0; i < 4; i++ {
				// A new forged address and a new email every time: only the
				// connection's own address can be counted.
				h := http.Header{"X-Forwarded-For": {fmt.Sprintf("203.0.113.%d", i+1)}, "X-Real-IP": {fmt.Sprintf("198.51.100.%d", i+1)}, "Forwarded": {fmt.Sprintf("for=192.0.2.%d", i+1)}}
				res := s.do(t, caller{Header: h}, "POST", "/api/v1/auth/login", map[string]string{"email": fmt.Sprintf("nobody%d@example.com", i), "password": "wrong-password"})
				statuses = append(statuses, res.Status)
				if res.Status == http.StatusTooManyRequests && res.Header.Get("Retry-After") == "" {
					t.Error("429 without Retry-After")
				}
			}
			if diff := cmp.Diff(statuses, []int{401, 401, 429, 429}); diff != "" {
				t.Errorf("logins with rotating X-Forwarded-For (-got +want):\n%s", diff)
			}
			// The right password doesn't get through the limit either.
			notOK(t, s.do(t, anonymous, "POST", "/api/v1/auth/login", map[string]string{"email": u.Email, "password": u.Password}), "right password over the limit", http.StatusTooManyRequests)
		})
	}
}

func TestResponseHeadersAndCORS(t *testing.T) {
	const origin = "http://localhost:3000"
	s := newSecServer(t, "CORS_ALLOWED_ORIGINS", origin)
	u := s.user(t, models.RoleTeacher, nil)
	// Every kind of answer: s.do checks nosniff and no Server header on each.
	for _, r := range []struct {
		c            caller
		method, path string
		want         int
	}{
		{anonymous, "GET", "/healthz", 200},
		{anonymous, "GET", "/readyz", 200},
		{anonymous, "GET", "/metrics", 200},
		{anonymous, "GET", "/nope", 404},
		{anonymous, "PUT", "/api/v1/auth/me", 405},
		{anonymous, "GET", "/api/v1/auth/me", 401},
		{u.bearerOnly(), "GET", "/api/v1/auth/me", 200},
		{u.bearerOnly(), "GET", "/api/v1/admin/users", 403},
		{anonymous, "POST", "/api/v1/auth/login", 415},
	} {
		expect(t, s.do(t, r.c, r.method, r.path, nil), r.want)
	}

	preflight := func(from string) http.Header {
		return http.Header{"Origin": {from}, "Access-Control-Request-Method": {"PATCH"}, "Access-Control-Request-Headers": {"content-type"}}
	}
	for _, tt := range []struct {
		name    string
		c       caller
		method  string
		allowed bool
	}{
		{"preflight, configured origin", caller{Header: preflight(origin)}, "OPTIONS", true},
		{"request, configured origin", caller{Token: u.Token, Header: http.Header{"Origin": {origin}}}, "GET", true},
		{"preflight, other origin", caller{Header: preflight("https://evil.example")}, "OPTIONS", false},
		{"preflight, configured origin as a prefix", caller{Header: preflight(origin + ".evil.example")}, "OPTIONS", false},
		{"preflight, other port", caller{Header: preflight("http://localhost:3001")}, "OPTIONS", false},
		{"preflight, null origin", caller{Header: preflight("null")}, "OPTIONS", false},
		{"request, other origin", caller{Token: u.Token, Header: http.Header{"Origin": {"https://evil.example"}}}, "GET", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := s.do(t, tt.c, tt.method, "/api/v1/auth/me", nil)
			acao, acac := res.Header.Get("Access-Control-Allow-Origin"), res.Header.Get("Access-Control-Allow-Credentials")
			if tt.allowed && (acao != origin || acac != "true") {
				t.Errorf("status %d, Allow-Origin %q, Allow-Credentials %q; want %s with credentials", res.Status, acao, acac, origin)
			}
			if !tt.allowed && (acao != "" || acac != "") {
				t.Errorf("status %d, Allow-Origin %q, Allow-Credentials %q; want neither", res.Status, acao, acac)
			}
		})
	}
}

// subjectRoutes are the endpoints naming a subject (%s) or a lesson (%l).
var subjectRoutes = []route{
	{"GET", "/api/v1/subjects/%s", nil, false},
	{"PATCH", "/api/v1/subjects/%s", map[string]string{"grade": "Grade 9"}, false},
	{"PUT", "/api/v1/subjects/%s", map[string]string{"grade": "Grade 9"}, false},
	{"DELETE", "/api/v1/subjects/%s", nil, false},
	{"GET", "/api/v1/subjects/%s/strands", nil, false},
	{"GET", "/api/v1/subjects/%s/lessons", nil, false},
	{"GET", "/api/v1/subjects/%s/scheduling", nil, false},
	{"PUT", "/api/v1/subjects/%s/scheduling", map[string]int{"lessons_per_week": 6, "single_lesson_duration": 40, "double_lesson_duration": 80, "double_lessons_per_week": 1}, false},
	{"POST", "/api/v1/lessons/%l/complete", nil, false},
	{"POST", "/api/v1/lessons/%l/uncomplete", nil, false},
}

func (r route) atSubject(subject, lesson string) string {
	return strings.NewReplacer("%s", subject, "%l", lesson).Replace(r.path)
}

// TestSubjectsHostileInput: another teacher's subjects and lessons are 404 on
// every route, malformed ids 400, hostile query strings 4xx, and injection
// strings in curriculum text are stored verbatim — and the owner's data never
// changes.
func TestSubjectsHostileInput(t *testing.T) {
	s := newSecServer(t)
	school := createSchool(t, s.testServer, "Hostile School")
	owner := s.user(t, models.RoleTeacher, school)
	other := s.user(t, models.RoleTeacher, school)
	sub := newSubject(t, s.testServer, owner.caller, "Owned", "Grade 4", tree(1, 1, 2))
	lessons := lessonIDs(t, s.testServer, owner.caller, sub.ID)
	sid, lid := itoa(sub.ID), itoa(lessons[0])
	before := s.do(t, owner.bearerOnly(), "GET", "/api/v1/subjects/"+sid+"/lessons", nil).Body

	t.Run("another teacher's", func(t *testing.T) {
		for _, r := range subjectRoutes {
			for _, c := range []caller{other.bearerOnly(), other.cookieOnly()} {
				notOK(t, s.do(t, c, r.method, r.atSubject(sid, lid), r.body), r.method+" "+r.path, http.StatusNotFound)
			}
		}
	})
	t.Run("malformed ids", func(t *testing.T) {
		for _, id := range []string{"18446744073709551616", "9223372036854775808", "-1", "0", "abc", "1.5", "1e3", "+1", "%FF", "%00", "1%20OR%201=1"} {
			for _, r := range subjectRoutes {
				notOK(t, s.do(t, owner.bearerOnly(), r.method, r.atSubject(id, id), r.body), r.method+" "+r.atSubject(id, id), http.StatusBadRequest)
			}
		}
	})
	t.Run("hostile query strings", func(t *testing.T) {
		for _, q := range []string{"page=-1", "page=abc", "page=99999999999999999999", "per_page=0", "per_page=1e9", "sort=id%3BDROP%20TABLE%20users", "q=%FF", "grade=%FF%FE", "q=%00"} {
			res := s.do(t, owner.bearerOnly(), "GET", "/api/v1/subjects?"+q, nil)
			if res.Status >= 500 || res.Status == http.StatusOK && (strings.Contains(q, "page") || strings.Contains(q, "sort")) {
				t.Errorf("GET /subjects?%s: status %d, want a 4xx (or 200 for a harmless filter); body %s", q, res.Status, res.Body)
			}
		}
	})
	t.Run("injection strings stored verbatim", func(t *testing.T) {
		// More subjects than an individual plan allows (models.LimitsFor).
		setPlan(t, s.testServer, owner.ID, models.PlanSchoolSponsored, time.Time{})
		for i, text := range injections {
			name := fmt.Sprintf("%d %s", i, text)
			if len(name) > 255 {
				name = name[:255]
			}
			body := map[string]any{"subject_name": name, "grade": "Grade 5", "strands": []any{map[string]any{
				"strand_code": "1", "strand_name": text, "description": text,
				"sub_strands": []any{map[string]any{"substrand_code": "1.1", "substrand_name": text,
					"lessons": []any{map[string]any{"lesson_title": text, "description": text}}}}}}}
			res := s.do(t, owner.bearerOnly(), "POST", "/api/v1/subjects", body)
			if res.Status != http.StatusCreated {
				if !utf8.ValidString(text) || strings.ContainsRune(text, 0) {
					notOK(t, res, "injection "+strconv.Quote(text), http.StatusBadRequest, http.StatusUnprocessableEntity)
					continue
				}
				t.Errorf("creating a subject named %q: %d %s", name, res.Status, res.Body)
				continue
			}
			var got subjectJSON
			res.decode(t, &got)
			var tree struct {
				SubjectName string `json:"subject_name"`
				Strands     []struct {
					StrandName string `json:"strand_name"`
					SubStrands []struct {
						SubstrandName string `json:"substrand_name"`
					} `json:"sub_strands"`
				} `json:"strands"`
			}
			expect(t, s.do(t, owner.bearerOnly(), "GET", "/api/v1/subjects/"+itoa(got.ID), nil), http.StatusOK).decode(t, &tree)
			// Names are stored trimmed of surrounding white space; nothing else changes.
			if tree.SubjectName != strings.TrimSpace(name) || len(tree.Strands) != 1 || tree.Strands[0].StrandName != text ||
				len(tree.Strands[0].SubStrands) != 1 || tree.Strands[0].SubStrands[0].SubstrandName != text {
				t.Errorf("%q came back as %+v", text, tree)
			}
			res = s.do(t, owner.bearerOnly(), "GET", "/api/v1/subjects?q="+url.QueryEscape(text), nil)
			if res.Status != http.StatusOK {
				t.Errorf("searching for %q: %d %s", text, res.Status, res.Body)
			}
		}
	})
	after := s.do(t, owner.bearerOnly(), "GET", "/api/v1/subjects/"+sid+"/lessons", nil).Body
	if diff := cmp.Diff(string(after), string(before)); diff != "" {
		t.Errorf("the owner's subject changed (-got +want):\n%s", diff)
	}
}
