package handlers_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/teachtrack/api/internal/models"
)

type templateDetailJSON struct {
	templateJSON
	TotalStrands    int `json:"total_strands"`
	TotalSubstrands int `json:"total_substrands"`
	TotalLessons    int `json:"total_lessons"`
	Strands         []struct {
		ID            uint64         `json:"id"`
		StrandNumber  string         `json:"strand_number"`
		StrandName    string         `json:"strand_name"`
		SequenceOrder int            `json:"sequence_order"`
		Extra         map[string]any `json:"extra"`
		Substrands    []struct {
			ID                       uint64         `json:"id"`
			SubstrandNumber          string         `json:"substrand_number"`
			SubstrandName            string         `json:"substrand_name"`
			NumberOfLessons          int            `json:"number_of_lessons"`
			SpecificLearningOutcomes []string       `json:"specific_learning_outcomes"`
			Extra                    map[string]any `json:"extra"`
		} `json:"substrands"`
	} `json:"strands"`
}

func (d templateDetailJSON) outline() []string {
	var out []string
	for _, s := range d.Strands {
		line := s.StrandNumber + " " + s.StrandName + ":"
		for _, ss := range s.Substrands {
			line += fmt.Sprintf(" %s %s ×%d;", ss.SubstrandNumber, ss.SubstrandName, ss.NumberOfLessons)
		}
		out = append(out, line)
	}
	return out
}

