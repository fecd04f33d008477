package refserver

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

type lessonIn struct {
	LessonTitle     string `json:"lesson_title"`
	DurationMinutes *int   `json:"duration_minutes"`
}

type subStrandIn struct {
	SubstrandCode            string     `json:"substrand_code"`
	SubstrandName            string     `json:"substrand_name"`
	SpecificLearningOutcomes []string   `json:"specific_learning_outcomes"`
	Lessons                  []lessonIn `json:"lessons"`
}

type strandIn struct {
	StrandCode string        `json:"strand_code"`
	StrandName string        `json:"strand_name"`
	SubStrands []subStrandIn `json:"sub_strands"`
}

type subjectIn struct {
	SubjectName    string     `json:"subject_name"`
	Grade          string     `json:"grade"`
	LessonsPerWeek *int       `json:"lessons_per_week"`
	Strands        []strandIn `json:"strands"`
}

func decode(w http.ResponseWriter, r *http.Request, dst any) bool {
	d := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	d.DisallowUnknownFields()
	if err := d.Decode(dst); err != nil {
		problem(w, http.StatusBadRequest, "The request body is not valid JSON for this endpoint.")
		return false
	}
	return true
}

// tx runs fn in a transaction on the primary.
func (s *Server) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.primary.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// insertIDs runs a multi-row INSERT and returns the ids it assigned, which
// InnoDB makes consecutive for one statement (innodb_autoinc_lock_mode 1 or 2
// with a simple insert).
func insertIDs(ctx context.Context, tx *sql.Tx, head, row string, n int, args []any) ([]uint64, error) {
	if n == 0 {
		return nil, nil
	}
	res, err := tx.ExecContext(ctx, head+strings.TrimSuffix(strings.Repeat(row+",", n), ","), args...)
	if err != nil {
		return nil, err
	}
	first, err := res.LastInsertId()
	if err != nil {
		return nil, err
	}
	ids := make([]uint64, n)
	for i := range ids {
		ids[i] = uint64(first) + uint64(i)
	}
	return ids, nil
}

