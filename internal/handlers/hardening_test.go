package handlers_test

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/teachtrack/api/internal/models"
)

// The tests of issue 12's findings, one (or a few) per finding; each failed
// on the code before the fix.

// metricsSeries counts the request-duration series /metrics exposes and
// returns the size of the whole exposition.
func metricsSeries(t *testing.T, s *testServer) (series, size int) {
	t.Helper()
	res := expect(t, s.do(t, anonymous, "GET", "/metrics", nil), http.StatusOK)
	return len(regexp.MustCompile(`(?m)^http_request_duration_seconds_count\{`).FindAll(res.Body, -1)), len(res.Body)
}

// rawRequest sends method to path as is (any method, no checks, no waiting).
func rawRequest(t *testing.T, s *testServer, method, path string) int {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// TestMetricsCardinalityBounded: made-up methods and paths, sent without a
// session, never add series: the second batch leaves /metrics as it was.
func TestMetricsCardinalityBounded(t *testing.T) {
	s := newTestServer(t)
	metricsSeries(t, s) // /metrics's own series exists from here on
	batch := func(from, to int) {
		for i := from; i < to; i++ {
			for _, path := range []string{fmt.Sprintf("/x%d", i), fmt.Sprintf("/api/v1/nope/%d", i), "/api/v1/auth/me"} {
				if st := rawRequest(t, s, fmt.Sprintf("M%d", i), path); st < 400 {
					t.Fatalf("method M%d %s answered %d", i, path, st)
				}
			}
		}
	}
	batch(0, 100)
	series1, size1 := metricsSeries(t, s)
	batch(100, 400)
	series2, size2 := metricsSeries(t, s)
	t.Logf("series after 300 requests: %d (%d bytes); after 1,200: %d (%d bytes)", series1, size1, series2, size2)
	if series2 != series1 || series2 > 10 {
		t.Errorf("series %d → %d after 900 more requests with made-up methods and paths; want a small constant number", series1, series2)
	}
	// Counter values grow by a digit or so; new series would add kilobytes.
	if size2-size1 > 256 {
		t.Errorf("/metrics grew from %d to %d bytes", size1, size2)
	}
	res := expect(t, s.do(t, anonymous, "GET", "/metrics", nil), http.StatusOK)
	for _, want := range []string{`method="OTHER"`, `route="unmatched"`} {
		if !strings.Contains(string(res.Body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(string(res.Body), `route="/api/v1/*"`) {
		t.Errorf("an unmatched path under /api/v1 has a label of its own")
	}
}

// TestMetricsExposure: in production /metrics is served only where the
// operator says (METRICS_TOKEN here; METRICS_ADDR moves it off HTTP_ADDR).
func TestMetricsExposure(t *testing.T) {
	prod := []string{"APP_ENV", "production", "CORS_ALLOWED_ORIGINS", "https://app.example.com"}
	t.Run("production, nothing configured: not served", func(t *testing.T) {
		s := newTestServer(t, prod...)
		expect(t, s.do(t, anonymous, "GET", "/metrics", nil), http.StatusNotFound)
	})
	t.Run("METRICS_TOKEN: bearer only", func(t *testing.T) {
		const token = "metrics-token-0123456789"
		s := newTestServer(t, append(prod, "METRICS_TOKEN", token)...)
		expect(t, s.do(t, anonymous, "GET", "/metrics", nil), http.StatusUnauthorized)
		expect(t, s.do(t, caller{Token: "metrics-token-wrong-000"}, "GET", "/metrics", nil), http.StatusUnauthorized)
		u := createUser(t, s, models.RoleSuperAdmin, nil)
		expect(t, s.do(t, u.bearerOnly(), "GET", "/metrics", nil), http.StatusUnauthorized) // a user's token is not the metrics token
		expect(t, s.do(t, caller{Token: token}, "GET", "/metrics", nil), http.StatusOK)
	})
	t.Run("METRICS_ADDR: not on the API's address", func(t *testing.T) {
		s := newTestServer(t, "METRICS_ADDR", "127.0.0.1:0")
		expect(t, s.do(t, anonymous, "GET", "/metrics", nil), http.StatusNotFound)
	})
}

// TestExpiredTokenAsCookieIsDead: the token login returns in its body is a
// bearer credential; once expired it is dead however it is sent. Only the
// cookie's own token is renewed.
func TestExpiredTokenAsCookieIsDead(t *testing.T) {
	s := newTestServer(t, "ACCESS_TOKEN_TTL", "1s")
	u := createUser(t, s, models.RoleTeacher, nil)
	if u.Cookie.Value == u.Token {
		t.Fatal("login put the same token in its body and in the cookie")
	}
	time.Sleep(2100 * time.Millisecond) // both tokens expire (exp has whole seconds)
	bodyAsCookie := caller{Cookie: &http.Cookie{Name: "access_token", Value: u.Token}}
	expect(t, s.do(t, bodyAsCookie, "GET", "/api/v1/auth/me", nil), http.StatusUnauthorized)
	expect(t, s.do(t, bodyAsCookie, "PATCH", "/api/v1/auth/me", map[string]string{"school": "Replayed"}), http.StatusUnauthorized)
	expect(t, s.do(t, u.bearerOnly(), "GET", "/api/v1/auth/me", nil), http.StatusUnauthorized)
	// The browser's cookie is renewed, as before.
	res := expect(t, s.do(t, u.cookieOnly(), "GET", "/api/v1/auth/me", nil), http.StatusOK)
	if c := res.cookie("access_token"); c == nil || c.Value == u.Cookie.Value {
		t.Errorf("the expired cookie was not renewed: %+v", c)
	}
}

// impersonate has admin start impersonating target and returns the session
// cookie the browser then holds.
func impersonate(t *testing.T, s *testServer, admin, target *testUser) caller {
	t.Helper()
	res := expect(t, s.do(t, admin.cookieOnly(), "POST", "/api/v1/admin/users/"+itoa(target.ID)+"/impersonate", nil), http.StatusOK)
	c := res.cookie("access_token")
	if c == nil {
		t.Fatal("impersonation set no cookie")
	}
	return caller{Cookie: c}
}

// TestImpersonationEndsWithAdmin: an impersonation session needs its admin
// live, still a SUPER_ADMIN, and signed in to the session it was started
// from — on every request — and its audit trail outlives the admin.
func TestImpersonationEndsWithAdmin(t *testing.T) {
	s := newTestServer(t)
	other := createUser(t, s, models.RoleSuperAdmin, nil)
	for _, tc := range []struct {
		name string
		end  func(t *testing.T, admin *testUser)
	}{
		{"demoted", func(t *testing.T, admin *testUser) {
			expect(t, s.do(t, other.bearerOnly(), "PATCH", "/api/v1/admin/users/"+itoa(admin.ID)+"/role", map[string]string{"role": "TEACHER"}), http.StatusOK)
		}},
		{"banned", func(t *testing.T, admin *testUser) {
			// No route bans a super admin; a database change must end it too.
			if err := models.SetActive(s.primary(t), admin.ID, false, time.Now().UTC()); err != nil {
				t.Fatal(err)
			}
			s.waitReplicas(t)
		}},
		{"deleted", func(t *testing.T, admin *testUser) {
			expect(t, s.do(t, other.bearerOnly(), "DELETE", "/api/v1/admin/users/"+itoa(admin.ID), nil), http.StatusNoContent)
		}},
		{"signed out", func(t *testing.T, admin *testUser) {
			expect(t, s.do(t, admin.cookieOnly(), "POST", "/api/v1/auth/logout", nil), http.StatusNoContent)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			admin := createUser(t, s, models.RoleSuperAdmin, nil)
			target := createUser(t, s, models.RoleTeacher, nil)
			as := impersonate(t, s, admin, target)
			expect(t, s.do(t, as, "GET", "/api/v1/auth/me", nil), http.StatusOK)
			tc.end(t, admin)
			expect(t, s.do(t, as, "GET", "/api/v1/auth/me", nil), http.StatusUnauthorized)
			expect(t, s.do(t, as, "PATCH", "/api/v1/auth/me", map[string]string{"school": "Still here"}), http.StatusUnauthorized)
			// The target's own sign-in is untouched.
			expect(t, s.do(t, target.cookieOnly(), "GET", "/api/v1/auth/me", nil), http.StatusOK)

			// The audit trail names the admin, deleted or not.
			var audit models.Impersonation
			if err := s.primary(t).Where("target_id = ?", target.ID).Take(&audit).Error; err != nil {
				t.Fatalf("no audit record: %v", err)
			}
			if audit.AdminID != admin.ID || audit.AdminEmail != admin.Email || audit.TargetEmail != target.Email {
				t.Errorf("audit record %+v, want admin %d %s", audit, admin.ID, admin.Email)
			}
			var sess models.Session
			if err := s.primary(t).Where("user_id = ? AND impersonator_id IS NOT NULL", target.ID).Take(&sess).Error; err != nil || *sess.ImpersonatorID != admin.ID {
				t.Errorf("the impersonation session lost its admin: %+v, %v", sess, err)
			}
		})
	}
}

// TestCrossSiteCookieMutations: a cross-site form post with an admin's cookie
// is refused; the frontend's own calls through its Next.js proxy (which
// forwards the browser's headers and cookies, and sets its own Host) work;
// bearer requests don't depend on where they come from.
func TestCrossSiteCookieMutations(t *testing.T) {
	const frontend = "http://localhost:3000"
	s := newTestServer(t, "CORS_ALLOWED_ORIGINS", frontend)
	admin := createUser(t, s, models.RoleSuperAdmin, nil)
	victim := createUser(t, s, models.RoleTeacher, nil)
	ban := "/api/v1/admin/users/" + itoa(victim.ID) + "/ban"
	form := rawBody{"application/x-www-form-urlencoded", "confirm=1"}
	from := func(c caller, h ...string) caller {
		c.Header = http.Header{}
		for i := 0; i+1 < len(h); i += 2 {
			c.Header.Set(h[i], h[i+1])
		}
		return c
	}
	for _, tc := range []struct {
		name   string
		c      caller
		method string
		path   string
		body   any
	}{
		{"form post from another site", from(admin.cookieOnly(), "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"), "POST", ban, form},
		{"empty post from another site", from(admin.cookieOnly(), "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"), "POST", ban, nil},
		{"impersonation from another site", from(admin.cookieOnly(), "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"), "POST", "/api/v1/admin/users/" + itoa(victim.ID) + "/impersonate", nil},
		{"from a sibling subdomain", from(admin.cookieOnly(), "Origin", "http://evil.localhost:3000", "Sec-Fetch-Site", "same-site"), "POST", ban, nil},
		{"sandboxed frame (Origin: null)", from(admin.cookieOnly(), "Origin", "null", "Sec-Fetch-Site", "cross-site"), "POST", ban, nil},
		{"no Origin, no Sec-Fetch-Site", caller{Cookie: admin.Cookie, Bare: true}, "POST", ban, nil},
		{"no Origin, Referer of another site", from(admin.cookieOnly(), "Referer", "https://evil.example/page"), "DELETE", "/api/v1/admin/users/" + itoa(victim.ID), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := expect(t, s.do(t, tc.c, tc.method, tc.path, tc.body), http.StatusForbidden)
			checkProblem(t, res, 403, "")
		})
	}
	var active bool
	if err := s.primary(t).Raw("SELECT is_active FROM users WHERE id = ?", victim.ID).Scan(&active).Error; err != nil || !active {
		t.Fatalf("the victim was banned by a cross-site request (active %v, %v)", active, err)
	}
	expect(t, s.do(t, victim.cookieOnly(), "GET", "/api/v1/auth/me", nil), http.StatusOK)

	// The frontend's call as it reaches the API through the Next.js proxy:
	// the browser's Origin and Sec-Fetch-Site, its cookies, the proxy's Host
	// and X-Forwarded-* headers.
	proxied := func(c caller) caller {
		return from(c, "Origin", frontend, "Sec-Fetch-Site", "same-origin", "Sec-Fetch-Mode", "cors",
			"Referer", frontend+"/admin/users", "X-Forwarded-For", "192.0.2.7", "X-Forwarded-Host", "localhost:3000", "X-Forwarded-Proto", "http")
	}
	res := expect(t, s.do(t, proxied(victim.cookieOnly()), "PATCH", "/api/v1/auth/me", map[string]string{"school": "Proxied School"}), http.StatusOK)
	if !strings.Contains(string(res.Body), "Proxied School") {
		t.Errorf("proxied PATCH body %s", res.Body)
	}
	// The same through a browser calling the API directly from the frontend's
	// origin (CORS): Sec-Fetch-Site is cross-site, the Origin is allowed.
	expect(t, s.do(t, from(victim.cookieOnly(), "Origin", frontend, "Sec-Fetch-Site", "cross-site"), "PATCH", "/api/v1/auth/me", map[string]string{"school": "Direct School"}), http.StatusOK)
	// A body the route reads must be JSON, even from the frontend.
	expect(t, s.do(t, proxied(victim.cookieOnly()), "POST", "/api/v1/auth/logout", rawBody{"text/plain", `{"refresh_token":"x"}`}), http.StatusUnsupportedMediaType)
	expect(t, s.do(t, proxied(admin.cookieOnly()), "POST", ban, nil), http.StatusOK)
	// Bearer requests are unaffected by where they come from.
	expect(t, s.do(t, from(admin.bearerOnly(), "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"), "POST", "/api/v1/admin/users/"+itoa(victim.ID)+"/unban", nil), http.StatusOK)
}

// TestEmailMatchesDatabase: the per-email limit, the lookup and uniqueness all
// use one normal form, the one the database compares (binary collation).
func TestEmailMatchesDatabase(t *testing.T) {
	s := newTestServer(t)
	reg := func(email string) *response {
		return s.do(t, anonymous, "POST", "/api/v1/auth/register", map[string]string{"email": email, "password": "password-1", "full_name": "E"})
	}
	login := func(email string) *response {
		return s.do(t, anonymous, "POST", "/api/v1/auth/login", map[string]string{"email": email, "password": "password-1"})
	}
	expect(t, reg("victim@example.com"), http.StatusCreated)
	expect(t, login("victim@exámple.com"), http.StatusUnauthorized) // another address
	expect(t, login("victim@exämple.com"), http.StatusUnauthorized)
	expect(t, login(" VICTIM@Example.COM "), http.StatusOK) // case and spaces still don't matter

	// An accented address doesn't squat on the plain one, nor the reverse.
	expect(t, reg("squat@exämple.com"), http.StatusCreated)
	expect(t, reg("squat@example.com"), http.StatusCreated)
	expect(t, reg("SQUAT@EXAMPLE.COM"), http.StatusConflict)
	// "é" as one code point or as "e" + combining accent is one address.
	expect(t, reg(norm.NFC.String("café@example.com")), http.StatusCreated)
	expect(t, reg(norm.NFD.String("café@example.com")), http.StatusConflict)
	expect(t, login(norm.NFD.String("CAFÉ@example.com")), http.StatusOK)
}

// TestLoginLockoutIsPerClient: an attacker's failed logins lock the attacker
// out, not the address's owner.
func TestLoginLockoutIsPerClient(t *testing.T) {
	s := newTestServer(t, "LOGIN_RATE_LIMIT", "3", "TRUSTED_PROXIES", "127.0.0.1/32", "LOGIN_CAPTCHA", "off")
	owner := createUser(t, s, models.RoleTeacher, nil) // logged in once (from 127.0.0.1)
	attacker := caller{Header: http.Header{"X-Forwarded-For": {"203.0.113.66"}}}
	for i := 0; i < 3; i++ {
		expect(t, s.do(t, attacker, "POST", "/api/v1/auth/login", map[string]string{"email": owner.Email, "password": "guess-" + fmt.Sprint(i)}), http.StatusUnauthorized)
	}
	expect(t, s.do(t, attacker, "POST", "/api/v1/auth/login", map[string]string{"email": owner.Email, "password": "guess-3"}), http.StatusTooManyRequests)
	expect(t, s.do(t, attacker, "POST", "/api/v1/auth/login", map[string]string{"email": strings.ToUpper(owner.Email), "password": owner.Password}), http.StatusTooManyRequests)
	home := caller{Header: http.Header{"X-Forwarded-For": {"198.51.100.8"}}}
	expect(t, s.do(t, home, "POST", "/api/v1/auth/login", map[string]string{"email": owner.Email, "password": owner.Password}), http.StatusOK)
}

// TestChangePasswordLimited: wrong current passwords are limited per user.
func TestChangePasswordLimited(t *testing.T) {
	s := newTestServer(t, "LOGIN_RATE_LIMIT", "3")
	u := createUser(t, s, models.RoleTeacher, nil)
	for i := 0; i < 3; i++ {
		expect(t, s.do(t, u.cookieOnly(), "POST", "/api/v1/auth/change-password", map[string]string{"current_password": "guess-" + fmt.Sprint(i), "new_password": "new-password-1"}), http.StatusUnprocessableEntity)
	}
	res := expect(t, s.do(t, u.bearerOnly(), "POST", "/api/v1/auth/change-password", map[string]string{"current_password": u.Password, "new_password": "new-password-1"}), http.StatusTooManyRequests)
	if res.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/login", map[string]string{"email": u.Email, "password": u.Password}), http.StatusOK)
}

// TestTextLimitedByBytes: text that passes a character limit but not its
// column's byte limit is a 422 naming the field, and nothing is stored.
func TestTextLimitedByBytes(t *testing.T) {
	s := newTestServer(t)
	u := createUser(t, s, models.RoleTeacher, nil)
	subject := func(description string) map[string]any {
		return map[string]any{"subject_name": "Bytes", "grade": "Grade 7", "strands": []map[string]any{
			{"strand_code": "S1", "strand_name": "Strand", "description": description},
		}}
	}
	res := expect(t, s.do(t, u.bearerOnly(), "POST", "/api/v1/subjects", subject(strings.Repeat("é", 33000))), http.StatusUnprocessableEntity)
	checkProblem(t, res, 422, "strands[0].description")
	var n int64
	if err := s.primary(t).Model(&models.Subject{}).Where("user_id = ?", u.ID).Count(&n).Error; err != nil || n != 0 {
		t.Errorf("%d subjects stored after a refused create (%v)", n, err)
	}
	// What the column holds is accepted: 32,767 × "é" is 65,534 bytes.
	expect(t, s.do(t, u.bearerOnly(), "POST", "/api/v1/subjects", subject(strings.Repeat("é", 32767))), http.StatusCreated)
}

// TestStoredTextRefusesNULAndSurrogates: a NUL or an unpaired surrogate in
// JSON text is a 422 naming the field (encoding/json would store U+FFFD for
// the latter).
func TestStoredTextRefusesNULAndSurrogates(t *testing.T) {
	s := newTestServer(t)
	for i, name := range []string{`a\u0000b`, `a\ud800b`, `a\udc00b`, `\ud83d`, `\ud83d\u0041`, `\ude00\ud83d`} {
		body := fmt.Sprintf(`{"email":"text%d@example.com","password":"password-1","full_name":"%s"}`, i, name)
		checkProblem(t, expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/register", rawBody{"application/json", body}), http.StatusUnprocessableEntity), 422, "full_name")
	}
	var n int64
	if err := s.primary(t).Model(&models.User{}).Where("email LIKE 'text%'").Count(&n).Error; err != nil || n != 0 {
		t.Errorf("%d users stored with refused text (%v)", n, err)
	}
	// A proper pair, and the same characters as plain text, are kept.
	res := expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/register", rawBody{"application/json",
		`{"email":"pair@example.com","password":"password-1","full_name":"\ud83d\ude00 \\u0000 \\ud800"}`}), http.StatusCreated)
	var u userBody
	res.decode(t, &u)
	if u.FullName != `😀 \u0000 \ud800` {
		t.Errorf("full_name %q", u.FullName)
	}
}

// TestCORSNeverWildcard: without an allow-list no origin is allowed (go-chi/cors
// would answer "*" with credentials).
func TestCORSNeverWildcard(t *testing.T) {
	s := newTestServer(t, "CORS_ALLOWED_ORIGINS", "")
	h := http.Header{"Origin": {"https://evil.example"}, "Access-Control-Request-Method": {"POST"}}
	for _, method := range []string{"OPTIONS", "GET"} {
		res := s.do(t, caller{Header: h}, method, "/api/v1/auth/me", nil)
		if v := res.Header.Get("Access-Control-Allow-Origin"); v != "" {
			t.Errorf("%s: Access-Control-Allow-Origin %q with credentials %q, want none", method, v, res.Header.Get("Access-Control-Allow-Credentials"))
		}
	}
}
