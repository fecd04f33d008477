package handlers_test

import (
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/teachtrack/api/internal/models"
)

type profileBody struct {
	ID                    *uint64          `json:"id"`
	UserID                uint64           `json:"user_id"`
	SchoolName            *string          `json:"school_name"`
	SchoolLogoURL         *string          `json:"school_logo_url"`
	County                *string          `json:"county"`
	DeputyPrincipalName   *string          `json:"deputy_principal_name"`
	DefaultLessonsPerWeek int              `json:"default_lessons_per_week"`
	GradesOffered         []string         `json:"grades_offered"`
	StreamsPerGrade       map[string][]any `json:"streams_per_grade"`
	SubjectsTaught        []string         `json:"subjects_taught"`
}

// TestProfileSettings saves a teacher's profile as the profile page does:
// GET before the first save answers the defaults and writes nothing; POST
// sends the page's whole settings object (with the logo's URL); the school
// name can't change once set; bad input is 4xx problem+json, nothing written.
func TestProfileSettings(t *testing.T) {
	s := newTestServer(t)
	teacher := createUser(t, s, models.RoleTeacher, nil)
	other := createUser(t, s, models.RoleTeacher, nil)

	var got profileBody
	expect(t, s.do(t, teacher.caller, "GET", "/api/v1/profile/settings", nil), http.StatusOK).decode(t, &got)
	if got.ID != nil || got.UserID != teacher.ID || got.SchoolName != nil || got.DefaultLessonsPerWeek != 5 || got.GradesOffered == nil || got.StreamsPerGrade == nil {
		t.Errorf("before any save: %+v", got)
	}
	var n int64
	s.primary(t).Model(&models.TeacherProfile{}).Where("user_id = ?", teacher.ID).Count(&n)
	if n != 0 {
		t.Errorf("a GET wrote %d profile rows", n)
	}

	// The page's save: every field of its settings object.
	page := map[string]any{"school_name": "Sunrise Academy", "school_email": "", "school_phone": "0711", "school_address": "Box 1",
		"school_type": "Private", "school_motto": "Rise", "school_logo_url": "/uploads/logos/abc.png", "principal_name": "Mr P",
		"deputy_principal_name": "", "county": "Kiambu", "sub_county": "Thika", "grades_offered": []string{"Grade 7"},
		"streams_per_grade": map[string]any{"Grade 7": []map[string]any{{"name": "East", "pupils": 30}}}}
	expect(t, s.do(t, teacher.caller, "POST", "/api/v1/profile/settings", page), http.StatusOK).decode(t, &got)
	if got.ID == nil || *got.SchoolName != "Sunrise Academy" || *got.SchoolLogoURL != "/uploads/logos/abc.png" || got.DeputyPrincipalName != nil ||
		!cmp.Equal(got.GradesOffered, []string{"Grade 7"}) || len(got.StreamsPerGrade["Grade 7"]) != 1 {
		t.Errorf("after the first save: %+v", got)
	}
	id := *got.ID
	// Saving again (the page sends what it read back, echoed fields too) updates the one row.
	page["county"], page["id"], page["user_id"], page["created_at"], page["updated_at"] = "Nairobi", id, teacher.ID, "2026-01-01T00:00:00Z", nil
	page["subjects_taught"], page["default_lessons_per_week"] = []string{"Mathematics"}, 6
	expect(t, s.do(t, teacher.caller, "POST", "/api/v1/profile/settings", page), http.StatusOK).decode(t, &got)
	if *got.ID != id || *got.County != "Nairobi" || got.DefaultLessonsPerWeek != 6 || !cmp.Equal(got.SubjectsTaught, []string{"Mathematics"}) {
		t.Errorf("after the second save: %+v", got)
	}
	expect(t, s.do(t, teacher.caller, "GET", "/api/v1/profile/settings", nil), http.StatusOK).decode(t, &got)
	if got.ID == nil || *got.ID != id || *got.County != "Nairobi" {
		t.Errorf("read back: %+v", got)
	}

	// Refusals: nothing of them is written.
	for _, tt := range []struct {
		name   string
		body   any
		status int
		field  string
	}{
		{"another school name", map[string]any{"school_name": "Other School", "county": "Mombasa"}, http.StatusForbidden, ""},
		{"streams not an object", map[string]any{"county": "Mombasa", "streams_per_grade": []string{"East"}}, http.StatusUnprocessableEntity, "streams_per_grade"},
		{"lessons out of range", map[string]any{"county": "Mombasa", "default_lessons_per_week": 0}, http.StatusUnprocessableEntity, "default_lessons_per_week"},
		{"county too long", map[string]any{"county": string(make([]byte, 101))}, http.StatusUnprocessableEntity, "county"},
		{"unknown field", map[string]any{"county": "Mombasa", "colour": "red"}, http.StatusBadRequest, ""},
		{"wrong type", map[string]any{"grades_offered": "Grade 7"}, http.StatusBadRequest, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			checkProblem(t, s.do(t, teacher.caller, "POST", "/api/v1/profile/settings", tt.body), tt.status, tt.field)
		})
	}
	expect(t, s.do(t, teacher.caller, "GET", "/api/v1/profile/settings", nil), http.StatusOK).decode(t, &got)
	if *got.County != "Nairobi" || *got.SchoolName != "Sunrise Academy" {
		t.Errorf("after the refusals: %+v", got)
	}
	// The same name (spaces aside) is not a change.
	page["school_name"] = " Sunrise Academy "
	expect(t, s.do(t, teacher.caller, "POST", "/api/v1/profile/settings", page), http.StatusOK)

	// Each user has their own profile.
	expect(t, s.do(t, other.caller, "GET", "/api/v1/profile/settings", nil), http.StatusOK).decode(t, &got)
	if got.ID != nil || got.SchoolName != nil {
		t.Errorf("another teacher's profile: %+v", got)
	}
	expect(t, s.do(t, anonymous, "GET", "/api/v1/profile/settings", nil), http.StatusUnauthorized)
	s.primary(t).Model(&models.TeacherProfile{}).Where("user_id = ?", teacher.ID).Count(&n)
	if n != 1 {
		t.Errorf("%d profile rows, want 1", n)
	}
}

