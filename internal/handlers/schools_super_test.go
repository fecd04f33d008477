package handlers_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/teachtrack/api/internal/models"
)

type rosterBody struct {
	School struct {
		ID                 uint64  `json:"id"`
		Name               string  `json:"name"`
		Email              *string `json:"email"`
		MaxTeachers        int     `json:"max_teachers"`
		SubscriptionStatus string  `json:"subscription_status"`
	} `json:"school"`
	SchoolAdmin *struct {
		ID    uint64 `json:"id"`
		Email string `json:"email"`
	} `json:"school_admin"`
	Teachers []struct {
		ID        uint64 `json:"id"`
		IsCurrent bool   `json:"is_current"`
		Subjects  []struct {
			Name             string  `json:"name"`
			Grade            string  `json:"grade"`
			LessonsCompleted int     `json:"lessons_completed"`
			TotalLessons     int     `json:"total_lessons"`
			Progress         float64 `json:"progress"`
		} `json:"subjects"`
		SubjectCount int `json:"subject_count"`
	} `json:"teachers"`
	PreviousTeachers []any `json:"previous_teachers"`
	TeacherCount     int   `json:"teacher_count"`
}

type schoolSummaryBody struct {
	ID                 uint64  `json:"id"`
	Name               string  `json:"name"`
	TeacherCount       int     `json:"teacher_count"`
	AdminEmail         *string `json:"admin_email"`
	MaxTeachers        int     `json:"max_teachers"`
	SubscriptionStatus string  `json:"subscription_status"`
}

// The super admin's school screens: the list with its licence columns and
// filters, a school's roster, and editing its limit and status.
func TestSuperAdminSchools(t *testing.T) {
	w := newAnalyticsWorld(t)
	s := w.s
	super := w.super.caller
	path := fmt.Sprintf("/api/v1/admin/schools/%d", *w.schoolA)

	var list []schoolSummaryBody
	expect(t, s.do(t, super, "GET", "/api/v1/admin/schools?page=1&limit=10&sort_by=teacher_count&sort_order=desc", nil), http.StatusOK).decode(t, &list)
	if len(list) != 2 || list[0].Name != "Alpha School" || list[0].TeacherCount != 2 || list[0].MaxTeachers != 1 || list[0].SubscriptionStatus != "INACTIVE" ||
		list[0].AdminEmail == nil || *list[0].AdminEmail != w.adminA.Email {
		t.Fatalf("schools %+v", list)
	}

	// The limit can't go below the teachers the school has (2).
	checkProblem(t, s.do(t, super, "PATCH", path, map[string]any{"max_teachers": 1}), http.StatusConflict, "")
	checkProblem(t, s.do(t, super, "PATCH", path, map[string]any{"subscription_status": "GOLD"}), http.StatusUnprocessableEntity, "subscription_status")
	checkProblem(t, s.do(t, super, "PATCH", path, map[string]any{"max_teachers": 0}), http.StatusUnprocessableEntity, "max_teachers")
	checkProblem(t, s.do(t, super, "PATCH", "/api/v1/admin/schools/999999", map[string]any{"max_teachers": 5}), http.StatusNotFound, "")
	checkProblem(t, s.do(t, w.adminA.caller, "PATCH", path, map[string]any{"max_teachers": 50}), http.StatusForbidden, "")
	var sc schoolBody
	expect(t, s.do(t, super, "PATCH", path, map[string]any{"max_teachers": 25, "subscription_status": "TRIAL"}), http.StatusOK).decode(t, &sc)
	if sc.MaxTeachers != 25 || sc.SubscriptionStatus != "TRIAL" || sc.TeacherCount != 2 {
		t.Errorf("updated school %+v", sc)
	}
	expect(t, s.do(t, super, "GET", "/api/v1/admin/schools?subscription_status=TRIAL", nil), http.StatusOK).decode(t, &list)
	if len(list) != 1 || list[0].ID != *w.schoolA || list[0].MaxTeachers != 25 {
		t.Errorf("TRIAL schools %+v", list)
	}
	expect(t, s.do(t, super, "GET", "/api/v1/admin/schools?search=bet", nil), http.StatusOK).decode(t, &list)
	if len(list) != 1 || list[0].ID != *w.schoolB {
		t.Errorf("search bet: %+v", list)
	}
	checkProblem(t, s.do(t, super, "GET", "/api/v1/admin/schools?sort_by=secret", nil), http.StatusUnprocessableEntity, "sort_by")

	// The roster: admin, teachers and their subjects' progress.
	var ro rosterBody
	expect(t, s.do(t, super, "GET", path+"/teachers", nil), http.StatusOK).decode(t, &ro)
	if ro.School.Name != "Alpha School" || ro.School.MaxTeachers != 25 || ro.School.SubscriptionStatus != "TRIAL" || ro.School.Email == nil || *ro.School.Email != w.adminA.Email {
		t.Errorf("roster school %+v", ro.School)
	}
	if ro.SchoolAdmin == nil || ro.SchoolAdmin.ID != w.adminA.ID || ro.TeacherCount != 2 || len(ro.Teachers) != 2 || ro.PreviousTeachers == nil {
		t.Fatalf("roster %+v", ro)
	}
	for _, tc := range ro.Teachers {
		if !tc.IsCurrent || tc.SubjectCount != len(tc.Subjects) {
			t.Errorf("teacher %+v", tc)
		}
		if tc.ID == w.t1.ID && (tc.SubjectCount != 2 || tc.Subjects[0].Name != "English" || tc.Subjects[0].Progress != 50 || tc.Subjects[1].TotalLessons != 10) {
			t.Errorf("t1's subjects %+v", tc.Subjects)
		}
	}
	checkProblem(t, s.do(t, super, "GET", "/api/v1/admin/schools/999999/teachers", nil), http.StatusNotFound, "")
	checkProblem(t, s.do(t, w.adminA.caller, "GET", path+"/teachers", nil), http.StatusForbidden, "")

	// Three statements whatever the school's size.
	count := func() float64 {
		before := s.statements(t)
		expect(t, s.do(t, super, "GET", path+"/teachers", nil), http.StatusOK)
		return s.statements(t) - before
	}
	n1 := count()
	for i := range 4 {
		u := createUser(t, s, models.RoleTeacher, w.schoolA)
		seedSubject(t, s, u, "Art", fmt.Sprintf("Grade %d", i+1), 5, 1, time.Now())
	}
	s.waitReplicas(t)
	if n2 := count(); n2 != n1 {
		t.Errorf("roster: %v statements for 2 teachers, %v for 6", n1, n2)
	}
}

