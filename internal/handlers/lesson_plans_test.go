package handlers_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gorm.io/gorm"

	"github.com/teachtrack/api/internal/models"
)

// planJSON is a lesson plan as the API answers it, every field kept as JSON
// so a test can send it back as the edit page does.
type planJSON map[string]any

func (p planJSON) id() uint64 { return uint64(p["id"].(float64)) }

func (p planJSON) path(suffix string) string {
	return fmt.Sprintf("/api/v1/lesson-plans/%d%s", p.id(), suffix)
}

// newPlan creates a plan for c through POST /lesson-plans; fields override
// the defaults.
func newPlan(t *testing.T, s *testServer, c caller, fields map[string]any) planJSON {
	t.Helper()
	body := map[string]any{"learning_area": "Mathematics", "grade": "Grade 4", "strand_theme_topic": "Numbers",
		"sub_strand_sub_theme_sub_topic": "Whole numbers", "specific_learning_outcomes": "a) read numbers"}
	for k, v := range fields {
		body[k] = v
	}
	var p planJSON
	expect(t, s.do(t, c, "POST", "/api/v1/lesson-plans", body), http.StatusCreated).decode(t, &p)
	return p
}

func getPlan(t *testing.T, s *testServer, c caller, p planJSON) planJSON {
	t.Helper()
	var got planJSON
	expect(t, s.do(t, c, "GET", p.path(""), nil), http.StatusOK).decode(t, &got)
	return got
}

func listPlans(t *testing.T, s *testServer, c caller, query string) []planJSON {
	t.Helper()
	var list []planJSON
	expect(t, s.do(t, c, "GET", "/api/v1/lesson-plans"+query, nil), http.StatusOK).decode(t, &list)
	return list
}

func planIDs(list []planJSON) []uint64 {
	ids := make([]uint64, len(list))
	for i, p := range list {
		ids[i] = p.id()
	}
	return ids
}

func TestLessonPlanCRUD(t *testing.T) {
	s := newTestServer(t)
	teacher := createUser(t, s, models.RoleTeacher, nil)
	sub := newSubject(t, s, teacher.caller, "Mathematics", "Grade 4", nil)

	if got := strings.TrimSpace(string(expect(t, s.do(t, teacher.caller, "GET", "/api/v1/lesson-plans", nil), http.StatusOK).Body)); got != "[]" {
		t.Fatalf("empty list %s, want []", got)
	}
	p := newPlan(t, s, teacher.caller, map[string]any{"subject_id": sub.ID, "date": "2026-05-04", "lesson_duration_minutes": 40, "grade": " Grade 4 "})
	for k, want := range map[string]any{"status": "pending", "grade": "Grade 4", "date": "2026-05-04", "lesson_duration_minutes": 40.0,
		"subject_id": float64(sub.ID), "scheme_lesson_id": nil, "week_number": nil, "lesson_number": nil, "is_archived": false, "introduction": ""} {
		if !cmp.Equal(p[k], want) {
			t.Errorf("created %s = %v, want %v", k, p[k], want)
		}
	}

	// The edit page: every null turned into "", a field edited, the whole
	// plan sent back (read-only fields included).
	edit := planJSON{}
	for k, v := range getPlan(t, s, teacher.caller, p) {
		if v == nil {
			v = ""
		}
		edit[k] = v
	}
	edit["introduction"] = "Recap place value."
	edit["status"] = "taught"
	edit["lesson_duration_minutes"] = "45" // a number input's state
	edit["date"] = nil                     // the page sends null for an empty date
	var updated planJSON
	expect(t, s.do(t, teacher.caller, "PUT", p.path(""), map[string]any(edit)), http.StatusOK).decode(t, &updated)
	for k, want := range map[string]any{"introduction": "Recap place value.", "status": "taught", "lesson_duration_minutes": 45.0, "date": nil,
		"scheme_lesson_id": nil, "share_token": nil} {
		if !cmp.Equal(updated[k], want) {
			t.Errorf("updated %s = %v, want %v", k, updated[k], want)
		}
	}
	// "" clears the duration and the subject.
	expect(t, s.do(t, teacher.caller, "PUT", p.path(""), map[string]any{"lesson_duration_minutes": "", "subject_id": ""}), http.StatusOK).decode(t, &updated)
	if updated["lesson_duration_minutes"] != nil || updated["subject_id"] != nil || updated["introduction"] != "Recap place value." {
		t.Errorf("after clearing: %v", updated)
	}

	// Archive: out of the default list, into ?archived=true, and back.
	q := newPlan(t, s, teacher.caller, nil)
	expect(t, s.do(t, teacher.caller, "POST", q.path("/archive"), map[string]any{}), http.StatusOK)
	if got := planIDs(listPlans(t, s, teacher.caller, "")); !cmp.Equal(got, []uint64{p.id()}) {
		t.Errorf("default list %v, want [%d]", got, p.id())
	}
	if got := planIDs(listPlans(t, s, teacher.caller, "?archived=true")); !cmp.Equal(got, []uint64{q.id()}) {
		t.Errorf("archived list %v, want [%d]", got, q.id())
	}
	expect(t, s.do(t, teacher.caller, "POST", q.path("/unarchive"), nil), http.StatusOK)
	if got := planIDs(listPlans(t, s, teacher.caller, "")); !cmp.Equal(got, []uint64{q.id(), p.id()}) {
		t.Errorf("list after unarchive %v, want newest first", got)
	}

	// Duplicate: an independent copy.
	var dup planJSON
	expect(t, s.do(t, teacher.caller, "POST", p.path("/duplicate"), map[string]any{}), http.StatusCreated).decode(t, &dup)
	if dup.id() == p.id() || dup["introduction"] != "Recap place value." || dup["status"] != "pending" {
		t.Errorf("duplicate %v", dup)
	}
	expect(t, s.do(t, teacher.caller, "PUT", dup.path(""), map[string]any{"introduction": "Changed"}), http.StatusOK)
	if getPlan(t, s, teacher.caller, p)["introduction"] != "Recap place value." {
		t.Error("editing the copy changed the original")
	}

	// Delete.
	expect(t, s.do(t, teacher.caller, "DELETE", dup.path(""), nil), http.StatusOK)
	expect(t, s.do(t, teacher.caller, "GET", dup.path(""), nil), http.StatusNotFound)
}

