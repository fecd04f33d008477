package models

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// A teacher's dashboard widgets (GET /dashboard/insights, /deadlines,
// /resources): every figure is read from the teacher's own rows, in a fixed
// number of indexed statements.

// SubjectTaught is how many lessons of one subject a teacher marked taught.
type SubjectTaught struct {
	SubjectID uint64 `json:"-"`
	Subject   string `json:"subject"`
	Count     int64  `json:"count"`
	Color     string `json:"color"`
}

// insightColors are the pie chart's colours, by rank (the frontend's own palette).
var insightColors = []string{"#6366f1", "#8b5cf6", "#ec4899", "#f59e0b", "#10b981"}

// MostTaughtSince is the teacher's top limit subjects by lessons marked
// taught since since (net of lessons unmarked), from progress_log's
// (user_id, created_at) index.
func MostTaughtSince(db *gorm.DB, userID uint64, since time.Time, limit int) ([]SubjectTaught, error) {
	out := []SubjectTaught{}
	err := db.Raw(`SELECT p.subject_id, s.subject_name AS subject,
		SUM(CASE p.action WHEN 'COMPLETED' THEN 1 WHEN 'UNCOMPLETED' THEN -1 ELSE 0 END) AS count
		FROM progress_log p JOIN subjects s ON s.id = p.subject_id
		WHERE p.user_id = ? AND p.created_at >= ?
		GROUP BY p.subject_id, s.subject_name HAVING count > 0
		ORDER BY count DESC, s.subject_name LIMIT ?`, userID, since.UTC(), limit).Scan(&out).Error
	for i := range out {
		out[i].Color = insightColors[i%len(insightColors)]
	}
	return out, translate(err)
}

// AverageLessonMinutes is the average length of the lessons the teacher
// marked taught since since; with none, of their subjects' single lessons;
// nil when they have no subjects either.
func AverageLessonMinutes(db *gorm.DB, userID uint64, since time.Time) (*int, error) {
	var row struct{ Taught, Configured *float64 }
	err := db.Raw(`SELECT
		(SELECT AVG(l.duration_minutes) FROM progress_log p JOIN lessons l ON l.id = p.lesson_id
			WHERE p.user_id = ? AND p.created_at >= ? AND p.action = 'COMPLETED') AS taught,
		(SELECT AVG(single_lesson_duration) FROM subjects WHERE user_id = ?) AS configured`,
		userID, since.UTC(), userID).Scan(&row).Error
	if err != nil {
		return nil, translate(err)
	}
	v := row.Taught
	if v == nil {
		v = row.Configured
	}
	if v == nil {
		return nil, nil
	}
	n := int(*v + 0.5)
	return &n, nil
}

// SlotCount is how many of a teacher's weekly lessons start in one hour of one day.
type SlotCount struct {
	Day   int    // 1 = Monday … 7 = Sunday
	Hour  string // "08:00"
	Count int64
}

// WeeklyTimetable is the teacher's timetable grouped by day and starting
// hour (at most 7 × 24 rows), from the (user_id, day_of_week, slot) key.
func WeeklyTimetable(db *gorm.DB, userID uint64) ([]SlotCount, error) {
	out := []SlotCount{}
	err := db.Raw(`SELECT e.day_of_week AS day, CONCAT(LEFT(ts.start_time, 2), ':00') AS hour, COUNT(*) AS count
		FROM timetable_entries e JOIN time_slots ts ON ts.id = e.time_slot_id
		WHERE e.user_id = ? GROUP BY e.day_of_week, hour`, userID).Scan(&out).Error
	return out, translate(err)
}

// CompletionsPerWeek is the teacher's lessons marked taught (net of those
// unmarked) in each of weeks 7-day periods from first, oldest first.
func CompletionsPerWeek(db *gorm.DB, userID uint64, first time.Time, weeks int) ([]int64, error) {
	var rows []struct {
		Week  int
		Count int64
	}
	err := db.Raw(`SELECT FLOOR(TIMESTAMPDIFF(SECOND, ?, created_at) / 604800) AS week,
		SUM(CASE action WHEN 'COMPLETED' THEN 1 WHEN 'UNCOMPLETED' THEN -1 ELSE 0 END) AS count
		FROM progress_log WHERE user_id = ? AND created_at >= ? GROUP BY week`, first.UTC(), userID, first.UTC()).Scan(&rows).Error
	out := make([]int64, weeks)
	for _, r := range rows {
		if r.Week >= 0 && r.Week < weeks {
			out[r.Week] = max(r.Count, 0)
		}
	}
	return out, translate(err)
}

