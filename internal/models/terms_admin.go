package models

import (
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// TermDates are the editable columns a system term and a school's term share.
type TermDates struct {
	TermNumber        int
	TermName          string
	Year              int
	StartDate         time.Time
	EndDate           time.Time
	TeachingWeeks     int // 0 before Validate: computed with TeachingWeeks
	MidTermBreakStart *time.Time
	MidTermBreakEnd   *time.Time
}

// SystemTerm is a row of system_terms: a term of the national calendar.
type SystemTerm struct {
	ID uint64 `gorm:"primaryKey"`
	TermDates
	IsCurrent bool
	CreatedBy *uint64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// SchoolTerm is a row of school_terms: one school's own dates for a term.
type SchoolTerm struct {
	ID       uint64 `gorm:"primaryKey"`
	SchoolID uint64
	TermDates
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Validate checks d and fills its defaults (name, teaching weeks).
func (d *TermDates) Validate() error {
	var fe []FieldError
	if d.TermNumber < 1 || d.TermNumber > 3 {
		fe = append(fe, FieldError{"term_number", "must be 1, 2 or 3"})
	}
	if d.Year < 2000 || d.Year > 2100 {
		fe = append(fe, FieldError{"year", "must be a year from 2000 to 2100"})
	}
	if d.EndDate.Before(d.StartDate) {
		fe = append(fe, FieldError{"end_date", "must not be before start_date"})
	}
	if (d.MidTermBreakStart == nil) != (d.MidTermBreakEnd == nil) {
		fe = append(fe, FieldError{"mid_term_break_end", "give both the start and the end of the mid-term break, or neither"})
	} else if d.MidTermBreakStart != nil {
		switch {
		case d.MidTermBreakEnd.Before(*d.MidTermBreakStart):
			fe = append(fe, FieldError{"mid_term_break_end", "must not be before mid_term_break_start"})
		case d.MidTermBreakStart.Before(d.StartDate) || d.MidTermBreakEnd.After(d.EndDate):
			fe = append(fe, FieldError{"mid_term_break_start", "the mid-term break must fall within the term"})
		}
	}
	if d.TeachingWeeks < 0 || d.TeachingWeeks > 53 {
		fe = append(fe, FieldError{"teaching_weeks", "must be from 1 to 53"})
	}
	if len(fe) > 0 {
		return &ValidationError{Fields: fe}
	}
	if d.TermName == "" {
		d.TermName = fmt.Sprintf("Term %d", d.TermNumber)
	}
	if d.TeachingWeeks == 0 {
		d.TeachingWeeks = TeachingWeeks(d.StartDate, d.EndDate, d.MidTermBreakStart, d.MidTermBreakEnd)
	}
	return nil
}

// KenyanCalendar returns the three terms of year in the pattern of the
// Kenyan school calendar: term 1 from the week of 6 January to the week of
// 4 April with a mid-term week in mid-February, term 2 from the week of
// 28 April to the week of 1 August with a mid-term week in early June, term 3
// from the week of 25 August to the week of 25 October. Terms open on a
// Monday and close on a Friday, so the dates fit any year; the ministry's
// circular for a year may differ, and the super admin edits them then.
func KenyanCalendar(year int) []TermDates {
	monday := func(m time.Month, d int) time.Time {
		t := time.Date(year, m, d, 0, 0, 0, 0, time.UTC)
		return t.AddDate(0, 0, -((int(t.Weekday()) + 6) % 7))
	}
	friday := func(m time.Month, d int) time.Time { return monday(m, d).AddDate(0, 0, 4) }
	p := func(t time.Time) *time.Time { return &t }
	terms := []TermDates{
		{TermNumber: 1, Year: year, StartDate: monday(time.January, 6), EndDate: friday(time.April, 4),
			MidTermBreakStart: p(monday(time.February, 17)), MidTermBreakEnd: p(friday(time.February, 17))},
		{TermNumber: 2, Year: year, StartDate: monday(time.April, 28), EndDate: friday(time.August, 1),
			MidTermBreakStart: p(monday(time.June, 2)), MidTermBreakEnd: p(friday(time.June, 2))},
		{TermNumber: 3, Year: year, StartDate: monday(time.August, 25), EndDate: friday(time.October, 25)},
	}
	for i := range terms {
		_ = terms[i].Validate() // fills name and weeks; the dates are valid by construction
	}
	return terms
}

var (
	errNoSuchSystemTerm = Sentence(ErrNotFound, "There is no such system term.")
	errNoSuchSchoolTerm = Sentence(ErrNotFound, "There is no such school term.")
)

func termTaken(kind string, d TermDates) error {
	return Sentence(ErrConflict, fmt.Sprintf("%s %d of %d already exists: edit it instead.", kind, d.TermNumber, d.Year))
}

// ListSystemTerms returns the system terms of year (0: every year), newest
// year first, then by term number.
func ListSystemTerms(db *gorm.DB, year int) ([]SystemTerm, error) {
	out := []SystemTerm{}
	q := db.Order("year DESC, term_number")
	if year != 0 {
		q = q.Where("year = ?", year)
	}
	return out, translate(q.Find(&out).Error)
}

// SystemTermByID returns system term id or a not-found sentence.
func SystemTermByID(db *gorm.DB, id uint64) (*SystemTerm, error) {
	var t SystemTerm
	if err := translate(db.Take(&t, id).Error); err != nil {
		return nil, notFound(err, errNoSuchSystemTerm)
	}
	return &t, nil
}

// SaveSystemTerm inserts (t.ID 0) or updates t with dates d (validated
// here); current makes it the only current term. A taken year and number is
// ErrConflict. Run it in a transaction: clearing the other current term and
// saving this one go together.
func SaveSystemTerm(db *gorm.DB, t *SystemTerm, d TermDates, current bool) error {
	if err := d.Validate(); err != nil {
		return err
	}
	t.TermDates, t.IsCurrent = d, current
	if current {
		if err := translate(db.Model(&SystemTerm{}).Where("is_current AND id <> ?", t.ID).Update("is_current", false).Error); err != nil {
			return err
		}
	}
	var err error
	if t.ID == 0 {
		err = db.Create(t).Error
	} else {
		err = db.Select("*").Omit("created_at", "created_by").Updates(t).Error
	}
	if err := translate(err); err != nil {
		if errors.Is(err, ErrConflict) {
			return fmt.Errorf("%w: %w", termTaken("Term", d), err)
		}
		return err
	}
	return nil
}

// DeleteSystemTerm removes system term id.
func DeleteSystemTerm(db *gorm.DB, id uint64) error {
	return deleteOne(db.Where("id = ?", id), &SystemTerm{}, errNoSuchSystemTerm)
}

// deleteOne deletes what q selects of model; nothing deleted is notFound.
func deleteOne(q *gorm.DB, model any, notFound error) error {
	res := q.Delete(model)
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return notFound
	}
	return nil
}

// SetCurrentSystemTerm makes system term id the only current one (two
// statements; run it in a transaction).
func SetCurrentSystemTerm(db *gorm.DB, id uint64) (*SystemTerm, error) {
	t, err := SystemTermByID(db, id)
	if err != nil {
		return nil, err
	}
	if err := translate(db.Model(&SystemTerm{}).Where("is_current <> (id = ?)", id).Update("is_current", gorm.Expr("id = ?", id)).Error); err != nil {
		return nil, err
	}
	t.IsCurrent = true
	return t, nil
}

// GenerateSystemYear inserts the Kenyan calendar's three terms for year (see
// KenyanCalendar) in one statement; a year that already has a term is
// ErrConflict. The term containing today becomes current when there is one.
func GenerateSystemYear(db *gorm.DB, year int, today time.Time, createdBy *uint64) ([]SystemTerm, error) {
	var n int64
	if err := translate(db.Model(&SystemTerm{}).Where("year = ?", year).Count(&n).Error); err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, Sentence(ErrConflict, fmt.Sprintf("Terms for %d already exist: edit or delete them instead.", year))
	}
	day := Day(today)
	terms := make([]SystemTerm, 0, 3)
	current := false
	for _, d := range KenyanCalendar(year) {
		t := SystemTerm{TermDates: d, CreatedBy: createdBy}
		if !day.Before(d.StartDate) && !day.After(d.EndDate) {
			t.IsCurrent, current = true, true
		}
		terms = append(terms, t)
	}
	if current {
		if err := translate(db.Model(&SystemTerm{}).Where("is_current").Update("is_current", false).Error); err != nil {
			return nil, err
		}
	}
	if err := translate(db.Create(&terms).Error); err != nil {
		if errors.Is(err, ErrConflict) {
			return nil, fmt.Errorf("%w: %w", Sentence(ErrConflict, fmt.Sprintf("Terms for %d already exist: edit or delete them instead.", year)), err)
		}
		return nil, err
	}
	return terms, nil
}

// ListSchoolTerms returns school schoolID's own terms, newest year first.
func ListSchoolTerms(db *gorm.DB, schoolID uint64) ([]SchoolTerm, error) {
	out := []SchoolTerm{}
	return out, translate(db.Where("school_id = ?", schoolID).Order("year DESC, term_number").Find(&out).Error)
}

// SchoolTermByID returns school term id of school schoolID (nil: any school,
// for a super admin); another school's term is not found.
func SchoolTermByID(db *gorm.DB, id uint64, schoolID *uint64) (*SchoolTerm, error) {
	var t SchoolTerm
	if err := translate(inSchool(db.Where("id = ?", id), schoolID).Take(&t).Error); err != nil {
		return nil, notFound(err, errNoSuchSchoolTerm)
	}
	return &t, nil
}

// SaveSchoolTerm inserts (t.ID 0) or updates t (whose SchoolID is set) with
// dates d, validated here. A taken year and number is ErrConflict.
func SaveSchoolTerm(db *gorm.DB, t *SchoolTerm, d TermDates) error {
	if err := d.Validate(); err != nil {
		return err
	}
	t.TermDates = d
	var err error
	if t.ID == 0 {
		err = db.Create(t).Error
	} else {
		err = db.Select("*").Omit("created_at", "school_id").Updates(t).Error
	}
	if err := translate(err); err != nil {
		if errors.Is(err, ErrConflict) {
			return fmt.Errorf("%w: %w", termTaken("Your school's term", d), err)
		}
		return err
	}
	return nil
}

// DeleteSchoolTerm removes school term id of school schoolID (nil: any).
func DeleteSchoolTerm(db *gorm.DB, id uint64, schoolID *uint64) error {
	return deleteOne(inSchool(db.Where("id = ?", id), schoolID), &SchoolTerm{}, errNoSuchSchoolTerm)
}

// inSchool limits q to rows of school schoolID; nil (a super admin) is every school.
func inSchool(q *gorm.DB, schoolID *uint64) *gorm.DB {
	if schoolID != nil {
		return q.Where("school_id = ?", *schoolID)
	}
	return q
}
