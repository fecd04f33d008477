package refserver

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"
)

type subject struct {
	ID                   uint64    `json:"id"`
	UserID               uint64    `json:"user_id"`
	SubjectName          string    `json:"subject_name"`
	Grade                string    `json:"grade"`
	CurriculumPDFURL     *string   `json:"curriculum_pdf_url,omitempty"`
	TotalLessons         int       `json:"total_lessons"`
	LessonsCompleted     int       `json:"lessons_completed"`
	ProgressPercentage   float64   `json:"progress_percentage"`
	LessonsPerWeek       int       `json:"lessons_per_week"`
	SingleLessonDuration int       `json:"single_lesson_duration"`
	DoubleLessonDuration int       `json:"double_lesson_duration"`
	DoubleLessonsPerWeek int       `json:"double_lessons_per_week"`
	CurrentStrandID      *uint64   `json:"current_strand_id"`
	CurrentSubstrandID   *uint64   `json:"current_substrand_id"`
	CreatedAt            time.Time `json:"created_at"`
	UpdatedAt            time.Time `json:"updated_at"`
	Strands              []strand  `json:"strands,omitempty"`
}

const subjectCols = `subjects.id, subjects.user_id, subjects.subject_name, subjects.grade, subjects.curriculum_pdf_url,
	subjects.total_lessons, subjects.lessons_completed, subjects.progress_percentage, subjects.lessons_per_week,
	subjects.single_lesson_duration, subjects.double_lesson_duration, subjects.double_lessons_per_week,
	subjects.current_strand_id, subjects.current_substrand_id, subjects.created_at, subjects.updated_at`

type scanner interface{ Scan(...any) error }

func scanSubject(sc scanner, s *subject, extra ...any) error {
	return sc.Scan(append([]any{&s.ID, &s.UserID, &s.SubjectName, &s.Grade, &s.CurriculumPDFURL, &s.TotalLessons,
		&s.LessonsCompleted, &s.ProgressPercentage, &s.LessonsPerWeek, &s.SingleLessonDuration, &s.DoubleLessonDuration,
		&s.DoubleLessonsPerWeek, &s.CurrentStrandID, &s.CurrentSubstrandID, &s.CreatedAt, &s.UpdatedAt}, extra...)...)
}

type strand struct {
	ID            uint64      `json:"id"`
	SubjectID     uint64      `json:"subject_id"`
	StrandCode    string      `json:"strand_code"`
	StrandName    string      `json:"strand_name"`
	Description   string      `json:"description"`
	SequenceOrder int         `json:"sequence_order"`
	SubStrands    []subStrand `json:"sub_strands"`
}

