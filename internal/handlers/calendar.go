package handlers

import (
	"net/http"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/teachtrack/api/internal/models"
)

// A school's calendar of activities and its departments (F21–F28), edited by
// its admin: a SCHOOL_ADMIN their own school's (another school's id: 404), a
// SUPER_ADMIN any (a list or a new row names the school with ?school_id or
// the body's school_id, else their own).

// activityJSON is a calendar activity as the school settings page reads it;
// activity_date is a calendar date, YYYY-MM-DD.
type activityJSON struct {
	ID           uint64    `json:"id"`
	SchoolID     uint64    `json:"school_id"`
	TermID       uint64    `json:"term_id"`
	ActivityName string    `json:"activity_name"`
	ActivityDate string    `json:"activity_date"`
	ActivityType string    `json:"activity_type"`
	Description  *string   `json:"description"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

func toActivityJSON(a *models.CalendarActivity) activityJSON {
	return activityJSON{a.ID, a.SchoolID, a.TermID, a.ActivityName, dateText(a.ActivityDate), a.ActivityType, a.Description, a.CreatedAt, a.UpdatedAt}
}

// activityRequest is the body of POST and PUT /admin/calendar-activities;
// the page sends back the activity it read. Absent fields are left as they
// are; a new activity needs a term, a name and a date.
type activityRequest struct {
	TermID       *uint64 `json:"term_id"`
	ActivityName *string `json:"activity_name" validate:"omitempty,max=255"`
	ActivityDate *string `json:"activity_date"`
	ActivityType *string `json:"activity_type" validate:"omitempty,max=50"`
	Description  *string `json:"description" validate:"omitempty,max=2000"`
	SchoolID     *uint64 `json:"school_id"`

	ID        echoed `json:"id"`
	CreatedAt echoed `json:"created_at"`
	UpdatedAt echoed `json:"updated_at"`
}

func (q *activityRequest) school() *uint64 { return q.SchoolID }

func (q *activityRequest) apply(a *models.CalendarActivity, create bool) error {
	if create {
		if err := required(present{"term_id", q.TermID != nil && *q.TermID != 0}, present{"activity_name", q.ActivityName != nil},
			present{"activity_date", q.ActivityDate != nil}); err != nil {
			return err
		}
	}
	if q.TermID != nil {
		if *q.TermID == 0 {
			return models.Invalid("term_id", "must be one of your school's terms; add the school's terms first")
		}
		a.TermID = *q.TermID
	}
	if q.ActivityName != nil {
		if a.ActivityName = strings.TrimSpace(*q.ActivityName); a.ActivityName == "" {
			return models.Invalid("activity_name", "must not be blank")
		}
	}
	if q.ActivityDate != nil {
		d, err := parseDay("activity_date", *q.ActivityDate)
		if err != nil {
			return err
		}
		a.ActivityDate = d
	}
	if q.ActivityType != nil {
		a.ActivityType = strings.TrimSpace(*q.ActivityType)
	}
	if a.ActivityType == "" {
		a.ActivityType = "Other"
	}
	if q.Description != nil {
		v := strings.TrimSpace(*q.Description)
		a.Description = blankToNil(&v)
	}
	return nil
}

// activities is the school-scoped CRUD of calendar activities.
func activities() scopedRows[models.CalendarActivity, activityJSON, *activityRequest] {
	return scopedRows[models.CalendarActivity, activityJSON, *activityRequest]{
		list: models.ListCalendarActivities, byID: models.CalendarActivityByID, save: models.SaveCalendarActivity,
		del: models.DeleteCalendarActivity, toJSON: toActivityJSON, deleted: "Activity deleted",
		id: func(a *models.CalendarActivity) uint64 { return a.ID },
		// The term check (SaveCalendarActivity) also finds a school that doesn't exist.
		start: func(_ *gorm.DB, r *http.Request, school uint64) (*models.CalendarActivity, error) {
			uid := viewer(r).UserID
			return &models.CalendarActivity{SchoolID: school, CreatedBy: &uid}, nil
		},
	}
}

// schoolDepartmentJSON is a department as the school settings page reads it.
type schoolDepartmentJSON struct {
	ID          uint64    `json:"id"`
	SchoolID    uint64    `json:"school_id"`
	Name        string    `json:"name"`
	Description *string   `json:"description"`
	HODID       *uint64   `json:"hod_id"`
	HODName     *string   `json:"hod_name"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func toSchoolDepartmentJSON(d *models.Department) schoolDepartmentJSON {
	return schoolDepartmentJSON{d.ID, d.SchoolID, d.Name, d.Description, d.HODID, d.HODName, d.CreatedAt, d.UpdatedAt}
}

// departmentRequest is the body of POST and PUT /admin/departments: the page
// sends {name, description, hod_id}, hod_id null for no head.
type departmentRequest struct {
	Name        *string `json:"name" validate:"omitempty,max=100"`
	Description *string `json:"description" validate:"omitempty,max=1000"`
	HODID       *uint64 `json:"hod_id"`
	SchoolID    *uint64 `json:"school_id"`

	ID        echoed `json:"id"`
	HODName   echoed `json:"hod_name"`
	CreatedAt echoed `json:"created_at"`
	UpdatedAt echoed `json:"updated_at"`
}

func (q *departmentRequest) school() *uint64 { return q.SchoolID }

func (q *departmentRequest) apply(d *models.Department, create bool) error {
	if create && q.Name == nil {
		return models.Invalid("name", "is required")
	}
	if q.Name != nil {
		if d.Name = strings.TrimSpace(*q.Name); d.Name == "" {
			return models.Invalid("name", "must not be blank")
		}
	}
	if q.Description != nil {
		v := strings.TrimSpace(*q.Description)
		d.Description = blankToNil(&v)
	}
	// hod_id is always sent by the page: null (or 0) removes the head.
	d.HODID = q.HODID
	if d.HODID != nil && *d.HODID == 0 {
		d.HODID = nil
	}
	return nil
}

// departments is the school-scoped CRUD of departments.
func departments() scopedRows[models.Department, schoolDepartmentJSON, *departmentRequest] {
	return scopedRows[models.Department, schoolDepartmentJSON, *departmentRequest]{
		list: models.ListDepartments, byID: models.DepartmentByID, save: models.SaveDepartment,
		del: models.DeleteDepartment, toJSON: toSchoolDepartmentJSON, deleted: "Department deleted",
		id: func(d *models.Department) uint64 { return d.ID },
		start: func(tx *gorm.DB, _ *http.Request, school uint64) (*models.Department, error) {
			if ok, err := models.SchoolExists(tx, school); err != nil || !ok {
				return nil, models.Sentence(models.ErrNotFound, "There is no such school.")
			}
			return &models.Department{SchoolID: school}, nil
		},
	}
}

func newActivityRequest() *activityRequest     { return &activityRequest{} }
func newDepartmentRequest() *departmentRequest { return &departmentRequest{} }
