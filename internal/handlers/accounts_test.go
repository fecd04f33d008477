package handlers_test

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/teachtrack/api/internal/auth"
	"github.com/teachtrack/api/internal/google/googletest"
	"github.com/teachtrack/api/internal/models"
)

// Registration honours TEACHER and SCHOOL_ADMIN, never more, and mails a
// verification link that works once.
func TestRegisterAndVerifyEmail(t *testing.T) {
	s := newMailServer(t)
	for _, role := range []any{"SUPER_ADMIN", "HOD", "admin", 7} {
		res := expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/register", map[string]any{"email": "x@example.com", "password": "password1", "full_name": "X", "role": role}), http.StatusUnprocessableEntity)
		checkProblem(t, res, http.StatusUnprocessableEntity, "role")
	}
	for _, tt := range []struct {
		email string
		role  any
		want  string
	}{{"t1@example.com", "teacher", "TEACHER"}, {"t2@example.com", nil, "TEACHER"}, {"t3@example.com", "", "TEACHER"}, {"Head@Example.com", "SCHOOL_ADMIN", "SCHOOL_ADMIN"}} {
		var u userBody
		expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/register", map[string]any{"email": tt.email, "password": "password1", "full_name": "Jane Head", "role": tt.role}), http.StatusCreated).decode(t, &u)
		if u.Role != tt.want || u.EmailVerified {
			t.Fatalf("%s: role %s verified %v, want %s unverified", tt.email, u.Role, u.EmailVerified, tt.want)
		}
	}

	token := s.mailedToken(t, "head@example.com", "Confirm your e-mail", "/verify-email")
	if len(token) < 43 { // 256 bits in base64url
		t.Fatalf("token %q is short", token)
	}
	var inClear int64
	s.primary(t).Model(&models.AccountToken{}).Where("token_hash = ?", token).Count(&inClear)
	if inClear != 0 {
		t.Fatal("the token is stored in clear")
	}
	head := loginAs(t, s.testServer, "head@example.com", "password1", http.StatusOK)
	if me(t, s.testServer, head).EmailVerified {
		t.Fatal("verified before the link was followed")
	}
	var ok struct {
		Message string
		Success bool
	}
	s.follow(t, "/api/v1/auth/verify-email", token, http.StatusOK).decode(t, &ok)
	if !ok.Success || ok.Message != "Email verified successfully" {
		t.Fatalf("answer %+v", ok)
	}
	if !me(t, s.testServer, head).EmailVerified {
		t.Fatal("not verified after the link")
	}
	// Used, foreign, missing.
	for _, tok := range []string{token, "made-up-token", token + "x", ""} {
		checkProblem(t, s.follow(t, "/api/v1/auth/verify-email", tok, http.StatusBadRequest), http.StatusBadRequest, "")
	}
}

// issueToken makes a token for user directly, issued at `at`, as no route
// can make an old one.
func issueToken(t *testing.T, s *testServer, email string, purpose models.TokenPurpose, at time.Time, ttl time.Duration) string {
	t.Helper()
	u, err := models.UserByEmail(s.primary(t), email)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := auth.RandomToken(32)
	if err != nil {
		t.Fatal(err)
	}
	if err := models.CreateAccountToken(s.primary(t), u, purpose, tok, at.UTC(), ttl); err != nil {
		t.Fatal(err)
	}
	s.waitReplicas(t)
	return tok
}

// Verification links die after 24 hours and when the password changes.
func TestVerifyEmailExpiredOrPasswordChanged(t *testing.T) {
	s := newMailServer(t)
	u := createUser(t, s.testServer, models.RoleTeacher, nil)
	old := issueToken(t, s.testServer, u.Email, models.PurposeVerifyEmail, time.Now().Add(-25*time.Hour), models.VerifyEmailTTL)
	s.follow(t, "/api/v1/auth/verify-email", old, http.StatusBadRequest)

	live := issueToken(t, s.testServer, u.Email, models.PurposeVerifyEmail, time.Now(), models.VerifyEmailTTL)
	reset := issueToken(t, s.testServer, u.Email, models.PurposeResetPassword, time.Now(), models.ResetPasswordTTL)
	expect(t, s.do(t, u.caller, "POST", "/api/v1/auth/change-password", map[string]string{"current_password": u.Password, "new_password": "another-pass-1"}), http.StatusOK)
	s.follow(t, "/api/v1/auth/verify-email", live, http.StatusBadRequest)
	var st struct{ Valid bool }
	s.follow(t, "/api/v1/auth/verify-reset-token", reset, http.StatusOK).decode(t, &st)
	if st.Valid {
		t.Fatal("a reset token outlived the password it was issued under")
	}
	expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/reset-password", map[string]string{"token": reset, "new_password": "third-pass-1"}), http.StatusUnprocessableEntity)
}

