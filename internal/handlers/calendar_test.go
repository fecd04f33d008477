package handlers_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/teachtrack/api/internal/models"
)

type activityBody struct {
	ID           uint64  `json:"id"`
	SchoolID     uint64  `json:"school_id"`
	TermID       uint64  `json:"term_id"`
	ActivityName string  `json:"activity_name"`
	ActivityDate string  `json:"activity_date"`
	ActivityType string  `json:"activity_type"`
	Description  *string `json:"description"`
}

// schoolTerm creates a term of the admin's school and returns its id.
func schoolTerm(t *testing.T, s *testServer, admin *testUser, number int, start, end string) uint64 {
	t.Helper()
	var term termBody
	expect(t, s.do(t, admin.caller, "POST", "/api/v1/admin/school-terms", map[string]any{
		"term_number": number, "year": 2026, "start_date": start, "end_date": end}), http.StatusCreated).decode(t, &term)
	return term.ID
}

// TestCalendarActivities runs the school settings page's calendar: create in
// one of the school's terms, the page's PUT of what it read, delete; another
// school's admin gets 404 for every id, a teacher 403, bad input 4xx with
// nothing written; a super admin names the school.
func TestCalendarActivities(t *testing.T) {
	s := newTestServer(t)
	alpha, beta := createSchool(t, s, "Alpha"), createSchool(t, s, "Beta")
	adminA := createUser(t, s, models.RoleSchoolAdmin, alpha)
	adminB := createUser(t, s, models.RoleSchoolAdmin, beta)
	teacherA := createUser(t, s, models.RoleTeacher, alpha)
	super := createUser(t, s, models.RoleSuperAdmin, nil)
	term2 := schoolTerm(t, s, adminA, 2, "2026-05-04", "2026-08-07")
	termB := schoolTerm(t, s, adminB, 2, "2026-05-04", "2026-08-07")

	// The page's form: a new activity in the first term.
	var a activityBody
	expect(t, s.do(t, adminA.caller, "POST", "/api/v1/admin/calendar-activities", map[string]any{
		"term_id": term2, "activity_name": "Sports Day", "activity_date": "2026-06-12", "activity_type": "Sports Day"}), http.StatusCreated).decode(t, &a)
	if a.SchoolID != *alpha || a.TermID != term2 || a.ActivityDate != "2026-06-12" || a.Description != nil {
		t.Errorf("created: %+v", a)
	}
	var exams activityBody
	expect(t, s.do(t, adminA.caller, "POST", "/api/v1/admin/calendar-activities", map[string]any{
		"term_id": term2, "activity_name": "Mid-term exams", "activity_date": "2026-05-25T00:00:00.000Z", "description": "Grades 7-9"}), http.StatusCreated).decode(t, &exams)
	if exams.ActivityType != "Other" || exams.ActivityDate != "2026-05-25" {
		t.Errorf("defaults: %+v", exams)
	}
	// The page's PUT sends the activity it read, changed.
	edit := map[string]any{"id": a.ID, "school_id": a.SchoolID, "term_id": a.TermID, "activity_name": "Sports Day (heats)", "activity_date": "2026-06-13",
		"activity_type": a.ActivityType, "description": "Bring water", "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}
	expect(t, s.do(t, adminA.caller, "PUT", fmt.Sprintf("/api/v1/admin/calendar-activities/%d", a.ID), edit), http.StatusOK).decode(t, &a)
	if a.ActivityName != "Sports Day (heats)" || a.ActivityDate != "2026-06-13" || a.Description == nil || *a.Description != "Bring water" {
		t.Errorf("after PUT: %+v", a)
	}
	var list []activityBody
	expect(t, s.do(t, adminA.caller, "GET", "/api/v1/admin/calendar-activities", nil), http.StatusOK).decode(t, &list)
	if len(list) != 2 || list[0].ID != exams.ID || list[1].ID != a.ID {
		t.Errorf("list (by date): %+v", list)
	}

	// Scope and bad input; none of it writes.
	path := fmt.Sprintf("/api/v1/admin/calendar-activities/%d", a.ID)
	for _, tt := range []struct {
		name   string
		c      caller
		method string
		path   string
		body   any
		status int
		field  string
	}{
		{"other school's admin updates", adminB.caller, "PUT", path, map[string]any{"activity_name": "Mine"}, 404, ""},
		{"other school's admin deletes", adminB.caller, "DELETE", path, nil, 404, ""},
		{"into another school's term", adminA.caller, "PUT", path, map[string]any{"term_id": termB}, 404, ""},
		{"create in another school's term", adminA.caller, "POST", "/api/v1/admin/calendar-activities", map[string]any{"term_id": termB, "activity_name": "X", "activity_date": "2026-06-01"}, 404, ""},
		{"no term (the page's 0)", adminA.caller, "POST", "/api/v1/admin/calendar-activities", map[string]any{"term_id": 0, "activity_name": "X", "activity_date": "2026-06-01"}, 422, "term_id"},
		{"no name", adminA.caller, "POST", "/api/v1/admin/calendar-activities", map[string]any{"term_id": term2, "activity_date": "2026-06-01"}, 422, "activity_name"},
		{"blank name", adminA.caller, "PUT", path, map[string]any{"activity_name": "  "}, 422, "activity_name"},
		{"bad date", adminA.caller, "PUT", path, map[string]any{"activity_date": "13 June"}, 422, "activity_date"},
		{"unknown field", adminA.caller, "PUT", path, map[string]any{"colour": "red"}, 400, ""},
		{"id not a number", adminA.caller, "PUT", "/api/v1/admin/calendar-activities/x", map[string]any{}, 400, ""},
		{"teacher lists", teacherA.caller, "GET", "/api/v1/admin/calendar-activities", nil, 403, ""},
		{"teacher creates", teacherA.caller, "POST", "/api/v1/admin/calendar-activities", map[string]any{"term_id": term2, "activity_name": "X", "activity_date": "2026-06-01"}, 403, ""},
		{"super admin without a school creates", super.caller, "POST", "/api/v1/admin/calendar-activities", map[string]any{"term_id": term2, "activity_name": "X", "activity_date": "2026-06-01"}, 422, "school_id"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			checkProblem(t, s.do(t, tt.c, tt.method, tt.path, tt.body), tt.status, tt.field)
		})
	}
	// A super admin without a school who names none reads an empty calendar
	// (the school settings page loads without an error).
	expect(t, s.do(t, super.caller, "GET", "/api/v1/admin/calendar-activities", nil), http.StatusOK).decode(t, &list)
	if len(list) != 0 {
		t.Errorf("a super admin without a school read activities: %+v", list)
	}
	expect(t, s.do(t, adminB.caller, "GET", "/api/v1/admin/calendar-activities", nil), http.StatusOK).decode(t, &list)
	if len(list) != 0 {
		t.Errorf("Beta's admin lists %+v", list)
	}
	expect(t, s.do(t, adminA.caller, "GET", "/api/v1/admin/calendar-activities", nil), http.StatusOK).decode(t, &list)
	if len(list) != 2 || list[1].ActivityName != "Sports Day (heats)" || list[1].TermID != term2 {
		t.Errorf("after the refusals: %+v", list)
	}

	// A super admin reads and edits any school's.
	expect(t, s.do(t, super.caller, "GET", fmt.Sprintf("/api/v1/admin/calendar-activities?school_id=%d", *alpha), nil), http.StatusOK).decode(t, &list)
	if len(list) != 2 {
		t.Errorf("super admin's list of Alpha: %+v", list)
	}
	expect(t, s.do(t, super.caller, "POST", "/api/v1/admin/calendar-activities", map[string]any{
		"school_id": *beta, "term_id": termB, "activity_name": "Parents Day", "activity_date": "2026-07-03"}), http.StatusCreated)
	expect(t, s.do(t, super.caller, "PUT", path, map[string]any{"activity_type": "Sports"}), http.StatusOK)

	// Upcoming activities (the dashboard's deadlines), soonest first from a day.
	up, err := models.UpcomingActivities(s.primary(t), alpha, time.Date(2026, 6, 1, 8, 0, 0, 0, nairobi), 5)
	if err != nil || len(up) != 1 || up[0].ID != a.ID || !up[0].ActivityDate.Equal(time.Date(2026, 6, 13, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("upcoming from 1 June: %+v, %v", up, err)
	}
	if up, _ := models.UpcomingActivities(s.primary(t), nil, time.Now(), 5); len(up) != 0 {
		t.Errorf("no school: %+v", up)
	}

	// Deleting the term deletes its activities; deleting an activity twice is 404.
	expect(t, s.do(t, adminA.caller, "DELETE", fmt.Sprintf("/api/v1/admin/calendar-activities/%d", exams.ID), nil), http.StatusOK)
	checkProblem(t, s.do(t, adminA.caller, "DELETE", fmt.Sprintf("/api/v1/admin/calendar-activities/%d", exams.ID), nil), http.StatusNotFound, "")
	expect(t, s.do(t, adminA.caller, "DELETE", fmt.Sprintf("/api/v1/admin/school-terms/%d", term2), nil), http.StatusOK)
	expect(t, s.do(t, adminA.caller, "GET", "/api/v1/admin/calendar-activities", nil), http.StatusOK).decode(t, &list)
	if len(list) != 0 {
		t.Errorf("after deleting the term: %+v", list)
	}

	// The list is one statement (and the session's), whatever its length.
	for i := range 5 {
		expect(t, s.do(t, adminB.caller, "POST", "/api/v1/admin/calendar-activities", map[string]any{
			"term_id": termB, "activity_name": fmt.Sprintf("Event %d", i), "activity_date": "2026-06-01"}), http.StatusCreated)
	}
	before := s.statements(t)
	expect(t, s.do(t, adminB.caller, "GET", "/api/v1/admin/calendar-activities", nil), http.StatusOK).decode(t, &list)
	if n := s.statements(t) - before; n != 2 || len(list) != 6 {
		t.Errorf("list of %d: %v statements, want 2 (the session's and the list's)", len(list), n)
	}
}

type departmentBody struct {
	ID          uint64  `json:"id"`
	SchoolID    uint64  `json:"school_id"`
	Name        string  `json:"name"`
	Description *string `json:"description"`
	HODID       *uint64 `json:"hod_id"`
	HODName     *string `json:"hod_name"`
}

// TestDepartments runs the school settings page's departments: its payload
// {name, description, hod_id}, the head's name in the list, a head from
// another school refused, another school's id 404, a duplicate name 409.
func TestDepartments(t *testing.T) {
	s := newTestServer(t)
	alpha, beta := createSchool(t, s, "Alpha"), createSchool(t, s, "Beta")
	adminA := createUser(t, s, models.RoleSchoolAdmin, alpha)
	adminB := createUser(t, s, models.RoleSchoolAdmin, beta)
	teacherA := createUser(t, s, models.RoleTeacher, alpha)
	teacherB := createUser(t, s, models.RoleTeacher, beta)
	super := createUser(t, s, models.RoleSuperAdmin, nil)

	var d departmentBody
	expect(t, s.do(t, adminA.caller, "POST", "/api/v1/admin/departments", map[string]any{"name": "Sciences", "description": "", "hod_id": teacherA.ID}), http.StatusCreated).decode(t, &d)
	if d.SchoolID != *alpha || d.HODID == nil || *d.HODID != teacherA.ID || d.HODName == nil || *d.HODName == "" || d.Description != nil {
		t.Errorf("created: %+v", d)
	}
	expect(t, s.do(t, adminA.caller, "POST", "/api/v1/admin/departments", map[string]any{"name": "Languages", "description": "English and Kiswahili", "hod_id": nil}), http.StatusCreated)
	path := fmt.Sprintf("/api/v1/admin/departments/%d", d.ID)
	expect(t, s.do(t, adminA.caller, "PUT", path, map[string]any{"name": "Science & Maths", "description": "STEM", "hod_id": nil}), http.StatusOK).decode(t, &d)
	if d.Name != "Science & Maths" || d.HODID != nil || d.HODName != nil || *d.Description != "STEM" {
		t.Errorf("after PUT: %+v", d)
	}

	for _, tt := range []struct {
		name   string
		c      caller
		method string
		path   string
		body   any
		status int
		field  string
	}{
		{"other school's admin updates", adminB.caller, "PUT", path, map[string]any{"name": "Mine"}, 404, ""},
		{"other school's admin deletes", adminB.caller, "DELETE", path, nil, 404, ""},
		{"head from another school", adminA.caller, "PUT", path, map[string]any{"name": "Science & Maths", "hod_id": teacherB.ID}, 404, ""},
		{"head who doesn't exist", adminA.caller, "POST", "/api/v1/admin/departments", map[string]any{"name": "Arts", "hod_id": 99999999}, 404, ""},
		{"duplicate name", adminA.caller, "POST", "/api/v1/admin/departments", map[string]any{"name": "Languages"}, 409, ""},
		{"no name", adminA.caller, "POST", "/api/v1/admin/departments", map[string]any{"description": "x"}, 422, "name"},
		{"blank name", adminA.caller, "PUT", path, map[string]any{"name": " "}, 422, "name"},
		{"name too long", adminA.caller, "POST", "/api/v1/admin/departments", map[string]any{"name": string(make([]byte, 101))}, 422, "name"},
		{"hod not a number", adminA.caller, "POST", "/api/v1/admin/departments", map[string]any{"name": "Arts", "hod_id": "7"}, 400, ""},
		{"teacher lists", teacherA.caller, "GET", "/api/v1/admin/departments", nil, 403, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			checkProblem(t, s.do(t, tt.c, tt.method, tt.path, tt.body), tt.status, tt.field)
		})
	}
	var list []departmentBody
	expect(t, s.do(t, adminA.caller, "GET", "/api/v1/admin/departments", nil), http.StatusOK).decode(t, &list)
	if len(list) != 2 || list[0].Name != "Languages" || list[1].Name != "Science & Maths" || list[1].HODID != nil {
		t.Errorf("Alpha's departments after the refusals: %+v", list)
	}
	expect(t, s.do(t, adminB.caller, "GET", "/api/v1/admin/departments", nil), http.StatusOK).decode(t, &list)
	if len(list) != 0 {
		t.Errorf("Beta's admin lists %+v", list)
	}
	// A super admin works on any school's.
	expect(t, s.do(t, super.caller, "POST", "/api/v1/admin/departments", map[string]any{"school_id": *beta, "name": "Sports", "hod_id": teacherB.ID}), http.StatusCreated)
	expect(t, s.do(t, super.caller, "PUT", path, map[string]any{"hod_id": teacherA.ID}), http.StatusOK).decode(t, &d)
	if d.HODID == nil || *d.HODID != teacherA.ID {
		t.Errorf("super admin's PUT: %+v", d)
	}

	// The list with heads is one statement (and the session's) for any number of departments.
	for i := range 4 {
		expect(t, s.do(t, adminB.caller, "POST", "/api/v1/admin/departments", map[string]any{"name": fmt.Sprintf("Dept %d", i), "hod_id": teacherB.ID}), http.StatusCreated)
	}
	before := s.statements(t)
	expect(t, s.do(t, adminB.caller, "GET", "/api/v1/admin/departments", nil), http.StatusOK).decode(t, &list)
	if n := s.statements(t) - before; n != 2 || len(list) != 5 || list[0].HODName == nil {
		t.Errorf("list of %d: %v statements, want 2 (the session's and the list's); %+v", len(list), n, list)
	}
	expect(t, s.do(t, adminA.caller, "DELETE", path, nil), http.StatusOK)
	checkProblem(t, s.do(t, adminA.caller, "DELETE", path, nil), http.StatusNotFound, "")
}
