package handlers

import (
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/teachtrack/api/internal/models"
)

// BenchmarkWriteError is the cost of answering an error as problem+json: a
// not-found and a validation error with one field.
func BenchmarkWriteError(b *testing.B) {
	a := &API{log: slog.New(slog.DiscardHandler)}
	r := httptest.NewRequest("GET", "/api/v1/subjects/1", nil)
	for _, c := range []struct {
		name string
		err  error
	}{
		{"not-found", models.Sentence(models.ErrNotFound, "There is no such subject.")},
		{"validation", models.Invalid("subject_name", "must be at most 255 characters long")},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				a.writeError(httptest.NewRecorder(), r, c.err)
			}
		})
	}
}
