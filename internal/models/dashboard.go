package models

import (
	"database/sql"
	"time"

	"gorm.io/gorm"
)

// SubStrandCount is how many lessons one sub-strand has and how many are done.
type SubStrandCount struct {
	SubjectID     uint64
	StrandID      uint64
	StrandCode    string
	StrandName    string
	SubstrandID   *uint64 // nil for a strand without sub-strands
	SubstrandCode *string
	SubstrandName *string
	Total         int
	Done          int
}

// SubStrandCounts returns, for each strand of subjectIDs (in curriculum
// order), its sub-strands' lesson counts, in one grouped query.
func SubStrandCounts(db *gorm.DB, subjectIDs []uint64) ([]SubStrandCount, error) {
	out := []SubStrandCount{}
	if len(subjectIDs) == 0 {
		return out, nil
	}
	err := eachRow(db, subStrandCountsSQL, []any{subjectIDs}, func(rows *sql.Rows) error {
		var c SubStrandCount
		if err := rows.Scan(&c.SubjectID, &c.StrandID, &c.StrandCode, &c.StrandName, &c.SubstrandID, &c.SubstrandCode,
			&c.SubstrandName, &c.Total, &c.Done); err != nil {
			return err
		}
		out = append(out, c)
		return nil
	})
	return out, err
}

var subStrandCountsSQL = `SELECT strands.subject_id, strands.id, strands.strand_code, strands.strand_name,
	sub_strands.id, sub_strands.substrand_code, sub_strands.substrand_name,
	COUNT(lessons.id), COALESCE(SUM(lessons.is_completed), 0)
	FROM strands LEFT JOIN sub_strands ON sub_strands.strand_id = strands.id LEFT JOIN lessons ON lessons.substrand_id = sub_strands.id
	WHERE strands.subject_id IN ?
	GROUP BY strands.subject_id, strands.id, strands.strand_code, strands.strand_name, strands.sequence_order, sub_strands.id,
		sub_strands.substrand_code, sub_strands.substrand_name, sub_strands.sequence_order
	ORDER BY strands.subject_id, strands.sequence_order, strands.id, sub_strands.sequence_order, sub_strands.id`

// Completion is one recently completed lesson.
type Completion struct {
	LessonID    uint64    `json:"lesson_id"`
	LessonTitle string    `json:"lesson_title"`
	CompletedAt time.Time `json:"completed_at"`
	SubjectName string    `json:"subject_name"`
	Grade       string    `json:"grade"`
}

// RecentCompletions returns user id's last limit completed lessons, newest first.
func RecentCompletions(db *gorm.DB, userID uint64, limit int) ([]Completion, error) {
	out := []Completion{}
	err := eachRow(db, recentCompletionsSQL, []any{userID, limit}, func(rows *sql.Rows) error {
		var c Completion
		if err := rows.Scan(&c.LessonID, &c.LessonTitle, &c.CompletedAt, &c.SubjectName, &c.Grade); err != nil {
			return err
		}
		c.CompletedAt = c.CompletedAt.UTC()
		out = append(out, c)
		return nil
	})
	return out, err
}

var recentCompletionsSQL = `SELECT lessons.id, lessons.lesson_title, lessons.completed_at, subjects.subject_name, subjects.grade
	FROM lessons JOIN sub_strands ON sub_strands.id = lessons.substrand_id JOIN strands ON strands.id = sub_strands.strand_id
	JOIN subjects ON subjects.id = strands.subject_id
	WHERE subjects.user_id = ? AND lessons.is_completed AND lessons.completed_at IS NOT NULL
	ORDER BY lessons.completed_at DESC, lessons.id DESC LIMIT ?`

// LessonTotals is a teacher's lessons across all their subjects.
type LessonTotals struct {
	Completed int
	Total     int
}

// TotalsOf sums user id's subjects' counters in one query.
func TotalsOf(db *gorm.DB, userID uint64) (LessonTotals, error) {
	var t LessonTotals
	err := db.Model(&Subject{}).
		Select("COALESCE(SUM(lessons_completed), 0) AS completed, COALESCE(SUM(total_lessons), 0) AS total").
		Where("user_id = ?", userID).Scan(&t).Error
	return t, translate(err)
}
