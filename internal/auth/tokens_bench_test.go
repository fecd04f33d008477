package auth_test

import (
	"testing"
	"time"

	"github.com/teachtrack/api/internal/auth"
)

// BenchmarkVerify is the per-request cost of checking an access token
// (HS256 signature and claims), before the session row is read.
func BenchmarkVerify(b *testing.B) {
	iss := auth.NewIssuer("bench-secret-0123456789abcdef0123456789abcdef", 15*time.Minute)
	school := uint64(7)
	token, err := iss.Issue(42, "TEACHER", &school, 99)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := iss.Verify(token); err != nil {
			b.Fatal(err)
		}
	}
}
