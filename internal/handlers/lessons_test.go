package handlers_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gorm.io/gorm"

	"github.com/teachtrack/api/internal/models"
)

type completeJSON struct {
	Message         string                 `json:"message"`
	LessonID        uint64                 `json:"lesson_id"`
	SubjectProgress models.SubjectProgress `json:"subject_progress"`
}

func TestLessonCompletion(t *testing.T) {
	s := newTestServer(t)
	teacher := createUser(t, s, models.RoleTeacher, nil)
	sub := newSubject(t, s, teacher.caller, "Kiswahili", "Grade 5", tree(1, 1, 3))
	ids := lessonIDs(t, s, teacher.caller, sub.ID)
	complete := func(id uint64) string { return fmt.Sprintf("/api/v1/lessons/%d/complete", id) }
	uncomplete := func(id uint64) string { return fmt.Sprintf("/api/v1/lessons/%d/uncomplete", id) }

	steps := []struct {
		name string
		path string
		body any
		want models.SubjectProgress
	}{
		{"complete", complete(ids[0]), map[string]any{}, models.SubjectProgress{LessonsCompleted: 1, TotalLessons: 3, ProgressPercentage: 33.33}},
		{"complete again counts once", complete(ids[0]), map[string]any{}, models.SubjectProgress{LessonsCompleted: 1, TotalLessons: 3, ProgressPercentage: 33.33}},
		{"complete with no body", complete(ids[1]), nil, models.SubjectProgress{LessonsCompleted: 2, TotalLessons: 3, ProgressPercentage: 66.67}},
		{"uncomplete", uncomplete(ids[0]), map[string]any{}, models.SubjectProgress{LessonsCompleted: 1, TotalLessons: 3, ProgressPercentage: 33.33}},
		{"uncomplete again", uncomplete(ids[0]), map[string]any{}, models.SubjectProgress{LessonsCompleted: 1, TotalLessons: 3, ProgressPercentage: 33.33}},
		{"complete the rest", complete(ids[2]), nil, models.SubjectProgress{LessonsCompleted: 2, TotalLessons: 3, ProgressPercentage: 66.67}},
		{"complete all", complete(ids[0]), nil, models.SubjectProgress{LessonsCompleted: 3, TotalLessons: 3, ProgressPercentage: 100}},
	}
	for _, st := range steps {
		var got completeJSON
		expect(t, s.do(t, teacher.cookieOnly(), "POST", st.path, st.body), http.StatusOK).decode(t, &got)
		if diff := cmp.Diff(st.want, got.SubjectProgress); diff != "" || got.Message == "" || got.LessonID == 0 {
			t.Errorf("%s: %+v (-want +got):\n%s", st.name, got, diff)
		}
	}
	// Only the five real changes were logged.
	var logs []models.ProgressLog
	s.primary(t).Session(&gorm.Session{}).Where("subject_id = ?", sub.ID).Order("id").Find(&logs)
	var actions []string
	for _, l := range logs {
		actions = append(actions, l.Action)
	}
	if diff := cmp.Diff([]string{"COMPLETED", "COMPLETED", "UNCOMPLETED", "COMPLETED", "COMPLETED"}, actions); diff != "" {
		t.Errorf("progress_log (-want +got):\n%s", diff)
	}
}

