package handlers_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/teachtrack/api/internal/models"
)

type termBody struct {
	ID                uint64  `json:"id"`
	TermNumber        int     `json:"term_number"`
	TermName          string  `json:"term_name"`
	Year              int     `json:"year"`
	StartDate         string  `json:"start_date"`
	EndDate           string  `json:"end_date"`
	TeachingWeeks     int     `json:"teaching_weeks"`
	MidTermBreakStart *string `json:"mid_term_break_start"`
	IsCurrent         bool    `json:"is_current"`
	IsSystemTerm      *bool   `json:"is_system_term"`
	Source            string  `json:"source"`
}

func TestSystemTerms(t *testing.T) {
	today := time.Date(2026, 2, 2, 9, 0, 0, 0, nairobi)
	s := newClockServer(t, slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn})), func() time.Time { return today })
	super := createUser(t, s, models.RoleSuperAdmin, nil)
	school := createSchool(t, s, "Alpha")
	admin := createUser(t, s, models.RoleSchoolAdmin, school)
	teacher := createUser(t, s, models.RoleTeacher, nil)

	// Only the super admin manages system terms.
	for _, c := range []*testUser{admin, teacher} {
		res := s.do(t, c.caller, "POST", "/api/v1/admin/system-terms/generate-year/2026", map[string]any{})
		if res.Status != http.StatusForbidden {
			t.Errorf("%s generating a year: %d", c.Role, res.Status)
		}
	}
	var gen struct {
		Message string     `json:"message"`
		Terms   []termBody `json:"terms"`
	}
	expect(t, s.do(t, super.caller, "POST", "/api/v1/admin/system-terms/generate-year/2026", map[string]any{}), http.StatusCreated).decode(t, &gen)
	if gen.Message != "Generated 3 terms for year 2026" || len(gen.Terms) != 3 || !gen.Terms[0].IsCurrent || gen.Terms[0].StartDate != "2026-01-05" || gen.Terms[0].EndDate != "2026-04-03" {
		t.Fatalf("generate-year: %+v", gen)
	}
	checkProblem(t, s.do(t, super.caller, "POST", "/api/v1/admin/system-terms/generate-year/2026", map[string]any{}), http.StatusConflict, "")
	checkProblem(t, s.do(t, super.caller, "POST", "/api/v1/admin/system-terms/generate-year/19", map[string]any{}), http.StatusBadRequest, "")

	// Create (the page's form), a duplicate, bad dates.
	form := map[string]any{"term_number": 1, "term_name": "Term 1", "year": 2027, "start_date": "2027-01-04", "end_date": "2027-04-01",
		"mid_term_break_start": "", "mid_term_break_end": "", "is_current": false}
	var created termBody
	expect(t, s.do(t, super.caller, "POST", "/api/v1/admin/system-terms", form), http.StatusCreated).decode(t, &created)
	if created.TeachingWeeks != 13 || created.MidTermBreakStart != nil {
		t.Errorf("created: %+v", created)
	}
	checkProblem(t, s.do(t, super.caller, "POST", "/api/v1/admin/system-terms", form), http.StatusConflict, "")
	bad := map[string]any{"term_number": 2, "year": 2027, "start_date": "2027-05-04", "end_date": "2027-04-01"}
	checkProblem(t, s.do(t, super.caller, "POST", "/api/v1/admin/system-terms", bad), http.StatusUnprocessableEntity, "end_date")
	bad["start_date"] = "4 May"
	checkProblem(t, s.do(t, super.caller, "POST", "/api/v1/admin/system-terms", bad), http.StatusUnprocessableEntity, "start_date")
	checkProblem(t, s.do(t, super.caller, "POST", "/api/v1/admin/system-terms", map[string]any{"term_number": 2}), http.StatusUnprocessableEntity, "year")

	// Update (the page sends the term it read back), set-current, delete.
	form["id"], form["created_at"], form["mid_term_break_start"], form["mid_term_break_end"] = created.ID, "2026-01-01T00:00:00Z", "2027-02-15", "2027-02-19"
	var updated termBody
	expect(t, s.do(t, super.caller, "PUT", fmt.Sprintf("/api/v1/admin/system-terms/%d", created.ID), form), http.StatusOK).decode(t, &updated)
	if updated.MidTermBreakStart == nil || *updated.MidTermBreakStart != "2027-02-15" || updated.TeachingWeeks != 12 {
		t.Errorf("updated: %+v", updated)
	}
	expect(t, s.do(t, super.caller, "POST", fmt.Sprintf("/api/v1/admin/system-terms/set-current/%d", created.ID), map[string]any{}), http.StatusOK)
	var list []termBody
	expect(t, s.do(t, super.caller, "GET", "/api/v1/admin/system-terms", nil), http.StatusOK).decode(t, &list)
	current := 0
	for _, term := range list {
		if term.IsCurrent {
			current++
			if term.ID != created.ID {
				t.Errorf("current term %d, want %d", term.ID, created.ID)
			}
		}
	}
	if len(list) != 4 || current != 1 || list[0].Year != 2027 {
		t.Errorf("list: %+v", list)
	}
	expect(t, s.do(t, super.caller, "GET", "/api/v1/admin/system-terms?year=2026", nil), http.StatusOK).decode(t, &list)
	if len(list) != 3 {
		t.Errorf("2026: %d terms", len(list))
	}
	expect(t, s.do(t, super.caller, "DELETE", fmt.Sprintf("/api/v1/admin/system-terms/%d", created.ID), nil), http.StatusOK)
	checkProblem(t, s.do(t, super.caller, "DELETE", fmt.Sprintf("/api/v1/admin/system-terms/%d", created.ID), nil), http.StatusNotFound, "")
	checkProblem(t, s.do(t, super.caller, "POST", fmt.Sprintf("/api/v1/admin/system-terms/set-current/%d", created.ID), map[string]any{}), http.StatusNotFound, "")

	// A teacher without a school sees the system terms; today (2 February) is in term 1.
	var mine []termBody
	expect(t, s.do(t, teacher.caller, "GET", "/api/v1/school-terms", nil), http.StatusOK).decode(t, &mine)
	if len(mine) != 3 || !mine[0].IsCurrent || mine[1].IsCurrent || mine[0].IsSystemTerm == nil || !*mine[0].IsSystemTerm {
		t.Errorf("teacher's terms: %+v", mine)
	}
	expect(t, s.do(t, teacher.caller, "GET", "/api/v1/school-terms?year=2030", nil), http.StatusOK).decode(t, &mine)
	if len(mine) != 0 {
		t.Errorf("2030: %+v", mine)
	}
}

