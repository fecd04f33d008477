package models

import (
	"time"

	"gorm.io/gorm"
)

// CalendarActivity is a row of calendar_activities: one event of a school's
// calendar (opening day, exams, sports day), in one of the school's own terms.
type CalendarActivity struct {
	ID           uint64 `gorm:"primaryKey"`
	SchoolID     uint64
	TermID       uint64
	ActivityName string
	ActivityDate time.Time // a calendar date, midnight UTC (see Day)
	ActivityType string
	Description  *string
	CreatedBy    *uint64
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// TableName is calendar_activities.
func (CalendarActivity) TableName() string { return "calendar_activities" }

var (
	errNoSuchActivity = Sentence(ErrNotFound, "There is no such calendar activity.")
	// ErrActivityTerm is an activity placed in a term that is not one of the
	// school's own (another school's term reveals nothing).
	ErrActivityTerm = Sentence(ErrNotFound, "There is no such term in your school: add the school's terms first, then its activities.")
)

// MaxCalendarActivities bounds one school's list (a few a week, for years).
const MaxCalendarActivities = 2000

// ListCalendarActivities returns school schoolID's activities by date (one
// statement).
func ListCalendarActivities(db *gorm.DB, schoolID uint64) ([]CalendarActivity, error) {
	out := []CalendarActivity{}
	err := translate(db.Where("school_id = ?", schoolID).Order("activity_date, id").Limit(MaxCalendarActivities).Find(&out).Error)
	return normalizeActivities(out), err
}

// CalendarActivityByID returns activity id of school schoolID (nil: any
// school, for a super admin); another school's is not found.
func CalendarActivityByID(db *gorm.DB, id uint64, schoolID *uint64) (*CalendarActivity, error) {
	var a CalendarActivity
	if err := translate(inSchool(db.Where("id = ?", id), schoolID).Take(&a).Error); err != nil {
		return nil, notFound(err, errNoSuchActivity)
	}
	a.ActivityDate = Day(a.ActivityDate)
	return &a, nil
}

// SaveCalendarActivity inserts (a.ID 0) or updates a, after checking that its
// term is one of its school's own (ErrActivityTerm otherwise; the foreign
// key keeps a term deleted meanwhile from being referenced).
func SaveCalendarActivity(db *gorm.DB, a *CalendarActivity) error {
	var n int64
	if err := translate(db.Model(&SchoolTerm{}).Where("id = ? AND school_id = ?", a.TermID, a.SchoolID).Count(&n).Error); err != nil {
		return err
	}
	if n == 0 {
		return ErrActivityTerm
	}
	a.ActivityDate = Day(a.ActivityDate)
	if a.ID == 0 {
		return translate(db.Create(a).Error)
	}
	return translate(db.Select("term_id", "activity_name", "activity_date", "activity_type", "description").Updates(a).Error)
}

// DeleteCalendarActivity removes activity id of school schoolID (nil: any).
func DeleteCalendarActivity(db *gorm.DB, id uint64, schoolID *uint64) error {
	return deleteOne(inSchool(db.Where("id = ?", id), schoolID), &CalendarActivity{}, errNoSuchActivity)
}

// UpcomingActivities returns up to limit activities of school schoolID on or
// after the calendar day of from (pass a time in APP_TIMEZONE), soonest
// first: the school calendar's part of a dashboard's deadlines. A user
// without a school (nil) has none; one statement otherwise.
func UpcomingActivities(db *gorm.DB, schoolID *uint64, from time.Time, limit int) ([]CalendarActivity, error) {
	out := []CalendarActivity{}
	if schoolID == nil || limit <= 0 {
		return out, nil
	}
	err := translate(db.Where("school_id = ? AND activity_date >= ?", *schoolID, Day(from)).
		Order("activity_date, id").Limit(limit).Find(&out).Error)
	return normalizeActivities(out), err
}

func normalizeActivities(as []CalendarActivity) []CalendarActivity {
	for i := range as {
		as[i].ActivityDate = Day(as[i].ActivityDate)
	}
	return as
}