// TestLessonsShape checks every lessons item against the rules of the
// frontend's zod schema (frontend/lib/curriculum.ts): numbers, a string
// title, a boolean, completed_at present as a string or null, and the
// optional strings absent or strings, never null.
func TestLessonsShape(t *testing.T) {
	s := newTestServer(t)
	teacher := createUser(t, s, models.RoleTeacher, nil)
	strands := tree(2, 2, 2)
	// An optional string is shown when set and left out when empty.
	strands[0]["sub_strands"].([]map[string]any)[0]["lessons"].([]map[string]any)[0]["description"] = "Introduction"
	sub := newSubject(t, s, teacher.caller, "Science", "PP1", strands)
	ids := lessonIDs(t, s, teacher.caller, sub.ID)
	expect(t, s.do(t, teacher.caller, "POST", fmt.Sprintf("/api/v1/lessons/%d/complete", ids[3]), nil), http.StatusOK)

	var body map[string]any
	expect(t, s.do(t, teacher.caller, "GET", fmt.Sprintf("/api/v1/subjects/%d/lessons", sub.ID), nil), http.StatusOK).decode(t, &body)
	for k, want := range map[string]any{"subject_id": float64(sub.ID), "subject_name": "Science", "total_lessons": 8.0, "completed_lessons": 1.0, "progress_percentage": 12.5} {
		if body[k] != want {
			t.Errorf("%s = %#v, want %#v", k, body[k], want)
		}
	}
	lessons := body["lessons"].([]any)
	if len(lessons) != 8 {
		t.Fatalf("%d lessons, want 8", len(lessons))
	}
	var titles []string
	for i, item := range lessons {
		l := item.(map[string]any)
		for _, k := range []string{"id", "lesson_number", "substrand_id"} {
			if _, ok := l[k].(float64); !ok {
				t.Errorf("lesson %d: %s = %#v, want a number", i, k, l[k])
			}
		}
		if _, ok := l["lesson_title"].(string); !ok {
			t.Errorf("lesson %d: lesson_title = %#v", i, l["lesson_title"])
		}
		done, ok := l["is_completed"].(bool)
		if !ok {
			t.Errorf("lesson %d: is_completed = %#v", i, l["is_completed"])
		}
		at, present := l["completed_at"]
		switch at := at.(type) {
		case nil:
			if !present || done {
				t.Errorf("lesson %d: completed_at %v present=%v, done=%v", i, at, present, done)
			}
		case string:
			if _, err := time.Parse(time.RFC3339Nano, at); err != nil || !done {
				t.Errorf("lesson %d: completed_at %q (%v), done=%v", i, at, err, done)
			}
		default:
			t.Errorf("lesson %d: completed_at = %#v", i, at)
		}
		for _, k := range []string{"substrand_name", "substrand_code", "strand_name", "strand_code", "description", "learning_outcomes"} {
			if v, ok := l[k]; ok {
				if _, isString := v.(string); !isString || v == "" {
					t.Errorf("lesson %d: %s = %#v, want a non-empty string or absent", i, k, v)
				}
			}
		}
		if _, ok := l["description"]; ok != (i == 0) {
			t.Errorf("lesson %d: description present=%v", i, ok)
		}
		if _, ok := l["strand_code"]; !ok {
			t.Errorf("lesson %d: no strand_code", i)
		}
		titles = append(titles, l["lesson_title"].(string))
	}
	want := []string{"Lesson 1.1.1", "Lesson 1.1.2", "Lesson 1.2.1", "Lesson 1.2.2", "Lesson 2.1.1", "Lesson 2.1.2", "Lesson 2.2.1", "Lesson 2.2.2"}
	if diff := cmp.Diff(want, titles); diff != "" {
		t.Errorf("lesson order (-want +got):\n%s", diff)
	}
}