// Forgot password → mail → reset page → new password: other sessions end,
// the link works once.
func TestForgotAndResetPassword(t *testing.T) {
	s := newMailServer(t, "FORGOT_PASSWORD_RATE_LIMIT", "1000")
	u := createUser(t, s.testServer, models.RoleTeacher, nil)
	other := loginAs(t, s.testServer, u.Email, u.Password, http.StatusOK)

	var ans struct {
		Message string
		Success bool
	}
	expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/forgot-password", map[string]string{"email": strings.ToUpper(u.Email)}), http.StatusOK).decode(t, &ans)
	if ans.Message != "If an account exists with this email, a password reset link has been sent." {
		t.Fatalf("answer %+v", ans)
	}
	token := s.mailedToken(t, u.Email, "Reset your TeachTrack password", "/reset-password")

	var st struct {
		Valid   bool
		Email   string
		Message string
	}
	s.follow(t, "/api/v1/auth/verify-reset-token", token, http.StatusOK).decode(t, &st)
	if !st.Valid || st.Email != u.Email {
		t.Fatalf("verify-reset-token: %+v", st)
	}
	// A verification token is not a reset token.
	verify := issueToken(t, s.testServer, u.Email, models.PurposeVerifyEmail, time.Now(), models.VerifyEmailTTL)
	expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/reset-password", map[string]string{"token": verify, "new_password": "new-password-1"}), http.StatusUnprocessableEntity)
	checkProblem(t, expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/reset-password", map[string]string{"token": token, "new_password": "short"}), http.StatusUnprocessableEntity), http.StatusUnprocessableEntity, "new_password")

	expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/reset-password", map[string]string{"token": token, "new_password": "new-password-1"}), http.StatusOK).decode(t, &ans)
	if !ans.Success {
		t.Fatalf("answer %+v", ans)
	}
	// Every session ended; the old password is gone, the new one works.
	for _, c := range []caller{u.caller, other, u.cookieOnly()} {
		expect(t, s.do(t, c, "GET", "/api/v1/auth/me", nil), http.StatusUnauthorized)
	}
	loginAs(t, s.testServer, u.Email, u.Password, http.StatusUnauthorized)
	loginAs(t, s.testServer, u.Email, "new-password-1", http.StatusOK)
	// Used: dead on both pages.
	checkProblem(t, expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/reset-password", map[string]string{"token": token, "new_password": "again-password-1"}), http.StatusUnprocessableEntity), http.StatusUnprocessableEntity, "")
	s.follow(t, "/api/v1/auth/verify-reset-token", token, http.StatusOK).decode(t, &st)
	if st.Valid || st.Message == "" {
		t.Fatalf("used token: %+v", st)
	}
	// Expired after an hour; made-up and empty tokens.
	old := issueToken(t, s.testServer, u.Email, models.PurposeResetPassword, time.Now().Add(-61*time.Minute), models.ResetPasswordTTL)
	for _, tok := range []string{old, "made-up", ""} {
		s.follow(t, "/api/v1/auth/verify-reset-token", tok, http.StatusOK).decode(t, &st)
		if st.Valid {
			t.Fatalf("token %q valid", tok)
		}
	}
	expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/reset-password", map[string]string{"token": old, "new_password": "again-password-1"}), http.StatusUnprocessableEntity)
}

// forgot-password answers an unknown address exactly as a known one, in the
// same time class, and mails nothing; it is rate limited per address.
func TestForgotPasswordEnumeration(t *testing.T) {
	s := newMailServer(t, "FORGOT_PASSWORD_RATE_LIMIT", "1000")
	known := createUser(t, s.testServer, models.RoleTeacher, nil)
	banned := createUser(t, s.testServer, models.RoleTeacher, nil)
	expect(t, s.do(t, banned.caller, "GET", "/api/v1/auth/me", nil), http.StatusOK)
	if err := models.SetActive(s.primary(t), banned.ID, false, time.Now()); err != nil {
		t.Fatal(err)
	}
	timeIt := func(email string) (time.Duration, string) {
		start := time.Now()
		res := expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/forgot-password", map[string]string{"email": email}), http.StatusOK)
		return time.Since(start), string(res.Body)
	}
	var knownTimes, unknownTimes []time.Duration
	var knownBody, unknownBody string
	for i := range 4 {
		d, b := timeIt(known.Email)
		knownTimes, knownBody = append(knownTimes, d), b
		d, b = timeIt(fmt.Sprintf("nobody%d@example.com", i))
		unknownTimes, unknownBody = append(unknownTimes, d), b
	}
	if knownBody != unknownBody {
		t.Fatalf("bodies differ:\n%s\n%s", knownBody, unknownBody)
	}
	median := func(ds []time.Duration) time.Duration {
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		return ds[len(ds)/2]
	}
	mk, mu := median(knownTimes), median(unknownTimes)
	// Both are held to the same 300 ms floor; the work for a known address
	// (a token and a mail queued, a few ms) hides under it. On a machine
	// loaded enough for that work to pass the floor, the two still stay
	// within half of each other (without the floor: a few ms against ten
	// times as many).
	if mu < 300*time.Millisecond || mk < 300*time.Millisecond || (mk-mu).Abs() > max(mk, mu)/2 {
		t.Fatalf("median known %v, unknown %v", mk, mu)
	}
	_, b := timeIt(banned.Email)
	if b != unknownBody {
		t.Fatalf("a banned address answers differently: %s", b)
	}
	s.Mail.WaitFor(t, known.Email, "Reset your TeachTrack password")
	time.Sleep(300 * time.Millisecond) // the worker polls every 50 ms
	for _, m := range s.Mail.Messages() {
		if m.To != known.Email {
			t.Fatalf("mail to %s", m.To)
		}
	}

	limited := newTestServer(t, "FORGOT_PASSWORD_RATE_LIMIT", "2")
	for i, want := range []int{200, 200, 429} {
		res := limited.do(t, anonymous, "POST", "/api/v1/auth/forgot-password", map[string]string{"email": "someone@example.com"})
		if res.Status != want {
			t.Fatalf("request %d: %d, want %d", i+1, res.Status, want)
		}
	}
}

// Google sign-in: real signatures from a local key server, every check.
func TestGoogleSignIn(t *testing.T) {
	s := newMailServer(t)
	g := s.Google
	signIn := func(token string, want int) *response {
		t.Helper()
		return expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/google", map[string]string{"token": token}), want)
	}
	// A new Google user becomes a verified TEACHER, signed in with a cookie.
	res := signIn(g.Token(t, "g-new", "New.Person@gmail.com", googletest.Claims{"name": "New Person"}), http.StatusOK)
	var tok struct{ User userBody }
	res.decode(t, &tok)
	if tok.User.Email != "new.person@gmail.com" || tok.User.Role != "TEACHER" || !tok.User.EmailVerified || tok.User.FullName != "New Person" || res.cookie("access_token") == nil {
		t.Fatalf("new user %+v", tok.User)
	}
	first := tok.User.ID
	signIn(g.Token(t, "g-new", "changed@gmail.com", nil), http.StatusOK).decode(t, &tok)
	if tok.User.ID != first {
		t.Fatal("the same Google account signed in as another user")
	}

	// A verified local account is linked; its password still works.
	local := createUser(t, s.testServer, models.RoleTeacher, nil)
	signIn(g.Token(t, "g-local", local.Email, nil), http.StatusOK).decode(t, &tok)
	if tok.User.ID != local.ID {
		t.Fatal("not linked to the existing account")
	}
	loginAs(t, s.testServer, local.Email, local.Password, http.StatusOK)
	// Another Google account with that address can't take it over.
	checkProblem(t, signIn(g.Token(t, "g-other", local.Email, nil), http.StatusConflict), http.StatusConflict, "")

	// An unverified local account (maybe registered by someone else) is
	// linked, and whoever set its password is out.
	expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/register", map[string]string{"email": "squat@gmail.com", "password": "squatter-1", "full_name": "S"}), http.StatusCreated)
	squatter := loginAs(t, s.testServer, "squat@gmail.com", "squatter-1", http.StatusOK)
	signIn(g.Token(t, "g-owner", "squat@gmail.com", nil), http.StatusOK)
	expect(t, s.do(t, squatter, "GET", "/api/v1/auth/me", nil), http.StatusUnauthorized)
	loginAs(t, s.testServer, "squat@gmail.com", "squatter-1", http.StatusUnauthorized)

	// Refused tokens.
	hour := time.Hour
	for _, tt := range []struct {
		name  string
		token string
		want  int
	}{
		{"wrong audience", g.Token(t, "g-x", "x@gmail.com", googletest.Claims{"aud": "another-app.apps.googleusercontent.com"}), 401},
		{"wrong issuer", g.Token(t, "g-x", "x@gmail.com", googletest.Claims{"iss": "https://accounts.evil.example"}), 401},
		{"expired", g.Token(t, "g-x", "x@gmail.com", googletest.Claims{"exp": time.Now().Add(-5 * time.Minute).Unix(), "iat": time.Now().Add(-hour).Unix()}), 401},
		{"unverified e-mail", g.Token(t, "g-x", local.Email, googletest.Claims{"email_verified": false}), 401},
		{"forged key", g.Forged(t, "g-local", local.Email), 401},
		{"not a JWT", "abc", 401},
	} {
		t.Run(tt.name, func(t *testing.T) { checkProblem(t, signIn(tt.token, tt.want), tt.want, "") })
	}
	var n int64
	s.primary(t).Model(&models.User{}).Where("email = ?", "x@gmail.com").Count(&n)
	if n != 0 {
		t.Fatal("a refused token created an account")
	}

	// A banned user stays out, through Google as through the password.
	banned := createUser(t, s.testServer, models.RoleTeacher, nil)
	signIn(g.Token(t, "g-banned", banned.Email, nil), http.StatusOK)
	if err := models.SetActive(s.primary(t), banned.ID, false, time.Now()); err != nil {
		t.Fatal(err)
	}
	s.waitReplicas(t)
	checkProblem(t, signIn(g.Token(t, "g-banned", banned.Email, nil), http.StatusForbidden), http.StatusForbidden, "")

	// Not configured: a sentence, not a crash.
	off := newTestServer(t)
	checkProblem(t, expect(t, off.do(t, anonymous, "POST", "/api/v1/auth/google", map[string]string{"token": "x"}), http.StatusNotImplemented), http.StatusNotImplemented, "")
	// Google's keys unreachable: 503, try again later.
	down := newTestServer(t, "GOOGLE_CLIENT_ID", googletest.ClientID, "GOOGLE_CERTS_URL", "http://127.0.0.1:1/certs")
	res = expect(t, down.do(t, anonymous, "POST", "/api/v1/auth/google", map[string]string{"token": g.Token(t, "g-y", "y@gmail.com", nil)}), http.StatusServiceUnavailable)
	if res.Header.Get("Retry-After") == "" {
		t.Fatal("503 without Retry-After")
	}
}

// Captchas: the id reveals nothing, each is tried once, for 5 minutes; login
// asks for one as LOGIN_CAPTCHA says and the frontend's shape works.
func TestCaptchaAlways(t *testing.T) {
	s := newTestServer(t, "LOGIN_CAPTCHA", "always")
	u := createUserNoLogin(t, s)
	login := func(body map[string]any, want int) *response {
		t.Helper()
		return expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/login", body), want)
	}
	checkProblem(t, login(map[string]any{"email": u.Email, "password": u.Password}, 422), 422, "")
	checkProblem(t, login(map[string]any{"email": u.Email, "password": u.Password, "captcha_answer": ""}, 422), 422, "")

	id, answer := captcha(t, s)
	if strings.Contains(id, ".") || len(id) != 22 {
		t.Fatalf("id %q: want 128 random bits, not a token with a payload", id)
	}
	var rows []models.Captcha
	s.primary(t).Find(&rows)
	for _, r := range rows {
		if r.IDHash == id {
			t.Fatal("the captcha id is stored in clear")
		}
	}
	// The frontend's exact body.
	login(map[string]any{"email": u.Email, "password": u.Password, "captcha_id": id, "captcha_answer": answer}, 200)
	// Single use.
	checkProblem(t, login(map[string]any{"email": u.Email, "password": u.Password, "captcha_id": id, "captcha_answer": answer}, 422), 422, "")
	// A wrong answer uses it up too.
	id, answer = captcha(t, s)
	login(map[string]any{"email": u.Email, "password": u.Password, "captcha_id": id, "captcha_answer": "999"}, 422)
	login(map[string]any{"email": u.Email, "password": u.Password, "captcha_id": id, "captcha_answer": answer}, 422)
	// An answer sent as a number is fine.
	id, answer = captcha(t, s)
	login(map[string]any{"email": u.Email, "password": u.Password, "captcha_id": id, "captcha_answer": numberOf(answer)}, 200)
	// Expired after 5 minutes.
	id, answer = captcha(t, s)
	if err := s.primary(t).Model(&models.Captcha{}).Where("id_hash = ?", models.HashToken(id)).Update("expires_at", time.Now().Add(-time.Second)).Error; err != nil {
		t.Fatal(err)
	}
	login(map[string]any{"email": u.Email, "password": u.Password, "captcha_id": id, "captcha_answer": answer}, 422)
}

func TestCaptchaAfterFailures(t *testing.T) {
	s := newTestServer(t, "LOGIN_CAPTCHA", "after-failures", "LOGIN_CAPTCHA_AFTER", "2")
	u := createUserNoLogin(t, s)
	login := func(body map[string]any, want int) {
		t.Helper()
		expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/login", body), want)
	}
	// The frontend always sends a captcha; while none is needed it is ignored.
	id, _ := captcha(t, s)
	login(map[string]any{"email": u.Email, "password": "wrong-1", "captcha_id": id, "captcha_answer": "0"}, 401)
	login(map[string]any{"email": strings.ToUpper(u.Email), "password": "wrong-2"}, 401)
	// Two failures for the address: now the right password needs a captcha.
	login(map[string]any{"email": u.Email, "password": u.Password}, 422)
	id, answer := captcha(t, s)
	login(map[string]any{"email": u.Email, "password": u.Password, "captcha_id": id, "captcha_answer": answer}, 200)
	// Success resets the count.
	login(map[string]any{"email": u.Email, "password": u.Password}, 200)

	off := newTestServer(t, "LOGIN_CAPTCHA", "off")
	v := createUserNoLogin(t, off)
	for range 5 {
		expect(t, off.do(t, anonymous, "POST", "/api/v1/auth/login", map[string]any{"email": v.Email, "password": "nope-nope"}), 401)
	}
	expect(t, off.do(t, anonymous, "POST", "/api/v1/auth/login", map[string]any{"email": v.Email, "password": v.Password, "captcha_id": "x", "captcha_answer": "y"}), 200)
}

// createUserNoLogin is createUser without its sign-in (which a captcha would block).
func createUserNoLogin(t *testing.T, s *testServer) *testUser {
	t.Helper()
	n := s.seq.Add(1)
	u := &testUser{Email: fmt.Sprintf("nologin%d@example.com", n), Password: fmt.Sprintf("password-%d", n), Role: models.RoleTeacher}
	hash, err := auth.NewPasswords(4).Hash(u.Password)
	if err != nil {
		t.Fatal(err)
	}
	m := &models.User{Email: u.Email, PasswordHash: hash, FullName: "No Login", Role: models.RoleTeacher, IsActive: true, EmailVerified: true}
	if err := models.CreateUser(s.primary(t), m); err != nil {
		t.Fatal(err)
	}
	u.ID = m.ID
	s.waitReplicas(t)
	return u
}