type subStrand struct {
	ID                           uint64          `json:"id"`
	StrandID                     uint64          `json:"strand_id"`
	SubstrandCode                string          `json:"substrand_code"`
	SubstrandName                string          `json:"substrand_name"`
	Description                  string          `json:"description"`
	LessonsCount                 int             `json:"lessons_count"`
	LearningOutcomes             string          `json:"learning_outcomes"`
	KeyInquiryQuestions          string          `json:"key_inquiry_questions"`
	SpecificLearningOutcomes     json.RawMessage `json:"specific_learning_outcomes"`
	SuggestedLearningExperiences json.RawMessage `json:"suggested_learning_experiences"`
	CoreCompetencies             json.RawMessage `json:"core_competencies"`
	Values                       json.RawMessage `json:"values"`
	PCIs                         json.RawMessage `json:"pcis"`
	LinksToOtherSubjects         json.RawMessage `json:"links_to_other_subjects"`
	SequenceOrder                int             `json:"sequence_order"`
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// ownSubject reads a subject of the caller's (another's answers no rows: 404).
func ownSubject(ctx context.Context, q querier, id, userID uint64) (*subject, error) {
	var s subject
	var school sql.NullInt64
	err := scanSubject(q.QueryRowContext(ctx, "SELECT "+subjectCols+", users.school_id FROM subjects JOIN users ON users.id = subjects.user_id WHERE subjects.id = ?", id), &s, &school)
	if err == nil && s.UserID != userID {
		err = sql.ErrNoRows
	}
	return &s, err
}

// loadTree reads a subject's strands and sub-strands in two queries.
func loadTree(ctx context.Context, q querier, s *subject) error {
	rows, err := q.QueryContext(ctx, "SELECT id, subject_id, strand_code, strand_name, description, sequence_order FROM strands WHERE subject_id = ? ORDER BY sequence_order, id", s.ID)
	if err != nil {
		return err
	}
	s.Strands = []strand{}
	at := map[uint64]int{}
	for rows.Next() {
		var st strand
		if err := rows.Scan(&st.ID, &st.SubjectID, &st.StrandCode, &st.StrandName, &st.Description, &st.SequenceOrder); err != nil {
			rows.Close()
			return err
		}
		st.SubStrands = []subStrand{}
		at[st.ID] = len(s.Strands)
		s.Strands = append(s.Strands, st)
	}
	rows.Close()
	rows, err = q.QueryContext(ctx, `SELECT sub_strands.id, sub_strands.strand_id, substrand_code, substrand_name, sub_strands.description,
		lessons_count, learning_outcomes, key_inquiry_questions, specific_learning_outcomes, suggested_learning_experiences,
		core_competencies, `+"`values`"+`, pcis, links_to_other_subjects, sub_strands.sequence_order
		FROM sub_strands JOIN strands ON strands.id = sub_strands.strand_id WHERE strands.subject_id = ?
		ORDER BY sub_strands.sequence_order, sub_strands.id`, s.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var ss subStrand
		if err := rows.Scan(&ss.ID, &ss.StrandID, &ss.SubstrandCode, &ss.SubstrandName, &ss.Description, &ss.LessonsCount,
			&ss.LearningOutcomes, &ss.KeyInquiryQuestions, &ss.SpecificLearningOutcomes, &ss.SuggestedLearningExperiences,
			&ss.CoreCompetencies, &ss.Values, &ss.PCIs, &ss.LinksToOtherSubjects, &ss.SequenceOrder); err != nil {
			return err
		}
		if i, ok := at[ss.StrandID]; ok {
			s.Strands[i].SubStrands = append(s.Strands[i].SubStrands, ss)
		}
	}
	return rows.Err()
}

func (s *Server) getSubject(w http.ResponseWriter, r *http.Request, q *req) {
	id, ok := pathID(r)
	if !ok {
		problem(w, http.StatusBadRequest, "The id must be a positive whole number.")
		return
	}
	sub, err := ownSubject(r.Context(), q.db, id, q.userID)
	if err == nil {
		err = loadTree(r.Context(), q.db, sub)
	}
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, sub)
}

func (s *Server) listSubjects(w http.ResponseWriter, r *http.Request, q *req) {
	ctx := r.Context()
	var total int64
	if err := q.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM subjects WHERE user_id = ?", q.userID).Scan(&total); err != nil {
		fail(w, err)
		return
	}
	list, err := subjectsOf(ctx, q.db, q.userID, "subjects.created_at DESC, subjects.id DESC", 50)
	if err != nil {
		fail(w, err)
		return
	}
	w.Header().Set("X-Total-Count", fmt.Sprint(total))
	writeJSON(w, http.StatusOK, list)
}

func subjectsOf(ctx context.Context, q querier, userID uint64, order string, limit int) ([]subject, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+subjectCols+" FROM subjects WHERE user_id = ? ORDER BY "+order+" LIMIT ?", userID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	list := []subject{}
	for rows.Next() {
		var sub subject
		if err := scanSubject(rows, &sub); err != nil {
			return nil, err
		}
		list = append(list, sub)
	}
	return list, rows.Err()
}