type contextBody struct {
	Type           string    `json:"type"`
	IsSchoolLinked bool      `json:"is_school_linked"`
	HasContext     bool      `json:"has_context"`
	SchoolName     *string   `json:"school_name"`
	SchoolLogoURL  *string   `json:"school_logo_url"`
	PrincipalName  *string   `json:"principal_name"`
	County         *string   `json:"county"`
	CurrentTerm    *termBody `json:"current_term"`
}

// TestSchoolContext: a school's teacher gets the school's settings (its
// name alone before it has any), an independent teacher their profile's, a
// new teacher "none"; current_term comes from the one term resolver: the
// school's own term over the system's, never another school's.
func TestSchoolContext(t *testing.T) {
	today := time.Date(2026, 5, 6, 9, 0, 0, 0, nairobi)
	s := newClockServer(t, slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn})), func() time.Time { return today })
	alpha, beta := createSchool(t, s, "Alpha Primary"), createSchool(t, s, "Beta Primary")
	adminA := createUser(t, s, models.RoleSchoolAdmin, alpha)
	teacherA := createUser(t, s, models.RoleTeacher, alpha)
	teacherB := createUser(t, s, models.RoleTeacher, beta)
	loner := createUser(t, s, models.RoleTeacher, nil)
	fresh := createUser(t, s, models.RoleTeacher, nil)

	get := func(u *testUser) contextBody {
		t.Helper()
		var c contextBody
		expect(t, s.do(t, u.caller, "GET", "/api/v1/profile/school-context", nil), http.StatusOK).decode(t, &c)
		return c
	}
	// No terms anywhere yet, no settings: the school's name, no term.
	if c := get(teacherA); c.Type != "school" || !c.IsSchoolLinked || !c.HasContext || c.SchoolName == nil || *c.SchoolName != "Alpha Primary" || c.CurrentTerm != nil {
		t.Errorf("Alpha's teacher before settings: %+v", c)
	}
	if c := get(fresh); c.Type != "none" || c.HasContext || c.IsSchoolLinked || c.SchoolName != nil {
		t.Errorf("a new teacher: %+v", c)
	}

	super := createUser(t, s, models.RoleSuperAdmin, nil)
	expect(t, s.do(t, super.caller, "POST", "/api/v1/admin/system-terms/generate-year/2026", map[string]any{}), http.StatusCreated)
	expect(t, s.do(t, adminA.caller, "POST", "/api/v1/admin/school-settings", map[string]any{"school_name": "Alpha Primary School",
		"school_email": "a@example.com", "principal_name": "Mrs A", "county": "Nakuru", "school_logo_url": "/uploads/logos/a.png"}), http.StatusCreated)
	expect(t, s.do(t, adminA.caller, "POST", "/api/v1/admin/school-terms", map[string]any{
		"term_number": 2, "year": 2026, "start_date": "2026-05-04", "end_date": "2026-08-07"}), http.StatusCreated)
	expect(t, s.do(t, loner.caller, "POST", "/api/v1/profile/settings", map[string]any{"school_name": "Loner Academy", "county": "Kisumu"}), http.StatusOK)

	c := get(teacherA)
	if c.Type != "school" || *c.SchoolName != "Alpha Primary School" || *c.PrincipalName != "Mrs A" || *c.County != "Nakuru" || *c.SchoolLogoURL != "/uploads/logos/a.png" {
		t.Errorf("Alpha's teacher: %+v", c)
	}
	if c.CurrentTerm == nil || c.CurrentTerm.Source != "school" || c.CurrentTerm.StartDate != "2026-05-04" || c.CurrentTerm.TermNumber != 2 {
		t.Errorf("Alpha's current term: %+v", c.CurrentTerm)
	}
	// Beta has no settings and no own terms: its name and the system's term 2.
	c = get(teacherB)
	if *c.SchoolName != "Beta Primary" || c.CurrentTerm == nil || c.CurrentTerm.Source != "system" || c.CurrentTerm.StartDate != "2026-04-27" {
		t.Errorf("Beta's teacher: %+v %+v", c, c.CurrentTerm)
	}
	c = get(loner)
	if c.Type != "individual" || c.IsSchoolLinked || !c.HasContext || *c.SchoolName != "Loner Academy" || *c.County != "Kisumu" ||
		c.CurrentTerm == nil || c.CurrentTerm.Source != "system" {
		t.Errorf("independent teacher: %+v", c)
	}

	// A constant number of statements: the session's, the settings', the term's.
	before := s.statements(t)
	get(teacherA)
	if n := s.statements(t) - before; n != 3 {
		t.Errorf("school context: %v statements, want 3", n)
	}
}

