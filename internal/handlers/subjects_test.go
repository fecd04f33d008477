package handlers_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gorm.io/gorm"

	"github.com/teachtrack/api/internal/models"
)

func TestSubjectCreateAndGet(t *testing.T) {
	s := newTestServer(t)
	teacher := createUser(t, s, models.RoleTeacher, nil)

	// A new teacher's list is a bare, empty array.
	res := expect(t, s.do(t, teacher.caller, "GET", "/api/v1/subjects", nil), http.StatusOK)
	if got := strings.TrimSpace(string(res.Body)); got != "[]" {
		t.Fatalf("empty list body %s, want []", got)
	}

	strands := tree(2, 2, 3)
	strands[1]["sequence_order"] = 0 // strand 2 sorts first
	strands[0]["sub_strands"].([]map[string]any)[0]["values"] = []string{"Respect", "Unity"}
	sub := newSubject(t, s, teacher.caller, " Mathematics ", "Grade 7", strands)
	if sub.SubjectName != "Mathematics" || sub.TotalLessons != 12 || sub.LessonsCompleted != 0 || sub.LessonsPerWeek != 5 {
		t.Fatalf("created subject %+v", sub)
	}

	var got subjectJSON
	expect(t, s.do(t, teacher.caller, "GET", fmt.Sprintf("/api/v1/subjects/%d", sub.ID), nil), http.StatusOK).decode(t, &got)
	var order []string
	for _, st := range got.Strands {
		order = append(order, st.StrandCode)
		for _, ss := range st.SubStrands {
			order = append(order, ss.SubstrandCode)
			if ss.LessonsCount != 3 || ss.Values == nil {
				t.Errorf("sub-strand %s: lessons_count %d, values %v", ss.SubstrandCode, ss.LessonsCount, ss.Values)
			}
		}
	}
	if diff := cmp.Diff([]string{"2", "2.1", "2.2", "1", "1.1", "1.2"}, order); diff != "" {
		t.Errorf("tree order (-want +got):\n%s", diff)
	}
	if v := got.Strands[1].SubStrands[0].Values; !cmp.Equal(v, []string{"Respect", "Unity"}) {
		t.Errorf("values %v", v)
	}

	// Numbers are JSON numbers, and empty lists are [] (never null).
	raw := string(expect(t, s.do(t, teacher.caller, "GET", fmt.Sprintf("/api/v1/subjects/%d", sub.ID), nil), http.StatusOK).Body)
	for _, want := range []string{`"progress_percentage":0,`, `"total_lessons":12,`, `"pcis":[]`} {
		if !strings.Contains(raw, want) {
			t.Errorf("subject JSON lacks %s: %s", want, raw)
		}
	}
	bare := newSubject(t, s, teacher.caller, "English", "Grade 7", nil)
	raw = string(expect(t, s.do(t, teacher.caller, "GET", fmt.Sprintf("/api/v1/subjects/%d", bare.ID), nil), http.StatusOK).Body)
	if !strings.Contains(raw, `"strands":[]`) {
		t.Errorf("subject without strands: %s", raw)
	}
	raw = string(expect(t, s.do(t, teacher.caller, "GET", fmt.Sprintf("/api/v1/subjects/%d/strands", sub.ID), nil), http.StatusOK).Body)
	if !strings.HasPrefix(raw, "[{") || !strings.Contains(raw, `"sub_strands":[{`) {
		t.Errorf("strands list: %s", raw)
	}
}

