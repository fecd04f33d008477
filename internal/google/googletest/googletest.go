// Package googletest stands in for Google in tests: a key server on
// 127.0.0.1 publishing a test RSA key as a JWK set (as Google does at
// https://www.googleapis.com/oauth2/v3/certs), and ID tokens signed with it.
// Google itself can't be reached from tests.
package googletest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// ClientID is the audience the tokens are issued to by default.
const ClientID = "test-client.apps.googleusercontent.com"

// Server publishes the test key.
type Server struct {
	// URL is the key set's address (GOOGLE_CERTS_URL).
	URL string
	// Fetches counts requests for the key set.
	Fetches atomic.Int64
	key     *rsa.PrivateKey
	kid     string
}

// Start runs the key server until the test ends.
func Start(t *testing.T) *Server {
	t.Helper()
	s := &Server{key: newKey(t), kid: "test-key-1"}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Fetches.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "public, max-age=3600, must-revalidate")
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{
			"kid": s.kid, "kty": "RSA", "alg": "RS256", "use": "sig",
			"n": base64.RawURLEncoding.EncodeToString(s.key.N.Bytes()),
			"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(s.key.E)).Bytes()),
		}}})
	}))
	t.Cleanup(srv.Close)
	s.URL = srv.URL + "/oauth2/v3/certs"
	return s
}

func newKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Claims are a Google ID token's claims; Token fills what is left empty.
type Claims = jwt.MapClaims

// Token returns an ID token for sub/email, verified, valid for an hour, for
// ClientID; with overrides any claim (a nil value deletes it).
func (s *Server) Token(t *testing.T, sub, email string, with Claims) string {
	t.Helper()
	return s.sign(t, s.key, s.claims(sub, email, with))
}

// Forged returns a token like Token's, with the server's key id, signed by
// another key.
func (s *Server) Forged(t *testing.T, sub, email string) string {
	t.Helper()
	return s.sign(t, newKey(t), s.claims(sub, email, nil))
}

func (s *Server) claims(sub, email string, with Claims) Claims {
	now := time.Now()
	c := Claims{
		"iss": "https://accounts.google.com", "aud": ClientID, "azp": ClientID, "sub": sub,
		"email": email, "email_verified": true, "name": "Google User",
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	}
	for k, v := range with {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

func (s *Server) sign(t *testing.T, key *rsa.PrivateKey, c Claims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	tok.Header["kid"] = s.kid
	out, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
