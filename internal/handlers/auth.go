package handlers

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/go-chi/httprate"
	"gorm.io/gorm"

	"github.com/teachtrack/api/internal/auth"
	"github.com/teachtrack/api/internal/db"
	"github.com/teachtrack/api/internal/models"
)

// usersAPI serves authentication, the caller's account and user
// administration. It also provides the middleware (authenticate,
// requireSession, requireRole) every other authenticated resource uses.
type usersAPI struct {
	*API
	dec       *decoder
	tokens    *auth.Issuer
	passwords *auth.Passwords
	proxies   auth.Proxies
	login     *limiter
	register  *limiter
	// changePassword counts change-password attempts per user (LOGIN_RATE_LIMIT a minute).
	changePassword *httprate.RateLimiter
	acct           *accounts // e-mail links, Google, captcha (accounts.go)
}

func newUsersAPI(a *API, dec *decoder) *usersAPI {
	// config.Load has already refused malformed TRUSTED_PROXIES entries.
	proxies, _ := auth.ParseProxies(a.cfg.TrustedProxies)
	u := &usersAPI{
		API: a, dec: dec, proxies: proxies,
		tokens:    auth.NewIssuer(a.cfg.JWTSecret, a.cfg.AccessTokenTTL),
		passwords: auth.NewPasswords(a.cfg.BcryptCost),
	}
	u.login = u.newLimiter(a.cfg.LoginRateLimit)
	u.register = u.newLimiter(a.cfg.RegisterRateLimit)
	u.changePassword = httprate.NewRateLimiter(a.cfg.LoginRateLimit, time.Minute, httprate.WithLimitHandler(func(w http.ResponseWriter, r *http.Request) {
		u.fail(w, r, errorf(http.StatusTooManyRequests, "Too many attempts. Please wait a minute and try again."))
	}))
	u.acct = newAccounts(u)
	return u
}

// fail answers with err through the one error path, driver errors translated.
func (u *usersAPI) fail(w http.ResponseWriter, r *http.Request, err error) {
	u.writeError(w, r, db.Translate(err))
}

// userJSON is a user as the API shows it; never the password hash.
type userJSON struct {
	ID                 uint64      `json:"id"`
	Email              string      `json:"email"`
	FullName           string      `json:"full_name"`
	Phone              *string     `json:"phone"`
	School             *string     `json:"school"`
	GradeLevel         *string     `json:"grade_level"`
	TSCNumber          *string     `json:"tsc_number"`
	Role               models.Role `json:"role"`
	IsAdmin            bool        `json:"is_admin"`
	SchoolID           *uint64     `json:"school_id"`
	IsActive           bool        `json:"is_active"`
	EmailVerified      bool        `json:"email_verified"`
	SubscriptionType   string      `json:"subscription_type"`
	SubscriptionStatus string      `json:"subscription_status"`
	CreatedAt          time.Time   `json:"created_at"`

	// SubscriptionExpiresAt is when a paid plan ends (issue 19); null: no end.
	SubscriptionExpiresAt *time.Time `json:"subscription_expires_at"`
}

func toUserJSON(m *models.User) userJSON {
	// A paid plan that has ended shows as the free tier (issue 19).
	e := *m
	e.ApplyExpiry(time.Now())
	m = &e
	return userJSON{
		ID: m.ID, Email: m.Email, FullName: m.FullName, Phone: m.Phone, School: m.School,
		GradeLevel: m.GradeLevel, TSCNumber: m.TSCNumber, Role: m.Role, IsAdmin: m.Role.IsAdmin(),
		SchoolID: m.SchoolID, IsActive: m.IsActive, EmailVerified: m.EmailVerified,
		SubscriptionType: m.SubscriptionType, SubscriptionStatus: m.SubscriptionStatus,
		CreatedAt: m.CreatedAt.UTC(), SubscriptionExpiresAt: utcPtr(m.SubscriptionExpiresAt),
	}
}

func toUsersJSON(users []models.User) []userJSON {
	out := make([]userJSON, len(users))
	for i := range users {
		out[i] = toUserJSON(&users[i])
	}
	return out
}

// blankToNil treats "" as absent, as the frontend's forms send empty fields.
func blankToNil(s *string) *string {
	if s == nil || *s == "" {
		return nil
	}
	return s
}

// profileFields are the optional personal fields shared by register, the
// caller's own update and the admin's create.
type profileFields struct {
	Phone      *string `json:"phone" validate:"omitempty,max=50"`
	School     *string `json:"school" validate:"omitempty,max=255"`
	GradeLevel *string `json:"grade_level" validate:"omitempty,max=50"`
	TSCNumber  *string `json:"tsc_number" validate:"omitempty,max=50"`
}

// changes maps the fields present in the request to their columns; "" clears.
func (f profileFields) changes(into map[string]any) {
	for col, v := range map[string]*string{"phone": f.Phone, "school": f.School, "grade_level": f.GradeLevel, "tsc_number": f.TSCNumber} {
		if v != nil {
			into[col] = blankToNil(v)
		}
	}
}

