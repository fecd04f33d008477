package handlers_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/teachtrack/api/internal/auth"
	"github.com/teachtrack/api/internal/models"
)

type userBody struct {
	ID                 uint64  `json:"id"`
	Email              string  `json:"email"`
	FullName           string  `json:"full_name"`
	Phone              *string `json:"phone"`
	School             *string `json:"school"`
	GradeLevel         *string `json:"grade_level"`
	TSCNumber          *string `json:"tsc_number"`
	Role               string  `json:"role"`
	IsAdmin            bool    `json:"is_admin"`
	SchoolID           *uint64 `json:"school_id"`
	IsActive           bool    `json:"is_active"`
	EmailVerified      bool    `json:"email_verified"`
	SubscriptionType   string  `json:"subscription_type"`
	SubscriptionStatus string  `json:"subscription_status"`
	CreatedAt          string  `json:"created_at"`
	PasswordHash       *string `json:"password_hash"`
}

func ptr[T any](v T) *T { return &v }

func TestRegister(t *testing.T) {
	s := newTestServer(t)
	createUser(t, s, models.RoleTeacher, nil) // a taken address: user1-teacher@example.com
	big := `{"email":"big@example.com","password":"password1","full_name":"` + strings.Repeat("x", 1<<20) + `"}`
	tests := []struct {
		name       string
		body       any
		wantStatus int
		wantField  string
	}{
		{"frontend form, all strings", map[string]string{"email": "Mary@Example.com", "password": "password1", "full_name": "Mary Wanjiku",
			"phone": "", "school": "Nairobi Primary", "grade_level": "3", "tsc_number": "", "role": "SCHOOL_ADMIN"}, http.StatusCreated, ""},
		{"taken email in another case", map[string]string{"email": "USER1-TEACHER@example.com", "password": "password1", "full_name": "X"}, http.StatusConflict, ""},
		{"bad email", map[string]string{"email": "not-an-email", "password": "password1", "full_name": "X"}, http.StatusUnprocessableEntity, "email"},
		{"short password", map[string]string{"email": "a@example.com", "password": "1234567", "full_name": "X"}, http.StatusUnprocessableEntity, "password"},
		{"73-byte password", map[string]string{"email": "a@example.com", "password": strings.Repeat("é", 36) + "x", "full_name": "X"}, http.StatusUnprocessableEntity, "password"},
		{"no full name", map[string]string{"email": "a@example.com", "password": "password1"}, http.StatusUnprocessableEntity, "full_name"},
		{"unknown field", map[string]string{"email": "a@example.com", "password": "password1", "full_name": "X", "is_admin": "true"}, http.StatusBadRequest, ""},
		{"wrong type", map[string]any{"email": "a@example.com", "password": "password1", "full_name": "X", "grade_level": 3}, http.StatusBadRequest, ""},
		{"malformed", rawBody{"application/json", `{"email":`}, http.StatusBadRequest, ""},
		{"not an object", rawBody{"application/json", `[1,2]`}, http.StatusBadRequest, ""},
		{"empty", rawBody{"application/json", ``}, http.StatusBadRequest, ""},
		{"form encoded", rawBody{"application/x-www-form-urlencoded", `email=a@example.com`}, http.StatusUnsupportedMediaType, ""},
		{"over 1 MiB", rawBody{"application/json", big}, http.StatusRequestEntityTooLarge, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/register", tt.body), tt.wantStatus)
			if tt.wantStatus != http.StatusCreated {
				checkProblem(t, res, tt.wantStatus, tt.wantField)
				return
			}
			if res.cookie("access_token") != nil {
				t.Errorf("register signed the user in; it must not")
			}
			var got userBody
			res.decode(t, &got)
			want := userBody{ID: got.ID, Email: "mary@example.com", FullName: "Mary Wanjiku", School: ptr("Nairobi Primary"), GradeLevel: ptr("3"),
				Role: "SCHOOL_ADMIN", IsAdmin: true, IsActive: true, SubscriptionType: "FREE", SubscriptionStatus: "ACTIVE", CreatedAt: got.CreatedAt}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("user (-want +got):\n%s", diff)
			}
			if _, err := time.Parse(time.RFC3339, got.CreatedAt); err != nil {
				t.Errorf("created_at %q is not RFC 3339", got.CreatedAt)
			}
		})
	}
}