func TestSubjectErrors(t *testing.T) {
	s := newTestServer(t, "MAX_SUBJECTS_PER_USER", "2")
	teacher := createUser(t, s, models.RoleTeacher, nil)
	other := createUser(t, s, models.RoleTeacher, nil)
	sub := newSubject(t, s, teacher.caller, "Science", "Grade 4", tree(1, 1, 2))
	lesson := lessonIDs(t, s, teacher.caller, sub.ID)[0]
	path := fmt.Sprintf("/api/v1/subjects/%d", sub.ID)

	tests := []struct {
		name   string
		c      caller
		method string
		path   string
		body   any
		want   int
		detail string // a part of the problem's detail
	}{
		{"anonymous list", anonymous, "GET", "/api/v1/subjects", nil, 401, "sign in"},
		{"anonymous get", anonymous, "GET", path, nil, 401, ""},
		{"anonymous complete", anonymous, "POST", fmt.Sprintf("/api/v1/lessons/%d/complete", lesson), nil, 401, ""},
		{"id not a number", teacher.caller, "GET", "/api/v1/subjects/abc", nil, 400, "positive whole number"},
		{"id zero", teacher.caller, "GET", "/api/v1/subjects/0", nil, 400, ""},
		{"id negative", teacher.caller, "GET", "/api/v1/subjects/-3", nil, 400, ""},
		{"id overflows int64", teacher.caller, "GET", "/api/v1/subjects/9223372036854775808", nil, 400, ""},
		{"lesson id overflows", teacher.caller, "POST", "/api/v1/lessons/99999999999999999999/complete", nil, 400, ""},
		{"unknown subject", teacher.caller, "GET", "/api/v1/subjects/999999", nil, 404, "no such subject"},
		{"unknown lesson", teacher.caller, "POST", "/api/v1/lessons/999999/complete", map[string]any{}, 404, "no such lesson"},
		{"other teacher's subject", other.caller, "GET", path, nil, 404, "no such subject"},
		{"other teacher's lessons", other.caller, "GET", path + "/lessons", nil, 404, ""},
		{"other teacher's strands", other.caller, "GET", path + "/strands", nil, 404, ""},
		{"other teacher's scheduling", other.caller, "GET", path + "/scheduling", nil, 404, ""},
		{"other teacher patches", other.caller, "PATCH", path, map[string]any{"grade": "Grade 5"}, 404, ""},
		{"other teacher deletes", other.caller, "DELETE", path, nil, 404, ""},
		{"other teacher completes", other.caller, "POST", fmt.Sprintf("/api/v1/lessons/%d/complete", lesson), map[string]any{}, 404, "no such lesson"},
		{"duplicate name and grade", teacher.caller, "POST", "/api/v1/subjects", map[string]any{"subject_name": "science", "grade": "Grade 4"}, 409, "already have a subject"},
		{"rename onto another", teacher.caller, "PATCH", path, map[string]any{"subject_name": "Music"}, 0, ""}, // arranged below
		{"missing name", teacher.caller, "POST", "/api/v1/subjects", map[string]any{"grade": "Grade 4"}, 422, "subject_name"},
		{"blank name", teacher.caller, "POST", "/api/v1/subjects", map[string]any{"subject_name": "  ", "grade": "Grade 4"}, 422, "subject_name"},
		{"grade too long", teacher.caller, "POST", "/api/v1/subjects", map[string]any{"subject_name": "Art", "grade": "Grade Seven!"}, 422, "grade"},
		{"bad pdf url", teacher.caller, "POST", "/api/v1/subjects", map[string]any{"subject_name": "Art", "grade": "Grade 4", "curriculum_pdf_url": "ftp://x/y.pdf"}, 422, "curriculum_pdf_url"},
		{"lesson without title", teacher.caller, "POST", "/api/v1/subjects", map[string]any{"subject_name": "Art", "grade": "Grade 4",
			"strands": []any{map[string]any{"strand_code": "1", "strand_name": "S", "sub_strands": []any{map[string]any{"substrand_code": "1.1", "substrand_name": "SS", "lessons": []any{map[string]any{}}}}}}}, 422, "lesson_title"},
		{"unknown field", teacher.caller, "POST", "/api/v1/subjects", map[string]any{"subject_name": "Art", "grade": "Grade 4", "colour": "red"}, 400, "colour"},
		{"wrong type", teacher.caller, "POST", "/api/v1/subjects", map[string]any{"subject_name": "Art", "grade": 4}, 400, "grade"},
		{"not json", teacher.caller, "POST", "/api/v1/subjects", rawBody{"text/plain", "hello"}, 415, ""},
		{"counters not writable", teacher.caller, "PATCH", path, map[string]any{"lessons_completed": 3}, 400, "lessons_completed"},
		{"numeric limit in plain words", teacher.caller, "PATCH", path, map[string]any{"lessons_per_week": 1000}, 422, "lessons_per_week is invalid: must be at most 40."},
		{"double lessons over weekly", teacher.caller, "PATCH", path, map[string]any{"double_lessons_per_week": 6}, 422, "double_lessons_per_week"},
		{"scheduling put partial", teacher.caller, "PUT", path + "/scheduling", map[string]any{"lessons_per_week": 6}, 422, "invalid fields"},
		{"complete with body fields", teacher.caller, "POST", fmt.Sprintf("/api/v1/lessons/%d/complete", lesson), map[string]any{"x": 1}, 400, ""},
		{"bad sort", teacher.caller, "GET", "/api/v1/subjects?sort=grade", nil, 422, "sort"},
		{"bad page", teacher.caller, "GET", "/api/v1/subjects?page=0", nil, 422, "page"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.want == 0 {
				newSubject(t, s, teacher.caller, "Music", "Grade 4", nil)
				tt.want, tt.detail = 409, "already have a subject"
			}
			res := expect(t, s.do(t, tt.c, tt.method, tt.path, tt.body), tt.want)
			var p problem
			res.decode(t, &p)
			if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("content type %q", ct)
			}
			if p.Detail == "" || !strings.Contains(strings.ToLower(p.Detail), strings.ToLower(tt.detail)) {
				t.Errorf("detail %q, want it to mention %q", p.Detail, tt.detail)
			}
		})
	}

	// Two subjects is the limit here: the third is refused and leaves nothing.
	res := expect(t, s.do(t, teacher.caller, "POST", "/api/v1/subjects", map[string]any{"subject_name": "Art", "grade": "Grade 4", "strands": tree(1, 1, 1)}), http.StatusForbidden)
	var p problem
	res.decode(t, &p)
	if !strings.Contains(p.Detail, "2 subjects") {
		t.Errorf("limit detail %q", p.Detail)
	}
	var n int64
	s.primary(t).Session(&gorm.Session{}).Model(&models.Strand{}).Where("strand_name = ? AND subject_id NOT IN (?)", "Strand 1", sub.ID).Count(&n)
	if n != 0 {
		t.Errorf("a refused create left %d strands", n)
	}
}