func (s *Server) createSubject(w http.ResponseWriter, r *http.Request, q *req) {
	var in subjectIn
	if !decode(w, r, &in) {
		return
	}
	if in.SubjectName == "" || in.Grade == "" {
		problem(w, http.StatusUnprocessableEntity, "subject_name and grade are required.")
		return
	}
	ctx := r.Context()
	var id uint64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var uid uint64
		if err := tx.QueryRowContext(ctx, "SELECT id FROM users WHERE id = ? FOR UPDATE", q.userID).Scan(&uid); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM subjects WHERE user_id = ?", q.userID).Scan(&n); err != nil {
			return err
		}
		if n >= s.max {
			return errTooMany
		}
		total := 0
		for _, st := range in.Strands {
			for _, ss := range st.SubStrands {
				total += len(ss.Lessons)
			}
		}
		lpw := 5
		if in.LessonsPerWeek != nil {
			lpw = *in.LessonsPerWeek
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO subjects (user_id, subject_name, grade, total_lessons, lessons_per_week,
			single_lesson_duration, double_lesson_duration, double_lessons_per_week) VALUES (?, ?, ?, ?, ?, 40, 80, 0)`,
			q.userID, in.SubjectName, in.Grade, total, lpw)
		if err != nil {
			return err
		}
		last, _ := res.LastInsertId()
		id = uint64(last)
		var args []any
		for i, st := range in.Strands {
			args = append(args, id, st.StrandCode, st.StrandName, "", i)
		}
		strandIDs, err := insertIDs(ctx, tx, "INSERT INTO strands (subject_id, strand_code, strand_name, description, sequence_order) VALUES ",
			"(?, ?, ?, ?, ?)", len(in.Strands), args)
		if err != nil {
			return err
		}
		args = args[:0]
		var subs []subStrandIn
		for i, st := range in.Strands {
			for j, ss := range st.SubStrands {
				slo, _ := json.Marshal(ss.SpecificLearningOutcomes)
				if ss.SpecificLearningOutcomes == nil {
					slo = []byte("[]")
				}
				args = append(args, strandIDs[i], ss.SubstrandCode, ss.SubstrandName, "", len(ss.Lessons), "", "", string(slo), "[]", "[]", "[]", "[]", "[]", j)
				subs = append(subs, ss)
			}
		}
		subIDs, err := insertIDs(ctx, tx, "INSERT INTO sub_strands (strand_id, substrand_code, substrand_name, description, lessons_count, "+
			"learning_outcomes, key_inquiry_questions, specific_learning_outcomes, suggested_learning_experiences, core_competencies, "+
			"`values`, pcis, links_to_other_subjects, sequence_order) VALUES ", "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", len(subs), args)
		if err != nil {
			return err
		}
		args = args[:0]
		n = 0
		for i, ss := range subs {
			for k, l := range ss.Lessons {
				d := 40
				if l.DurationMinutes != nil {
					d = *l.DurationMinutes
				}
				args = append(args, subIDs[i], k+1, l.LessonTitle, "", d, "", k)
				n++
			}
		}
		_, err = insertIDs(ctx, tx, "INSERT INTO lessons (substrand_id, lesson_number, lesson_title, description, duration_minutes, learning_outcomes, sequence_order) VALUES ",
			"(?, ?, ?, ?, ?, ?, ?)", n, args)
		return err
	})
	if err != nil {
		writeErr(w, err)
		return
	}
	s.showSubject(w, r, id, q.userID, http.StatusCreated)
}

var errTooMany = errors.New("too many subjects")

func writeErr(w http.ResponseWriter, err error) {
	var me *mysql.MySQLError
	switch {
	case errors.Is(err, errTooMany):
		problem(w, http.StatusForbidden, "You already have the most subjects an account can have.")
	case errors.As(err, &me) && me.Number == 1062:
		problem(w, http.StatusConflict, "You already have a subject with this name for this grade.")
	default:
		fail(w, err)
	}
}

// showSubject answers with the subject and its tree, read on the primary.
func (s *Server) showSubject(w http.ResponseWriter, r *http.Request, id, userID uint64, status int) {
	sub, err := ownSubject(r.Context(), s.primary, id, userID)
	if err == nil {
		err = loadTree(r.Context(), s.primary, sub)
	}
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, status, sub)
}

func (s *Server) patchSubject(w http.ResponseWriter, r *http.Request, q *req) {
	id, ok := pathID(r)
	var in struct {
		SubjectName    *string `json:"subject_name"`
		LessonsPerWeek *int    `json:"lessons_per_week"`
	}
	if !ok || !decode(w, r, &in) {
		if !ok {
			problem(w, http.StatusBadRequest, "The id must be a positive whole number.")
		}
		return
	}
	ctx := r.Context()
	if _, err := ownSubject(ctx, s.primary, id, q.userID); err != nil {
		fail(w, err)
		return
	}
	var sets []string
	var args []any
	if in.SubjectName != nil {
		sets, args = append(sets, "subject_name = ?"), append(args, *in.SubjectName)
	}
	if in.LessonsPerWeek != nil {
		sets, args = append(sets, "lessons_per_week = ?"), append(args, *in.LessonsPerWeek)
	}
	if len(sets) > 0 {
		sets = append(sets, "updated_at = ?")
		args = append(args, time.Now().UTC(), id)
		if _, err := s.primary.ExecContext(ctx, "UPDATE subjects SET "+strings.Join(sets, ", ")+" WHERE id = ?", args...); err != nil {
			writeErr(w, err)
			return
		}
	}
	s.showSubject(w, r, id, q.userID, http.StatusOK)
}

func (s *Server) deleteSubject(w http.ResponseWriter, r *http.Request, q *req) {
	id, ok := pathID(r)
	if !ok {
		problem(w, http.StatusBadRequest, "The id must be a positive whole number.")
		return
	}
	ctx := r.Context()
	if _, err := ownSubject(ctx, s.primary, id, q.userID); err != nil {
		fail(w, err)
		return
	}
	if _, err := s.primary.ExecContext(ctx, "DELETE FROM subjects WHERE id = ?", id); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// complete marks a lesson done (or not) with the subject row locked, logs it
// and recounts the subject's progress, as the API does; repeating is a no-op.
func (s *Server) complete(done bool) func(http.ResponseWriter, *http.Request, *req) {
	return func(w http.ResponseWriter, r *http.Request, q *req) {
		id, ok := pathID(r)
		if !ok {
			problem(w, http.StatusBadRequest, "The id must be a positive whole number.")
			return
		}
		ctx := r.Context()
		var subjectID, owner uint64
		err := s.primary.QueryRowContext(ctx, `SELECT subjects.id, subjects.user_id FROM lessons
			JOIN sub_strands ON sub_strands.id = lessons.substrand_id JOIN strands ON strands.id = sub_strands.strand_id
			JOIN subjects ON subjects.id = strands.subject_id JOIN users ON users.id = subjects.user_id WHERE lessons.id = ?`, id).Scan(&subjectID, &owner)
		if err == nil && owner != q.userID {
			err = sql.ErrNoRows
		}
		if err != nil {
			fail(w, err)
			return
		}
		var p struct {
			Completed int     `json:"lessons_completed"`
			Total     int     `json:"total_lessons"`
			Percent   float64 `json:"progress_percentage"`
		}
		err = s.tx(ctx, func(tx *sql.Tx) error {
			if err := tx.QueryRowContext(ctx, "SELECT lessons_completed, total_lessons, progress_percentage FROM subjects WHERE id = ? FOR UPDATE",
				subjectID).Scan(&p.Completed, &p.Total, &p.Percent); err != nil {
				return err
			}
			var is bool
			if err := tx.QueryRowContext(ctx, `SELECT lessons.is_completed FROM lessons JOIN sub_strands ON sub_strands.id = lessons.substrand_id
				JOIN strands ON strands.id = sub_strands.strand_id WHERE lessons.id = ? AND strands.subject_id = ?`, id, subjectID).Scan(&is); err != nil {
				return err
			}
			if is == done {
				return nil
			}
			var at *time.Time
			action := "UNCOMPLETED"
			if done {
				now := time.Now().UTC()
				at, action = &now, "COMPLETED"
			}
			if _, err := tx.ExecContext(ctx, "UPDATE lessons SET is_completed = ?, completed_at = ? WHERE id = ?", done, at, id); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO progress_log (user_id, subject_id, lesson_id, action) VALUES (?, ?, ?, ?)", q.userID, subjectID, id, action); err != nil {
				return err
			}
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(lessons.is_completed), 0) FROM lessons
				JOIN sub_strands ON sub_strands.id = lessons.substrand_id JOIN strands ON strands.id = sub_strands.strand_id
				WHERE strands.subject_id = ?`, subjectID).Scan(&p.Total, &p.Completed); err != nil {
				return err
			}
			p.Percent = percent(p.Completed, p.Total)
			_, err := tx.ExecContext(ctx, "UPDATE subjects SET total_lessons = ?, lessons_completed = ?, progress_percentage = ? WHERE id = ?",
				p.Total, p.Completed, p.Percent, subjectID)
			return err
		})
		if err != nil {
			fail(w, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"message": "Lesson updated.", "lesson_id": id, "subject_progress": p})
	}
}
