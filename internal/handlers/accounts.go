package handlers

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/teachtrack/api/internal/auth"
	"github.com/teachtrack/api/internal/google"
	"github.com/teachtrack/api/internal/mail"
	"github.com/teachtrack/api/internal/models"
)

// accounts is what the account routes need beyond usersAPI: mail links,
// Google's verifier, their rate limits and the login-failure counter that
// decides when login asks for a captcha.
type accounts struct {
	links    mail.Links
	google   *google.Verifier
	forgot   *limiter // forgot-password and reset-password
	captchas *limiter
	failures *failureCounter
}

func newAccounts(u *usersAPI) *accounts {
	return &accounts{
		links:    mail.Links{FrontendURL: u.cfg.FrontendURL},
		google:   google.NewVerifier(u.cfg.GoogleClientID, u.cfg.GoogleCertsURL, nil),
		forgot:   u.newLimiter(u.cfg.ForgotPasswordRateLimit),
		captchas: u.newLimiter(u.cfg.CaptchaRateLimit),
		failures: &failureCounter{window: 15 * time.Minute, m: map[string]failure{}},
	}
}

// wakeMail tells the mail worker that a committed transaction queued mail.
func (a *API) wakeMail() {
	if a.mail != nil {
		a.mail.Wake()
	}
}

// newMailToken returns a random 256-bit token for a mailed link.
func newMailToken() (string, error) { return auth.RandomToken(32) }

// --- Registration --------------------------------------------------------

// registrationRole is the role a new account asks for: TEACHER (also when
// absent or "") or SCHOOL_ADMIN, in any case; nothing higher.
func registrationRole(raw json.RawMessage) (models.Role, error) {
	var s *string
	if len(raw) > 0 && json.Unmarshal(raw, &s) != nil {
		return "", models.Invalid("role", "must be TEACHER or SCHOOL_ADMIN")
	}
	if s == nil || *s == "" {
		return models.RoleTeacher, nil
	}
	switch r := models.Role(strings.ToUpper(*s)); r {
	case models.RoleTeacher, models.RoleSchoolAdmin:
		return r, nil
	}
	return "", models.Invalid("role", "must be TEACHER or SCHOOL_ADMIN")
}

// sendVerification queues the verification mail of a new account, in the
// transaction that created it.
func (u *usersAPI) sendVerification(tx *gorm.DB, m *models.User) error {
	token, err := newMailToken()
	if err != nil {
		return err
	}
	if err := models.CreateAccountToken(tx, m, models.PurposeVerifyEmail, token, time.Now().UTC(), models.VerifyEmailTTL); err != nil {
		return err
	}
	return models.EnqueueMail(tx, mail.VerifyEmail(u.acct.links, m.Email, m.FullName, token))
}

