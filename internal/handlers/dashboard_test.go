package handlers_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/teachtrack/api/internal/models"
)

func TestCurriculumProgress(t *testing.T) {
	s := newTestServer(t)
	teacher := createUser(t, s, models.RoleTeacher, nil)
	other := createUser(t, s, models.RoleTeacher, nil)

	// A new teacher: zeros and empty lists, never null.
	res := expect(t, s.do(t, teacher.caller, "GET", "/api/v1/dashboard/curriculum-progress", nil), http.StatusOK)
	if got, want := strings.TrimSpace(string(res.Body)), `{"overview":{"total_subjects":0,"total_lessons":0,"completed_lessons":0,"average_progress":0},"recent_completions":[],"subjects":[]}`; got != want {
		t.Errorf("empty dashboard\n got %s\nwant %s", got, want)
	}

	maths := newSubject(t, s, teacher.caller, "Maths", "Grade 3", tree(2, 2, 2)) // 8 lessons
	strands := tree(1, 1, 0)
	strands = append(strands, map[string]any{"strand_code": "2", "strand_name": "Empty strand"})
	newSubject(t, s, teacher.caller, "Art", "Grade 3", strands) // no lessons at all
	theirs := newSubject(t, s, other.caller, "Maths", "Grade 3", tree(1, 1, 1))
	ids := lessonIDs(t, s, teacher.caller, maths.ID)
	for _, i := range []int{0, 1, 2, 5} { // sub-strands 1.1 (2 of 2), 1.2 (1 of 2), 2.1 (1 of 2)
		expect(t, s.do(t, teacher.caller, "POST", fmt.Sprintf("/api/v1/lessons/%d/complete", ids[i]), nil), http.StatusOK)
	}
	expect(t, s.do(t, other.caller, "POST", fmt.Sprintf("/api/v1/lessons/%d/complete", lessonIDs(t, s, other.caller, theirs.ID)[0]), nil), http.StatusOK)

	type sub struct {
		SubstrandCode    string  `json:"substrand_code"`
		SubstrandName    string  `json:"substrand_name"`
		TotalLessons     int     `json:"total_lessons"`
		CompletedLessons int     `json:"completed_lessons"`
		Progress         float64 `json:"progress"`
	}
	type strand struct {
		StrandCode       string  `json:"strand_code"`
		TotalLessons     int     `json:"total_lessons"`
		CompletedLessons int     `json:"completed_lessons"`
		Progress         float64 `json:"progress"`
		Substrands       []sub   `json:"substrands"`
	}
	var got struct {
		Overview struct {
			TotalSubjects    int     `json:"total_subjects"`
			TotalLessons     int     `json:"total_lessons"`
			CompletedLessons int     `json:"completed_lessons"`
			AverageProgress  float64 `json:"average_progress"`
		} `json:"overview"`
		Subjects []struct {
			ID                 uint64   `json:"id"`
			SubjectName        string   `json:"subject_name"`
			CompletedLessons   int      `json:"completed_lessons"`
			ProgressPercentage float64  `json:"progress_percentage"`
			Strands            []strand `json:"strands"`
		} `json:"subjects"`
		Recent []struct {
			LessonID    uint64 `json:"lesson_id"`
			LessonTitle string `json:"lesson_title"`
			CompletedAt string `json:"completed_at"`
			SubjectName string `json:"subject_name"`
			Grade       string `json:"grade"`
		} `json:"recent_completions"`
	}
	expect(t, s.do(t, teacher.caller, "GET", "/api/v1/dashboard/curriculum-progress", nil), http.StatusOK).decode(t, &got)
	o := got.Overview
	if o.TotalSubjects != 2 || o.TotalLessons != 8 || o.CompletedLessons != 4 || o.AverageProgress != 25 {
		t.Errorf("overview %+v", o)
	}
	if len(got.Subjects) != 2 || got.Subjects[0].SubjectName != "Art" || got.Subjects[1].ID != maths.ID {
		t.Fatalf("subjects %+v", got.Subjects)
	}
	wantMaths := []strand{
		{"1", 4, 3, 75, []sub{{"1.1", "Sub-strand 1.1", 2, 2, 100}, {"1.2", "Sub-strand 1.2", 2, 1, 50}}},
		{"2", 4, 1, 25, []sub{{"2.1", "Sub-strand 2.1", 2, 1, 50}, {"2.2", "Sub-strand 2.2", 2, 0, 0}}},
	}
	if diff := cmp.Diff(wantMaths, got.Subjects[1].Strands); diff != "" {
		t.Errorf("maths strands (-want +got):\n%s", diff)
	}
	wantArt := []strand{{"1", 0, 0, 0, []sub{{"1.1", "Sub-strand 1.1", 0, 0, 0}}}, {"2", 0, 0, 0, []sub{}}}
	if diff := cmp.Diff(wantArt, got.Subjects[0].Strands); diff != "" {
		t.Errorf("art strands (-want +got):\n%s", diff)
	}
	var recent []string
	for _, r := range got.Recent {
		if r.SubjectName != "Maths" || r.Grade != "Grade 3" || r.CompletedAt == "" {
			t.Errorf("recent completion %+v", r)
		}
		recent = append(recent, r.LessonTitle)
	}
	if diff := cmp.Diff([]string{"Lesson 2.1.2", "Lesson 1.2.1", "Lesson 1.1.2", "Lesson 1.1.1"}, recent); diff != "" {
		t.Errorf("recent completions, newest first (-want +got):\n%s", diff)
	}

	var stats map[string]any
	expect(t, s.do(t, teacher.caller, "GET", "/api/v1/dashboard/stats", nil), http.StatusOK).decode(t, &stats)
	if diff := cmp.Diff(map[string]any{"lessonsCompleted": 4.0, "totalLessons": 8.0, "attendanceAverage": nil, "assessmentsCreated": nil}, stats); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
}