type registerRequest struct {
	Email    string `json:"email" validate:"required,email,max=255"`
	Password string `json:"password" validate:"required,password"`
	FullName string `json:"full_name" validate:"required,max=255"`
	profileFields
	// Role is TEACHER or SCHOOL_ADMIN (registrationRole); never higher.
	Role json.RawMessage `json:"role"`
}

func (u *usersAPI) handleRegister(w http.ResponseWriter, r *http.Request) {
	var req registerRequest
	if err := u.dec.decode(w, r, &req); err != nil {
		u.fail(w, r, err)
		return
	}
	role, err := registrationRole(req.Role)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	user, err := u.insertUser(r, &models.User{Email: req.Email, FullName: req.FullName, Role: role}, req.Password, req.profileFields, u.sendVerification)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.wakeMail()
	stateFrom(r.Context()).userID = user.ID
	writeJSON(w, http.StatusCreated, toUserJSON(user))
}

// insertUser stores m, active, with password hashed and the profile fields
// ("" as absent), and returns it as stored. then, if given, runs in the same
// transaction (e.g. queueing the verification mail).
func (u *usersAPI) insertUser(r *http.Request, m *models.User, password string, f profileFields, then ...func(tx *gorm.DB, m *models.User) error) (*models.User, error) {
	hash, err := u.hashPassword(r, password)
	if err != nil {
		return nil, err
	}
	m.PasswordHash, m.IsActive = hash, true
	m.Phone, m.School, m.GradeLevel, m.TSCNumber = blankToNil(f.Phone), blankToNil(f.School), blankToNil(f.GradeLevel), blankToNil(f.TSCNumber)
	err = reqDB(r).Transaction(func(tx *gorm.DB) error {
		if err := models.CreateUser(tx, m); err != nil {
			return err
		}
		for _, fn := range then {
			if err := fn(tx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return models.UserByID(reqDB(r), m.ID)
}

type loginRequest struct {
	Email    string `json:"email" validate:"required"`
	Password string `json:"password" validate:"required"`
	// The frontend's login form sends the captcha of GET /auth/captcha;
	// checkLoginCaptcha decides whether it is needed.
	CaptchaID     json.RawMessage `json:"captcha_id"`
	CaptchaAnswer json.RawMessage `json:"captcha_answer"`
}

// tokenResponse is what login and refresh return.
type tokenResponse struct {
	AccessToken  string   `json:"access_token"`
	TokenType    string   `json:"token_type"`
	ExpiresIn    int      `json:"expires_in"`
	RefreshToken string   `json:"refresh_token,omitempty"`
	User         userJSON `json:"user"`
}

var errBadCredentials = models.Sentence(models.ErrUnauthorized, "The email address or password is incorrect.")

func (u *usersAPI) handleLogin(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if err := u.dec.decode(w, r, &req); err != nil {
		u.fail(w, r, err)
		return
	}
	if err := u.checkLoginCaptcha(r, req.Email, req.CaptchaID, req.CaptchaAnswer); err != nil {
		u.fail(w, r, err)
		return
	}
	user, err := models.UserByEmail(reqDB(r), req.Email)
	switch {
	case errors.Is(err, models.ErrNotFound):
		// As slow as a wrong password, so the answer doesn't tell which it was.
		u.wastePassword(w, r, req.Password)
		u.loginFailed(req.Email)
		u.fail(w, r, errBadCredentials)
		return
	case err != nil:
		u.fail(w, r, err)
		return
	}
	match, err := u.checkPassword(w, r, user.PasswordHash, req.Password)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	switch {
	case !match:
		u.loginFailed(req.Email)
		u.fail(w, r, errBadCredentials)
		return
	case !user.IsActive:
		u.fail(w, r, errBanned)
		return
	}
	u.loginSucceeded(req.Email)
	u.startSession(w, r, user, nil, http.StatusOK)
}

var errBanned = models.Sentence(models.ErrForbidden, "This account has been suspended. Please contact support.")

// startSession opens a session for user, sets the session cookie and answers
// with the tokens. imp is the admin acting as user and the admin's own
// session, if any; such a session gets no refresh token and lasts at most an
// hour. The cookie and the body get different tokens (auth.Claims.Cookie):
// only the cookie's is renewed once expired.
func (u *usersAPI) startSession(w http.ResponseWriter, r *http.Request, user *models.User, imp *impersonator, status int) {
	now := time.Now().UTC().Truncate(time.Microsecond)
	// The cookie renews for SESSION_TTL; the refresh token keeps the session
	// alive for API clients for REFRESH_TOKEN_TTL, whichever is longer.
	renew, expires := u.cfg.SessionTTL, max(u.cfg.SessionTTL, u.cfg.RefreshTokenTTL)
	if imp != nil {
		renew = min(renew, time.Hour)
		expires = renew
	}
	s := &models.Session{UserID: user.ID, CreatedAt: now, RenewUntil: now.Add(renew), ExpiresAt: now.Add(expires)}
	refresh, refreshHash := "", ""
	var err error
	if imp == nil {
		if refresh, refreshHash, err = auth.NewRefreshToken(); err != nil {
			u.fail(w, r, err)
			return
		}
		err = models.CreateSession(reqDB(r), s, refreshHash)
	} else {
		err = models.StartImpersonation(reqDB(r), s, imp.admin, user, imp.sessionID)
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	su := &models.SessionUser{Session: *s, User: *user}
	t := auth.Token{UserID: user.ID, Role: string(user.Role), SchoolID: user.SchoolID, SessionID: s.ID}
	if imp != nil {
		t.Impersonator = imp.admin.ID
	}
	access, err := u.tokens.IssueToken(t)
	var cookie string
	if err == nil {
		cookie, err = u.cookieToken(su)
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	stateFrom(r.Context()).userID = user.ID
	u.setCookie(w, cookie, s.RenewUntil)
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, tokenResponse{
		AccessToken: access, TokenType: "bearer", ExpiresIn: int(u.tokens.TTL().Seconds()),
		RefreshToken: refresh, User: toUserJSON(user),
	})
}

// impersonator is the admin starting an impersonation, and their session.
type impersonator struct {
	admin     *models.User
	sessionID uint64
}

type refreshRequest struct {
	RefreshToken string `json:"refresh_token" validate:"required"`
}

func (u *usersAPI) handleRefresh(w http.ResponseWriter, r *http.Request) {
	var req refreshRequest
	if err := u.dec.decode(w, r, &req); err != nil {
		u.fail(w, r, err)
		return
	}
	token, hash, err := auth.NewRefreshToken()
	if err != nil {
		u.fail(w, r, err)
		return
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	su, err := models.RotateRefreshToken(reqDB(r), auth.HashRefreshToken(req.RefreshToken), hash, now, now.Add(u.cfg.RefreshTokenTTL))
	if errors.Is(err, models.ErrRefreshReused) && su != nil {
		affects(r, su.Session.UserID) // the revoked session dies on every node at once
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	access, err := u.tokens.Issue(su.User.ID, string(su.User.Role), su.User.SchoolID, su.Session.ID)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	stateFrom(r.Context()).userID = su.User.ID
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, tokenResponse{
		AccessToken: access, TokenType: "bearer", ExpiresIn: int(u.tokens.TTL().Seconds()),
		RefreshToken: token, User: toUserJSON(&su.User),
	})
}

type logoutRequest struct {
	RefreshToken string `json:"refresh_token"`
}

// handleLogout ends the session of the access token (even an expired one: its
// signature still proves which session it was) or of the refresh token given,
// and expires the cookie. Logging out twice is not an error.
func (u *usersAPI) handleLogout(w http.ResponseWriter, r *http.Request) {
	var req logoutRequest
	if err := u.dec.decodeOptional(w, r, &req); err != nil {
		u.fail(w, r, err)
		return
	}
	var sid uint64
	if p := principalFrom(r.Context()); p != nil && p.err == nil {
		sid = p.SessionID
	} else if req.RefreshToken != "" {
		id, owner, err := models.SessionByRefreshToken(reqDB(r), auth.HashRefreshToken(req.RefreshToken))
		if err != nil && !errors.Is(err, models.ErrNotFound) {
			u.fail(w, r, err)
			return
		}
		sid = id
		affects(r, owner)
	}
	if sid != 0 {
		if err := models.RevokeSession(reqDB(r), sid, time.Now().UTC()); err != nil {
			u.fail(w, r, err)
			return
		}
	}
	u.clearCookie(w)
	w.WriteHeader(http.StatusNoContent)
}

func (u *usersAPI) handleMe(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	me, err := meWithSubjects(r, principalFrom(r.Context()).User)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, me)
}

type meUpdateRequest struct {
	FullName *string `json:"full_name" validate:"omitempty,min=1,max=255"`
	profileFields
}

func (u *usersAPI) handleMeUpdate(w http.ResponseWriter, r *http.Request) {
	var req meUpdateRequest
	if err := u.dec.decode(w, r, &req); err != nil {
		u.fail(w, r, err)
		return
	}
	changes := map[string]any{}
	if req.FullName != nil {
		changes["full_name"] = *req.FullName
	}
	req.profileFields.changes(changes)
	u.update(w, r, principalFrom(r.Context()).UserID, changes)
}

type changePasswordRequest struct {
	CurrentPassword string `json:"current_password" validate:"required"`
	NewPassword     string `json:"new_password" validate:"required,password"`
}

// handleChangePassword sets a new password and ends every other session of
// the user, so a thief holding an old token or cookie is out at once.
func (u *usersAPI) handleChangePassword(w http.ResponseWriter, r *http.Request) {
	var req changePasswordRequest
	if err := u.dec.decode(w, r, &req); err != nil {
		u.fail(w, r, err)
		return
	}
	p := principalFrom(r.Context())
	match, err := u.checkPassword(w, r, p.User.PasswordHash, req.CurrentPassword)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if !match {
		u.fail(w, r, models.Invalid("current_password", "is not your current password"))
		return
	}
	hash, err := u.hashPassword(r, req.NewPassword)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if err := models.SetPassword(reqDB(r), p.UserID, hash, p.SessionID, time.Now().UTC()); err != nil {
		u.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"message": "Your password has been changed; your other sessions have been signed out."})
}
