package handlers_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/teachtrack/api/internal/models"
)

type listBody struct {
	Users    []userBody `json:"users"`
	Total    int        `json:"total"`
	Page     int        `json:"page"`
	PageSize int        `json:"page_size"`
}

func TestAdminUsers(t *testing.T) {
	s := newTestServer(t)
	schoolA, schoolB := createSchool(t, s, "School A"), createSchool(t, s, "School B")
	super := createUser(t, s, models.RoleSuperAdmin, nil)
	super2 := createUser(t, s, models.RoleSuperAdmin, nil)
	adminA := createUser(t, s, models.RoleSchoolAdmin, schoolA)
	adminA2 := createUser(t, s, models.RoleSchoolAdmin, schoolA)
	teacherA := createUser(t, s, models.RoleTeacher, schoolA)
	hodA := createUser(t, s, models.RoleHOD, schoolA)
	teacherB := createUser(t, s, models.RoleTeacher, schoolB)
	loner := createUser(t, s, models.RoleTeacher, nil)
	path := func(u *testUser, suffix string) string { return fmt.Sprintf("/api/v1/admin/users/%d%s", u.ID, suffix) }

	t.Run("list", func(t *testing.T) {
		var all listBody
		expect(t, s.do(t, super.cookieOnly(), "GET", "/api/v1/admin/users", nil), http.StatusOK).decode(t, &all)
		if all.Total != 8 || len(all.Users) != 8 || all.Page != 1 || all.PageSize != 20 || all.Users[0].ID != loner.ID {
			t.Errorf("super admin's list: total %d, %d users, page %d/%d, first %d", all.Total, len(all.Users), all.Page, all.PageSize, all.Users[0].ID)
		}
		var page listBody
		expect(t, s.do(t, super.cookieOnly(), "GET", "/api/v1/admin/users?page=2&limit=3", nil), http.StatusOK).decode(t, &page)
		if page.Total != 8 || len(page.Users) != 3 || page.Users[0].ID != all.Users[3].ID {
			t.Errorf("page 2 of 3: %+v", page)
		}
		expect(t, s.do(t, super.cookieOnly(), "GET", "/api/v1/admin/users?limit=1000", nil), http.StatusOK).decode(t, &page)
		if page.PageSize != 100 {
			t.Errorf("limit not capped: page_size %d", page.PageSize)
		}
		expect(t, s.do(t, super.cookieOnly(), "GET", "/api/v1/admin/users?role=SCHOOL_ADMIN&search=school_admin", nil), http.StatusOK).decode(t, &page)
		if page.Total != 2 {
			t.Errorf("role+search: %d users", page.Total)
		}
		var scoped listBody
		expect(t, s.do(t, adminA.cookieOnly(), "GET", "/api/v1/admin/users?limit=100", nil), http.StatusOK).decode(t, &scoped)
		for _, u := range scoped.Users {
			if u.SchoolID == nil || *u.SchoolID != *schoolA {
				t.Errorf("school A's admin sees user %d of school %v", u.ID, u.SchoolID)
			}
		}
		if scoped.Total != 4 {
			t.Errorf("school A's admin sees %d users, want 4", scoped.Total)
		}
		expect(t, s.do(t, super.cookieOnly(), "GET", "/api/v1/admin/users?page=x", nil), http.StatusUnprocessableEntity)
		expect(t, s.do(t, super.cookieOnly(), "GET", "/api/v1/admin/users?role=KING", nil), http.StatusUnprocessableEntity)
	})

	tests := []struct {
		name   string
		who    *testUser
		method string
		path   string
		body   any
		want   int
	}{
		{"teacher can't list", teacherA, "GET", "/api/v1/admin/users", nil, http.StatusForbidden},
		{"HOD can't list", hodA, "GET", "/api/v1/admin/users", nil, http.StatusForbidden},
		{"anonymous", &testUser{}, "GET", "/api/v1/admin/users", nil, http.StatusUnauthorized},
		{"school admin gets own school's user", adminA, "GET", path(teacherA, ""), nil, http.StatusOK},
		{"school admin can't see school B", adminA, "GET", path(teacherB, ""), nil, http.StatusNotFound},
		{"school admin can't see a schoolless user", adminA, "GET", path(loner, ""), nil, http.StatusNotFound},
		{"school admin can't patch school B", adminA, "PATCH", path(teacherB, ""), map[string]string{"full_name": "X"}, http.StatusNotFound},
		{"school admin can't delete school B", adminA, "DELETE", path(teacherB, ""), nil, http.StatusNotFound},
		{"school admin can't change school B's role", adminA, "PATCH", path(teacherB, "/role"), map[string]string{"role": "HOD"}, http.StatusNotFound},
		{"school admin patches own school's user", adminA, "PATCH", path(teacherA, ""), map[string]string{"full_name": "Renamed", "phone": "0700"}, http.StatusOK},
		{"patch rejects unknown fields", adminA, "PATCH", path(teacherA, ""), map[string]string{"password_hash": "x"}, http.StatusBadRequest},
		{"school admin can't touch a fellow admin", adminA, "PATCH", path(adminA2, ""), map[string]string{"full_name": "X"}, http.StatusForbidden},
		{"school admin makes a teacher HOD", adminA, "PATCH", path(teacherA, "/role"), map[string]string{"role": "HOD"}, http.StatusOK},
		{"school admin can't grant admin (legacy is_admin)", adminA, "PATCH", path(teacherA, "/role"), map[string]bool{"is_admin": true}, http.StatusForbidden},
		{"school admin can't move a user to school B", adminA, "PATCH", path(hodA, ""), map[string]any{"school_id": *schoolB}, http.StatusForbidden},
		{"nobody demotes themselves", super, "PATCH", path(super, "/role"), map[string]string{"role": "TEACHER"}, http.StatusForbidden},
		{"nobody demotes themselves (legacy)", adminA, "PATCH", path(adminA, "/role"), map[string]bool{"is_admin": false}, http.StatusForbidden},
		{"role must be known", super, "PATCH", path(hodA, "/role"), map[string]string{"role": "KING"}, http.StatusUnprocessableEntity},
		{"role or is_admin needed", super, "PATCH", path(hodA, "/role"), map[string]string{}, http.StatusUnprocessableEntity},
		{"super admin promotes (legacy is_admin)", super, "PATCH", path(hodA, "/role"), map[string]bool{"is_admin": true}, http.StatusOK},
		{"super admin demotes (legacy is_admin)", super, "PATCH", path(hodA, "/role"), map[string]bool{"is_admin": false}, http.StatusOK},
		{"nobody deletes themselves", super, "DELETE", path(super, ""), nil, http.StatusForbidden},
		{"school admin can't subscribe", adminA, "PUT", path(teacherA, "/subscription"), map[string]string{"subscription_type": "INDIVIDUAL_PREMIUM", "subscription_status": "ACTIVE"}, http.StatusForbidden},
		{"subscription", super, "PUT", path(teacherA, "/subscription"), map[string]string{"subscription_type": "INDIVIDUAL_PREMIUM", "subscription_status": "PAST_DUE"}, http.StatusOK},
		{"bad subscription", super, "PUT", path(teacherA, "/subscription"), map[string]string{"subscription_type": "GOLD", "subscription_status": "ACTIVE"}, http.StatusUnprocessableEntity},
		{"school admin can't ban", adminA, "POST", path(teacherA, "/ban"), nil, http.StatusForbidden},
		{"super admin can't be banned", super, "POST", path(super2, "/ban"), nil, http.StatusForbidden},
		{"nobody bans themselves", super, "POST", path(super, "/ban"), nil, http.StatusForbidden},
		{"no such user", super, "GET", "/api/v1/admin/users/999999", nil, http.StatusNotFound},
		{"not an id", super, "GET", "/api/v1/admin/users/abc", nil, http.StatusBadRequest},
		{"school admin can't export", adminA, "GET", "/api/v1/admin/users/export", nil, http.StatusForbidden},
		{"school admin can't list schools", adminA, "GET", "/api/v1/admin/schools", nil, http.StatusForbidden},
		{"school admin can't impersonate", adminA, "POST", path(teacherA, "/impersonate"), nil, http.StatusForbidden},
		{"super admin can't impersonate a super admin", super, "POST", path(super2, "/impersonate"), nil, http.StatusForbidden},
		{"school admin can't unlink", adminA, "POST", path(teacherA, "/unlink"), nil, http.StatusForbidden},
		{"no trailing slash", super, "GET", "/api/v1/admin/users/", nil, http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := expect(t, s.do(t, tt.who.cookieOnly(), tt.method, tt.path, tt.body), tt.want)
			if tt.want >= 400 {
				checkProblem(t, res, tt.want, "")
			}
		})
	}

	t.Run("create", func(t *testing.T) {
		// Room for the teachers made here (a new school has one place).
		expect(t, s.do(t, super.cookieOnly(), "PATCH", "/api/v1/admin/schools/"+itoa(*schoolA), map[string]any{"max_teachers": 50}), http.StatusOK)
		var got userBody
		expect(t, s.do(t, adminA.cookieOnly(), "POST", "/api/v1/admin/users",
			map[string]string{"email": "New.Teacher@example.com", "password": "password1", "full_name": "New Teacher", "phone": ""}), http.StatusCreated).decode(t, &got)
		if got.Email != "new.teacher@example.com" || got.Role != "TEACHER" || !got.EmailVerified || got.SchoolID == nil || *got.SchoolID != *schoolA || got.Phone != nil {
			t.Errorf("created by school admin: %+v", got)
		}
		expect(t, s.do(t, adminA.cookieOnly(), "POST", "/api/v1/admin/users",
			map[string]string{"email": "x1@example.com", "password": "password1", "full_name": "X", "role": "SCHOOL_ADMIN"}), http.StatusForbidden)
		expect(t, s.do(t, adminA.cookieOnly(), "POST", "/api/v1/admin/users",
			map[string]any{"email": "x2@example.com", "password": "password1", "full_name": "X", "school_id": *schoolB}), http.StatusForbidden)
		expect(t, s.do(t, super.cookieOnly(), "POST", "/api/v1/admin/users",
			map[string]any{"email": "x3@example.com", "password": "password1", "full_name": "X", "role": "SCHOOL_ADMIN", "school_id": *schoolB}), http.StatusCreated).decode(t, &got)
		if got.Role != "SCHOOL_ADMIN" || !got.IsAdmin || *got.SchoolID != *schoolB {
			t.Errorf("created by super admin: %+v", got)
		}
		expect(t, s.do(t, super.cookieOnly(), "POST", "/api/v1/admin/users",
			map[string]any{"email": "x4@example.com", "password": "password1", "full_name": "X", "school_id": 99999}), http.StatusUnprocessableEntity)
		expect(t, s.do(t, super.cookieOnly(), "POST", "/api/v1/admin/users",
			map[string]any{"email": "NEW.TEACHER@example.com", "password": "password1", "full_name": "X"}), http.StatusConflict)
	})

	t.Run("unlink, export, schools", func(t *testing.T) {
		var got userBody
		expect(t, s.do(t, super.cookieOnly(), "POST", path(teacherB, "/unlink"), nil), http.StatusOK).decode(t, &got)
		if got.SchoolID != nil {
			t.Errorf("unlink left school_id %v", *got.SchoolID)
		}
		var exported []map[string]any
		expect(t, s.do(t, super.cookieOnly(), "GET", "/api/v1/admin/users/export?role=SUPER_ADMIN", nil), http.StatusOK).decode(t, &exported)
		if len(exported) != 2 || exported[0]["email"] == nil || exported[0]["password_hash"] != nil {
			t.Errorf("export: %v", exported)
		}
		var schools []struct {
			ID           uint64  `json:"id"`
			Name         string  `json:"name"`
			TeacherCount int     `json:"teacher_count"`
			AdminEmail   *string `json:"admin_email"`
		}
		expect(t, s.do(t, super.cookieOnly(), "GET", "/api/v1/admin/schools", nil), http.StatusOK).decode(t, &schools)
		if len(schools) != 2 || schools[0].Name != "School A" || schools[0].AdminEmail == nil || schools[0].TeacherCount < 2 {
			t.Errorf("schools: %+v", schools)
		}
		expect(t, s.do(t, super.cookieOnly(), "POST", "/api/v1/admin/schools", map[string]string{"name": "School C"}), http.StatusCreated)
		expect(t, s.do(t, super.cookieOnly(), "POST", "/api/v1/admin/schools", map[string]string{"name": "School C"}), http.StatusConflict)
		expect(t, s.do(t, super.cookieOnly(), "POST", "/api/v1/admin/schools", map[string]string{"name": " "}), http.StatusUnprocessableEntity)
	})

	t.Run("impersonate", func(t *testing.T) {
		res := expect(t, s.do(t, super.cookieOnly(), "POST", path(teacherA, "/impersonate"), nil), http.StatusOK)
		c := res.cookie("access_token")
		if c == nil {
			t.Fatal("impersonation set no cookie")
		}
		var me userBody
		expect(t, s.do(t, caller{Cookie: c}, "GET", "/api/v1/auth/me", nil), http.StatusOK).decode(t, &me)
		if me.ID != teacherA.ID {
			t.Errorf("impersonated session is user %d, want %d", me.ID, teacherA.ID)
		}
		var sess models.Session
		s.primary(t).Where("user_id = ? AND impersonator_id = ?", teacherA.ID, super.ID).Take(&sess)
		if sess.ID == 0 {
			t.Errorf("impersonation session does not record the admin")
		}
	})

	t.Run("delete", func(t *testing.T) {
		expect(t, s.do(t, adminA.cookieOnly(), "DELETE", path(hodA, ""), nil), http.StatusNoContent)
		expect(t, s.do(t, hodA.cookieOnly(), "GET", "/api/v1/auth/me", nil), http.StatusUnauthorized)
		expect(t, s.do(t, adminA.cookieOnly(), "GET", path(hodA, ""), nil), http.StatusNotFound)
	})

	t.Run("bulk", func(t *testing.T) {
		victims := []*testUser{createUser(t, s, models.RoleTeacher, nil), createUser(t, s, models.RoleTeacher, nil)}
		ids := []uint64{victims[0].ID, victims[1].ID, super.ID, super2.ID, 999999}
		var got struct {
			Results []struct {
				ID     uint64 `json:"id"`
				Status string `json:"status"`
			} `json:"results"`
			Succeeded int `json:"succeeded"`
		}
		expect(t, s.do(t, super.cookieOnly(), "POST", "/api/v1/admin/users/bulk-ban", map[string]any{"user_ids": ids, "action": "ban"}), http.StatusOK).decode(t, &got)
		want := []string{"banned", "banned", "skipped", "skipped", "not_found"}
		for i, r := range got.Results {
			if r.ID != ids[i] || r.Status != want[i] {
				t.Errorf("bulk-ban result %d: %+v, want %s", i, r, want[i])
			}
		}
		if got.Succeeded != 2 {
			t.Errorf("bulk-ban succeeded %d", got.Succeeded)
		}
		expect(t, s.do(t, victims[0].cookieOnly(), "GET", "/api/v1/auth/me", nil), http.StatusUnauthorized)
		expect(t, s.do(t, super.cookieOnly(), "GET", "/api/v1/auth/me", nil), http.StatusOK)
		expect(t, s.do(t, super.cookieOnly(), "POST", "/api/v1/admin/users/bulk-ban", map[string]any{"user_ids": ids, "action": "unban"}), http.StatusOK)
		expect(t, s.do(t, super.cookieOnly(), "POST", "/api/v1/admin/users/bulk-ban", map[string]any{"user_ids": ids, "action": "smite"}), http.StatusUnprocessableEntity)
		expect(t, s.do(t, super.cookieOnly(), "POST", "/api/v1/admin/users/bulk-delete", map[string]any{"user_ids": []uint64{}}), http.StatusUnprocessableEntity)
		expect(t, s.do(t, adminA.cookieOnly(), "POST", "/api/v1/admin/users/bulk-delete", map[string]any{"user_ids": ids}), http.StatusForbidden)
		expect(t, s.do(t, super.cookieOnly(), "POST", "/api/v1/admin/users/bulk-delete", map[string]any{"user_ids": ids}), http.StatusOK).decode(t, &got)
		if got.Succeeded != 2 || got.Results[0].Status != "deleted" || got.Results[2].Status != "skipped" {
			t.Errorf("bulk-delete: %+v", got)
		}
		expect(t, s.do(t, super.cookieOnly(), "GET", path(super2, ""), nil), http.StatusOK)
		expect(t, s.do(t, super.cookieOnly(), "GET", path(victims[0], ""), nil), http.StatusNotFound)
	})
}