// TermsBetween returns the terms that apply to a user of schoolID (see
// ResolveTerm) and overlap the days from..to, by start date: the same source
// as CurrentTerm. One statement.
func TermsBetween(db *gorm.DB, schoolID *uint64, from, to time.Time) ([]Term, error) {
	return queryTerms(db, schoolID, "WHERE end_date >= ? AND start_date <= ? ORDER BY start_date, term_number", Day(from), Day(to))
}

// IsTeachingDay reports whether day falls in one of terms and outside its
// mid-term break.
func IsTeachingDay(terms []Term, day time.Time) bool {
	for _, t := range terms {
		if t.Contains(day) && !t.InMidTermBreak(day) {
			return true
		}
	}
	return false
}

// MissingScheme is a subject of the teacher with no scheme of work for a term.
type MissingScheme struct {
	SubjectID   uint64
	SubjectName string
	Grade       string
}

// SubjectsWithoutScheme lists the teacher's subjects that have no scheme of
// work (archived ones don't count) for term termNumber of year, in one
// statement.
func SubjectsWithoutScheme(db *gorm.DB, userID uint64, year, termNumber int) ([]MissingScheme, error) {
	out := []MissingScheme{}
	err := db.Raw(`SELECT s.id AS subject_id, s.subject_name, s.grade FROM subjects s
		WHERE s.user_id = ? AND NOT EXISTS (SELECT 1 FROM schemes_of_work w
			WHERE w.user_id = s.user_id AND w.subject_id = s.id AND w.year = ? AND w.term_number = ? AND NOT w.is_archived)
		ORDER BY s.subject_name, s.grade, s.id`, userID, year, termNumber).Scan(&out).Error
	return out, translate(err)
}

// Resource is one of the teacher's recently changed documents.
type Resource struct {
	ID           string    `json:"id"`
	Title        string    `json:"title"`
	Type         string    `json:"type"` // material | lesson-plan | scheme
	LastAccessed time.Time `json:"lastAccessed"`
	Icon         string    `json:"icon"`
}

var resourceIcons = map[string]string{"material": "📄", "lesson-plan": "📝", "scheme": "📋"}

// RecentResources is the teacher's limit most recently changed notes, lesson
// plans and schemes of work (not archived), newest first, in one statement:
// each branch reads at most limit rows of that user.
func RecentResources(db *gorm.DB, userID uint64, limit int) ([]Resource, error) {
	var rows []struct {
		Kind      string
		ID        uint64
		Title     string
		UpdatedAt time.Time
	}
	err := db.Raw(`(SELECT 'material' AS kind, id, title, updated_at FROM notes WHERE user_id = ? ORDER BY updated_at DESC, id DESC LIMIT ?)
		UNION ALL
		(SELECT 'lesson-plan', id, CONCAT(learning_area, ' ', grade, IF(strand_theme_topic = '', '', CONCAT(': ', strand_theme_topic))), updated_at
			FROM lesson_plans WHERE user_id = ? AND NOT is_archived ORDER BY updated_at DESC, id DESC LIMIT ?)
		UNION ALL
		(SELECT 'scheme', id, CONCAT(subject, ' ', grade, ' – ', term, ' ', year), updated_at
			FROM schemes_of_work WHERE user_id = ? AND NOT is_archived ORDER BY updated_at DESC, id DESC LIMIT ?)
		ORDER BY updated_at DESC, kind, id DESC LIMIT ?`, userID, limit, userID, limit, userID, limit, limit).Scan(&rows).Error
	out := make([]Resource, len(rows))
	for i, r := range rows {
		out[i] = Resource{ID: fmt.Sprintf("%s-%d", r.Kind, r.ID), Title: r.Title, Type: r.Kind, LastAccessed: r.UpdatedAt.UTC(), Icon: resourceIcons[r.Kind]}
	}
	return out, translate(err)
}
