package legacy_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/teachtrack/api/internal/dbtest"
	"github.com/teachtrack/api/internal/legacy"
	"github.com/teachtrack/api/internal/legacy/legacytest"
)

// target is a fresh migrated database on the local cluster, as the primary.
func target(t *testing.T) *sql.DB {
	t.Helper()
	d := dbtest.New(t)
	cfg, err := d.Config()
	if err != nil {
		t.Fatal(err)
	}
	conn, err := sql.Open("mysql", cfg.Primary.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func source(t *testing.T, src *legacytest.Source) *sql.DB {
	t.Helper()
	db, err := legacy.OpenSource(src.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func count(t *testing.T, db *sql.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func totals(r *legacy.Report) (inserted, updated, unchanged int) {
	for _, t := range r.Tables {
		inserted += t.Inserted + t.Adopted
		updated += t.Updated
		unchanged += t.Unchanged
	}
	return
}

// One private server with the original's database serves every case; each
// case imports into a fresh target database.
func TestImport(t *testing.T) {
	src := legacytest.Start(t, 3551, 1)
	from := source(t, src)
	ctx := context.Background()

	t.Run("a stopped import resumes where it stopped", func(t *testing.T) {
		to := target(t)
		stop, cancel := context.WithCancel(ctx)
		defer cancel()
		batches := 0
		_, err := legacy.Run(stop, legacy.Options{Source: from, Target: to, BatchSize: 50,
			ReplicaLag: func(context.Context) (time.Duration, error) {
				if batches++; batches == 3 {
					cancel() // the operator's Ctrl-C, after the third batch
				}
				return 0, nil
			}})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("the stopped run: %v", err)
		}
		first := count(t, to, "SELECT COUNT(*) FROM legacy_ids")
		if first == 0 {
			t.Fatal("nothing recorded by the three batches of the stopped run")
		}
		r, err := legacy.Run(ctx, legacy.Options{Source: from, Target: to})
		if err != nil {
			t.Fatal(err)
		}
		inserted, updated, unchanged := totals(r)
		if unchanged != first || updated != 0 || !r.Verified() {
			t.Errorf("the resumed run: %d inserted, %d updated, %d unchanged, verified %v; want the first run's %d unchanged",
				inserted, updated, unchanged, r.Verified(), first)
		}
		if got := count(t, to, "SELECT COUNT(*) FROM legacy_ids"); got != first+inserted {
			t.Errorf("legacy_ids: %d rows, want %d", got, first+inserted)
		}
	})

	t.Run("a row the target already has is refused, the rest of its batch imported", func(t *testing.T) {
		to := target(t)
		if _, err := to.Exec("INSERT INTO users (email, password_hash) VALUES ('teacher005@example.com', '')"); err != nil {
			t.Fatal(err)
		}
		r, err := legacy.Run(ctx, legacy.Options{Source: from, Target: to})
		if err != nil {
			t.Fatal(err)
		}
		var why []string
		for _, x := range r.Table("users").Refused {
			why = append(why, x.What)
		}
		if n := r.Table("users").Inserted; n != 29 || !strings.Contains(strings.Join(why, "\n"), "the database refused it: Duplicate entry 'teacher005@example.com'") || !r.Verified() {
			t.Errorf("users inserted %d (want 29), refused %q, verified %v", n, why, r.Verified())
		}
		if n := count(t, to, "SELECT COUNT(*) FROM users"); n != 30 {
			t.Errorf("%d users, want the one there before and 29 imported", n)
		}
	})

	t.Run("it pauses while the replicas lag", func(t *testing.T) {
		to := target(t)
		calls := 0
		r, err := legacy.Run(ctx, legacy.Options{Source: from, Target: to, MaxReplicaLag: time.Second, LagPoll: 20 * time.Millisecond,
			ReplicaLag: func(context.Context) (time.Duration, error) {
				if calls++; calls >= 2 && calls <= 6 {
					return 8 * time.Second, nil // lagging after the first batch, for five checks
				}
				return 0, nil
			}})
		if err != nil {
			t.Fatal(err)
		}
		if r.LagWaits != 1 || r.LagWaited < 80*time.Millisecond {
			t.Errorf("paused %d times for %s, want once for at least 80ms", r.LagWaits, r.LagWaited)
		}
	})

	t.Run("a re-run writes what changed at the source, and verification sees changes here", func(t *testing.T) {
		to := target(t)
		if _, err := legacy.Run(ctx, legacy.Options{Source: from, Target: to}); err != nil {
			t.Fatal(err)
		}
		src.Exec(t, "UPDATE users SET full_name = 'Jane Renamed' WHERE id = 3",
			"INSERT INTO subjects (id, user_id, subject_name, grade, created_at) VALUES (500, 3, 'Art', 'Grade 7', '2025-03-01 08:00:00')")
		t.Cleanup(func() {
			src.Exec(t, "UPDATE users SET full_name = 'User Jane.Teacher@Example.com' WHERE id = 3", "DELETE FROM subjects WHERE id = 500")
		})
		r, err := legacy.Run(ctx, legacy.Options{Source: from, Target: to})
		if err != nil {
			t.Fatal(err)
		}
		if u, s := r.Table("users"), r.Table("subjects"); u.Updated != 1 || s.Inserted != 1 || !r.Verified() {
			t.Errorf("users updated %d, subjects inserted %d, verified %v; want 1, 1, true", u.Updated, s.Inserted, r.Verified())
		}
		if n := count(t, to, "SELECT COUNT(*) FROM users WHERE full_name = 'Jane Renamed'"); n != 1 {
			t.Errorf("the renamed teacher: %d rows", n)
		}
		// A teacher's edit here after the import: the next run leaves it
		// (the source didn't change) and its verification reports it.
		if _, err := to.Exec("UPDATE lessons SET lesson_title = 'Edited here' ORDER BY id LIMIT 1"); err != nil {
			t.Fatal(err)
		}
		r, err = legacy.Run(ctx, legacy.Options{Source: from, Target: to})
		if err != nil {
			t.Fatal(err)
		}
		if v := r.Table("lessons").Verify; v == nil || v.OK() || v.Differ != 1 || r.Verified() {
			t.Errorf("verification after an edit here: %+v", v)
		}
		if n := count(t, to, "SELECT COUNT(*) FROM lessons WHERE lesson_title = 'Edited here'"); n != 1 {
			t.Errorf("the re-run overwrote the edit made here")
		}
	})
}
