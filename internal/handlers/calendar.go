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

func (t *termsAPI) handleActivityList(w http.ResponseWriter, r *http.Request) {
	school, err := adminSchool(r, nil)
	var as []models.CalendarActivity
	if err == nil {
		as, err = models.ListCalendarActivities(reqDB(r), school)
	}
	if err != nil {
		t.fail(w, r, err)
		return
	}
	out := make([]activityJSON, len(as))
	for i := range as {
		out[i] = toActivityJSON(&as[i])
	}
	writeJSON(w, http.StatusOK, out)
}

func (t *termsAPI) handleActivityCreate(w http.ResponseWriter, r *http.Request) {
	t.saveActivity(w, r, 0)
}

func (t *termsAPI) handleActivityUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		t.fail(w, r, err)
		return
	}
	t.saveActivity(w, r, id)
}

func (t *termsAPI) saveActivity(w http.ResponseWriter, r *http.Request, id uint64) {
	var req activityRequest
	if err := t.dec.decode(w, r, &req); err != nil {
		t.fail(w, r, err)
		return
	}
	a := &models.CalendarActivity{}
	err := reqDB(r).Transaction(func(tx *gorm.DB) error {
		if id != 0 {
			var err error
			if a, err = models.CalendarActivityByID(tx, id, adminScope(r)); err != nil {
				return err
			}
		} else {
			school, err := adminSchool(r, req.SchoolID)
			if err != nil {
				return err
			}
			uid := viewer(r).UserID
			a.SchoolID, a.CreatedBy = school, &uid
		}
		if err := req.apply(a, id == 0); err != nil {
			return err
		}
		if err := models.SaveCalendarActivity(tx, a); err != nil {
			return err
		}
		var err error
		a, err = models.CalendarActivityByID(tx, a.ID, nil)
		return err
	})
	if err != nil {
		t.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if id == 0 {
		status = http.StatusCreated
	}
	writeJSON(w, status, toActivityJSON(a))
}

func (t *termsAPI) handleActivityDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = models.DeleteCalendarActivity(reqDB(r), id, adminScope(r))
	}
	if err != nil {
		t.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"message": "Activity deleted"})
}

// departmentJSON is a department as the school settings page reads it.
type departmentJSON struct {
	ID          uint64    `json:"id"`
	SchoolID    uint64    `json:"school_id"`
	Name        string    `json:"name"`
	Description *string   `json:"description"`
	HODID       *uint64   `json:"hod_id"`
	HODName     *string   `json:"hod_name"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func toDepartmentJSON(d *models.Department) departmentJSON {
	return departmentJSON{d.ID, d.SchoolID, d.Name, d.Description, d.HODID, d.HODName, d.CreatedAt, d.UpdatedAt}
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

func (t *termsAPI) handleDepartmentList(w http.ResponseWriter, r *http.Request) {
	school, err := adminSchool(r, nil)
	var ds []models.Department
	if err == nil {
		ds, err = models.ListDepartments(reqDB(r), school)
	}
	if err != nil {
		t.fail(w, r, err)
		return
	}
	out := make([]departmentJSON, len(ds))
	for i := range ds {
		out[i] = toDepartmentJSON(&ds[i])
	}
	writeJSON(w, http.StatusOK, out)
}

func (t *termsAPI) handleDepartmentCreate(w http.ResponseWriter, r *http.Request) {
	t.saveDepartment(w, r, 0)
}

func (t *termsAPI) handleDepartmentUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		t.fail(w, r, err)
		return
	}
	t.saveDepartment(w, r, id)
}

func (t *termsAPI) saveDepartment(w http.ResponseWriter, r *http.Request, id uint64) {
	var req departmentRequest
	if err := t.dec.decode(w, r, &req); err != nil {
		t.fail(w, r, err)
		return
	}
	d := &models.Department{}
	err := reqDB(r).Transaction(func(tx *gorm.DB) error {
		if id != 0 {
			var err error
			if d, err = models.DepartmentByID(tx, id, adminScope(r)); err != nil {
				return err
			}
		} else {
			school, err := adminSchool(r, req.SchoolID)
			if err != nil {
				return err
			}
			if ok, err := models.SchoolExists(tx, school); err != nil || !ok {
				return models.Sentence(models.ErrNotFound, "There is no such school.")
			}
			d.SchoolID = school
		}
		if err := req.apply(d, id == 0); err != nil {
			return err
		}
		if err := models.SaveDepartment(tx, d); err != nil {
			return err
		}
		var err error
		d, err = models.DepartmentByID(tx, d.ID, nil)
		return err
	})
	if err != nil {
		t.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if id == 0 {
		status = http.StatusCreated
	}
	writeJSON(w, status, toDepartmentJSON(d))
}

func (t *termsAPI) handleDepartmentDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = models.DeleteDepartment(reqDB(r), id, adminScope(r))
	}
	if err != nil {
		t.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"message": "Department deleted"})
}