func TestLessonPlanOwnership(t *testing.T) {
	s := newTestServer(t)
	school := createSchool(t, s, "Hill School")
	teacher := createUser(t, s, models.RoleTeacher, school)
	other := createUser(t, s, models.RoleTeacher, nil)
	admin := createUser(t, s, models.RoleSchoolAdmin, school)
	otherAdmin := createUser(t, s, models.RoleSchoolAdmin, createSchool(t, s, "Valley School"))
	otherSubject := newSubject(t, s, other.caller, "Science", "Grade 4", nil)
	p := newPlan(t, s, teacher.caller, nil)
	mine := newPlan(t, s, other.caller, nil)

	tests := []struct {
		name   string
		c      caller
		method string
		path   string
		body   any
		want   int
		detail string
	}{
		{"anonymous list", anonymous, "GET", "/api/v1/lesson-plans", nil, 401, ""},
		{"anonymous get", anonymous, "GET", p.path(""), nil, 401, ""},
		{"other gets", other.caller, "GET", p.path(""), nil, 404, "no such lesson plan"},
		{"other updates", other.caller, "PUT", p.path(""), map[string]any{"introduction": "x"}, 404, ""},
		{"other deletes", other.caller, "DELETE", p.path(""), nil, 404, ""},
		{"other archives", other.caller, "POST", p.path("/archive"), nil, 404, ""},
		{"other shares", other.caller, "POST", p.path("/share"), nil, 404, ""},
		{"other duplicates", other.caller, "POST", p.path("/duplicate"), nil, 404, ""},
		{"other enhances", other.caller, "POST", p.path("/enhance"), nil, 404, ""},
		{"other auto-generates", other.caller, "POST", p.path("/auto-generate"), nil, 404, ""},
		{"other school's admin gets", otherAdmin.caller, "GET", p.path(""), nil, 404, ""},
		{"school admin reads", admin.caller, "GET", p.path(""), nil, 200, ""},
		{"school admin may not edit", admin.caller, "PUT", p.path(""), map[string]any{"introduction": "x"}, 403, "you can view it"},
		{"school admin may not delete", admin.caller, "DELETE", p.path(""), nil, 403, ""},
		{"another teacher's subject", teacher.caller, "POST", "/api/v1/lesson-plans", map[string]any{"learning_area": "A", "grade": "G", "strand_theme_topic": "S", "subject_id": otherSubject.ID}, 404, "your own subjects"},
		{"another teacher's subject on update", teacher.caller, "PUT", p.path(""), map[string]any{"subject_id": otherSubject.ID}, 404, "your own subjects"},
		{"no such subject", teacher.caller, "POST", "/api/v1/lesson-plans", map[string]any{"learning_area": "A", "grade": "G", "strand_theme_topic": "S", "subject_id": 99999999}, 404, ""},
		{"id not a number", teacher.caller, "GET", "/api/v1/lesson-plans/abc", nil, 400, "positive whole number"},
		{"missing learning area", teacher.caller, "POST", "/api/v1/lesson-plans", map[string]any{"grade": "G", "strand_theme_topic": "S"}, 422, "learning_area"},
		{"blank grade", teacher.caller, "PUT", p.path(""), map[string]any{"grade": "  "}, 422, "grade"},
		{"bad status", teacher.caller, "PUT", p.path(""), map[string]any{"status": "done"}, 422, "status"},
		{"duration not a number", teacher.caller, "PUT", p.path(""), map[string]any{"lesson_duration_minutes": "forty"}, 400, "lesson_duration_minutes"},
		{"duration out of range", teacher.caller, "PUT", p.path(""), map[string]any{"lesson_duration_minutes": 0}, 422, "lesson_duration_minutes"},
		{"unknown field", teacher.caller, "PUT", p.path(""), map[string]any{"colour": "red"}, 400, "colour"},
		{"text too long", teacher.caller, "PUT", p.path(""), map[string]any{"development": strings.Repeat("é", 16001)}, 422, "development"},
		{"archive with fields", teacher.caller, "POST", p.path("/archive"), map[string]any{"x": 1}, 400, ""},
		{"bulk body an object", teacher.caller, "POST", "/api/v1/lesson-plans/bulk-delete", map[string]any{"ids": []uint64{p.id()}}, 400, "JSON array of lesson plan ids"},
		{"bulk body empty array", teacher.caller, "POST", "/api/v1/lesson-plans/bulk-delete", []uint64{}, 422, "at least one"},
		{"bulk id not an id", teacher.caller, "POST", "/api/v1/lesson-plans/bulk-delete", rawBody{"application/json", "[1, -2]"}, 400, "-2"},
		{"bulk with another teacher's plan", teacher.caller, "POST", "/api/v1/lesson-plans/bulk-delete", []uint64{p.id(), mine.id()}, 404, "nothing was done"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := expect(t, s.do(t, tt.c, tt.method, tt.path, tt.body), tt.want)
			if tt.want < 400 {
				return
			}
			var pr problem
			res.decode(t, &pr)
			if pr.Detail == "" || !strings.Contains(strings.ToLower(pr.Detail), strings.ToLower(tt.detail)) {
				t.Errorf("detail %q, want it to mention %q", pr.Detail, tt.detail)
			}
		})
	}
	// The refused bulk delete deleted nothing; the plans are as they were.
	getPlan(t, s, teacher.caller, p)
	getPlan(t, s, other.caller, mine)
	if got := getPlan(t, s, teacher.caller, p)["introduction"]; got != "" {
		t.Errorf("a refused update wrote %q", got)
	}

	// A school admin lists their school's teachers' plans; a teacher only theirs.
	if got := planIDs(listPlans(t, s, admin.caller, "")); !cmp.Equal(got, []uint64{p.id()}) {
		t.Errorf("school admin's list %v, want [%d]", got, p.id())
	}
	if got := planIDs(listPlans(t, s, other.caller, "")); !cmp.Equal(got, []uint64{mine.id()}) {
		t.Errorf("other teacher's list %v", got)
	}
}

