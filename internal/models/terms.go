package models

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Term sources: a school's own term, or the national (system) calendar.
const (
	TermSourceSchool = "school"
	TermSourceSystem = "system"
)

// Term is the dates of one term as they apply to someone: the one term-date
// source that schemes of work, lesson plans, subscriptions and dashboard
// deadlines read (through ResolveTerm and CurrentTerm, never the tables).
//
// Dates are calendar dates (in APP_TIMEZONE) carried as midnight UTC, as the
// driver reads DATE columns; compare them with Day(t), never with an instant.
type Term struct {
	ID                uint64     `json:"id"`
	Source            string     `json:"source"` // TermSourceSchool | TermSourceSystem
	SchoolID          *uint64    `json:"school_id"`
	TermNumber        int        `json:"term_number"`
	TermName          string     `json:"term_name"`
	Year              int        `json:"year"`
	StartDate         time.Time  `json:"start_date"`
	EndDate           time.Time  `json:"end_date"`
	TeachingWeeks     int        `json:"teaching_weeks"`
	MidTermBreakStart *time.Time `json:"mid_term_break_start"`
	MidTermBreakEnd   *time.Time `json:"mid_term_break_end"`
}

// Day is t's calendar date in t's own location, as midnight UTC: the form
// Term dates take. Pass times already in APP_TIMEZONE.
func Day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Contains reports whether calendar day (see Day) is within the term.
func (t Term) Contains(day time.Time) bool {
	day = Day(day)
	return !day.Before(t.StartDate) && !day.After(t.EndDate)
}

// InMidTermBreak reports whether day is within the term's mid-term break.
func (t Term) InMidTermBreak(day time.Time) bool {
	if t.MidTermBreakStart == nil || t.MidTermBreakEnd == nil {
		return false
	}
	day = Day(day)
	return !day.Before(*t.MidTermBreakStart) && !day.After(*t.MidTermBreakEnd)
}

// termColumns are the columns both term tables share, in Term's order.
const termColumns = "id, term_number, term_name, year, start_date, end_date, teaching_weeks, mid_term_break_start, mid_term_break_end"

// effectiveTerms is the SQL of every term that applies to a school (or, with
// a NULL school, to a teacher without one): the school's own terms, and the
// system terms no own term of the same year and number overrides. Its two
// parameters are the school id, twice.
const effectiveTerms = `SELECT 'school' AS source, school_id, ` + termColumns + ` FROM school_terms WHERE school_id = ?
UNION ALL
SELECT 'system' AS source, NULL AS school_id, ` + termColumns + ` FROM system_terms st
WHERE NOT EXISTS (SELECT 1 FROM school_terms o WHERE o.school_id = ? AND o.year = st.year AND o.term_number = st.term_number)`

// normalize makes t's dates calendar days at midnight UTC, whatever location
// the driver read them in.
func (t Term) normalize() Term {
	t.StartDate, t.EndDate = Day(t.StartDate), Day(t.EndDate)
	if t.MidTermBreakStart != nil {
		d := Day(*t.MidTermBreakStart)
		t.MidTermBreakStart = &d
	}
	if t.MidTermBreakEnd != nil {
		d := Day(*t.MidTermBreakEnd)
		t.MidTermBreakEnd = &d
	}
	return t
}

// schoolArg is the school id as an SQL argument: NULL matches no school term,
// so a teacher without a school gets exactly the system terms.
func schoolArg(schoolID *uint64) any {
	if schoolID == nil {
		return nil
	}
	return *schoolID
}

// queryTerms runs effectiveTerms for schoolID with the rest of the statement
// (conditions, order, limit) and its arguments.
func queryTerms(db *gorm.DB, schoolID *uint64, rest string, args ...any) ([]Term, error) {
	rows := []Term{}
	s := schoolArg(schoolID)
	if err := db.Raw("SELECT * FROM ("+effectiveTerms+") t "+rest, append([]any{s, s}, args...)...).Scan(&rows).Error; err != nil {
		return nil, translate(err)
	}
	for i := range rows {
		rows[i] = rows[i].normalize()
	}
	return rows, nil
}

// ResolveTerm returns term termNumber of year as it applies to a user of
// schoolID (nil: a teacher without a school): the school's own term when it
// has one, else the system term. Another school's terms never apply. None is
// ErrNotFound with a sentence. One statement.
func ResolveTerm(db *gorm.DB, schoolID *uint64, year, termNumber int) (Term, error) {
	rows, err := queryTerms(db, schoolID, "WHERE year = ? AND term_number = ? LIMIT 1", year, termNumber)
	if err != nil {
		return Term{}, err
	}
	if len(rows) == 0 {
		return Term{}, Sentence(ErrNotFound, fmt.Sprintf("No dates are set for term %d of %d: ask your school admin (or the system admin) to add them.", termNumber, year))
	}
	return rows[0], nil
}

// ErrNoCurrentTerm is CurrentTerm's answer when no term contains or follows today.
var ErrNoCurrentTerm = Sentence(ErrNotFound, "No term contains today and none is scheduled after it: ask your school admin (or the system admin) to add the term dates.")

// CurrentTerm returns the term that applies to a user of schoolID (see
// ResolveTerm) and contains today's calendar date (today is read in its own
// location: pass the time in APP_TIMEZONE); in a holiday, the next term to
// start. None is ErrNoCurrentTerm. One statement.
func CurrentTerm(db *gorm.DB, schoolID *uint64, today time.Time) (Term, error) {
	day := Day(today)
	rows, err := queryTerms(db, schoolID, "WHERE end_date >= ? ORDER BY start_date <= ? DESC, start_date, term_number LIMIT 1", day, day)
	if err != nil {
		return Term{}, err
	}
	if len(rows) == 0 {
		return Term{}, ErrNoCurrentTerm
	}
	return rows[0], nil
}

// TermsForYear returns every term of year that applies to a user of schoolID,
// by term number (one statement).
func TermsForYear(db *gorm.DB, schoolID *uint64, year int) ([]Term, error) {
	return queryTerms(db, schoolID, "WHERE year = ? ORDER BY term_number", year)
}

// TeachingWeeks is the default number of teaching weeks of a term from start
// to end (inclusive): its calendar weeks, counting a part week as one, less
// the weeks of its mid-term break; at least 1.
func TeachingWeeks(start, end time.Time, breakStart, breakEnd *time.Time) int {
	weeks := func(a, b time.Time) int {
		days := int(Day(b).Sub(Day(a)).Hours()/24) + 1
		if days <= 0 {
			return 0
		}
		return (days + 6) / 7
	}
	n := weeks(start, end)
	if breakStart != nil && breakEnd != nil {
		n -= weeks(*breakStart, *breakEnd)
	}
	return max(n, 1)
}
