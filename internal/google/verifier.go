// Package google verifies the ID tokens of "Sign in with Google": the
// signature against Google's published keys (fetched from a configurable
// address and cached as long as Google says), the audience (our OAuth client
// id), the issuer, the expiry, and that Google verified the e-mail address.
package google

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Errors Verify returns; a caller shows a sentence for each.
var (
	// ErrInvalid is a token that is malformed, forged, expired, or not for us.
	ErrInvalid = errors.New("invalid Google ID token")
	// ErrUnverifiedEmail is a valid token whose e-mail Google hasn't verified.
	ErrUnverifiedEmail = errors.New("the Google account's e-mail address is not verified")
	// ErrKeys means Google's keys couldn't be fetched.
	ErrKeys = errors.New("Google's signing keys are unavailable")
)

// Identity is the verified holder of a token.
type Identity struct {
	Subject string
	Email   string
	Name    string
}

// issuers are the two spellings Google uses.
var issuers = []string{"accounts.google.com", "https://accounts.google.com"}

// Verifier checks ID tokens for one OAuth client. It is safe for concurrent use.
type Verifier struct {
	clientID string
	certsURL string
	client   *http.Client
	now      func() time.Time

	mu        sync.Mutex
	keys      map[string]*rsa.PublicKey
	expires   time.Time // when the cached keys must be fetched again
	lastFetch time.Time
}

// NewVerifier returns a verifier for tokens issued to clientID, with Google's
// keys fetched from certsURL (a JWK set, as at
// https://www.googleapis.com/oauth2/v3/certs).
func NewVerifier(clientID, certsURL string, client *http.Client) *Verifier {
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	return &Verifier{clientID: clientID, certsURL: certsURL, client: client, now: time.Now}
}

type claims struct {
	jwt.RegisteredClaims
	Email         string `json:"email"`
	EmailVerified any    `json:"email_verified"` // Google has sent both true and "true"
	Name          string `json:"name"`
}

// Verify checks token and returns who it names.
func (v *Verifier) Verify(ctx context.Context, token string) (*Identity, error) {
	var c claims
	var keyErr error
	_, err := jwt.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		k, err := v.key(ctx, kid)
		keyErr = err
		return k, err
	},
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithAudience(v.clientID), jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(), jwt.WithLeeway(time.Minute), jwt.WithTimeFunc(v.now))
	if err != nil {
		if errors.Is(keyErr, ErrKeys) {
			return nil, keyErr
		}
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if !validIssuer(c.Issuer) || c.Subject == "" || c.Email == "" {
		return nil, fmt.Errorf("%w: issuer %q, subject or e-mail missing", ErrInvalid, c.Issuer)
	}
	if c.EmailVerified != true && c.EmailVerified != "true" {
		return nil, ErrUnverifiedEmail
	}
	return &Identity{Subject: c.Subject, Email: c.Email, Name: c.Name}, nil
}

func validIssuer(iss string) bool {
	for _, i := range issuers {
		if iss == i {
			return true
		}
	}
	return false
}

// refetchEvery bounds how often an unknown key id makes us fetch the keys
// again (Google rotates keys; a forger's made-up kid must not hammer it).
const refetchEvery = 30 * time.Second

// key returns the public key kid, fetching the key set when the cache has
// expired or (at most every refetchEvery) when kid is unknown.
func (v *Verifier) key(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	now := v.now()
	k, ok := v.keys[kid]
	stale := now.After(v.expires)
	if ok && !stale {
		return k, nil
	}
	if stale || now.Sub(v.lastFetch) >= refetchEvery {
		v.lastFetch = now
		keys, maxAge, err := v.fetch(ctx)
		if err != nil {
			if ok {
				return k, nil // Google unreachable: a key we had is still Google's
			}
			return nil, fmt.Errorf("%w: %v", ErrKeys, err)
		}
		v.keys, v.expires = keys, now.Add(maxAge)
		if k, ok = keys[kid]; ok {
			return k, nil
		}
	}
	return nil, fmt.Errorf("unknown key id %q", kid)
}

type jwkSet struct {
	Keys []struct {
		Kid string `json:"kid"`
		Kty string `json:"kty"`
		N   string `json:"n"`
		E   string `json:"e"`
	} `json:"keys"`
}

// fetch reads the key set and how long it may be cached (Cache-Control
// max-age; an hour when absent, at least a minute).
func (v *Verifier) fetch(ctx context.Context) (map[string]*rsa.PublicKey, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.certsURL, nil)
	if err != nil {
		return nil, 0, err
	}
	res, err := v.client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, 0, fmt.Errorf("%s answered %s", v.certsURL, res.Status)
	}
	var set jwkSet
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&set); err != nil {
		return nil, 0, fmt.Errorf("reading keys: %v", err)
	}
	keys := map[string]*rsa.PublicKey{}
	for _, k := range set.Keys {
		if k.Kty != "RSA" {
			continue
		}
		n, err1 := base64.RawURLEncoding.DecodeString(k.N)
		e, err2 := base64.RawURLEncoding.DecodeString(k.E)
		if err1 != nil || err2 != nil || len(e) > 4 {
			continue
		}
		keys[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	}
	if len(keys) == 0 {
		return nil, 0, errors.New("the key set holds no RSA key")
	}
	return keys, maxAge(res.Header.Get("Cache-Control")), nil
}

func maxAge(cacheControl string) time.Duration {
	for _, part := range strings.Split(cacheControl, ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "max-age="); ok {
			if n, err := strconv.Atoi(v); err == nil {
				return max(time.Duration(n)*time.Second, time.Minute)
			}
		}
	}
	return time.Hour
}