// TestConcurrentCompletions completes 50 distinct lessons of one subject at
// once: the subject lock must keep every one.
func TestConcurrentCompletions(t *testing.T) {
	s := newTestServer(t)
	teacher := createUser(t, s, models.RoleTeacher, nil)
	sub := newSubject(t, s, teacher.caller, "History", "Grade 8", tree(2, 5, 6)) // 60 lessons
	ids := lessonIDs(t, s, teacher.caller, sub.ID)[:50]

	var wg sync.WaitGroup
	errs := make(chan error, len(ids)*2)
	for _, id := range ids {
		wg.Go(func() {
			// Each lesson twice: a double click must count once.
			for range 2 {
				status, body, err := s.send(teacher.caller, "POST", fmt.Sprintf("/api/v1/lessons/%d/complete", id), map[string]any{})
				if err == nil && status != http.StatusOK {
					err = fmt.Errorf("lesson %d: status %d: %s", id, status, body)
				}
				if err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var got models.Subject
	if err := s.primary(t).Session(&gorm.Session{}).Take(&got, sub.ID).Error; err != nil {
		t.Fatal(err)
	}
	if got.LessonsCompleted != 50 || got.TotalLessons != 60 || got.ProgressPercentage != 83.33 {
		t.Errorf("after 50 completions: %d of %d, %v%%; want 50 of 60, 83.33%%", got.LessonsCompleted, got.TotalLessons, got.ProgressPercentage)
	}
	var logged int64
	s.primary(t).Session(&gorm.Session{}).Model(&models.ProgressLog{}).Where("subject_id = ?", sub.ID).Count(&logged)
	if logged != 50 {
		t.Errorf("%d progress_log rows, want 50", logged)
	}
}

// TestCompleteThenRead is the product's promise: a teacher who ticks a
// lesson and reloads sees it, through the routing layer (the read may go to
// a replica only once that replica has the write). No waiting in between.
func TestCompleteThenRead(t *testing.T) {
	s := newTestServer(t)
	teacher := createUser(t, s, models.RoleTeacher, nil)
	sub := newSubject(t, s, teacher.caller, "Geography", "Grade 6", tree(1, 2, 10))
	ids := lessonIDs(t, s, teacher.caller, sub.ID)
	for i, id := range ids {
		status, body, err := s.send(teacher.cookieOnly(), "POST", fmt.Sprintf("/api/v1/lessons/%d/complete", id), nil)
		if err != nil || status != http.StatusOK {
			t.Fatalf("complete: %d %s %v", status, body, err)
		}
		for _, path := range []string{"/api/v1/subjects/%d", "/api/v1/subjects/%d/lessons"} {
			status, body, err = s.send(teacher.cookieOnly(), "GET", fmt.Sprintf(path, sub.ID), nil)
			if err != nil || status != http.StatusOK {
				t.Fatalf("get: %d %s %v", status, body, err)
			}
			var got struct {
				LessonsCompleted *int `json:"lessons_completed"`
				CompletedLessons *int `json:"completed_lessons"`
			}
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatal(err)
			}
			n := got.LessonsCompleted
			if n == nil {
				n = got.CompletedLessons
			}
			if n == nil || *n != i+1 {
				t.Fatalf("GET %s right after completing lesson %d shows %v completed, want %d", path, i+1, n, i+1)
			}
		}
	}
}

// TestSubjectAccess runs the ownership rules across two teachers in two
// schools, their school admins and a super admin.
func TestSubjectAccess(t *testing.T) {
	s := newTestServer(t)
	schoolA, schoolB := createSchool(t, s, "School A"), createSchool(t, s, "School B")
	a1 := createUser(t, s, models.RoleTeacher, schoolA)
	a2 := createUser(t, s, models.RoleTeacher, schoolA)
	b1 := createUser(t, s, models.RoleTeacher, schoolB)
	adminA := createUser(t, s, models.RoleSchoolAdmin, schoolA)
	adminB := createUser(t, s, models.RoleSchoolAdmin, schoolB)
	super := createUser(t, s, models.RoleSuperAdmin, nil)

	subA1 := newSubject(t, s, a1.caller, "Maths", "Grade 1", tree(1, 1, 2))
	newSubject(t, s, a2.caller, "Maths", "Grade 1", nil) // same name and grade: another teacher may
	newSubject(t, s, b1.caller, "English", "Grade 2", nil)
	lesson := lessonIDs(t, s, a1.caller, subA1.ID)[0]
	path := fmt.Sprintf("/api/v1/subjects/%d", subA1.ID)
	completePath := fmt.Sprintf("/api/v1/lessons/%d/complete", lesson)

	tests := []struct {
		name   string
		who    *testUser
		method string
		path   string
		body   any
		want   int
	}{
		{"teacher reads own", a1, "GET", path, nil, 200},
		{"colleague can't see it", a2, "GET", path, nil, 404},
		{"other school's teacher can't see it", b1, "GET", path, nil, 404},
		{"school admin reads it", adminA, "GET", path + "/lessons", nil, 200},
		{"other school's admin can't see it", adminB, "GET", path, nil, 404},
		{"super admin reads it", super, "GET", path + "/strands", nil, 200},
		{"school admin can't change it", adminA, "PATCH", path, map[string]any{"grade": "Grade 2"}, 403},
		{"school admin can't delete it", adminA, "DELETE", path, nil, 403},
		{"school admin can't complete its lessons", adminA, "POST", completePath, nil, 403},
		{"other school's admin: no such lesson", adminB, "POST", completePath, nil, 404},
		{"colleague: no such lesson", a2, "POST", completePath, nil, 404},
		{"super admin can't change it", super, "PUT", path + "/scheduling", map[string]any{"lessons_per_week": 5, "single_lesson_duration": 40, "double_lesson_duration": 80, "double_lessons_per_week": 1}, 403},
		{"teacher changes own", a1, "PATCH", path, map[string]any{"grade": "Grade 2"}, 200},
		{"teacher completes own", a1, "POST", completePath, nil, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expect(t, s.do(t, tt.who.caller, tt.method, tt.path, tt.body), tt.want)
		})
	}

	lists := []struct {
		who  *testUser
		want []string
	}{
		{a1, []string{"Maths/Grade 2"}},
		{a2, []string{"Maths/Grade 1"}},
		{adminA, []string{"Maths/Grade 1", "Maths/Grade 2"}}, // every subject of school A
		{adminB, []string{"English/Grade 2"}},
		{super, nil}, // no school: their own, which are none
	}
	for _, l := range lists {
		var subjects []subjectJSON
		expect(t, s.do(t, l.who.caller, "GET", "/api/v1/subjects?sort=subject_name", nil), http.StatusOK).decode(t, &subjects)
		var got []string
		for _, sj := range subjects {
			got = append(got, sj.SubjectName+"/"+sj.Grade)
		}
		if diff := cmp.Diff(l.want, got); diff != "" {
			t.Errorf("%s's list (-want +got):\n%s", l.who.Email, diff)
		}
	}

	// A super admin may delete anyone's subject, and everything under it goes.
	expect(t, s.do(t, super.caller, "DELETE", path, nil), http.StatusNoContent)
	expect(t, s.do(t, a1.caller, "GET", path, nil), http.StatusNotFound)
	for _, table := range []string{"strands", "lessons", "progress_log"} {
		var n int64
		q := s.primary(t).Session(&gorm.Session{}).Table(table)
		switch table {
		case "strands", "progress_log":
			q = q.Where("subject_id = ?", subA1.ID)
		case "lessons":
			q = q.Where("id = ?", lesson)
		}
		if err := q.Count(&n).Error; err != nil || n != 0 {
			t.Errorf("%s: %d rows left (%v)", table, n, err)
		}
	}
}
