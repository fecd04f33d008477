// Package auth issues and verifies access tokens, hashes passwords and
// refresh tokens, and finds a request's client address behind trusted proxies.
// It touches no database: sessions live in internal/models.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Claims are an access token's claims. The session id (sid) is what lets a
// logout, password change or ban take effect at once: every authenticated
// request reads that session's row.
type Claims struct {
	Role      string  `json:"role"`
	SchoolID  *uint64 `json:"school_id"`
	SessionID uint64  `json:"sid"`
	// Cookie marks a token minted for the browser's session cookie: only such
	// a token is renewed when it expires. The token login returns in its body
	// (for Authorization: Bearer) is another token, without it, so an
	// API client's token sent as a cookie dies at its expiry like any bearer.
	Cookie bool `json:"ck,omitempty"`
	// Impersonator is the admin who opened this session as the user (RFC 8693
	// "act"), so routing can honour that admin's consistency point too.
	Impersonator uint64 `json:"act,omitempty"`
	jwt.RegisteredClaims
}

// Token is what an access token says: whose session it is, and for what.
type Token struct {
	UserID       uint64
	Role         string
	SchoolID     *uint64
	SessionID    uint64
	Cookie       bool   // for the session cookie (renewable), else a bearer token
	Impersonator uint64 // the admin acting as UserID, if any
}

// UserID is the token's subject as a number.
func (c *Claims) UserID() (uint64, error) {
	id, err := strconv.ParseUint(c.Subject, 10, 64)
	if err != nil || id == 0 {
		return 0, fmt.Errorf("token subject %q is not a user id", c.Subject)
	}
	return id, nil
}

// ErrExpired means the token's signature is good but it has expired; the
// claims returned alongside it can be trusted for sliding renewal.
var ErrExpired = errors.New("access token expired")

// Issuer signs and verifies HS256 access tokens.
type Issuer struct {
	key []byte
	ttl time.Duration
	now func() time.Time
}

// NewIssuer returns an issuer signing with secret; tokens live ttl.
func NewIssuer(secret string, ttl time.Duration) *Issuer {
	return &Issuer{key: []byte(secret), ttl: ttl, now: time.Now}
}

// TTL is the lifetime of the tokens the issuer makes.
func (i *Issuer) TTL() time.Duration { return i.ttl }

// Issue makes a bearer access token for a user's session.
func (i *Issuer) Issue(userID uint64, role string, schoolID *uint64, sessionID uint64) (string, error) {
	return i.IssueToken(Token{UserID: userID, Role: role, SchoolID: schoolID, SessionID: sessionID})
}

// IssueToken makes an access token saying t.
func (i *Issuer) IssueToken(t Token) (string, error) {
	userID, role, schoolID, sessionID := t.UserID, t.Role, t.SchoolID, t.SessionID
	now := i.now()
	jti, err := RandomToken(16)
	if err != nil {
		return "", err
	}
	c := Claims{
		Role: role, SchoolID: schoolID, SessionID: sessionID, Cookie: t.Cookie, Impersonator: t.Impersonator,
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   strconv.FormatUint(userID, 10),
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(i.ttl)),
			ID:        jti,
		},
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(i.key)
}

// Verify checks a token's signature (HS256 only: "none" and every other
// algorithm are refused) and its claims. An expired but otherwise valid token
// returns its claims with ErrExpired; any other failure returns no claims.
func (i *Issuer) Verify(token string) (*Claims, error) {
	var c Claims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return i.key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithTimeFunc(i.now))
	switch {
	case err == nil:
	case errors.Is(err, jwt.ErrTokenExpired) && !errors.Is(err, jwt.ErrTokenSignatureInvalid):
		if _, idErr := c.UserID(); idErr != nil || c.SessionID == 0 {
			return nil, fmt.Errorf("invalid access token: %w", idErr)
		}
		return &c, ErrExpired
	default:
		return nil, fmt.Errorf("invalid access token: %w", err)
	}
	if _, err := c.UserID(); err != nil {
		return nil, err
	}
	if c.SessionID == 0 {
		return nil, errors.New("access token has no session")
	}
	return &c, nil
}

// RandomToken returns n random bytes, base64url-encoded.
func RandomToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// NewRefreshToken returns a random 256-bit refresh token and the hash to store
// in its place; the token itself is never stored.
func NewRefreshToken() (token, hash string, err error) {
	token, err = RandomToken(32)
	if err != nil {
		return "", "", err
	}
	return token, HashRefreshToken(token), nil
}

// HashRefreshToken is the stored form of a refresh token. SHA-256 without a
// salt is enough: the token has 256 bits of entropy, so it can't be guessed
// from its hash, and lookups need a deterministic hash.
func HashRefreshToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