func TestSchoolTermsOverride(t *testing.T) {
	today := time.Date(2026, 4, 29, 9, 0, 0, 0, nairobi)
	s := newClockServer(t, slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn})), func() time.Time { return today })
	super := createUser(t, s, models.RoleSuperAdmin, nil)
	alpha, beta := createSchool(t, s, "Alpha"), createSchool(t, s, "Beta")
	adminA := createUser(t, s, models.RoleSchoolAdmin, alpha)
	adminB := createUser(t, s, models.RoleSchoolAdmin, beta)
	teacherA := createUser(t, s, models.RoleTeacher, alpha)
	teacherB := createUser(t, s, models.RoleTeacher, beta)
	expect(t, s.do(t, super.caller, "POST", "/api/v1/admin/system-terms/generate-year/2026", map[string]any{}), http.StatusCreated)

	// Alpha's term 2 starts a week after the system's.
	var own termBody
	expect(t, s.do(t, adminA.caller, "POST", "/api/v1/admin/school-terms", map[string]any{
		"term_number": 2, "year": 2026, "start_date": "2026-05-04", "end_date": "2026-08-07"}), http.StatusCreated).decode(t, &own)
	checkProblem(t, s.do(t, adminA.caller, "POST", "/api/v1/admin/school-terms", map[string]any{
		"term_number": 2, "year": 2026, "start_date": "2026-05-04", "end_date": "2026-08-07"}), http.StatusConflict, "")

	var terms []termBody
	expect(t, s.do(t, teacherA.caller, "GET", "/api/v1/school-terms", nil), http.StatusOK).decode(t, &terms)
	if len(terms) != 3 || terms[1].Source != "school" || terms[1].StartDate != "2026-05-04" || terms[0].Source != "system" {
		t.Fatalf("Alpha's teacher: %+v", terms)
	}
	// 29 April: Alpha's term 2 has not begun; it is the next term. Beta's has.
	if !terms[1].IsCurrent || terms[0].IsCurrent {
		t.Errorf("Alpha's current term: %+v", terms)
	}
	expect(t, s.do(t, teacherB.caller, "GET", "/api/v1/school-terms", nil), http.StatusOK).decode(t, &terms)
	if len(terms) != 3 || terms[1].Source != "system" || terms[1].StartDate != "2026-04-27" || !terms[1].IsCurrent {
		t.Errorf("Beta's teacher: %+v", terms)
	}

	// Scope: Beta's admin can't see, change or delete Alpha's term; a teacher can't write.
	var listB []termBody
	expect(t, s.do(t, adminB.caller, "GET", "/api/v1/admin/school-terms", nil), http.StatusOK).decode(t, &listB)
	if len(listB) != 0 {
		t.Errorf("Beta's admin lists %+v", listB)
	}
	checkProblem(t, s.do(t, adminB.caller, "PUT", fmt.Sprintf("/api/v1/admin/school-terms/%d", own.ID), map[string]any{"start_date": "2026-05-11"}), http.StatusNotFound, "")
	checkProblem(t, s.do(t, adminB.caller, "DELETE", fmt.Sprintf("/api/v1/admin/school-terms/%d", own.ID), nil), http.StatusNotFound, "")
	checkProblem(t, s.do(t, teacherA.caller, "POST", "/api/v1/school-terms", map[string]any{"term_number": 1, "year": 2026, "start_date": "2026-01-05", "end_date": "2026-04-03"}), http.StatusForbidden, "")
	checkProblem(t, s.do(t, teacherA.caller, "GET", "/api/v1/admin/school-terms", nil), http.StatusForbidden, "")
	// Alpha's admin edits through the profile page's route too, then deletes: the system term applies again.
	expect(t, s.do(t, adminA.caller, "PUT", fmt.Sprintf("/api/v1/school-terms/%d", own.ID), map[string]any{"id": own.ID, "term_name": "Term 2", "start_date": "2026-05-11"}), http.StatusOK)
	expect(t, s.do(t, adminA.caller, "DELETE", fmt.Sprintf("/api/v1/admin/school-terms/%d", own.ID), nil), http.StatusOK)
	expect(t, s.do(t, teacherA.caller, "GET", "/api/v1/school-terms", nil), http.StatusOK).decode(t, &terms)
	if terms[1].Source != "system" {
		t.Errorf("after deleting the override: %+v", terms[1])
	}
	// A super admin names the school.
	expect(t, s.do(t, super.caller, "POST", "/api/v1/admin/school-terms", map[string]any{
		"school_id": *beta, "term_number": 3, "year": 2026, "start_date": "2026-08-31", "end_date": "2026-10-30"}), http.StatusCreated)
	expect(t, s.do(t, super.caller, "GET", fmt.Sprintf("/api/v1/admin/school-terms?school_id=%d", *beta), nil), http.StatusOK).decode(t, &listB)
	if len(listB) != 1 {
		t.Errorf("Beta's terms for the super admin: %+v", listB)
	}
	// Naming none, a super admin without a school reads nothing (the school
	// settings page loads without an error) and can't create.
	var none []termBody
	expect(t, s.do(t, super.caller, "GET", "/api/v1/admin/school-terms", nil), http.StatusOK).decode(t, &none)
	if len(none) != 0 {
		t.Errorf("a super admin without a school read terms: %+v", none)
	}
	var settings *map[string]any
	expect(t, s.do(t, super.caller, "GET", "/api/v1/admin/school-settings", nil), http.StatusOK).decode(t, &settings)
	if settings != nil {
		t.Errorf("a super admin without a school read settings: %v", *settings)
	}
	checkProblem(t, s.do(t, super.caller, "POST", "/api/v1/admin/school-terms", map[string]any{
		"term_number": 3, "year": 2026, "start_date": "2026-08-31", "end_date": "2026-10-30"}), http.StatusUnprocessableEntity, "school_id")
}

