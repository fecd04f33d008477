package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/teachtrack/api/internal/config"
	"github.com/teachtrack/api/internal/filetype"
	"github.com/teachtrack/api/internal/storage"
)

// A signed file URL works until SIGNED_URL_TTL has passed, then answers 410;
// its signature covers the key, the expiry and the download name.
func TestSignedURLExpires(t *testing.T) {
	store := storage.NewLocal(t.TempDir())
	key := "notes/0123456789abcdef0123456789abcdef.pdf"
	if _, err := store.Put(context.Background(), key, strings.NewReader("%PDF-1.4 x"), "application/pdf"); err != nil {
		t.Fatal(err)
	}
	cfg := &config.Config{JWTSecret: "test-secret-test-secret-test-secret", SignedURLTTL: time.Hour, UploadTimeout: time.Minute}
	f := newFilesAPI(&API{cfg: cfg, store: store, log: slog.New(slog.DiscardHandler)})
	r := chi.NewRouter()
	r.Get("/uploads/{folder}/{name}", f.handleUploadsFile)
	get := func(u string) int {
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequest("GET", u, nil))
		return w.Code
	}
	now := time.Now()
	for _, c := range []struct {
		name string
		url  string
		want int
	}{
		{"fresh", f.signedURL(key, "", now), http.StatusOK},
		{"fresh download", f.signedURL(key, "a.pdf", now), http.StatusOK},
		{"signed 59 minutes ago", f.signedURL(key, "", now.Add(-59*time.Minute)), http.StatusOK},
		{"signed 61 minutes ago", f.signedURL(key, "", now.Add(-61*time.Minute)), http.StatusGone},
		{"download name changed", strings.Replace(f.signedURL(key, "a.pdf", now), "dl=a.pdf", "dl=b.pdf", 1), http.StatusNotFound},
		{"signed by another secret", (&filesAPI{API: f.API, urlKey: []byte("other")}).signedURL(key, "", now), http.StatusNotFound},
	} {
		if got := get(c.url); got != c.want {
			t.Errorf("%s: %d, want %d (%s)", c.name, got, c.want, c.url)
		}
	}
}

func TestSafeFileName(t *testing.T) {
	pdf, _ := filetype.ByExt("pdf")
	for in, want := range map[string]string{
		"Fractions week 3.pdf":     "Fractions week 3.pdf",
		"../../etc/passwd":         "passwd.pdf",
		`..\..\boot.ini`:           "boot.pdf",
		"report.exe":               "report.pdf",
		"a\"b\r\nX: y.pdf":         "a_b__X_ y.pdf",
		"Mtihani wa Kiswahili.pdf": "Mtihani wa Kiswahili.pdf",
		"Ñandú.pdf":                "_and_.pdf",
		"":                         "file.pdf",
		"...":                      "file.pdf",
	} {
		if got := safeFileName(in, pdf); got != want {
			t.Errorf("safeFileName(%q) = %q, want %q", in, got, want)
		}
	}
}