type lessonsConfigBody struct {
	SubjectName          string `json:"subject_name"`
	Grade                string `json:"grade"`
	LessonsPerWeek       int    `json:"lessons_per_week"`
	DoubleLessonsPerWeek int    `json:"double_lessons_per_week"`
	Source               string `json:"source"`
}

// TestProfileLessonsConfig: a teacher's own lessons per week override their
// school's for the same subject and grade, in the shape the page reads
// ({configs}); the page's POST saves one; bad input is 4xx.
func TestProfileLessonsConfig(t *testing.T) {
	s := newTestServer(t)
	school := createSchool(t, s, "Hill")
	admin := createUser(t, s, models.RoleSchoolAdmin, school)
	teacher := createUser(t, s, models.RoleTeacher, school)
	other := createUser(t, s, models.RoleTeacher, nil)

	list := func(u *testUser) []lessonsConfigBody {
		t.Helper()
		var out struct {
			Configs []lessonsConfigBody `json:"configs"`
		}
		expect(t, s.do(t, u.caller, "GET", "/api/v1/profile/lessons-config", nil), http.StatusOK).decode(t, &out)
		return out.Configs
	}
	if got := list(teacher); len(got) != 0 {
		t.Errorf("before any setting: %+v", got)
	}
	expect(t, s.do(t, admin.caller, "POST", "/api/v1/admin/lessons-per-week", map[string]any{"subject_name": "Mathematics", "grade": "Grade 7", "lessons_per_week": 6}), http.StatusOK)
	expect(t, s.do(t, admin.caller, "POST", "/api/v1/admin/lessons-per-week", map[string]any{"subject_name": "English", "grade": "Grade 7", "lessons_per_week": 4}), http.StatusOK)
	// The page's save.
	var saved struct {
		Message string            `json:"message"`
		Config  lessonsConfigBody `json:"config"`
	}
	expect(t, s.do(t, teacher.caller, "POST", "/api/v1/profile/lessons-config", map[string]any{"subject_name": "Mathematics", "grade": "Grade 7",
		"lessons_per_week": 7, "double_lessons_per_week": 1, "single_lesson_duration": 40, "double_lesson_duration": 80}), http.StatusOK).decode(t, &saved)
	if saved.Config.LessonsPerWeek != 7 || saved.Config.Source != "own" {
		t.Errorf("saved: %+v", saved)
	}
	want := []lessonsConfigBody{
		{SubjectName: "English", Grade: "Grade 7", LessonsPerWeek: 4, Source: "school"},
		{SubjectName: "Mathematics", Grade: "Grade 7", LessonsPerWeek: 7, DoubleLessonsPerWeek: 1, Source: "own"},
	}
	if got := list(teacher); !cmp.Equal(got, want) {
		t.Errorf("teacher's settings: %s", cmp.Diff(want, got))
	}
	// Another teacher sees none of these; the school admin's own page is unchanged.
	if got := list(other); len(got) != 0 {
		t.Errorf("another teacher: %+v", got)
	}
	var adminList struct {
		Configs []lessonsConfigBody `json:"configs"`
	}
	expect(t, s.do(t, admin.caller, "GET", "/api/v1/admin/lessons-per-week", nil), http.StatusOK).decode(t, &adminList)
	for _, c := range adminList.Configs {
		if c.SubjectName == "Mathematics" && c.LessonsPerWeek != 6 {
			t.Errorf("the teacher's setting changed the school's: %+v", c)
		}
	}
	for _, tt := range []struct {
		name   string
		body   any
		status int
		field  string
	}{
		{"no subject", map[string]any{"grade": "Grade 7"}, http.StatusUnprocessableEntity, "subject_name"},
		{"too many lessons", map[string]any{"subject_name": "Mathematics", "grade": "Grade 7", "lessons_per_week": 99}, http.StatusUnprocessableEntity, "lessons_per_week"},
		{"not a number", map[string]any{"subject_name": "Mathematics", "grade": "Grade 7", "lessons_per_week": "five"}, http.StatusBadRequest, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			checkProblem(t, s.do(t, teacher.caller, "POST", "/api/v1/profile/lessons-config", tt.body), tt.status, tt.field)
		})
	}
	if got := list(teacher); len(got) != 2 || got[1].LessonsPerWeek != 7 {
		t.Errorf("after the refusals: %+v", got)
	}
	// One statement for the list (and the session's).
	before := s.statements(t)
	list(teacher)
	if n := s.statements(t) - before; n != 2 {
		t.Errorf("lessons-config list: %v statements, want 2", n)
	}
}