// TestStatementsStayConstant checks that the tree endpoints run the same
// number of statements for a small and a much larger tree (no N+1).
func TestStatementsStayConstant(t *testing.T) {
	s := newTestServer(t)
	teacher := createUser(t, s, models.RoleTeacher, nil)
	small := newSubject(t, s, teacher.caller, "Small", "Grade 1", tree(1, 1, 1))
	big := newSubject(t, s, teacher.caller, "Big", "Grade 1", tree(6, 5, 8))
	for _, id := range lessonIDs(t, s, teacher.caller, big.ID)[:20] {
		expect(t, s.do(t, teacher.caller, "POST", fmt.Sprintf("/api/v1/lessons/%d/complete", id), nil), http.StatusOK)
	}
	count := func(path string) float64 {
		before := s.statements(t)
		expect(t, s.do(t, teacher.caller, "GET", path, nil), http.StatusOK)
		return s.statements(t) - before
	}
	// The minimum, each a statement the answer needs: the session check
	// first, then the subject (its owner's school with it), then its tree.
	for _, c := range []struct {
		path string
		want float64
	}{
		{"/api/v1/subjects/%d", 4},         // session, subject, strands, sub-strands
		{"/api/v1/subjects/%d/lessons", 3}, // session, subject, lessons
		{"/api/v1/subjects/%d/strands", 4}, // session, subject, strands, sub-strands
	} {
		n1, n2 := count(fmt.Sprintf(c.path, small.ID)), count(fmt.Sprintf(c.path, big.ID))
		if n1 != c.want || n2 != c.want {
			t.Errorf("%s: %v statements for 1 lesson, %v for 240, want %v", c.path, n1, n2, c.want)
		}
	}
	// The dashboard, before and after the teacher adds more subjects: the
	// session, the subjects, their strands' counts, the recent completions.
	before := count("/api/v1/dashboard/curriculum-progress")
	for i := range 3 {
		newSubject(t, s, teacher.caller, "More "+strconv.Itoa(i), "Grade 2", tree(3, 3, 3))
	}
	if after := count("/api/v1/dashboard/curriculum-progress"); after != 4 || before != 4 {
		t.Errorf("dashboard: %v statements with 2 subjects, %v with 5, want 4", before, after)
	}
}

