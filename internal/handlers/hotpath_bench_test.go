package handlers_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/teachtrack/api/internal/auth"
	"github.com/teachtrack/api/internal/db"
	"github.com/teachtrack/api/internal/dbtest"
	"github.com/teachtrack/api/internal/handlers"
	"github.com/teachtrack/api/internal/models"
	"github.com/teachtrack/api/internal/storage"
)

// BenchmarkGetSubject is the bench's get-by-id request served in process
// (router, middleware, session check, routing, GORM, JSON) against the local
// cluster, without the spec validator: its allocations per request are what
// the API adds to the reference server's equal work. Profile it with
// -cpuprofile / -memprofile.
func BenchmarkGetSubject(b *testing.B) {
	d := dbtest.New(b)
	d.Set("STORAGE_DIR", b.TempDir())
	d.Set("LOG_LEVEL", "warn")
	cfg, err := d.Config()
	if err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	cluster, err := db.Open(context.Background(), db.OptionsFromConfig(cfg, log))
	if err != nil {
		b.Fatal(err)
	}
	defer cluster.Close()
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	cluster.Start(ctx)
	store, err := storage.Open(cfg)
	if err != nil {
		b.Fatal(err)
	}
	h := handlers.New(handlers.Deps{Config: cfg, Cluster: cluster, Version: "bench", Logger: log, Storage: store})

	// A teacher with a session and a subject of 2 × 2 × 3, as the bench's.
	primary := cluster.OnPrimary(ctx)
	u := &models.User{Email: "bench@example.com", PasswordHash: "x", FullName: "Bench", Role: models.RoleTeacher, IsActive: true}
	if err := models.CreateUser(primary, u); err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	s := &models.Session{UserID: u.ID, CreatedAt: now, RenewUntil: now.Add(time.Hour), ExpiresAt: now.Add(time.Hour)}
	if err := models.CreateSession(primary, s, "bench-refresh-hash"); err != nil {
		b.Fatal(err)
	}
	token, err := auth.NewIssuer(cfg.JWTSecret, time.Hour).Issue(u.ID, string(u.Role), nil, s.ID)
	if err != nil {
		b.Fatal(err)
	}
	sub := &models.Subject{UserID: u.ID, SubjectName: "Mathematics", Grade: "Grade 4", LessonsPerWeek: 5, SingleLessonDuration: 35, DoubleLessonDuration: 70}
	for i := range 2 {
		st := models.Strand{StrandCode: fmt.Sprint(i + 1), StrandName: "Strand", SequenceOrder: i + 1}
		for j := range 2 {
			ss := models.SubStrand{SubstrandCode: fmt.Sprintf("%d.%d", i+1, j+1), SubstrandName: "Sub-strand", SequenceOrder: j + 1}
			for k := range 3 {
				ss.Lessons = append(ss.Lessons, models.Lesson{LessonNumber: k + 1, LessonTitle: "Lesson", SequenceOrder: k + 1})
			}
			st.SubStrands = append(st.SubStrands, ss)
		}
		sub.Strands = append(sub.Strands, st)
	}
	if err := models.CreateSubject(primary, sub, 100); err != nil {
		b.Fatal(err)
	}
	if err := d.WaitReplicas(ctx); err != nil {
		b.Fatal(err)
	}
	time.Sleep(2 * cfg.HealthInterval) // the checker sees the replicas have it
	path := fmt.Sprintf("/api/v1/subjects/%d", sub.ID)
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}
