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
	src := legacytest.Start(t, 3553, 1)
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

	t.Run("a template already in the catalogue is used, not copied", func(t *testing.T) {
		to := target(t)
		res, err := to.Exec("INSERT INTO curriculum_templates (subject, grade, education_level, extra) VALUES ('Mathematics', 'Grade 7', 'Junior Secondary', '{}')")
		if err != nil {
			t.Fatal(err)
		}
		catalogue, _ := res.LastInsertId()
		r, err := legacy.Run(ctx, legacy.Options{Source: from, Target: to})
		if err != nil {
			t.Fatal(err)
		}
		if tpl := r.Table("curriculum_templates"); tpl.Adopted != 1 || tpl.Inserted != 1 || !r.Verified() {
			t.Errorf("templates adopted %d, inserted %d (want 1, 1), verified %v", tpl.Adopted, tpl.Inserted, r.Verified())
		}
		if n := count(t, to, "SELECT COUNT(*) FROM template_strands WHERE curriculum_template_id = ?", catalogue); n != 0 {
			t.Errorf("the catalogue template got %d strands copied in", n)
		}
		if n := count(t, to, "SELECT COUNT(*) FROM subjects WHERE template_id = ? AND subject_name = 'Mathematics'", catalogue); n != 1 {
			t.Errorf("the teacher's Mathematics points at the catalogue template: %d subjects", n)
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
		// Where the original served its /uploads, given later: the notes
		// with relative file URLs point there.
		r, err = legacy.Run(ctx, legacy.Options{Source: from, Target: to, FileBaseURL: "https://old.example.com/"})
		if err != nil {
			t.Fatal(err)
		}
		if n := r.Table("notes").Updated; n != 1 {
			t.Errorf("notes updated for --file-base-url: %d, want 1", n)
		}
		if n := count(t, to, "SELECT COUNT(*) FROM notes WHERE external_url = 'https://old.example.com/uploads/notes/reading%20list.docx'"); n != 1 {
			t.Error("the relative file URL is not on the base URL")
		}
	})

	t.Run("departments and calendar activities move with their school, heads only from the school", func(t *testing.T) {
		to := target(t)
		r, err := legacy.Run(ctx, legacy.Options{Source: from, Target: to})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			table              string
			inserted, refused  int
			adjusted, verified int
		}{{"departments", 4, 2, 3, 4}, {"calendar_activities", 3, 3, 3, 3}} {
			tr := r.Table(c.table)
			if tr == nil || tr.Verify == nil {
				t.Fatalf("%s: not imported or not verified: %+v", c.table, tr)
			}
			if tr.Inserted != c.inserted || len(tr.Refused) != c.refused || len(tr.Adjusted) != c.adjusted ||
				tr.Verify.SourceRows != c.verified || !tr.Verify.OK() {
				t.Errorf("%s: inserted %d, refused %v, adjusted %v, verification %+v; want %d, %d, %d, %d rows ok",
					c.table, tr.Inserted, tr.Refused, tr.Adjusted, tr.Verify, c.inserted, c.refused, c.adjusted, c.verified)
			}
		}
		for _, n := range r.NotModelled {
			if n.Table == "departments" || n.Table == "calendar_activities" {
				t.Errorf("%s is still reported as not modelled", n.Table)
			}
		}
		heads := func() string {
			var out []string
			rows, err := to.Query(`SELECT d.name, COALESCE(u.email, '-') FROM departments d JOIN schools s ON s.id = d.school_id
				LEFT JOIN users u ON u.id = d.hod_id AND u.school_id = d.school_id WHERE s.name = 'Sunrise Academy' ORDER BY d.name`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var n, e string
				if err := rows.Scan(&n, &e); err != nil {
					t.Fatal(err)
				}
				out = append(out, n+": "+e)
			}
			return strings.Join(out, ", ")
		}
		if got, want := heads(), "Humanities: -, Mathematics: "+legacytest.TeacherEmail+", Sciences: -"; got != want {
			t.Errorf("Sunrise's departments and heads: %s, want %s", got, want)
		}
		// Every activity is in a term of its own school.
		if n := count(t, to, "SELECT COUNT(*) FROM calendar_activities a JOIN school_terms t ON t.id = a.term_id AND t.school_id = a.school_id"); n != 3 {
			t.Errorf("%d activities in a term of their school, want 3", n)
		}
		// The source names a head of the school for Sciences: a re-run sets it.
		src.Exec(t, "UPDATE departments SET hod_id = 1000 WHERE id = 2")
		t.Cleanup(func() { src.Exec(t, "UPDATE departments SET hod_id = 1001 WHERE id = 2") })
		r, err = legacy.Run(ctx, legacy.Options{Source: from, Target: to})
		if err != nil {
			t.Fatal(err)
		}
		if d, a := r.Table("departments"), r.Table("calendar_activities"); d.Updated != 1 || d.Unchanged != 3 || a.Unchanged != 3 || !r.Verified() {
			t.Errorf("re-run: departments updated %d, unchanged %d; activities unchanged %d; verified %v", d.Updated, d.Unchanged, a.Unchanged, r.Verified())
		}
		if got, want := heads(), "Humanities: -, Mathematics: "+legacytest.TeacherEmail+", Sciences: teacher000@example.com"; got != want {
			t.Errorf("after the re-run: %s, want %s", got, want)
		}
	})

	t.Run("an older original without a column imports, and says so", func(t *testing.T) {
		to := target(t)
		src.Exec(t, "ALTER TABLE schemes_of_work DROP COLUMN lesson_duration_minutes")
		t.Cleanup(func() {
			src.Exec(t, "ALTER TABLE schemes_of_work ADD COLUMN lesson_duration_minutes INT NULL AFTER roll")
		})
		r, err := legacy.Run(ctx, legacy.Options{Source: from, Target: to})
		if err != nil {
			t.Fatal(err)
		}
		if s := r.Table("schemes_of_work"); !s.AbsentColumns["lesson_duration_minutes"] || s.Inserted != 1 || !r.Verified() {
			t.Errorf("schemes: absent %v, inserted %d, verified %v", s.AbsentColumns, s.Inserted, r.Verified())
		}
	})
}