// The editor: a SUPER_ADMIN reads, creates, saves and deactivates; saving
// what GET returned (with the editor's changes) keeps numbers, order and
// extras; school admins only read; teachers are refused.
func TestCurriculumAdminEditor(t *testing.T) {
	s := newTestServer(t)
	admin := createUser(t, s, models.RoleSuperAdmin, nil)
	school := createUser(t, s, models.RoleSchoolAdmin, nil)
	teacher := createUser(t, s, models.RoleTeacher, nil)
	id := importFixture(t, s, admin.caller, "number-dialect.json", http.StatusCreated).CurriculumID
	path := fmt.Sprintf("/api/v1/admin/curriculum-templates/%d", id)

	var raw map[string]any
	res := expect(t, s.do(t, admin.caller, "GET", path, nil), http.StatusOK)
	res.decode(t, &raw)
	var got templateDetailJSON
	res.decode(t, &got)
	if got.TotalStrands != 2 || got.TotalSubstrands != 4 || got.TotalLessons != 10 {
		t.Errorf("totals %d/%d/%d", got.TotalStrands, got.TotalSubstrands, got.TotalLessons)
	}

	// The edit page sends back the whole object: a renamed strand, a list
	// field edited as text, a new strand with a temporary id (Date.now()),
	// and a deleted sub-strand.
	strands := raw["strands"].([]any)
	soils := strands[0].(map[string]any)
	soils["strand_name"] = "Soils and soil care"
	subs := soils["substrands"].([]any)
	subs[0].(map[string]any)["specific_learning_outcomes"] = "identify soil types\n\ncare for soil  "
	soils["substrands"] = append(subs[:1], subs[2:]...) // drop 1.2
	strands = append(strands, map[string]any{"id": 1732900000000, "sequence_order": 3, "strand_name": "New Strand", "substrands": []any{
		map[string]any{"id": 1732900000001, "sequence_order": 1, "substrand_name": "New Sub-Strand", "specific_learning_outcomes": "", "suggested_learning_experiences": "", "key_inquiry_questions": "", "number_of_lessons": 2},
	}})
	raw["strands"] = strands
	var saved templateDetailJSON
	expect(t, s.do(t, admin.caller, "PUT", path, raw), http.StatusOK).decode(t, &saved)
	want := []string{
		"1.0 Soils and soil care: 1.1 Soil one ×3; 1.10 Soil ten ×1;",
		"2.0 Livestock: 2.1 Poultry ×4;",
		"3.0 New Strand: 3.1 New Sub-Strand ×2;",
	}
	if diff := cmp.Diff(want, saved.outline()); diff != "" {
		t.Errorf("saved tree (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"identify soil types", "care for soil"}, saved.Strands[0].Substrands[0].SpecificLearningOutcomes); diff != "" {
		t.Errorf("a list edited as text (-want +got):\n%s", diff)
	}
	if saved.Version != 2 {
		t.Errorf("version %d after a save, want 2", saved.Version)
	}
	// 1.2 kept its extra (assessmentRubric) until it was deleted; 1.1 keeps its pcis-free extra.
	if _, ok := saved.Strands[0].Substrands[0].Extra["assessmentRubric"]; ok {
		t.Errorf("extras moved between sub-strands: %v", saved.Strands[0].Substrands[0].Extra)
	}
	// The list page's save: four scalar fields, tree untouched.
	expect(t, s.do(t, admin.caller, "PUT", path, map[string]any{"subject": "Agriculture & Nutrition", "grade": "grade 9", "education_level": "Junior Secondary", "is_active": true}), http.StatusOK).decode(t, &saved)
	if saved.Subject != "Agriculture & Nutrition" || saved.Grade != "Grade 9" || len(saved.Strands) != 3 {
		t.Errorf("scalar save: %+v", saved.templateJSON)
	}

	// Create; the same subject and grade again is 409.
	var created templateDetailJSON
	body := map[string]any{"education_level": "Upper Primary", "grade": "Grade 4", "subject": "Home Science", "is_active": true}
	expect(t, s.do(t, admin.caller, "POST", "/api/v1/admin/curriculum-templates", body), http.StatusCreated).decode(t, &created)
	if created.EducationLevel != "Upper Primary" || created.Strands == nil {
		t.Errorf("created %+v", created)
	}
	expect(t, s.do(t, admin.caller, "POST", "/api/v1/admin/curriculum-templates", body), http.StatusConflict)
	expect(t, s.do(t, admin.caller, "POST", "/api/v1/admin/curriculum-templates", map[string]any{"subject": "X"}), http.StatusUnprocessableEntity)

	// Who may do what.
	var list []templateJSON
	expect(t, s.do(t, school.caller, "GET", "/api/v1/admin/curriculum-templates?is_active=true", nil), http.StatusOK).decode(t, &list)
	if len(list) != 2 {
		t.Errorf("school admin's list: %d templates", len(list))
	}
	expect(t, s.do(t, school.caller, "PUT", path, map[string]any{"subject": "Hijack"}), http.StatusForbidden)
	expect(t, s.do(t, school.caller, "DELETE", path, nil), http.StatusForbidden)
	expect(t, s.do(t, teacher.caller, "GET", path, nil), http.StatusForbidden)
	expect(t, s.do(t, teacher.caller, "GET", "/api/v1/admin/curriculum-templates", nil), http.StatusForbidden)
	expect(t, s.do(t, admin.caller, "GET", "/api/v1/admin/curriculum-templates/999999", nil), http.StatusNotFound)
	expect(t, s.do(t, admin.caller, "GET", "/api/v1/admin/curriculum-templates?is_active=maybe", nil), http.StatusBadRequest)

	// Delete deactivates: gone from the public list, still in the admin's.
	sub := bulkUse(t, s, teacher.caller, id).Results.Success[0].SubjectID
	expect(t, s.do(t, admin.caller, "DELETE", path, nil), http.StatusOK)
	for _, tpl := range listTemplates(t, s, teacher.caller, "") {
		if tpl.ID == id {
			t.Error("a deactivated template is still offered to teachers")
		}
	}
	expect(t, s.do(t, admin.caller, "GET", "/api/v1/admin/curriculum-templates?is_active=false", nil), http.StatusOK).decode(t, &list)
	if len(list) != 1 || list[0].ID != id || list[0].IsActive {
		t.Errorf("inactive list: %+v", list)
	}
	var subj struct {
		TemplateID *uint64 `json:"template_id"`
	}
	expect(t, s.do(t, teacher.caller, "GET", fmt.Sprintf("/api/v1/subjects/%d", sub), nil), http.StatusOK).decode(t, &subj)
	if subj.TemplateID == nil || *subj.TemplateID != id {
		t.Errorf("the subject lost its template link: %v", subj.TemplateID)
	}
	expect(t, s.do(t, admin.caller, "DELETE", fmt.Sprintf("/api/v1/admin/curricula/%d", created.ID), nil), http.StatusOK)
}

// A teacher's JSON upload becomes their private template, named by the
// form; PDF and Word files are 415 with a sentence; another teacher can't
// see or use it.
func TestCurriculumUpload(t *testing.T) {
	s := newTestServer(t)
	teacher := createUser(t, s, models.RoleTeacher, nil)
	other := createUser(t, s, models.RoleTeacher, nil)

	var up struct {
		Message string `json:"message"`
		Data    struct {
			TemplateID    uint64   `json:"template_id"`
			Status        string   `json:"status"`
			Subject       string   `json:"subject"`
			Grade         string   `json:"grade"`
			Lessons       int      `json:"lessons"`
			FallbackUsed  bool     `json:"fallback_used"`
			ParseWarnings []string `json:"parse_warnings"`
		} `json:"data"`
	}
	expect(t, s.do(t, teacher.caller, "POST", "/api/v1/curriculum/upload",
		curriculumUpload(t, "maths.json", fixture(t, "snake-dialect.json"), "grade", "Grade 8", "learning_area", "Mathematics (school copy)")), http.StatusCreated).decode(t, &up)
	if up.Data.Subject != "Mathematics (school copy)" || up.Data.Grade != "Grade 8" || up.Data.Lessons != 9 || up.Data.Status != "created" {
		t.Errorf("upload: %+v", up.Data)
	}
	expect(t, s.do(t, teacher.caller, "POST", "/api/v1/curriculum/upload",
		curriculumUpload(t, "maths.json", fixture(t, "snake-dialect.json"), "grade", "Grade 8", "learning_area", "Mathematics (school copy)")), http.StatusOK).decode(t, &up)
	if up.Data.Status != "unchanged" {
		t.Errorf("the same upload again: %q", up.Data.Status)
	}
	mine := listTemplates(t, s, teacher.caller, "?grade=Grade%208")
	if len(mine) != 1 || !mine[0].IsPrivate {
		t.Errorf("uploader's list: %+v", mine)
	}
	if theirs := listTemplates(t, s, other.caller, ""); len(theirs) != 0 {
		t.Errorf("another teacher sees %+v", theirs)
	}
	if anon := listTemplates(t, s, anonymous, ""); len(anon) != 0 {
		t.Errorf("the public sees %+v", anon)
	}
	if u := bulkUse(t, s, other.caller, up.Data.TemplateID); len(u.Results.Failed) != 1 {
		t.Errorf("another teacher used a private template: %+v", u)
	}
	expect(t, s.do(t, teacher.caller, "GET", fmt.Sprintf("/api/v1/admin/curriculum-templates/%d", up.Data.TemplateID), nil), http.StatusForbidden)
	// A private upload is not the catalogue's: the editor answers 404.
	admin := createUser(t, s, models.RoleSuperAdmin, nil)
	expect(t, s.do(t, admin.caller, "GET", fmt.Sprintf("/api/v1/admin/curriculum-templates/%d", up.Data.TemplateID), nil), http.StatusNotFound)
	expect(t, s.do(t, admin.caller, "PUT", fmt.Sprintf("/api/v1/admin/curriculum-templates/%d", up.Data.TemplateID), map[string]any{"subject": "Taken"}), http.StatusNotFound)
	expect(t, s.do(t, admin.caller, "DELETE", fmt.Sprintf("/api/v1/admin/curricula/%d", up.Data.TemplateID), nil), http.StatusNotFound)

	for _, tt := range []struct {
		name, file, data, want string
	}{
		{"pdf", "design.pdf", "%PDF-1.4 binary", "PDF"},
		{"docx", "design.docx", "PK\x03\x04 zip", "Word"},
		{"text", "notes.txt", "hello", "JSON"},
	} {
		res := expect(t, s.do(t, teacher.caller, "POST", "/api/v1/curriculum/upload", curriculumUpload(t, tt.file, []byte(tt.data), "grade", "Grade 4", "learning_area", "Maths")), http.StatusUnsupportedMediaType)
		var p problem
		res.decode(t, &p)
		if !strings.Contains(p.Detail, tt.want) || !strings.Contains(p.Detail, "JSON") {
			t.Errorf("%s: detail %q", tt.name, p.Detail)
		}
	}
	res := expect(t, s.do(t, teacher.caller, "POST", "/api/v1/curriculum/upload", curriculumUpload(t, "bad.json", []byte(`{"subject":"A","grade":"Grade 1","strands":[{"strandNumber":"1.0"}]}`))), http.StatusUnprocessableEntity)
	var p problem
	res.decode(t, &p)
	if !strings.Contains(p.Detail, "has no name") {
		t.Errorf("bad file: %q", p.Detail)
	}
	expect(t, s.do(t, anonymous, "POST", "/api/v1/curriculum/upload", curriculumUpload(t, "a.json", fixture(t, "no-lessons.json"))), http.StatusUnauthorized)
}

// Lessons per week: a school admin sets their school's, an admin without a
// school their own; user_count counts the school's teachers with the
// subject; new subjects made from templates take the setting.
func TestLessonsPerWeek(t *testing.T) {
	s := newTestServer(t)
	schoolID := createSchool(t, s, "Moi Primary")
	admin := createUser(t, s, models.RoleSuperAdmin, nil)
	head := createUser(t, s, models.RoleSchoolAdmin, schoolID)
	teacher := createUser(t, s, models.RoleTeacher, schoolID)
	loner := createUser(t, s, models.RoleSchoolAdmin, nil)

	var saved map[string]any
	expect(t, s.do(t, head.caller, "POST", "/api/v1/admin/lessons-per-week", map[string]any{
		"subject_name": "Agriculture and Nutrition", "grade": "Grade 9", "lessons_per_week": 4, "double_lessons_per_week": 1, "single_lesson_duration": 40, "double_lesson_duration": 80,
	}), http.StatusOK).decode(t, &saved)
	if saved["lessons_per_week"] != float64(4) {
		t.Errorf("saved %v", saved)
	}
	var msg struct {
		Message string `json:"message"`
	}
	expect(t, s.do(t, head.caller, "POST", "/api/v1/admin/lessons-per-week/bulk", map[string]any{
		"grade": "Grade 7", "subjects": []string{"English", "Mathematics", "english"}, "lessons_per_week": 6,
	}), http.StatusOK).decode(t, &msg)
	if msg.Message != "Updated 2 subjects for Grade 7." {
		t.Errorf("bulk: %q", msg.Message)
	}
	expect(t, s.do(t, head.caller, "POST", "/api/v1/admin/lessons-per-week/bulk", map[string]any{"grade": "Grade 7", "subjects": []string{}}), http.StatusUnprocessableEntity)
	expect(t, s.do(t, head.caller, "POST", "/api/v1/admin/lessons-per-week", map[string]any{"subject_name": "X", "grade": "Grade 7", "lessons_per_week": 2, "double_lessons_per_week": 3}), http.StatusUnprocessableEntity)
	expect(t, s.do(t, teacher.caller, "GET", "/api/v1/admin/lessons-per-week", nil), http.StatusForbidden)

	// The teacher's new subject from the template takes the school's setting.
	id := importFixture(t, s, admin.caller, "number-dialect.json", http.StatusCreated).CurriculumID
	sub := bulkUse(t, s, teacher.caller, id).Results.Success[0].SubjectID
	var sched struct {
		Scheduling map[string]int `json:"scheduling"`
	}
	expect(t, s.do(t, teacher.caller, "GET", fmt.Sprintf("/api/v1/subjects/%d/scheduling", sub), nil), http.StatusOK).decode(t, &sched)
	if sched.Scheduling["lessons_per_week"] != 4 || sched.Scheduling["double_lessons_per_week"] != 1 {
		t.Errorf("scheduling of the new subject: %v", sched.Scheduling)
	}

	var list struct {
		Configs []struct {
			SubjectName    string `json:"subject_name"`
			Grade          string `json:"grade"`
			LessonsPerWeek int    `json:"lessons_per_week"`
			UserCount      int    `json:"user_count"`
		} `json:"configs"`
	}
	expect(t, s.do(t, head.caller, "GET", "/api/v1/admin/lessons-per-week", nil), http.StatusOK).decode(t, &list)
	got, _ := json.Marshal(list.Configs)
	want := `[{"subject_name":"English","grade":"Grade 7","lessons_per_week":6,"user_count":0},{"subject_name":"Mathematics","grade":"Grade 7","lessons_per_week":6,"user_count":0},{"subject_name":"Agriculture and Nutrition","grade":"Grade 9","lessons_per_week":4,"user_count":1}]`
	if string(got) != want {
		t.Errorf("configs:\n got %s\nwant %s", got, want)
	}
	// Another admin (no school) has their own, empty, list.
	expect(t, s.do(t, loner.caller, "GET", "/api/v1/admin/lessons-per-week", nil), http.StatusOK).decode(t, &list)
	if len(list.Configs) != 0 {
		t.Errorf("another admin sees %+v", list.Configs)
	}
}

// The notes page's pickers: levels and grades, and only the caller's own
// subject names.
func TestCurriculumPickers(t *testing.T) {
	s := newTestServer(t)
	teacher := createUser(t, s, models.RoleTeacher, nil)
	other := createUser(t, s, models.RoleTeacher, nil)
	newSubject(t, s, teacher.caller, "Mathematics", "Grade 7", nil)
	newSubject(t, s, teacher.caller, "English", "Grade 7", nil)
	newSubject(t, s, teacher.caller, "Kiswahili", "Grade 8", nil)
	newSubject(t, s, other.caller, "Secret Subject", "Grade 7", nil)

	var levels struct {
		EducationLevels []string `json:"education_levels"`
	}
	expect(t, s.do(t, anonymous, "GET", "/api/v1/education-levels", nil), http.StatusOK).decode(t, &levels)
	if len(levels.EducationLevels) != 5 || levels.EducationLevels[3] != "Junior Secondary" {
		t.Errorf("levels %v", levels.EducationLevels)
	}
	var grades struct {
		Grades []string `json:"grades"`
	}
	expect(t, s.do(t, teacher.caller, "GET", "/api/v1/grades?education_level=Junior%20Secondary", nil), http.StatusOK).decode(t, &grades)
	if diff := cmp.Diff([]string{"Grade 7", "Grade 8", "Grade 9"}, grades.Grades); diff != "" {
		t.Errorf("grades (-want +got):\n%s", diff)
	}
	expect(t, s.do(t, teacher.caller, "GET", "/api/v1/grades?education_level=Nowhere", nil), http.StatusOK).decode(t, &grades)
	if len(grades.Grades) != 0 {
		t.Errorf("unknown level: %v", grades.Grades)
	}
	var names struct {
		Subjects []string `json:"subjects"`
	}
	expect(t, s.do(t, teacher.caller, "GET", "/api/v1/subjects-by-grade?grade=Grade%207&education_level=Junior%20Secondary", nil), http.StatusOK).decode(t, &names)
	if diff := cmp.Diff([]string{"English", "Mathematics"}, names.Subjects); diff != "" {
		t.Errorf("subjects-by-grade (-want +got):\n%s", diff)
	}
	expect(t, s.do(t, teacher.caller, "GET", "/api/v1/subjects-by-grade?education_level=Junior%20Secondary", nil), http.StatusOK).decode(t, &names)
	if len(names.Subjects) != 3 {
		t.Errorf("by level: %v", names.Subjects)
	}
	expect(t, s.do(t, anonymous, "GET", "/api/v1/subjects-by-grade?grade=Grade%207", nil), http.StatusUnauthorized)
}
