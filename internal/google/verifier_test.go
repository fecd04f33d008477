package google_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/teachtrack/api/internal/google"
	"github.com/teachtrack/api/internal/google/googletest"
)

func TestVerify(t *testing.T) {
	srv := googletest.Start(t)
	v := google.NewVerifier(googletest.ClientID, srv.URL, nil)
	ctx := context.Background()
	id, err := v.Verify(ctx, srv.Token(t, "g-1", "ann@example.com", googletest.Claims{"name": "Ann"}))
	if err != nil {
		t.Fatalf("valid token: %v", err)
	}
	if id.Subject != "g-1" || id.Email != "ann@example.com" || id.Name != "Ann" {
		t.Fatalf("identity %+v", id)
	}
	none := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"iss": "accounts.google.com", "aud": googletest.ClientID, "sub": "x",
		"email": "x@example.com", "email_verified": true, "exp": time.Now().Add(time.Hour).Unix()})
	unsigned, _ := none.SignedString(jwt.UnsafeAllowNoneSignatureType)
	hour := time.Hour
	for _, tt := range []struct {
		name  string
		token string
		want  error
	}{
		{"wrong audience", srv.Token(t, "g-1", "a@example.com", googletest.Claims{"aud": "someone-else"}), google.ErrInvalid},
		{"wrong issuer", srv.Token(t, "g-1", "a@example.com", googletest.Claims{"iss": "https://evil.example"}), google.ErrInvalid},
		{"expired", srv.Token(t, "g-1", "a@example.com", googletest.Claims{"exp": time.Now().Add(-2 * time.Minute).Unix(), "iat": time.Now().Add(-hour).Unix()}), google.ErrInvalid},
		{"no expiry", srv.Token(t, "g-1", "a@example.com", googletest.Claims{"exp": nil}), google.ErrInvalid},
		{"issued in the future", srv.Token(t, "g-1", "a@example.com", googletest.Claims{"iat": time.Now().Add(hour).Unix()}), google.ErrInvalid},
		{"unverified e-mail", srv.Token(t, "g-1", "a@example.com", googletest.Claims{"email_verified": false}), google.ErrUnverifiedEmail},
		{"e-mail verified missing", srv.Token(t, "g-1", "a@example.com", googletest.Claims{"email_verified": nil}), google.ErrUnverifiedEmail},
		{"forged key", srv.Forged(t, "g-1", "a@example.com"), google.ErrInvalid},
		{"alg none", unsigned, google.ErrInvalid},
		{"garbage", "not.a.token", google.ErrInvalid},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := v.Verify(ctx, tt.token); !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
	// "true" as a string is how Google has sent it too.
	if _, err := v.Verify(ctx, srv.Token(t, "g-2", "b@example.com", googletest.Claims{"email_verified": "true"})); err != nil {
		t.Fatalf(`email_verified "true": %v`, err)
	}
	// The keys were fetched once and cached (max-age 3600); the forged tokens'
	// known kid didn't trigger refetches.
	if n := srv.Fetches.Load(); n != 1 {
		t.Fatalf("fetched the keys %d times, want 1", n)
	}
}

func TestVerifyKeysUnavailable(t *testing.T) {
	srv := googletest.Start(t)
	v := google.NewVerifier(googletest.ClientID, "http://127.0.0.1:1/certs", nil)
	if _, err := v.Verify(context.Background(), srv.Token(t, "g", "a@example.com", nil)); !errors.Is(err, google.ErrKeys) {
		t.Fatalf("got %v, want ErrKeys", err)
	}
}