func TestSubjectListPaging(t *testing.T) {
	s := newTestServer(t)
	teacher := createUser(t, s, models.RoleTeacher, nil)
	for i, name := range []string{"Biology", "Chemistry", "Physics", "Agriculture", "Business"} {
		grade := "Grade 8"
		if i%2 == 1 {
			grade = "Grade 9"
		}
		newSubject(t, s, teacher.caller, name, grade, nil)
	}
	names := func(res *response) []string {
		var subjects []subjectJSON
		res.decode(t, &subjects)
		var out []string
		for _, sj := range subjects {
			out = append(out, sj.SubjectName)
		}
		return out
	}
	tests := []struct {
		query string
		want  []string
		total string
		link  string // a part of the Link header
	}{
		{"", []string{"Business", "Agriculture", "Physics", "Chemistry", "Biology"}, "5", `rel="first"`},
		{"?sort=subject_name&per_page=2", []string{"Agriculture", "Biology"}, "5", `</api/v1/subjects?page=2&per_page=2&sort=subject_name>; rel="next"`},
		{"?sort=subject_name&per_page=2&page=3", []string{"Physics"}, "5", `</api/v1/subjects?page=2&per_page=2&sort=subject_name>; rel="prev"`},
		{"?sort=subject_name&per_page=2&page=9", nil, "5", `</api/v1/subjects?page=3&per_page=2&sort=subject_name>; rel="last"`},
		{"?grade=Grade+9&sort=subject_name", []string{"Agriculture", "Chemistry"}, "2", ""},
		{"?q=ist", []string{"Chemistry"}, "1", ""},
		{"?q=%25", nil, "0", ""}, // LIKE wildcards are matched literally
		{"?per_page=1000", []string{"Business", "Agriculture", "Physics", "Chemistry", "Biology"}, "5", "per_page=200"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			res := expect(t, s.do(t, teacher.caller, "GET", "/api/v1/subjects"+tt.query, nil), http.StatusOK)
			if diff := cmp.Diff(tt.want, names(res)); diff != "" {
				t.Errorf("names (-want +got):\n%s", diff)
			}
			if got := res.Header.Get("X-Total-Count"); got != tt.total {
				t.Errorf("X-Total-Count %q, want %q", got, tt.total)
			}
			if link := res.Header.Get("Link"); !strings.Contains(link, tt.link) {
				t.Errorf("Link %q lacks %q", link, tt.link)
			}
		})
	}
}

func TestSubjectUpdateAndScheduling(t *testing.T) {
	s := newTestServer(t)
	teacher := createUser(t, s, models.RoleTeacher, nil)
	sub := newSubject(t, s, teacher.caller, "Music", "Grade 4", tree(1, 1, 1))
	path := fmt.Sprintf("/api/v1/subjects/%d", sub.ID)

	var got map[string]any
	expect(t, s.do(t, teacher.caller, "PATCH", path, map[string]any{"subject_name": "Music & Dance", "curriculum_pdf_url": "https://example.com/music.pdf", "lessons_per_week": 3}), http.StatusOK).decode(t, &got)
	if got["subject_name"] != "Music & Dance" || got["curriculum_pdf_url"] != "https://example.com/music.pdf" || got["lessons_per_week"] != 3.0 || got["strands"] == nil {
		t.Errorf("after PATCH: %v", got)
	}
	got = nil // decoding into a used map would keep its old keys
	expect(t, s.do(t, teacher.caller, "PUT", path, map[string]any{"curriculum_pdf_url": ""}), http.StatusOK).decode(t, &got)
	if _, ok := got["curriculum_pdf_url"]; ok || got["grade"] != "Grade 4" {
		t.Errorf("after clearing the URL: %v", got)
	}

	var sched map[string]map[string]any
	expect(t, s.do(t, teacher.caller, "GET", path+"/scheduling", nil), http.StatusOK).decode(t, &sched)
	if diff := cmp.Diff(map[string]any{"lessons_per_week": 3.0, "single_lesson_duration": 40.0, "double_lesson_duration": 80.0, "double_lessons_per_week": 0.0}, sched["scheduling"]); diff != "" {
		t.Errorf("scheduling (-want +got):\n%s", diff)
	}
	put := map[string]any{"lessons_per_week": 7, "single_lesson_duration": 35, "double_lesson_duration": 70, "double_lessons_per_week": 2}
	expect(t, s.do(t, teacher.caller, "PUT", path+"/scheduling", put), http.StatusOK)
	expect(t, s.do(t, teacher.caller, "GET", path+"/scheduling", nil), http.StatusOK).decode(t, &sched)
	if diff := cmp.Diff(map[string]any{"lessons_per_week": 7.0, "single_lesson_duration": 35.0, "double_lesson_duration": 70.0, "double_lessons_per_week": 2.0}, sched["scheduling"]); diff != "" {
		t.Errorf("scheduling after PUT (-want +got):\n%s", diff)
	}
	put["double_lessons_per_week"] = 8
	expect(t, s.do(t, teacher.caller, "PUT", path+"/scheduling", put), http.StatusUnprocessableEntity)

	expect(t, s.do(t, teacher.caller, "DELETE", path, nil), http.StatusNoContent)
	expect(t, s.do(t, teacher.caller, "DELETE", path, nil), http.StatusNotFound)
}