type lessonJSON struct {
	ID            uint64     `json:"id"`
	SubstrandID   uint64     `json:"substrand_id"`
	LessonNumber  int        `json:"lesson_number"`
	LessonTitle   string     `json:"lesson_title"`
	Description   string     `json:"description,omitempty"`
	Duration      int        `json:"duration_minutes"`
	Outcomes      string     `json:"learning_outcomes,omitempty"`
	IsCompleted   bool       `json:"is_completed"`
	CompletedAt   *time.Time `json:"completed_at"`
	SequenceOrder int        `json:"sequence_order"`
	StrandCode    string     `json:"strand_code"`
	StrandName    string     `json:"strand_name"`
	SubstrandCode string     `json:"substrand_code"`
	SubstrandName string     `json:"substrand_name"`
}

func (s *Server) getLessons(w http.ResponseWriter, r *http.Request, q *req) {
	id, ok := pathID(r)
	if !ok {
		problem(w, http.StatusBadRequest, "The id must be a positive whole number.")
		return
	}
	ctx := r.Context()
	sub, err := ownSubject(ctx, q.db, id, q.userID)
	if err != nil {
		fail(w, err)
		return
	}
	rows, err := q.db.QueryContext(ctx, `SELECT lessons.id, lessons.substrand_id, lessons.lesson_number, lessons.lesson_title,
		lessons.description, lessons.duration_minutes, lessons.learning_outcomes, lessons.is_completed, lessons.completed_at,
		lessons.sequence_order, strands.strand_code, strands.strand_name, sub_strands.substrand_code, sub_strands.substrand_name
		FROM lessons JOIN sub_strands ON sub_strands.id = lessons.substrand_id JOIN strands ON strands.id = sub_strands.strand_id
		WHERE strands.subject_id = ? ORDER BY strands.sequence_order, strands.id, sub_strands.sequence_order, sub_strands.id,
		lessons.sequence_order, lessons.lesson_number, lessons.id LIMIT 2000`, id)
	if err != nil {
		fail(w, err)
		return
	}
	defer rows.Close()
	lessons := []lessonJSON{}
	for rows.Next() {
		var l lessonJSON
		if err := rows.Scan(&l.ID, &l.SubstrandID, &l.LessonNumber, &l.LessonTitle, &l.Description, &l.Duration, &l.Outcomes,
			&l.IsCompleted, &l.CompletedAt, &l.SequenceOrder, &l.StrandCode, &l.StrandName, &l.SubstrandCode, &l.SubstrandName); err != nil {
			fail(w, err)
			return
		}
		lessons = append(lessons, l)
	}
	if err := rows.Err(); err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"subject_id": sub.ID, "subject_name": sub.SubjectName, "total_lessons": sub.TotalLessons,
		"completed_lessons": sub.LessonsCompleted, "progress_percentage": sub.ProgressPercentage, "lessons": lessons})
}

