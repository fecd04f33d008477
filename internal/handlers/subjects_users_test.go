package handlers_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gorm.io/gorm"

	"github.com/teachtrack/api/internal/models"
)

func TestMeCountsSubjects(t *testing.T) {
	s := newTestServer(t)
	teacher := createUser(t, s, models.RoleTeacher, nil)
	type me struct {
		Email        string `json:"email"`
		HasSubjects  bool   `json:"has_subjects"`
		SubjectCount int    `json:"subject_count"`
	}
	var got me
	expect(t, s.do(t, teacher.cookieOnly(), "GET", "/api/v1/auth/me", nil), http.StatusOK).decode(t, &got)
	if diff := cmp.Diff(me{teacher.Email, false, 0}, got); diff != "" {
		t.Errorf("before (-want +got):\n%s", diff)
	}
	newSubject(t, s, teacher.caller, "Maths", "Grade 1", nil)
	newSubject(t, s, teacher.caller, "Maths", "Grade 2", nil)
	expect(t, s.do(t, teacher.cookieOnly(), "GET", "/api/v1/auth/me", nil), http.StatusOK).decode(t, &got)
	if diff := cmp.Diff(me{teacher.Email, true, 2}, got); diff != "" {
		t.Errorf("after (-want +got):\n%s", diff)
	}
}

func TestAdminUsersListSubjects(t *testing.T) {
	s := newTestServer(t)
	school := createSchool(t, s, "School A")
	admin := createUser(t, s, models.RoleSchoolAdmin, school)
	t1 := createUser(t, s, models.RoleTeacher, school)
	t2 := createUser(t, s, models.RoleTeacher, school)
	sub := newSubject(t, s, t1.caller, "Maths", "Grade 1", tree(1, 1, 4))
	english := newSubject(t, s, t1.caller, "English", "Grade 1", nil)
	expect(t, s.do(t, t1.caller, "POST", fmt.Sprintf("/api/v1/lessons/%d/complete", lessonIDs(t, s, t1.caller, sub.ID)[0]), nil), http.StatusOK)

	var got struct {
		Users []struct {
			ID            uint64                  `json:"id"`
			SubjectCount  int                     `json:"subject_count"`
			SubjectsCount int                     `json:"subjects_count"`
			Subjects      []models.SubjectSummary `json:"subjects"`
		} `json:"users"`
	}
	expect(t, s.do(t, admin.caller, "GET", "/api/v1/admin/users", nil), http.StatusOK).decode(t, &got)
	byID := map[uint64]int{}
	for i, u := range got.Users {
		byID[u.ID] = i
		if u.SubjectCount != len(u.Subjects) || u.SubjectsCount != len(u.Subjects) || u.Subjects == nil {
			t.Errorf("user %d: counts %d/%d, subjects %v", u.ID, u.SubjectCount, u.SubjectsCount, u.Subjects)
		}
	}
	want := []models.SubjectSummary{
		{ID: english.ID, SubjectName: "English", Grade: "Grade 1"},
		{ID: sub.ID, SubjectName: "Maths", Grade: "Grade 1", TotalLessons: 4, LessonsCompleted: 1, ProgressPercentage: 25},
	}
	if diff := cmp.Diff(want, got.Users[byID[t1.ID]].Subjects); diff != "" {
		t.Errorf("t1's subjects (-want +got):\n%s", diff)
	}
	if n := len(got.Users[byID[t2.ID]].Subjects); n != 0 {
		t.Errorf("t2 has %d subjects", n)
	}
}

func TestResetProgress(t *testing.T) {
	s := newTestServer(t)
	schoolA, schoolB := createSchool(t, s, "School A"), createSchool(t, s, "School B")
	adminA := createUser(t, s, models.RoleSchoolAdmin, schoolA)
	adminB := createUser(t, s, models.RoleSchoolAdmin, schoolB)
	teacher := createUser(t, s, models.RoleTeacher, schoolA)
	other := createUser(t, s, models.RoleTeacher, schoolA)
	maths := newSubject(t, s, teacher.caller, "Maths", "Grade 1", tree(1, 1, 3))
	art := newSubject(t, s, teacher.caller, "Art", "Grade 1", tree(1, 1, 2))
	theirs := newSubject(t, s, other.caller, "Music", "Grade 1", nil)
	for _, sub := range []subjectJSON{maths, art} {
		for _, id := range lessonIDs(t, s, teacher.caller, sub.ID) {
			expect(t, s.do(t, teacher.caller, "POST", fmt.Sprintf("/api/v1/lessons/%d/complete", id), nil), http.StatusOK)
		}
	}
	path := fmt.Sprintf("/api/v1/admin/users/%d/reset-progress", teacher.ID)
	completed := func(subjectID uint64) (int, int) {
		t.Helper()
		var sub subjectJSON
		expect(t, s.do(t, teacher.caller, "GET", fmt.Sprintf("/api/v1/subjects/%d", subjectID), nil), http.StatusOK).decode(t, &sub)
		var done int64
		s.primary(t).Session(&gorm.Session{}).Table("lessons").
			Joins("JOIN sub_strands ON sub_strands.id = lessons.substrand_id").Joins("JOIN strands ON strands.id = sub_strands.strand_id").
			Where("strands.subject_id = ? AND lessons.is_completed", subjectID).Count(&done)
		return sub.LessonsCompleted, int(done)
	}

	expect(t, s.do(t, teacher.caller, "POST", path, nil), http.StatusForbidden)
	expect(t, s.do(t, adminB.caller, "POST", path, nil), http.StatusNotFound)
	expect(t, s.do(t, adminA.caller, "POST", path, map[string]any{"subject_id": theirs.ID}), http.StatusNotFound)
	expect(t, s.do(t, adminA.caller, "POST", path, map[string]any{"subject_id": 0}), http.StatusUnprocessableEntity)

	var res struct {
		SubjectsReset int `json:"subjects_reset"`
	}
	expect(t, s.do(t, adminA.caller, "POST", path, map[string]any{"subject_id": maths.ID}), http.StatusOK).decode(t, &res)
	if res.SubjectsReset != 1 {
		t.Errorf("subjects_reset %d, want 1", res.SubjectsReset)
	}
	if c, d := completed(maths.ID); c != 0 || d != 0 {
		t.Errorf("maths after its reset: counter %d, lessons done %d", c, d)
	}
	if c, d := completed(art.ID); c != 2 || d != 2 {
		t.Errorf("art after maths's reset: counter %d, lessons done %d", c, d)
	}
	expect(t, s.do(t, adminA.caller, "POST", path, map[string]any{}), http.StatusOK).decode(t, &res)
	if c, d := completed(art.ID); res.SubjectsReset != 2 || c != 0 || d != 0 {
		t.Errorf("after resetting all (%d): art counter %d, lessons done %d", res.SubjectsReset, c, d)
	}
	var resets int64
	s.primary(t).Session(&gorm.Session{}).Model(&models.ProgressLog{}).Where("user_id = ? AND action = ?", teacher.ID, models.ActionReset).Count(&resets)
	if resets != 3 {
		t.Errorf("%d RESET log rows, want 3", resets)
	}
}