// The users page: the "Admins" filter, date filters, and editing a user with
// a new password, which ends their sessions.
func TestAdminUsersPageFilters(t *testing.T) {
	w := newAnalyticsWorld(t)
	s := w.s
	var page struct {
		Users []struct {
			ID   uint64      `json:"id"`
			Role models.Role `json:"role"`
		} `json:"users"`
		Total int `json:"total"`
	}
	expect(t, s.do(t, w.super.caller, "GET", "/api/v1/admin/users?role=admin&page=1&limit=20", nil), http.StatusOK).decode(t, &page)
	if page.Total != 3 {
		t.Errorf("admins: %d, want 3 (a super admin and two school admins): %+v", page.Total, page.Users)
	}
	for _, u := range page.Users {
		if !u.Role.IsAdmin() {
			t.Errorf("role=admin lists a %s", u.Role)
		}
	}
	// A school admin's "Admins" are their school's only.
	expect(t, s.do(t, w.adminA.caller, "GET", "/api/v1/admin/users?role=admin", nil), http.StatusOK).decode(t, &page)
	if page.Total != 1 || page.Users[0].ID != w.adminA.ID {
		t.Errorf("school A's admins %+v", page.Users)
	}
	expect(t, s.do(t, w.super.caller, "GET", "/api/v1/admin/users?role=teacher", nil), http.StatusOK).decode(t, &page)
	if page.Total != 3 {
		t.Errorf("teachers: %d, want 3", page.Total)
	}

	// Dates: t3 joined long ago; the filters are days in the school's zone.
	old := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)
	if err := s.primary(t).Exec("UPDATE users SET created_at = ? WHERE id = ?", old, w.t3.ID).Error; err != nil {
		t.Fatal(err)
	}
	s.waitReplicas(t)
	expect(t, s.do(t, w.super.caller, "GET", "/api/v1/admin/users?start_date=2025-03-10&end_date=2025-03-10", nil), http.StatusOK).decode(t, &page)
	if page.Total != 1 || page.Users[0].ID != w.t3.ID {
		t.Errorf("joined on 2025-03-10: %+v", page.Users)
	}
	expect(t, s.do(t, w.super.caller, "GET", "/api/v1/admin/users?start_date=2025-03-11", nil), http.StatusOK).decode(t, &page)
	if page.Total != 6 {
		t.Errorf("joined since 2025-03-11: %d, want 6", page.Total)
	}
	expect(t, s.do(t, w.super.caller, "GET", "/api/v1/admin/users?end_date=2025-03-09", nil), http.StatusOK).decode(t, &page)
	if page.Total != 0 {
		t.Errorf("joined by 2025-03-09: %d, want 0", page.Total)
	}
	checkProblem(t, s.do(t, w.super.caller, "GET", "/api/v1/admin/users?start_date=yesterday", nil), http.StatusUnprocessableEntity, "start_date")

	// Edit with a password, as the edit dialog sends it.
	edit := map[string]any{"full_name": "Teacher One", "email": w.t1.Email, "school": "", "grade_level": "Grade 7", "role": "TEACHER"}
	edit["password"] = "short"
	checkProblem(t, s.do(t, w.adminA.caller, "PATCH", fmt.Sprintf("/api/v1/admin/users/%d", w.t1.ID), edit), http.StatusUnprocessableEntity, "password")
	// Another school's teacher is not found.
	edit["password"] = "a-new-password-1"
	checkProblem(t, s.do(t, w.adminA.caller, "PATCH", fmt.Sprintf("/api/v1/admin/users/%d", w.t3.ID), edit), http.StatusNotFound, "")
	expect(t, s.do(t, w.adminA.caller, "PATCH", fmt.Sprintf("/api/v1/admin/users/%d", w.t1.ID), edit), http.StatusOK)
	// The teacher's sessions ended; the old password fails, the new one works.
	checkProblem(t, s.do(t, w.t1.caller, "GET", "/api/v1/auth/me", nil), http.StatusUnauthorized, "")
	expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/login", map[string]string{"email": w.t1.Email, "password": w.t1.Password}), http.StatusUnauthorized)
	w.t1.Password = "a-new-password-1"
	w.t1.login(t, s)
	var hash string
	if err := s.primary(t).Raw("SELECT password_hash FROM users WHERE id = ?", w.t1.ID).Scan(&hash).Error; err != nil || hash == "a-new-password-1" || hash == "" {
		t.Errorf("stored password %q (%v): want a hash", hash, err)
	}
	// An admin who changes their own password keeps this session.
	expect(t, s.do(t, w.adminA.caller, "PATCH", fmt.Sprintf("/api/v1/admin/users/%d", w.adminA.ID), map[string]any{"password": "admin-new-pass-1"}), http.StatusOK)
	expect(t, s.do(t, w.adminA.caller, "GET", "/api/v1/auth/me", nil), http.StatusOK)
}