func TestLessonPlanBulkDelete(t *testing.T) {
	s := newTestServer(t)
	teacher := createUser(t, s, models.RoleTeacher, nil)
	a, b, c := newPlan(t, s, teacher.caller, nil), newPlan(t, s, teacher.caller, nil), newPlan(t, s, teacher.caller, nil)
	var res struct {
		Deleted int `json:"deleted"`
	}
	// The frontend's body: a bare array (a repeated id counts once).
	expect(t, s.do(t, teacher.caller, "POST", "/api/v1/lesson-plans/bulk-delete", []uint64{a.id(), c.id(), a.id()}), http.StatusOK).decode(t, &res)
	if res.Deleted != 2 {
		t.Errorf("deleted %d, want 2", res.Deleted)
	}
	if got := planIDs(listPlans(t, s, teacher.caller, "")); !cmp.Equal(got, []uint64{b.id()}) {
		t.Errorf("left %v, want [%d]", got, b.id())
	}
	// Deleting again: the ids are gone, so nothing is done (404).
	expect(t, s.do(t, teacher.caller, "POST", "/api/v1/lesson-plans/bulk-delete", []uint64{a.id(), b.id()}), http.StatusNotFound)
	getPlan(t, s, teacher.caller, b)
}

func TestLessonPlanShare(t *testing.T) {
	s := newTestServer(t)
	teacher := createUser(t, s, models.RoleTeacher, nil)
	p := newPlan(t, s, teacher.caller, map[string]any{"introduction": "<b>Hello</b> & welcome"})
	var sh struct {
		ShareURL   string `json:"share_url"`
		ShareToken string `json:"share_token"`
	}
	expect(t, s.do(t, teacher.caller, "POST", p.path("/share"), map[string]any{}), http.StatusOK).decode(t, &sh)
	if len(sh.ShareToken) != 64 || !strings.HasSuffix(sh.ShareURL, "/"+sh.ShareToken) {
		t.Fatalf("share %+v", sh)
	}
	var again struct {
		ShareToken string `json:"share_token"`
	}
	expect(t, s.do(t, teacher.caller, "POST", p.path("/share"), nil), http.StatusOK).decode(t, &again)
	if again.ShareToken != sh.ShareToken {
		t.Errorf("sharing twice gave a new token")
	}
	// Anyone with the link reads the content, and nothing about its owner.
	var shared map[string]any
	expect(t, s.do(t, anonymous, "GET", sh.ShareURL, nil), http.StatusOK).decode(t, &shared)
	if shared["introduction"] != "<b>Hello</b> & welcome" || shared["user_id"] != nil || shared["id"] != nil {
		t.Errorf("shared view %v", shared)
	}
	expect(t, s.do(t, anonymous, "GET", "/api/v1/shared/lesson-plans/"+strings.Repeat("0", 64), nil), http.StatusNotFound)
	expect(t, s.do(t, anonymous, "GET", "/api/v1/shared/lesson-plans/not-a-token", nil), http.StatusNotFound)
	// Unshared: the link is dead; shared again: a new link.
	expect(t, s.do(t, teacher.caller, "POST", p.path("/unshare"), nil), http.StatusOK)
	expect(t, s.do(t, anonymous, "GET", sh.ShareURL, nil), http.StatusNotFound)
	expect(t, s.do(t, teacher.caller, "POST", p.path("/share"), nil), http.StatusOK).decode(t, &again)
	if again.ShareToken == sh.ShareToken {
		t.Errorf("a withdrawn token came back")
	}
	expect(t, s.do(t, teacher.caller, "DELETE", p.path(""), nil), http.StatusOK)
	expect(t, s.do(t, anonymous, "GET", "/api/v1/shared/lesson-plans/"+again.ShareToken, nil), http.StatusNotFound)
}

