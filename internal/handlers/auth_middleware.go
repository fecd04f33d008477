package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/cors"
	"github.com/go-chi/httprate"
	"gorm.io/gorm"

	"github.com/teachtrack/api/internal/auth"
	"github.com/teachtrack/api/internal/models"
)

// cookieName is the browser session cookie the frontend relies on.
const cookieName = "access_token"

type principalKey struct{}

// Principal is the caller as the access token names them. authenticate fills
// the token's part before the database is bound; requireSession then checks
// the session and loads User, whose role and school are the ones that count.
type Principal struct {
	UserID    uint64
	SessionID uint64
	Role      models.Role
	SchoolID  *uint64
	// User is the caller's row, read with the session on every request.
	User *models.User
	// Impersonator is the admin acting as UserID in an impersonation session.
	Impersonator uint64

	fromCookie bool
	expired    bool  // a cookie token that expired: renew it if the session lives
	err        error // why a presented token was refused
}

func principalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

var errSignIn = models.Sentence(models.ErrUnauthorized, "Please sign in to continue.")

// authenticate reads the access token (Authorization: Bearer, else the
// session cookie) without touching the database, so that bindDB knows the
// user. It never rejects: routes that need a user use requireSession.
func (u *usersAPI) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, fromCookie := "", false
		if h := r.Header.Get("Authorization"); h != "" {
			scheme, rest, _ := strings.Cut(h, " ")
			if !strings.EqualFold(scheme, "Bearer") {
				ctx := context.WithValue(r.Context(), principalKey{}, &Principal{err: errSignIn})
				next.ServeHTTP(w, r.WithContext(ctx))
				return
			}
			token = strings.TrimSpace(rest)
		} else if c, err := r.Cookie(cookieName); err == nil && c.Value != "" {
			token, fromCookie = c.Value, true
		}
		if token == "" {
			next.ServeHTTP(w, r)
			return
		}
		p := &Principal{fromCookie: fromCookie}
		claims, err := u.tokens.Verify(token)
		switch {
		// Only a token minted for the cookie is renewed once expired: an API
		// client's bearer token sent as a cookie dies at its expiry.
		case err == nil, errors.Is(err, auth.ErrExpired) && fromCookie && claims.Cookie:
			p.UserID, _ = claims.UserID()
			p.SessionID, p.Role, p.SchoolID = claims.SessionID, models.Role(claims.Role), claims.SchoolID
			p.Impersonator = claims.Impersonator
			p.expired = err != nil
			st := stateFrom(r.Context())
			st.userID, st.actor = p.UserID, p.Impersonator
		case errors.Is(err, auth.ErrExpired):
			p.err = models.Sentence(models.ErrUnauthorized, "The access token has expired. Refresh it or sign in again.")
		default:
			p.err = models.Sentence(models.ErrUnauthorized, "The access token is invalid. Please sign in again.")
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	})
}

// requireSession lets a request through only when its token's session is
// neither revoked nor expired and its user is not banned. It reads the session
// on every request, which is what makes logout, password change and ban take
// effect at once. An expired cookie token of a live session is renewed in the
// same response (sliding renewal): the new token names the same session, so
// renewing writes nothing and works on a replica-bound GET.
func (u *usersAPI) requireSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principalFrom(r.Context())
		if p == nil {
			u.fail(w, r, errSignIn)
			return
		}
		if p.err != nil {
			u.fail(w, r, p.err)
			return
		}
		now := time.Now()
		// On a write too, a replica with the caller's consistency points
		// answers: they cover every sign-out, ban and role change of theirs.
		var su *models.SessionUser
		err := u.readSide(r, func(tx *gorm.DB) (err error) {
			su, err = models.ActiveSession(tx, p.SessionID, p.UserID, now)
			return err
		})
		if err == nil && p.expired && !now.Before(su.Session.RenewUntil) {
			err = models.ErrSessionEnded
		}
		if err != nil {
			if p.fromCookie && errors.Is(err, models.ErrUnauthorized) {
				u.clearCookie(w)
			}
			u.fail(w, r, err)
			return
		}
		p.User, p.Role, p.SchoolID = &su.User, su.User.Role, su.User.SchoolID
		if p.expired {
			token, err := u.cookieToken(su)
			if err != nil {
				u.fail(w, r, err)
				return
			}
			u.setCookie(w, token, su.Session.RenewUntil)
			p.expired = false
		}
		next.ServeHTTP(w, r)
	})
}