// TestAdminUserCreateRespectsMaxTeachers: adding a teacher through the users
// page takes one of the school's places, as adding one from the school's page
// does: past max_teachers it is a 409 and no account is made; administrators
// don't count.
func TestAdminUserCreateRespectsMaxTeachers(t *testing.T) {
	s := newTestServer(t)
	school := createSchool(t, s, "Two Seats School")
	super := createUser(t, s, models.RoleSuperAdmin, nil)
	admin := createUser(t, s, models.RoleSchoolAdmin, school)
	expect(t, s.do(t, super.caller, "PATCH", "/api/v1/admin/schools/"+itoa(*school), map[string]any{"max_teachers": 2}), http.StatusOK)
	add := func(c caller, email string, role models.Role) *response {
		return s.do(t, c, "POST", "/api/v1/admin/users", map[string]any{
			"email": email, "password": "Seat-passw0rd", "full_name": "Seat " + email, "role": role, "school_id": *school})
	}
	expect(t, add(admin.caller, "seat1@example.com", models.RoleTeacher), http.StatusCreated)
	expect(t, add(super.caller, "seat2@example.com", models.RoleHOD), http.StatusCreated)
	checkProblem(t, add(admin.caller, "seat3@example.com", models.RoleTeacher), http.StatusConflict, "")
	checkProblem(t, add(super.caller, "seat4@example.com", models.RoleTeacher), http.StatusConflict, "")
	var n int64
	if err := s.primary(t).Model(&models.User{}).Where("email IN ?", []string{"seat3@example.com", "seat4@example.com"}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d accounts were made past the school's limit, want 0", n)
	}
	// Another administrator doesn't take a teacher's place.
	expect(t, add(super.caller, "seat-admin@example.com", models.RoleSchoolAdmin), http.StatusCreated)
}