// TestSubjectCreateIsAtomic makes the last INSERT of a tree (the lessons)
// fail in the database and checks that the subject and its strands and
// sub-strands went with it.
func TestSubjectCreateIsAtomic(t *testing.T) {
	s := newTestServer(t)
	teacher := createUser(t, s, models.RoleTeacher, nil)
	db := s.primary(t).Session(&gorm.Session{})
	sub := &models.Subject{UserID: teacher.ID, SubjectName: "Atomic", Grade: "Grade 1", LessonsPerWeek: 5, SingleLessonDuration: 40, DoubleLessonDuration: 80,
		Strands: []models.Strand{{StrandCode: "1", StrandName: "S", SubStrands: []models.SubStrand{{SubstrandCode: "1.1", SubstrandName: "SS",
			// INT overflows in strict mode: the lessons INSERT fails.
			Lessons: []models.Lesson{{LessonNumber: 1, LessonTitle: "ok"}, {LessonNumber: 2, LessonTitle: "bad", SequenceOrder: 1 << 40}}}}}}}
	if err := models.CreateSubject(db, sub, 50); err == nil || !strings.Contains(err.Error(), "Out of range") {
		t.Fatalf("CreateSubject with an out-of-range lesson: %v, want the lessons INSERT to fail", err)
	}
	for _, table := range []string{"subjects", "strands", "sub_strands", "lessons"} {
		var n int64
		if err := db.Table(table).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%s has %d rows after a failed create", table, n)
		}
	}
	// And the same subject goes in once the tree is good.
	sub.Strands[0].SubStrands[0].Lessons[1].SequenceOrder = 2
	sub.ID = 0
	if err := models.CreateSubject(db, sub, 50); err != nil {
		t.Fatalf("CreateSubject: %v", err)
	}
	if sub.TotalLessons != 2 {
		t.Errorf("total_lessons %d", sub.TotalLessons)
	}
}