// cookieToken mints the session cookie's access token for su.
func (u *usersAPI) cookieToken(su *models.SessionUser) (string, error) {
	t := auth.Token{UserID: su.User.ID, Role: string(su.User.Role), SchoolID: su.User.SchoolID, SessionID: su.Session.ID, Cookie: true}
	if su.Session.ImpersonatorID != nil {
		t.Impersonator = *su.Session.ImpersonatorID
	}
	return u.tokens.IssueToken(t)
}

// requireRole lets through callers whose current role is one of roles.
func (u *usersAPI) requireRole(roles ...models.Role) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if p := principalFrom(r.Context()); p == nil || !slices.Contains(roles, p.Role) {
				u.fail(w, r, models.Sentence(models.ErrForbidden, "Your account is not allowed to do this."))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// setCookie sets the session cookie; it lives as long as the session can be
// renewed, while the token inside it lives ACCESS_TOKEN_TTL.
func (u *usersAPI) setCookie(w http.ResponseWriter, token string, until time.Time) {
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: token, Path: "/", Expires: until.UTC(),
		MaxAge: max(int(time.Until(until).Seconds()), 1), HttpOnly: true,
		Secure: u.cfg.Production(), SameSite: http.SameSiteLaxMode,
	})
}

// clearCookie expires the session cookie with the attributes it was set with,
// which browsers need to match it.
func (u *usersAPI) clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: "", Path: "/", Expires: time.Unix(0, 0), MaxAge: -1,
		HttpOnly: true, Secure: u.cfg.Production(), SameSite: http.SameSiteLaxMode,
	})
}

// cors lets the configured origins call the API from a browser with cookies.
// An empty list allows none (go-chi/cors would answer "*" to everyone, with
// credentials); config.Load refuses "*" and, in production, an empty list.
func (u *usersAPI) cors() func(http.Handler) http.Handler {
	if len(u.cfg.CORSAllowedOrigins) == 0 {
		return func(next http.Handler) http.Handler { return next }
	}
	return cors.Handler(cors.Options{
		AllowedOrigins:   u.cfg.CORSAllowedOrigins,
		AllowedMethods:   []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"},
		AllowedHeaders:   []string{"Accept", "Authorization", "Content-Type", "X-Request-ID"},
		ExposedHeaders:   []string{"X-Request-ID", "Retry-After"},
		AllowCredentials: true,
		MaxAge:           300,
	})
}

// limiter is one rate limit: per client IP, and per email address and client
// IP together when the body names an address. Login and register each have
// their own. The email count is per client as well so that an attacker's
// failed logins never lock the address's owner out (their own address counts
// apart); guessing one account's password from many addresses is slowed by
// the per-IP limit and bcrypt.
type limiter struct {
	byIP, byEmail *httprate.RateLimiter
}

func (u *usersAPI) newLimiter(perMinute int) *limiter {
	opt := httprate.WithLimitHandler(func(w http.ResponseWriter, r *http.Request) {
		u.fail(w, r, errorf(http.StatusTooManyRequests, "Too many attempts. Please wait a minute and try again."))
	})
	return &limiter{
		byIP:    httprate.NewRateLimiter(perMinute, time.Minute, opt),
		byEmail: httprate.NewRateLimiter(perMinute, time.Minute, opt),
	}
}

// limit counts the request against its client IP and its email; over either
// limit the answer is 429 with Retry-After.
func (u *usersAPI) limit(l *limiter) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ip := httprate.CanonicalizeIP(u.proxies.ClientIP(r))
			if l.byIP.RespondOnLimit(w, r, "ip:"+ip) {
				return
			}
			if email := peekEmail(r); email != "" && l.byEmail.RespondOnLimit(w, r, "email:"+email+"|ip:"+ip) {
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// limitUser counts the request against the signed-in caller (after
// requireSession): for change-password, so a stolen session can't guess the
// current password at leisure.
func (u *usersAPI) limitUser(l *httprate.RateLimiter) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if p := principalFrom(r.Context()); p != nil && l.RespondOnLimit(w, r, "user:"+strconv.FormatUint(p.UserID, 10)) {
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// peekEmail reads the body's "email" field, if any, and puts the body back
// for the handler. The 1 MiB limit still applies when the handler decodes it.
func peekEmail(r *http.Request) string {
	if r.Body == nil {
		return ""
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return ""
	}
	var b struct {
		Email any `json:"email"`
	}
	if json.Unmarshal(body, &b) != nil {
		return ""
	}
	s, _ := b.Email.(string)
	return models.NormalizeEmail(s)
}