func TestSchoolSettings(t *testing.T) {
	s := newTestServer(t)
	alpha, beta := createSchool(t, s, "Alpha"), createSchool(t, s, "Beta")
	adminA := createUser(t, s, models.RoleSchoolAdmin, alpha)
	adminB := createUser(t, s, models.RoleSchoolAdmin, beta)
	teacherA := createUser(t, s, models.RoleTeacher, alpha)
	loner := createUser(t, s, models.RoleTeacher, nil)

	for _, c := range []*testUser{adminA, teacherA, loner} {
		res := expect(t, s.do(t, c.caller, "GET", map[bool]string{true: "/api/v1/admin/school-settings", false: "/api/v1/school-settings"}[c.Role.IsAdmin()], nil), http.StatusOK)
		if string(res.Body) != "null\n" {
			t.Errorf("%s before any settings: %s", c.Email, res.Body)
		}
	}
	body := map[string]any{"school_name": "Alpha Academy", "school_email": "office@alpha.example", "school_phone": "0700", "school_type": "Public",
		"school_motto": "Learn", "principal_name": "P", "deputy_principal_name": "", "county": "Nairobi", "sub_county": "Westlands",
		"established_year": 1990, "grades_offered": []string{"Grade 7", "Grade 8"},
		"streams_per_grade": map[string]any{"Grade 7": []map[string]any{{"name": "East", "pupils": 40}}, "PP2": []string{"Blue"}, "Grade 12": []string{"Old"}}}
	var saved map[string]any
	expect(t, s.do(t, adminA.caller, "POST", "/api/v1/admin/school-settings", body), http.StatusCreated).decode(t, &saved)
	id := uint64(saved["id"].(float64))
	// Saving again updates the one row.
	body["school_motto"] = "Learn more"
	expect(t, s.do(t, adminA.caller, "POST", "/api/v1/admin/school-settings", body), http.StatusOK)
	// The page's PUT sends the settings it read, with the logo's URL.
	expect(t, s.do(t, adminA.caller, "GET", "/api/v1/admin/school-settings", nil), http.StatusOK).decode(t, &saved)
	saved["school_logo_url"] = "https://cdn.example/logo.png"
	expect(t, s.do(t, adminA.caller, "PUT", fmt.Sprintf("/api/v1/admin/school-settings/%d", id), saved), http.StatusOK).decode(t, &saved)
	if saved["school_motto"] != "Learn more" || saved["school_logo_url"] != "https://cdn.example/logo.png" || saved["deputy_principal_name"] != nil {
		t.Errorf("after PUT: %v", saved)
	}
	// The school's teacher reads them; nobody else's admin touches them.
	var mine map[string]any
	expect(t, s.do(t, teacherA.caller, "GET", "/api/v1/school-settings", nil), http.StatusOK).decode(t, &mine)
	if mine["school_name"] != "Alpha Academy" {
		t.Errorf("teacher's school settings: %v", mine)
	}
	checkProblem(t, s.do(t, adminB.caller, "PUT", fmt.Sprintf("/api/v1/admin/school-settings/%d", id), map[string]any{"school_name": "Mine"}), http.StatusNotFound, "")
	checkProblem(t, s.do(t, teacherA.caller, "PUT", fmt.Sprintf("/api/v1/admin/school-settings/%d", id), map[string]any{"school_name": "Mine"}), http.StatusForbidden, "")
	checkProblem(t, s.do(t, teacherA.caller, "POST", "/api/v1/admin/school-settings", map[string]any{"school_name": "Mine"}), http.StatusForbidden, "")
	// The lesson-plan editor reads /admin/school-settings as a teacher: their
	// own school's settings, or null without a school.
	expect(t, s.do(t, teacherA.caller, "GET", "/api/v1/admin/school-settings", nil), http.StatusOK).decode(t, &mine)
	if mine["school_name"] != "Alpha Academy" || mine["id"] == nil {
		t.Errorf("teacher's /admin/school-settings: %v", mine)
	}
	if res := expect(t, s.do(t, loner.caller, "GET", "/api/v1/admin/school-settings", nil), http.StatusOK); string(res.Body) != "null\n" {
		t.Errorf("teacher without a school: %s", res.Body)
	}
	checkProblem(t, s.do(t, adminA.caller, "PUT", fmt.Sprintf("/api/v1/admin/school-settings/%d", id), map[string]any{"streams_per_grade": []string{"x"}}), http.StatusUnprocessableEntity, "streams_per_grade")
	checkProblem(t, s.do(t, adminA.caller, "PUT", fmt.Sprintf("/api/v1/admin/school-settings/%d", id), map[string]any{"school_name": ""}), http.StatusUnprocessableEntity, "school_name")
	var n int64
	s.primary(t).Table("school_settings").Count(&n)
	if n != 1 {
		t.Errorf("%d settings rows, want 1", n)
	}

	// Rollover: streams move up a grade.
	checkProblem(t, s.do(t, adminB.caller, "POST", "/api/v1/admin/school-settings/rollover", map[string]any{}), http.StatusNotFound, "")
	expect(t, s.do(t, adminA.caller, "POST", "/api/v1/admin/school-settings/rollover", map[string]any{}), http.StatusOK)
	var after struct {
		Streams map[string][]any `json:"streams_per_grade"`
	}
	expect(t, s.do(t, adminA.caller, "GET", "/api/v1/admin/school-settings", nil), http.StatusOK).decode(t, &after)
	if len(after.Streams) != 14 || len(after.Streams["Grade 8"]) != 1 || len(after.Streams["Grade 7"]) != 0 || len(after.Streams["Grade 1"]) != 1 ||
		len(after.Streams["PP1"]) != 0 || len(after.Streams["Grade 12"]) != 0 {
		t.Errorf("after rollover: %v", after.Streams)
	}
}
