package models

import (
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Progress log actions.
const (
	ActionCompleted   = "COMPLETED"
	ActionUncompleted = "UNCOMPLETED"
	ActionReset       = "RESET"
)

// ProgressLog is a row of progress_log: who moved which subject's progress.
type ProgressLog struct {
	ID        uint64 `gorm:"primaryKey"`
	UserID    uint64
	SubjectID uint64
	LessonID  *uint64
	Action    string
	Notes     *string
	CreatedAt time.Time `gorm:"->"` // the database's DEFAULT CURRENT_TIMESTAMP(6)
}

// TableName is progress_log, singular as the issue names it.
func (ProgressLog) TableName() string { return "progress_log" }

// SubjectProgress is a subject's counters as the complete/uncomplete answer shows them.
type SubjectProgress struct {
	LessonsCompleted   int     `json:"lessons_completed"`
	TotalLessons       int     `json:"total_lessons"`
	ProgressPercentage float64 `json:"progress_percentage"`
}

// LessonSubject returns the subject lesson id belongs to, with its teacher's
// school, or ErrNoSuchLesson.
func LessonSubject(db *gorm.DB, lessonID uint64) (*OwnedSubject, error) {
	var s OwnedSubject
	if err := scanOne(db, lessonSubjectSQL, []any{lessonID}, append(subjectDest(&s.Subject), &s.OwnerSchoolID)...); err != nil {
		return nil, notFound(err, ErrNoSuchLesson)
	}
	return &s, nil
}

var lessonSubjectSQL = "SELECT " + subjectColumns + ", users.school_id FROM lessons" +
	" JOIN sub_strands ON sub_strands.id = lessons.substrand_id JOIN strands ON strands.id = sub_strands.strand_id" +
	" JOIN subjects ON subjects.id = strands.subject_id JOIN users ON users.id = subjects.user_id WHERE lessons.id = ?"

// SetLessonCompleted marks lesson lessonID of subject subjectID done (or not)
// for user userID, logs it, and recounts the subject's counters, all in one
// transaction holding the subject's row lock, so concurrent completions of
// the subject's lessons run one after another and none is lost. A lesson
// already in the wanted state changes nothing (idempotent); changed says
// whether anything was written.
func SetLessonCompleted(db *gorm.DB, subjectID, lessonID, userID uint64, done bool, now time.Time) (p SubjectProgress, changed bool, err error) {
	err = db.Transaction(func(tx *gorm.DB) error {
		// One statement takes the subject's lock and reads the lesson's state
		// (it locks the lesson's row and its strand's too, which the update
		// below needs or nobody else changes meanwhile).
		var s struct {
			Subject
			LessonDone bool
		}
		err := tx.Table("subjects").Select("subjects.*, lessons.is_completed AS lesson_done").
			Joins("JOIN strands ON strands.subject_id = subjects.id").
			Joins("JOIN sub_strands ON sub_strands.strand_id = strands.id").
			Joins("JOIN lessons ON lessons.substrand_id = sub_strands.id").
			Where("subjects.id = ? AND lessons.id = ?", subjectID, lessonID).
			Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).Take(&s).Error
		if err := translate(err); err != nil {
			return notFound(err, ErrNoSuchLesson)
		}
		if s.LessonDone == done {
			p = SubjectProgress{s.LessonsCompleted, s.TotalLessons, s.ProgressPercentage}
			return nil
		}
		var at *time.Time
		action := ActionUncompleted
		if done {
			at, action = &now, ActionCompleted
		}
		if err := translate(tx.Model(&Lesson{}).Where("id = ?", lessonID).
			Updates(map[string]any{"is_completed": done, "completed_at": at}).Error); err != nil {
			return err
		}
		if err := translate(tx.Create(&ProgressLog{UserID: userID, SubjectID: subjectID, LessonID: &lessonID, Action: action}).Error); err != nil {
			return err
		}
		p, err = recount(tx, subjectID)
		changed = true
		return err
	})
	return p, changed, err
}

// recount sets a subject's counters from its lessons. It runs under the
// subject lock, so no completion can slip in between the count and the write.
func recount(tx *gorm.DB, subjectID uint64) (SubjectProgress, error) {
	var c struct{ Total, Done int }
	err := tx.Table("lessons").Select("COUNT(*) AS total, COALESCE(SUM(lessons.is_completed), 0) AS done").
		Joins("JOIN sub_strands ON sub_strands.id = lessons.substrand_id").
		Joins("JOIN strands ON strands.id = sub_strands.strand_id").
		Where("strands.subject_id = ?", subjectID).Scan(&c).Error
	if err := translate(err); err != nil {
		return SubjectProgress{}, err
	}
	p := SubjectProgress{LessonsCompleted: c.Done, TotalLessons: c.Total, ProgressPercentage: Percent(c.Done, c.Total)}
	err = tx.Model(&Subject{}).Where("id = ?", subjectID).Updates(map[string]any{
		"total_lessons": p.TotalLessons, "lessons_completed": p.LessonsCompleted, "progress_percentage": p.ProgressPercentage,
	}).Error
	return p, translate(err)
}

// ResetProgress marks every lesson of user userID's subjects (or of subject
// *subjectID only, which must be theirs) not done, zeroes the counters and
// logs a RESET per subject, in one transaction holding the subjects' locks.
// It returns how many subjects it reset.
func ResetProgress(db *gorm.DB, userID uint64, subjectID *uint64, actorID uint64) (int, error) {
	n := 0
	err := db.Transaction(func(tx *gorm.DB) error {
		q := tx.Model(&Subject{}).Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).
			Where("user_id = ?", userID).Order("id")
		if subjectID != nil {
			q = q.Where("id = ?", *subjectID)
		}
		var ids []uint64
		if err := translate(q.Pluck("id", &ids).Error); err != nil {
			return err
		}
		if subjectID != nil && len(ids) == 0 {
			return ErrNoSuchSubject
		}
		if len(ids) == 0 {
			return nil
		}
		err := tx.Exec(`UPDATE lessons
			JOIN sub_strands ON sub_strands.id = lessons.substrand_id
			JOIN strands ON strands.id = sub_strands.strand_id
			SET lessons.is_completed = FALSE, lessons.completed_at = NULL
			WHERE strands.subject_id IN ? AND lessons.is_completed`, ids).Error
		if err := translate(err); err != nil {
			return err
		}
		if err := translate(tx.Model(&Subject{}).Where("id IN ?", ids).
			Updates(map[string]any{"lessons_completed": 0, "progress_percentage": 0}).Error); err != nil {
			return err
		}
		note := fmt.Sprintf("Progress reset by user %d.", actorID)
		logs := make([]ProgressLog, len(ids))
		for i, id := range ids {
			logs[i] = ProgressLog{UserID: userID, SubjectID: id, Action: ActionReset, Notes: &note}
		}
		n = len(ids)
		return translate(tx.CreateInBatches(logs, insertBatch).Error)
	})
	return n, err
}