// TestLessonPlanListStatements: the list runs the same statements for 1 plan
// and for 40 (no query per plan).
func TestLessonPlanListStatements(t *testing.T) {
	s := newTestServer(t)
	teacher := createUser(t, s, models.RoleTeacher, nil)
	newPlan(t, s, teacher.caller, nil)
	count := func() float64 {
		before := s.statements(t)
		expect(t, s.do(t, teacher.caller, "GET", "/api/v1/lesson-plans", nil), http.StatusOK)
		return s.statements(t) - before
	}
	one := count()
	rows := make([]models.LessonPlan, 39)
	for i := range rows {
		rows[i] = models.LessonPlan{UserID: teacher.ID, LearningArea: "Mathematics", Grade: "Grade 4", StrandThemeTopic: fmt.Sprint("S", i)}
	}
	if err := models.CreatePlans(s.primary(t).Session(&gorm.Session{}), rows); err != nil {
		t.Fatal(err)
	}
	s.waitReplicas(t)
	if n := len(listPlans(t, s, teacher.caller, "")); n != 40 {
		t.Fatalf("%d plans listed, want 40", n)
	}
	if forty := count(); forty != one || one == 0 {
		t.Errorf("list: %v statements for 1 plan, %v for 40", one, forty)
	}
}

// TestLessonPlanEditPageRoundTrip sends back exactly what GET answered, as
// JSON (no Go types in between), and expects nothing to change.
func TestLessonPlanEditPageRoundTrip(t *testing.T) {
	s := newTestServer(t)
	teacher := createUser(t, s, models.RoleTeacher, nil)
	p := newPlan(t, s, teacher.caller, nil)
	raw := expect(t, s.do(t, teacher.caller, "GET", p.path(""), nil), http.StatusOK).Body
	var back planJSON
	expect(t, s.do(t, teacher.caller, "PUT", p.path(""), rawBody{"application/json", string(raw)}), http.StatusOK).decode(t, &back)
	var before planJSON
	_ = json.Unmarshal(raw, &before)
	delete(before, "updated_at")
	delete(back, "updated_at")
	if diff := cmp.Diff(before, back); diff != "" {
		t.Errorf("round trip changed the plan (-before +after):\n%s", diff)
	}
}