// handleVerifyEmail confirms an address from the mailed link. It writes, so
// routes.go marks it asWrite.
func (u *usersAPI) handleVerifyEmail(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	if token == "" {
		u.fail(w, r, errorf(http.StatusBadRequest, "The verification link is incomplete: open the whole link from the e-mail."))
		return
	}
	userID, already, err := models.VerifyEmail(reqDB(r), token, time.Now().UTC())
	if errors.Is(err, models.ErrTokenInvalid) {
		err = errorf(http.StatusBadRequest, "This verification link is invalid or has expired.")
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	// The user's next reads (their open session) must see the change.
	stateFrom(r.Context()).userID = userID
	msg := "Email verified successfully"
	if already {
		msg = "Email already verified"
	}
	writeJSON(w, http.StatusOK, successJSON{Message: msg, Success: true})
}

// successJSON is the {message, success} answer the frontend's account pages read.
type successJSON struct {
	Message string `json:"message"`
	Success bool   `json:"success"`
}

// --- Forgotten passwords ----------------------------------------------------

type forgotPasswordRequest struct {
	Email string `json:"email" validate:"required,email,max=255"`
}

// forgotPasswordFloor is the least time forgot-password takes to answer, so
// that a known address (a token and a mail queued) and an unknown one look
// alike from outside.
const forgotPasswordFloor = 300 * time.Millisecond

const forgotPasswordAnswer = "If an account exists with this email, a password reset link has been sent."

// handleForgotPassword mails a reset link to an active account's address and
// answers the same whether or not the address has an account.
func (u *usersAPI) handleForgotPassword(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	var req forgotPasswordRequest
	if err := u.dec.decode(w, r, &req); err != nil {
		u.fail(w, r, err)
		return
	}
	err := u.mailResetLink(r, req.Email)
	if wait := forgotPasswordFloor - time.Since(start); wait > 0 {
		select {
		case <-time.After(wait):
		case <-r.Context().Done():
		}
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, successJSON{Message: forgotPasswordAnswer, Success: true})
}

func (u *usersAPI) mailResetLink(r *http.Request, email string) error {
	user, err := models.UserByEmail(reqDB(r), email)
	if errors.Is(err, models.ErrNotFound) {
		return nil
	}
	if err != nil || !user.IsActive {
		return err
	}
	token, err := newMailToken()
	if err != nil {
		return err
	}
	err = reqDB(r).Transaction(func(tx *gorm.DB) error {
		if err := models.CreateAccountToken(tx, user, models.PurposeResetPassword, token, time.Now().UTC(), models.ResetPasswordTTL); err != nil {
			return err
		}
		return models.EnqueueMail(tx, mail.ResetPassword(u.acct.links, user.Email, user.FullName, token))
	})
	if err == nil {
		u.wakeMail()
	}
	return err
}

type resetTokenJSON struct {
	Valid   bool   `json:"valid"`
	Email   string `json:"email,omitempty"`
	Message string `json:"message,omitempty"`
}

// handleVerifyResetToken tells the reset page whether its link still works
// (a reset or an invitation), and for whom; always 200, as the page expects.
func (u *usersAPI) handleVerifyResetToken(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	user, err := models.PeekPasswordToken(reqDB(r), r.URL.Query().Get("token"), time.Now().UTC())
	switch {
	case errors.Is(err, models.ErrTokenInvalid):
		writeJSON(w, http.StatusOK, resetTokenJSON{Message: "This password link is invalid or has expired. Please request a new one."})
	case err != nil:
		u.fail(w, r, err)
	default:
		writeJSON(w, http.StatusOK, resetTokenJSON{Valid: true, Email: user.Email})
	}
}

type resetPasswordRequest struct {
	Token       string `json:"token" validate:"required,max=200"`
	NewPassword string `json:"new_password" validate:"required,password"`
}

// handleResetPassword sets a password from a reset or invitation link; every
// session of the account ends.
func (u *usersAPI) handleResetPassword(w http.ResponseWriter, r *http.Request) {
	var req resetPasswordRequest
	if err := u.dec.decode(w, r, &req); err != nil {
		u.fail(w, r, err)
		return
	}
	now := time.Now().UTC()
	// Checked before bcrypt, which is the expensive part.
	if _, err := models.PeekPasswordToken(reqDB(r), req.Token, now); err != nil {
		u.fail(w, r, resetTokenError(err))
		return
	}
	hash, err := u.hashPassword(r, req.NewPassword)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if _, err := models.ResetPassword(reqDB(r), req.Token, hash, now); err != nil {
		u.fail(w, r, resetTokenError(err))
		return
	}
	writeJSON(w, http.StatusOK, successJSON{Message: "Password reset successfully. You can now log in with your new password.", Success: true})
}

func resetTokenError(err error) error {
	if errors.Is(err, models.ErrTokenInvalid) {
		// 422, not 400: the request is well-formed, its token is not good.
		return errorf(http.StatusUnprocessableEntity, "This password link is invalid or has expired. Please request a new one.")
	}
	return err
}

// --- Google sign-in ----------------------------------------------------------

type googleSignInRequest struct {
	Token string `json:"token" validate:"required,max=8192"`
}

// handleGoogleSignIn signs in with a Google ID token (the frontend's Google
// button credential): the Google account's own user, else the account with
// its verified address (linked now), else a new TEACHER. Banned users stay out.
func (u *usersAPI) handleGoogleSignIn(w http.ResponseWriter, r *http.Request) {
	if u.cfg.GoogleClientID == "" {
		u.fail(w, r, errorf(http.StatusNotImplemented, "Sign-in with Google is not set up on this server. Please sign in with your e-mail and password."))
		return
	}
	var req googleSignInRequest
	if err := u.dec.decode(w, r, &req); err != nil {
		u.fail(w, r, err)
		return
	}
	id, err := u.acct.google.Verify(r.Context(), req.Token)
	switch {
	case errors.Is(err, google.ErrUnverifiedEmail):
		u.fail(w, r, models.Sentence(models.ErrUnauthorized, "Google has not verified this account's e-mail address, so it can't be used to sign in."))
		return
	case errors.Is(err, google.ErrKeys):
		u.log.Warn("Google sign-in: fetching Google's keys failed", "request_id", RequestID(r.Context()), "error", err.Error())
		w.Header().Set("Retry-After", "60")
		u.fail(w, r, errorf(http.StatusServiceUnavailable, "Google sign-in can't be checked right now. Please try again in a minute."))
		return
	case err != nil:
		u.fail(w, r, models.Sentence(models.ErrUnauthorized, "The Google sign-in could not be verified. Please try again."))
		return
	}
	user, _, err := models.SignInWithGoogle(reqDB(r), models.GoogleIdentity{Subject: id.Subject, Email: id.Email, Name: id.Name}, time.Now().UTC())
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if !user.IsActive {
		u.fail(w, r, errBanned)
		return
	}
	u.startSession(w, r, user, nil, http.StatusOK)
}

// --- Captcha -----------------------------------------------------------------

// captchaTTL is how long a captcha can be answered.
const captchaTTL = 5 * time.Minute

type captchaJSON struct {
	ID       string `json:"id"`
	Question string `json:"question"`
}

// handleCaptcha hands out a sum to solve. The id is random and the answer
// stays on the server (routes.go marks this GET asWrite); each captcha can be
// tried once.
func (u *usersAPI) handleCaptcha(w http.ResponseWriter, r *http.Request) {
	a, b := rand1to10(), rand1to10()
	id, err := auth.RandomToken(16)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	now := time.Now().UTC()
	if err := models.CreateCaptcha(reqDB(r), id, strconv.Itoa(a+b), now, now.Add(captchaTTL)); err != nil {
		u.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, captchaJSON{ID: id, Question: "What is " + strconv.Itoa(a) + " + " + strconv.Itoa(b) + "?"})
}

func rand1to10() int {
	n, _ := rand.Int(rand.Reader, big.NewInt(10))
	return int(n.Int64()) + 1
}

// checkLoginCaptcha lets a login through when no captcha is needed for
// email (LOGIN_CAPTCHA), else only with a live captcha answered right; the
// captcha is used up either way.
func (u *usersAPI) checkLoginCaptcha(r *http.Request, email string, id, answer json.RawMessage) error {
	switch u.cfg.LoginCaptcha {
	case "off":
		return nil
	case "after-failures":
		if u.acct.failures.count(models.NormalizeEmail(email), time.Now()) < u.cfg.LoginCaptchaAfter {
			return nil
		}
	}
	sid, sanswer := jsonText(id), jsonText(answer)
	if sid == "" || sanswer == "" {
		return errorf(http.StatusUnprocessableEntity, "Please answer the security question to sign in.")
	}
	ok, err := models.TakeCaptcha(reqDB(r), sid, sanswer, time.Now().UTC())
	if err != nil {
		return err
	}
	if !ok {
		return errorf(http.StatusUnprocessableEntity, "The answer to the security question is wrong or the question has expired. Please answer the new one.")
	}
	return nil
}

// jsonText is a JSON string's or number's text, trimmed; "" for anything else.
func jsonText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// loginFailed and loginSucceeded keep the count of wrong passwords per address.
func (u *usersAPI) loginFailed(email string) {
	u.acct.failures.add(models.NormalizeEmail(email), time.Now())
}

func (u *usersAPI) loginSucceeded(email string) {
	u.acct.failures.clear(models.NormalizeEmail(email))
}

// failureCounter counts recent failed logins per address, in memory: each
// API instance counts its own, which at worst multiplies the free attempts by
// the number of instances (the rate limits still apply).
type failureCounter struct {
	mu     sync.Mutex
	window time.Duration
	m      map[string]failure
}

type failure struct {
	n    int
	last time.Time
}

// maxTracked bounds the counter's memory under a flood of made-up addresses.
const maxTracked = 100000

func (f *failureCounter) add(key string, now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.m) >= maxTracked {
		for k, v := range f.m {
			if now.Sub(v.last) > f.window {
				delete(f.m, k)
			}
		}
		if len(f.m) >= maxTracked {
			clear(f.m)
		}
	}
	e := f.m[key]
	if now.Sub(e.last) > f.window {
		e.n = 0
	}
	f.m[key] = failure{n: e.n + 1, last: now}
}

func (f *failureCounter) count(key string, now time.Time) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if e, ok := f.m[key]; ok && now.Sub(e.last) <= f.window {
		return e.n
	}
	return 0
}

func (f *failureCounter) clear(key string) {
	f.mu.Lock()
	delete(f.m, key)
	f.mu.Unlock()
}