func percent(done, total int) float64 {
	if total <= 0 {
		return 0
	}
	return math.Round(float64(done)*10000/float64(total)) / 100
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request, q *req) {
	ctx := r.Context()
	subjects, err := subjectsOf(ctx, q.db, q.userID, "subjects.subject_name, subjects.grade, subjects.id", s.max)
	if err != nil {
		fail(w, err)
		return
	}
	strands := map[uint64][]map[string]any{}
	if len(subjects) > 0 {
		ids := make([]any, len(subjects))
		for i := range subjects {
			ids[i] = subjects[i].ID
		}
		rows, err := q.db.QueryContext(ctx, `SELECT strands.subject_id, strands.id, strands.strand_code, strands.strand_name,
			sub_strands.id, sub_strands.substrand_code, sub_strands.substrand_name, COUNT(lessons.id), COALESCE(SUM(lessons.is_completed), 0)
			FROM strands LEFT JOIN sub_strands ON sub_strands.strand_id = strands.id LEFT JOIN lessons ON lessons.substrand_id = sub_strands.id
			WHERE strands.subject_id IN (?`+strings.Repeat(",?", len(ids)-1)+`)
			GROUP BY strands.subject_id, strands.id, strands.strand_code, strands.strand_name, strands.sequence_order, sub_strands.id,
			sub_strands.substrand_code, sub_strands.substrand_name, sub_strands.sequence_order
			ORDER BY strands.subject_id, strands.sequence_order, strands.id, sub_strands.sequence_order, sub_strands.id`, ids...)
		if err != nil {
			fail(w, err)
			return
		}
		var last uint64
		for rows.Next() {
			var subjectID, strandID uint64
			var code, name string
			var subID sql.NullInt64
			var subCode, subName sql.NullString
			var total, done int
			if err := rows.Scan(&subjectID, &strandID, &code, &name, &subID, &subCode, &subName, &total, &done); err != nil {
				rows.Close()
				fail(w, err)
				return
			}
			list := strands[subjectID]
			if strandID != last || len(list) == 0 {
				list = append(list, map[string]any{"strand_code": code, "strand_name": name, "total_lessons": 0, "completed_lessons": 0, "substrands": []map[string]any{}})
				last = strandID
			}
			st := list[len(list)-1]
			if subID.Valid {
				st["substrands"] = append(st["substrands"].([]map[string]any), map[string]any{"substrand_code": subCode.String,
					"substrand_name": subName.String, "total_lessons": total, "completed_lessons": done, "progress": percent(done, total)})
				st["total_lessons"] = st["total_lessons"].(int) + total
				st["completed_lessons"] = st["completed_lessons"].(int) + done
			}
			st["progress"] = percent(st["completed_lessons"].(int), st["total_lessons"].(int))
			strands[subjectID] = list
		}
		rows.Close()
	}
	recent := []map[string]any{}
	rows, err := q.db.QueryContext(ctx, `SELECT lessons.id, lessons.lesson_title, lessons.completed_at, subjects.subject_name, subjects.grade
		FROM lessons JOIN sub_strands ON sub_strands.id = lessons.substrand_id JOIN strands ON strands.id = sub_strands.strand_id
		JOIN subjects ON subjects.id = strands.subject_id
		WHERE subjects.user_id = ? AND lessons.is_completed AND lessons.completed_at IS NOT NULL
		ORDER BY lessons.completed_at DESC, lessons.id DESC LIMIT 10`, q.userID)
	if err != nil {
		fail(w, err)
		return
	}
	for rows.Next() {
		var id uint64
		var title, name, grade string
		var at time.Time
		if err := rows.Scan(&id, &title, &at, &name, &grade); err != nil {
			rows.Close()
			fail(w, err)
			return
		}
		recent = append(recent, map[string]any{"lesson_id": id, "lesson_title": title, "completed_at": at.UTC(), "subject_name": name, "grade": grade})
	}
	rows.Close()
	out := make([]map[string]any, len(subjects))
	var totalLessons, completed int
	sum := 0.0
	for i, sub := range subjects {
		st := strands[sub.ID]
		if st == nil {
			st = []map[string]any{}
		}
		out[i] = map[string]any{"id": sub.ID, "subject_name": sub.SubjectName, "grade": sub.Grade, "total_lessons": sub.TotalLessons,
			"completed_lessons": sub.LessonsCompleted, "progress_percentage": sub.ProgressPercentage, "strands": st}
		totalLessons += sub.TotalLessons
		completed += sub.LessonsCompleted
		sum += sub.ProgressPercentage
	}
	avg := 0.0
	if len(subjects) > 0 {
		avg = math.Round(sum*100/float64(len(subjects))) / 100
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"overview": map[string]any{"total_subjects": len(subjects), "total_lessons": totalLessons, "completed_lessons": completed, "average_progress": avg},
		"subjects": out, "recent_completions": recent,
	})
}