// checkProblem checks a problem+json answer: a sentence in detail and, for
// 422, the field named in errors.
func checkProblem(t *testing.T, res *response, status int, field string) {
	t.Helper()
	if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("content type %q, want application/problem+json", ct)
	}
	var p problem
	res.decode(t, &p)
	if p.Status != status || p.Detail == "" || !strings.HasSuffix(p.Detail, ".") {
		t.Errorf("problem %+v: want status %d and a sentence in detail", p, status)
	}
	if field != "" && (len(p.Errors) == 0 || p.Errors[0].Field != field) {
		t.Errorf("errors %+v, want one for field %q", p.Errors, field)
	}
}

func TestLogin(t *testing.T) {
	s := newTestServer(t)
	u := createUser(t, s, models.RoleTeacher, nil)
	banned := createUser(t, s, models.RoleTeacher, nil)
	if err := models.SetActive(s.primary(t), banned.ID, false, time.Now()); err != nil {
		t.Fatal(err)
	}
	s.waitReplicas(t)

	t.Run("frontend-shaped", func(t *testing.T) {
		res := expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/login",
			map[string]any{"email": strings.ToUpper(u.Email), "password": u.Password, "captcha_id": "c1", "captcha_answer": ""}), http.StatusOK)
		var body struct {
			AccessToken  string   `json:"access_token"`
			TokenType    string   `json:"token_type"`
			ExpiresIn    int      `json:"expires_in"`
			RefreshToken string   `json:"refresh_token"`
			User         userBody `json:"user"`
		}
		res.decode(t, &body)
		if body.TokenType != "bearer" || body.ExpiresIn != 900 || body.AccessToken == "" || len(body.RefreshToken) < 43 || body.User.ID != u.ID {
			t.Errorf("login body %+v", body)
		}
		if strings.Contains(string(res.Body), "password_hash") {
			t.Errorf("login body shows password_hash")
		}
		c := res.cookie("access_token")
		// The cookie holds a token of its own: the body's bearer token is
		// another credential, never renewed as a cookie.
		if c == nil || c.Value == body.AccessToken || c.Path != "/" || c.Domain != "" || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure {
			t.Fatalf("cookie %+v", c)
		}
		claims, err := auth.NewIssuer(s.Secret, time.Minute).Verify(body.AccessToken)
		if err != nil || claims.Role != "TEACHER" || claims.SessionID == 0 || claims.ID == "" || claims.IssuedAt == nil || claims.Cookie {
			t.Errorf("claims %+v, %v", claims, err)
		}
		if cc, err := auth.NewIssuer(s.Secret, time.Minute).Verify(c.Value); err != nil || !cc.Cookie || cc.SessionID != claims.SessionID {
			t.Errorf("cookie claims %+v, %v", cc, err)
		}
	})
	wrong := expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/login", map[string]string{"email": u.Email, "password": "wrong-password"}), http.StatusUnauthorized)
	unknown := expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/login", map[string]string{"email": "nobody@example.com", "password": "wrong-password"}), http.StatusUnauthorized)
	var p1, p2 problem
	wrong.decode(t, &p1)
	unknown.decode(t, &p2)
	if p1.Detail != p2.Detail {
		t.Errorf("wrong password says %q but unknown email %q: they must not differ", p1.Detail, p2.Detail)
	}
	checkProblem(t, expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/login", map[string]string{"email": banned.Email, "password": banned.Password}), http.StatusForbidden), 403, "")
	checkProblem(t, expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/login", map[string]string{"email": u.Email}), http.StatusUnprocessableEntity), 422, "password")
	checkProblem(t, expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/login", map[string]string{"email": u.Email, "password": "x", "remember": "1"}), http.StatusBadRequest), 400, "")
}

func TestMe(t *testing.T) {
	s := newTestServer(t)
	u := createUser(t, s, models.RoleTeacher, nil)
	for name, c := range map[string]caller{"cookie only": u.cookieOnly(), "bearer only": u.bearerOnly()} {
		t.Run(name, func(t *testing.T) {
			var got userBody
			expect(t, s.do(t, c, "GET", "/api/v1/auth/me", nil), http.StatusOK).decode(t, &got)
			if got.ID != u.ID || got.Email != u.Email {
				t.Errorf("me = %+v", got)
			}
		})
	}
	checkProblem(t, expect(t, s.do(t, anonymous, "GET", "/api/v1/auth/me", nil), http.StatusUnauthorized), 401, "")

	t.Run("update", func(t *testing.T) {
		var got userBody
		expect(t, s.do(t, u.cookieOnly(), "PATCH", "/api/v1/auth/me", map[string]string{"full_name": "New Name", "phone": "0712", "grade_level": "4"}), http.StatusOK).decode(t, &got)
		if got.FullName != "New Name" || got.Phone == nil || *got.Phone != "0712" || got.GradeLevel == nil || *got.GradeLevel != "4" {
			t.Errorf("after update %+v", got)
		}
		expect(t, s.do(t, u.cookieOnly(), "PATCH", "/api/v1/auth/me", map[string]string{"phone": ""}), http.StatusOK).decode(t, &got)
		if got.Phone != nil || got.FullName != "New Name" {
			t.Errorf("\"\" should clear phone and leave the rest: %+v", got)
		}
		for _, body := range []map[string]any{{"email": "x@example.com"}, {"role": "SUPER_ADMIN"}, {"is_active": false}} {
			checkProblem(t, expect(t, s.do(t, u.cookieOnly(), "PATCH", "/api/v1/auth/me", body), http.StatusBadRequest), 400, "")
		}
		checkProblem(t, expect(t, s.do(t, u.cookieOnly(), "PATCH", "/api/v1/auth/me", map[string]string{"full_name": ""}), http.StatusUnprocessableEntity), 422, "full_name")
	})
}

// forge signs claims with key and alg, for tampering tests.
func forge(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	tok, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestTokens(t *testing.T) {
	s := newTestServer(t)
	u := createUser(t, s, models.RoleTeacher, nil)
	admin := createUser(t, s, models.RoleSuperAdmin, nil)
	claims, err := auth.NewIssuer(s.Secret, time.Minute).Verify(u.Token)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	valid := jwt.MapClaims{"sub": claims.Subject, "sid": claims.SessionID, "role": "TEACHER", "iat": now.Unix(), "exp": now.Add(time.Minute).Unix(), "jti": "x"}
	with := func(k string, v any) jwt.MapClaims {
		c := jwt.MapClaims{}
		for kk, vv := range valid {
			c[kk] = vv
		}
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	parts := strings.Split(u.Token, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var m map[string]any
	_ = json.Unmarshal(payload, &m)
	m["role"] = "SUPER_ADMIN"
	tampered, _ := json.Marshal(m)
	tamperedToken := parts[0] + "." + base64.RawURLEncoding.EncodeToString(tampered) + "." + parts[2]

	adminClaims, _ := auth.NewIssuer(s.Secret, time.Minute).Verify(admin.Token)
	tests := []struct {
		name  string
		token string
		want  int
	}{
		{"valid, forged with the right key", forge(t, jwt.SigningMethodHS256, []byte(s.Secret), valid), http.StatusOK},
		{"alg none", forge(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, valid), http.StatusUnauthorized},
		{"another key", forge(t, jwt.SigningMethodHS256, []byte("another-secret-0123456789abcdef0123456789"), valid), http.StatusUnauthorized},
		{"HS512 with the right key", forge(t, jwt.SigningMethodHS512, []byte(s.Secret), valid), http.StatusUnauthorized},
		{"payload changed", tamperedToken, http.StatusUnauthorized},
		{"expired bearer", forge(t, jwt.SigningMethodHS256, []byte(s.Secret), with("exp", now.Add(-time.Minute).Unix())), http.StatusUnauthorized},
		{"no expiry", forge(t, jwt.SigningMethodHS256, []byte(s.Secret), with("exp", nil)), http.StatusUnauthorized},
		{"no session", forge(t, jwt.SigningMethodHS256, []byte(s.Secret), with("sid", nil)), http.StatusUnauthorized},
		{"someone else's session", forge(t, jwt.SigningMethodHS256, []byte(s.Secret), with("sid", adminClaims.SessionID)), http.StatusUnauthorized},
		{"garbage", "not.a.jwt", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, c := range []caller{{Token: tt.token}, {Cookie: &http.Cookie{Name: "access_token", Value: tt.token}}} {
				// An expired bearer token is dead as a cookie too: only a
				// token minted for the cookie is renewed (TestCookieRenewal).
				expect(t, s.do(t, c, "GET", "/api/v1/auth/me", nil), tt.want)
			}
		})
	}
	// A role claim never grants anything: the role is read from the database.
	escalated := forge(t, jwt.SigningMethodHS256, []byte(s.Secret), with("role", "SUPER_ADMIN"))
	expect(t, s.do(t, caller{Token: escalated}, "GET", "/api/v1/admin/users", nil), http.StatusForbidden)
	expect(t, s.do(t, caller{Header: http.Header{"Authorization": {"Basic dXNlcjpwYXNz"}}}, "GET", "/api/v1/auth/me", nil), http.StatusUnauthorized)
}

func TestCookieRenewal(t *testing.T) {
	s := newTestServer(t, "ACCESS_TOKEN_TTL", "1m")
	u := createUser(t, s, models.RoleTeacher, nil)
	claims, err := auth.NewIssuer(s.Secret, time.Minute).Verify(u.Token)
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := claims.UserID()
	// An access token of the same session that expired a minute ago, as a
	// browser holds after being idle longer than ACCESS_TOKEN_TTL.
	expired, err := auth.NewIssuer(s.Secret, -time.Minute).IssueToken(auth.Token{UserID: uid, Role: "TEACHER", SessionID: claims.SessionID, Cookie: true})
	if err != nil {
		t.Fatal(err)
	}
	browser := caller{Cookie: &http.Cookie{Name: "access_token", Value: expired}}

	res := expect(t, s.do(t, browser, "GET", "/api/v1/auth/me", nil), http.StatusOK)
	renewed := res.cookie("access_token")
	if renewed == nil || renewed.Value == expired || !renewed.HttpOnly || renewed.Path != "/" {
		t.Fatalf("no renewed cookie: %+v", renewed)
	}
	if c, err := auth.NewIssuer(s.Secret, time.Minute).Verify(renewed.Value); err != nil || c.SessionID != claims.SessionID {
		t.Fatalf("renewed token: %+v, %v", c, err)
	}
	browser.Cookie = renewed
	if res := expect(t, s.do(t, browser, "GET", "/api/v1/auth/me", nil), http.StatusOK); res.cookie("access_token") != nil {
		t.Errorf("a valid token was renewed again")
	}
	// A write with an expired cookie is renewed too.
	browser.Cookie = &http.Cookie{Name: "access_token", Value: expired}
	expect(t, s.do(t, browser, "PATCH", "/api/v1/auth/me", map[string]string{"school": "Renewed School"}), http.StatusOK)
	// An expired bearer token is not renewed: API clients refresh.
	expect(t, s.do(t, caller{Token: expired}, "GET", "/api/v1/auth/me", nil), http.StatusUnauthorized)

	// Past SESSION_TTL the cookie is not renewed, and is expired.
	if err := s.primary(t).Model(&models.Session{}).Where("id = ?", claims.SessionID).Update("renew_until", time.Now().Add(-time.Second)).Error; err != nil {
		t.Fatal(err)
	}
	s.waitReplicas(t)
	res = expect(t, s.do(t, browser, "GET", "/api/v1/auth/me", nil), http.StatusUnauthorized)
	if c := res.cookie("access_token"); c == nil || c.MaxAge >= 0 {
		t.Errorf("ended session's cookie not expired: %+v", c)
	}
}

func TestRefresh(t *testing.T) {
	s := newTestServer(t)
	u := createUser(t, s, models.RoleTeacher, nil)
	var first struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": u.Refresh}), http.StatusOK).decode(t, &first)
	if first.RefreshToken == "" || first.RefreshToken == u.Refresh {
		t.Fatalf("refresh did not rotate: %+v", first)
	}
	expect(t, s.do(t, caller{Token: first.AccessToken}, "GET", "/api/v1/auth/me", nil), http.StatusOK)

	// The old token again: reuse, so the whole family (session) is revoked.
	checkProblem(t, expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": u.Refresh}), http.StatusUnauthorized), 401, "")
	expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": first.RefreshToken}), http.StatusUnauthorized)
	expect(t, s.do(t, caller{Token: first.AccessToken}, "GET", "/api/v1/auth/me", nil), http.StatusUnauthorized)
	expect(t, s.do(t, u.cookieOnly(), "GET", "/api/v1/auth/me", nil), http.StatusUnauthorized)

	expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": "made-up"}), http.StatusUnauthorized)
	checkProblem(t, expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/refresh", map[string]string{}), http.StatusUnprocessableEntity), 422, "refresh_token")

	var stored int64
	s.primary(t).Model(&models.RefreshToken{}).Where("token_hash = ?", first.RefreshToken).Count(&stored)
	if stored != 0 {
		t.Errorf("a refresh token is stored in the clear")
	}
}

func TestSessionsEnd(t *testing.T) {
	s := newTestServer(t)
	admin := createUser(t, s, models.RoleSuperAdmin, nil)

	t.Run("logout by cookie", func(t *testing.T) {
		u := createUser(t, s, models.RoleTeacher, nil)
		other := *u
		u.login(t, s)
		res := expect(t, s.do(t, u.cookieOnly(), "POST", "/api/v1/auth/logout", nil), http.StatusNoContent)
		if c := res.cookie("access_token"); c == nil || c.MaxAge >= 0 || c.Path != "/" || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
			t.Errorf("logout cookie %+v", c)
		}
		expect(t, s.do(t, u.cookieOnly(), "GET", "/api/v1/auth/me", nil), http.StatusUnauthorized)
		expect(t, s.do(t, u.bearerOnly(), "GET", "/api/v1/auth/me", nil), http.StatusUnauthorized)
		expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": u.Refresh}), http.StatusUnauthorized)
		// The user's other sign-in is untouched.
		expect(t, s.do(t, other.cookieOnly(), "GET", "/api/v1/auth/me", nil), http.StatusOK)
		// Logging out again is fine.
		expect(t, s.do(t, u.cookieOnly(), "POST", "/api/v1/auth/logout", nil), http.StatusNoContent)
	})
	t.Run("logout by refresh token", func(t *testing.T) {
		u := createUser(t, s, models.RoleTeacher, nil)
		expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/logout", map[string]string{"refresh_token": u.Refresh}), http.StatusNoContent)
		expect(t, s.do(t, u.bearerOnly(), "GET", "/api/v1/auth/me", nil), http.StatusUnauthorized)
		expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/logout", rawBody{"text/plain", "x"}), http.StatusUnsupportedMediaType)
	})
	t.Run("password change", func(t *testing.T) {
		u := createUser(t, s, models.RoleTeacher, nil)
		other := *u
		u.login(t, s)
		checkProblem(t, expect(t, s.do(t, u.cookieOnly(), "POST", "/api/v1/auth/change-password",
			map[string]string{"current_password": "wrong-password", "new_password": "new-password-1"}), http.StatusUnprocessableEntity), 422, "current_password")
		checkProblem(t, expect(t, s.do(t, u.cookieOnly(), "POST", "/api/v1/auth/change-password",
			map[string]string{"current_password": u.Password, "new_password": "short"}), http.StatusUnprocessableEntity), 422, "new_password")
		expect(t, s.do(t, u.cookieOnly(), "POST", "/api/v1/auth/change-password",
			map[string]string{"current_password": u.Password, "new_password": "new-password-1"}), http.StatusOK)
		expect(t, s.do(t, other.cookieOnly(), "GET", "/api/v1/auth/me", nil), http.StatusUnauthorized)
		expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": other.Refresh}), http.StatusUnauthorized)
		expect(t, s.do(t, u.cookieOnly(), "GET", "/api/v1/auth/me", nil), http.StatusOK)
		expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/login", map[string]string{"email": u.Email, "password": u.Password}), http.StatusUnauthorized)
		u.Password = "new-password-1"
		u.login(t, s)
	})
	t.Run("ban", func(t *testing.T) {
		u := createUser(t, s, models.RoleTeacher, nil)
		expect(t, s.do(t, admin.bearerOnly(), "POST", "/api/v1/admin/users/"+itoa(u.ID)+"/ban", nil), http.StatusOK)
		expect(t, s.do(t, u.cookieOnly(), "GET", "/api/v1/auth/me", nil), http.StatusUnauthorized)
		expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": u.Refresh}), http.StatusUnauthorized)
		expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/login", map[string]string{"email": u.Email, "password": u.Password}), http.StatusForbidden)
		expect(t, s.do(t, admin.bearerOnly(), "POST", "/api/v1/admin/users/"+itoa(u.ID)+"/unban", nil), http.StatusOK)
		u.login(t, s)
		expect(t, s.do(t, u.cookieOnly(), "GET", "/api/v1/auth/me", nil), http.StatusOK)
	})
}

func TestRateLimits(t *testing.T) {
	s := newTestServer(t, "LOGIN_RATE_LIMIT", "2", "REGISTER_RATE_LIMIT", "2", "TRUSTED_PROXIES", "127.0.0.1/32", "LOGIN_CAPTCHA", "off")
	from := func(ip string) caller { return caller{Header: http.Header{"X-Forwarded-For": {ip}}} }
	login := map[string]string{"email": "someone@example.com", "password": "password1"}
	expect(t, s.do(t, from("10.0.0.1"), "POST", "/api/v1/auth/login", login), http.StatusUnauthorized)
	expect(t, s.do(t, from("10.0.0.2"), "POST", "/api/v1/auth/login", login), http.StatusUnauthorized)
	// A third address trying the same email is not limited by the others'
	// tries (the per-email count is per client: TestLoginLockoutIsPerClient).
	expect(t, s.do(t, from("10.0.0.3"), "POST", "/api/v1/auth/login", login), http.StatusUnauthorized)
	expect(t, s.do(t, from("10.0.0.1"), "POST", "/api/v1/auth/login", login), http.StatusUnauthorized)
	res := expect(t, s.do(t, from("10.0.0.1"), "POST", "/api/v1/auth/login", login), http.StatusTooManyRequests)
	checkProblem(t, res, 429, "")
	if res.Header.Get("Retry-After") == "" {
		t.Errorf("429 without Retry-After")
	}
	// Per IP: other emails from 10.0.0.3 count, the proxy's own address doesn't.
	expect(t, s.do(t, from("10.0.0.3"), "POST", "/api/v1/auth/login", map[string]string{"email": "a@example.com", "password": "x"}), http.StatusUnauthorized)
	expect(t, s.do(t, from("10.0.0.3"), "POST", "/api/v1/auth/login", map[string]string{"email": "b@example.com", "password": "x"}), http.StatusTooManyRequests)
	expect(t, s.do(t, from("10.0.0.4"), "POST", "/api/v1/auth/login", map[string]string{"email": "c@example.com", "password": "x"}), http.StatusUnauthorized)

	reg := func(n string) map[string]string {
		return map[string]string{"email": n + "@example.com", "password": "password1", "full_name": "R"}
	}
	expect(t, s.do(t, from("10.1.0.1"), "POST", "/api/v1/auth/register", reg("r1")), http.StatusCreated)
	expect(t, s.do(t, from("10.1.0.1"), "POST", "/api/v1/auth/register", reg("r2")), http.StatusCreated)
	expect(t, s.do(t, from("10.1.0.1"), "POST", "/api/v1/auth/register", reg("r3")), http.StatusTooManyRequests)
	expect(t, s.do(t, from("10.1.0.2"), "POST", "/api/v1/auth/register", reg("r3")), http.StatusCreated)
}

func TestCORS(t *testing.T) {
	s := newTestServer(t, "CORS_ALLOWED_ORIGINS", "http://localhost:3000")
	h := http.Header{"Origin": {"http://localhost:3000"}, "Access-Control-Request-Method": {"POST"}, "Access-Control-Request-Headers": {"content-type"}}
	res := s.do(t, caller{Header: h}, "OPTIONS", "/api/v1/auth/login", nil)
	if res.Status >= 300 || res.Header.Get("Access-Control-Allow-Origin") != "http://localhost:3000" || res.Header.Get("Access-Control-Allow-Credentials") != "true" {
		t.Errorf("preflight: %d %v", res.Status, res.Header)
	}
	h.Set("Origin", "http://evil.example")
	if res := s.do(t, caller{Header: h}, "OPTIONS", "/api/v1/auth/login", nil); res.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight from an unknown origin allowed: %v", res.Header)
	}
}

func itoa(id uint64) string { return strings.TrimSpace(jsonNumber(id)) }

func jsonNumber(id uint64) string {
	b, _ := json.Marshal(id)
	return string(b)
}
