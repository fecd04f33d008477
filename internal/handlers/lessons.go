package handlers

import (
	"net/http"
	"time"

	"gorm.io/gorm"

	"github.com/teachtrack/api/internal/models"
)

// lessonJSON is a lesson as the frontend's zod schema (lib/curriculum.ts)
// reads it: lesson_title never null, completed_at always present (a time or
// null), and the optional strings left out when empty rather than null.
type lessonJSON struct {
	ID               uint64     `json:"id"`
	SubstrandID      uint64     `json:"substrand_id"`
	LessonNumber     int        `json:"lesson_number"`
	LessonTitle      string     `json:"lesson_title"`
	Description      string     `json:"description,omitempty"`
	DurationMinutes  int        `json:"duration_minutes"`
	LearningOutcomes string     `json:"learning_outcomes,omitempty"`
	IsCompleted      bool       `json:"is_completed"`
	CompletedAt      *time.Time `json:"completed_at"`
	SequenceOrder    int        `json:"sequence_order"`
	StrandCode       string     `json:"strand_code,omitempty"`
	StrandName       string     `json:"strand_name,omitempty"`
	SubstrandCode    string     `json:"substrand_code,omitempty"`
	SubstrandName    string     `json:"substrand_name,omitempty"`
}

func toLessonJSON(l *models.LessonRow) lessonJSON {
	j := lessonJSON{ID: l.ID, SubstrandID: l.SubstrandID, LessonNumber: l.LessonNumber, LessonTitle: l.LessonTitle,
		Description: l.Description, DurationMinutes: l.DurationMinutes, LearningOutcomes: l.LearningOutcomes,
		IsCompleted: l.IsCompleted, SequenceOrder: l.SequenceOrder, StrandCode: l.StrandCode, StrandName: l.StrandName,
		SubstrandCode: l.SubstrandCode, SubstrandName: l.SubstrandName}
	if l.CompletedAt != nil {
		t := l.CompletedAt.UTC()
		j.CompletedAt = &t
	}
	return j
}

func (s *subjectsAPI) handleLessonList(w http.ResponseWriter, r *http.Request) {
	sub, err := s.subject(r, needRead)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rows, err := models.LessonsOf(reqDB(r), sub.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lessons := make([]lessonJSON, len(rows))
	for i := range rows {
		lessons[i] = toLessonJSON(&rows[i])
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"subject_id": sub.ID, "subject_name": sub.SubjectName, "total_lessons": sub.TotalLessons,
		"completed_lessons": sub.LessonsCompleted, "progress_percentage": sub.ProgressPercentage, "lessons": lessons,
	})
}

// emptyBody is the body complete and uncomplete accept: {} or nothing.
type emptyBody struct{}

func (s *subjectsAPI) handleLessonComplete(w http.ResponseWriter, r *http.Request) {
	s.setCompleted(w, r, true)
}

func (s *subjectsAPI) handleLessonUncomplete(w http.ResponseWriter, r *http.Request) {
	s.setCompleted(w, r, false)
}

// setCompleted marks the lesson {id} done or not. Repeating it answers 200
// and changes nothing, so a double click never shows an error or counts twice.
func (s *subjectsAPI) setCompleted(w http.ResponseWriter, r *http.Request, done bool) {
	if err := s.dec.decodeOptional(w, r, &emptyBody{}); err != nil {
		s.fail(w, r, err)
		return
	}
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// Which subject a lesson belongs to never changes: a replica may tell
	// (readSide); SetLessonCompleted checks the pair again under its lock.
	var sub *models.OwnedSubject
	err = s.readSide(r, func(tx *gorm.DB) (err error) {
		sub, err = models.LessonSubject(tx, id)
		return err
	})
	if err == nil {
		if err = allowed(sub, viewer(r), needWrite); err != nil && !sub.CanRead(viewer(r)) {
			err = models.ErrNoSuchLesson
		}
	}
	var p models.SubjectProgress
	var changed bool
	if err == nil {
		p, changed, err = models.SetLessonCompleted(reqDB(r), sub.ID, id, principalFrom(r.Context()).UserID, done, time.Now().UTC())
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	msg := "Lesson marked as completed."
	switch {
	case done && !changed:
		msg = "The lesson was already completed."
	case !done && changed:
		msg = "Lesson marked as not completed."
	case !done:
		msg = "The lesson was already not completed."
	}
	writeJSON(w, http.StatusOK, map[string]any{"message": msg, "lesson_id": id, "subject_progress": p})
}
