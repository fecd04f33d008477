package handlers_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/teachtrack/api/internal/models"
)

type schoolBody struct {
	ID                   uint64         `json:"id"`
	Name                 string         `json:"name"`
	AdminID              *uint64        `json:"admin_id"`
	SubscriptionStatus   string         `json:"subscription_status"`
	MaxTeachers          int            `json:"max_teachers"`
	TeacherCountsByLevel map[string]int `json:"teacher_counts_by_level"`
	TeacherCount         int            `json:"teacher_count"`
}

type teacherBody struct {
	ID                 uint64 `json:"id"`
	Email              string `json:"email"`
	FullName           string `json:"full_name"`
	EmailVerified      bool   `json:"email_verified"`
	SubscriptionType   string `json:"subscription_type"`
	SubscriptionStatus string `json:"subscription_status"`
}

// newSchool has admin create their school through the API.
func newSchool(t *testing.T, s *testServer, admin caller, name string, max int) schoolBody {
	t.Helper()
	var sc schoolBody
	expect(t, s.do(t, admin, "POST", "/api/v1/schools", map[string]any{"name": name, "max_teachers": max,
		"teacher_counts_by_level": map[string]int{"Lower Primary": 2, "Junior Secondary": 1}}), http.StatusCreated).decode(t, &sc)
	return sc
}

// The school admin's whole journey, the frontend's calls in order: register,
// create the school, invite a new teacher who sets their password from the
// mail and signs in, add an existing teacher, remove one.
func TestSchoolAdminJourney(t *testing.T) {
	s := newMailServer(t)
	expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/register", map[string]string{"email": "head@moi.example", "password": "head-pass-1", "full_name": "Head", "role": "SCHOOL_ADMIN"}), http.StatusCreated)
	admin := loginAs(t, s.testServer, "head@moi.example", "head-pass-1", http.StatusOK)
	checkProblem(t, expect(t, s.do(t, admin, "GET", "/api/v1/schools/me", nil), http.StatusNotFound), http.StatusNotFound, "")
	checkProblem(t, expect(t, s.do(t, admin, "GET", "/api/v1/schools/teachers", nil), http.StatusNotFound), http.StatusNotFound, "")

	sc := newSchool(t, s.testServer, admin, "Moi Primary", 3)
	if sc.Name != "Moi Primary" || sc.MaxTeachers != 3 || sc.AdminID == nil || sc.TeacherCountsByLevel["Lower Primary"] != 2 || sc.SubscriptionStatus != "INACTIVE" {
		t.Fatalf("school %+v", sc)
	}
	if me := me(t, s.testServer, admin); me.SchoolID == nil || *me.SchoolID != sc.ID || *sc.AdminID != me.ID {
		t.Fatalf("admin %+v not linked to school %d", me, sc.ID)
	}
	checkProblem(t, expect(t, s.do(t, admin, "POST", "/api/v1/schools", map[string]any{"name": "Second", "max_teachers": 1}), http.StatusConflict), http.StatusConflict, "")

	// A new address: an invitation to choose a password, never a password.
	var invited teacherBody
	expect(t, s.do(t, admin, "POST", "/api/v1/schools/teachers", map[string]string{"email": "Otieno@Example.com"}), http.StatusCreated).decode(t, &invited)
	if invited.Email != "otieno@example.com" || invited.SubscriptionType != "SCHOOL_SPONSORED" || invited.EmailVerified {
		t.Fatalf("invited %+v", invited)
	}
	m := s.Mail.WaitFor(t, "otieno@example.com", "invited to join Moi Primary")
	// No password exists that a mail could carry: the account has none
	// until the teacher chooses one through the link.
	if u, err := models.UserByEmail(s.primary(t), "otieno@example.com"); err != nil || u.PasswordHash != "" {
		t.Fatalf("invited account: %v, password hash %q", err, u.PasswordHash)
	}
	if strings.Contains(strings.ToLower(m.Text), "temporary password") {
		t.Fatalf("the invitation mails a password:\n%s", m.Text)
	}
	token := s.mailedToken(t, "otieno@example.com", "invited", "/reset-password")
	var st struct {
		Valid bool
		Email string
	}
	s.follow(t, "/api/v1/auth/verify-reset-token", token, http.StatusOK).decode(t, &st)
	if !st.Valid || st.Email != "otieno@example.com" {
		t.Fatalf("invitation token: %+v", st)
	}
	loginAs(t, s.testServer, "otieno@example.com", "any-guess-1", http.StatusUnauthorized) // no password until they choose one
	expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/reset-password", map[string]string{"token": token, "new_password": "otieno-pass-1"}), http.StatusOK)
	teacher := loginAs(t, s.testServer, "otieno@example.com", "otieno-pass-1", http.StatusOK)
	tm := me(t, s.testServer, teacher)
	if !tm.EmailVerified || tm.Role != "TEACHER" || tm.SchoolID == nil || *tm.SchoolID != sc.ID {
		t.Fatalf("invited teacher %+v", tm)
	}
	var mine schoolBody
	expect(t, s.do(t, teacher, "GET", "/api/v1/schools/me", nil), http.StatusOK).decode(t, &mine)
	if mine.ID != sc.ID || mine.TeacherCount != 1 {
		t.Fatalf("teacher's school %+v", mine)
	}
	// Teachers manage nothing.
	for _, r := range []struct{ method, path string }{{"GET", "/api/v1/schools/teachers"}, {"POST", "/api/v1/schools/teachers"}, {"DELETE", fmt.Sprintf("/api/v1/schools/teachers/%d", tm.ID)}, {"POST", "/api/v1/schools"}} {
		expect(t, s.do(t, teacher, r.method, r.path, map[string]any{"email": "z@example.com", "name": "X", "max_teachers": 1}), http.StatusForbidden)
	}

	// An existing teacher with their own plan and a subject.
	existing := createUser(t, s.testServer, models.RoleTeacher, nil)
	if _, err := models.UpdateUser(s.primary(t), existing.ID, map[string]any{"subscription_type": "INDIVIDUAL_PREMIUM"}); err != nil {
		t.Fatal(err)
	}
	subject := newSubject(t, s.testServer, existing.caller, "Mathematics", "Grade 4", tree(1, 1, 2))
	var added teacherBody
	expect(t, s.do(t, admin, "POST", "/api/v1/schools/teachers", map[string]string{"email": existing.Email}), http.StatusCreated).decode(t, &added)
	if added.ID != existing.ID || added.SubscriptionType != "SCHOOL_SPONSORED" {
		t.Fatalf("added %+v", added)
	}
	s.Mail.WaitFor(t, existing.Email, "added to Moi Primary")

	var list []teacherBody
	expect(t, s.do(t, admin, "GET", "/api/v1/schools/teachers", nil), http.StatusOK).decode(t, &list)
	if len(list) != 2 {
		t.Fatalf("teachers %+v", list)
	}

	// Removed: their data stays theirs, their own plan comes back.
	expect(t, s.do(t, admin, "DELETE", fmt.Sprintf("/api/v1/schools/teachers/%d", existing.ID), nil), http.StatusNoContent)
	back := me(t, s.testServer, existing.caller)
	if back.SchoolID != nil || back.SubscriptionType != "INDIVIDUAL_PREMIUM" || back.SubscriptionStatus != "ACTIVE" {
		t.Fatalf("removed teacher %+v", back)
	}
	expect(t, s.do(t, existing.caller, "GET", fmt.Sprintf("/api/v1/subjects/%d", subject.ID), nil), http.StatusOK)
	expect(t, s.do(t, admin, "DELETE", fmt.Sprintf("/api/v1/schools/teachers/%d", existing.ID), nil), http.StatusNotFound)
	// An invited teacher removed goes back to FREE.
	expect(t, s.do(t, admin, "DELETE", fmt.Sprintf("/api/v1/schools/teachers/%d", tm.ID), nil), http.StatusNoContent)
	if u := me(t, s.testServer, teacher); u.SubscriptionType != "FREE" || u.SchoolID != nil {
		t.Fatalf("removed invitee %+v", u)
	}
}

// max_teachers holds, also when many additions race for the last places.
func TestSchoolTeacherLimit(t *testing.T) {
	s := newTestServer(t)
	admin := createUser(t, s, models.RoleSchoolAdmin, nil)
	newSchool(t, s, admin.caller, "Small School", 3)
	const tries = 8
	var wg sync.WaitGroup
	codes := make([]int, tries)
	for i := range tries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, _, err := s.send(admin.caller, "POST", "/api/v1/schools/teachers", map[string]string{"email": fmt.Sprintf("racer%d@example.com", i)})
			if err != nil {
				t.Error(err)
			}
			codes[i] = code
		}()
	}
	wg.Wait()
	created, full := 0, 0
	for _, c := range codes {
		switch c {
		case http.StatusCreated:
			created++
		case http.StatusConflict:
			full++
		}
	}
	if created != 3 || full != tries-3 {
		t.Fatalf("codes %v: want 3 created and %d conflicts", codes, tries-3)
	}
	s.waitReplicas(t)
	res := expect(t, s.do(t, admin.caller, "POST", "/api/v1/schools/teachers", map[string]string{"email": "late@example.com"}), http.StatusConflict)
	var p problem
	res.decode(t, &p)
	if !strings.Contains(p.Detail, "limit of 3 teachers") {
		t.Fatalf("detail %q", p.Detail)
	}
	var n int64
	s.primary(t).Model(&models.User{}).Where("email LIKE 'racer%' OR email = 'late@example.com'").Count(&n)
	if n != 3 {
		t.Fatalf("%d accounts made; the refused additions must leave none", n)
	}
}

// Everything is scoped to the admin's own school.
func TestSchoolScoping(t *testing.T) {
	s := newTestServer(t)
	adminA := createUser(t, s, models.RoleSchoolAdmin, nil)
	adminB := createUser(t, s, models.RoleSchoolAdmin, nil)
	newSchool(t, s, adminA.caller, "School A", 5)
	newSchool(t, s, adminB.caller, "School B", 5)
	var ta teacherBody
	expect(t, s.do(t, adminA.caller, "POST", "/api/v1/schools/teachers", map[string]string{"email": "a-teacher@example.com"}), http.StatusCreated).decode(t, &ta)

	var list []teacherBody
	expect(t, s.do(t, adminB.caller, "GET", "/api/v1/schools/teachers", nil), http.StatusOK).decode(t, &list)
	if len(list) != 0 {
		t.Fatalf("B sees %+v", list)
	}
	checkProblem(t, expect(t, s.do(t, adminB.caller, "DELETE", fmt.Sprintf("/api/v1/schools/teachers/%d", ta.ID), nil), http.StatusNotFound), http.StatusNotFound, "")
	// A's teacher, an administrator and an admin of another school can't be taken.
	for _, email := range []string{"a-teacher@example.com", adminA.Email, createUser(t, s, models.RoleSuperAdmin, nil).Email} {
		checkProblem(t, expect(t, s.do(t, adminB.caller, "POST", "/api/v1/schools/teachers", map[string]string{"email": email}), http.StatusConflict), http.StatusConflict, "")
	}
	checkProblem(t, expect(t, s.do(t, adminA.caller, "POST", "/api/v1/schools/teachers", map[string]string{"email": "a-teacher@example.com"}), http.StatusConflict), http.StatusConflict, "")
	// Not a teacher of the school: the admin themself, a made-up id, a bad id.
	expect(t, s.do(t, adminA.caller, "DELETE", fmt.Sprintf("/api/v1/schools/teachers/%d", adminA.ID), nil), http.StatusNotFound)
	expect(t, s.do(t, adminA.caller, "DELETE", "/api/v1/schools/teachers/999999", nil), http.StatusNotFound)
	expect(t, s.do(t, adminA.caller, "DELETE", "/api/v1/schools/teachers/abc", nil), http.StatusBadRequest)
	// Bad bodies.
	for _, body := range []map[string]any{{"name": "", "max_teachers": 2}, {"name": "X", "max_teachers": 0}, {"name": "X"}, {"name": "X", "max_teachers": 2, "teacher_counts_by_level": map[string]int{"Lower": -1}}} {
		c := createUser(t, s, models.RoleSchoolAdmin, nil)
		checkProblem(t, expect(t, s.do(t, c.caller, "POST", "/api/v1/schools", body), http.StatusUnprocessableEntity), http.StatusUnprocessableEntity, "")
	}
	checkProblem(t, expect(t, s.do(t, adminA.caller, "POST", "/api/v1/schools/teachers", map[string]string{"email": "not-an-email"}), http.StatusUnprocessableEntity), http.StatusUnprocessableEntity, "email")
}

// The teacher list runs as many statements for 1 teacher as for 12.
func TestSchoolTeachersStatementsStayConstant(t *testing.T) {
	s := newTestServer(t)
	admin := createUser(t, s, models.RoleSchoolAdmin, nil)
	newSchool(t, s, admin.caller, "Counted", 20)
	count := func() float64 {
		before := s.statements(t)
		expect(t, s.do(t, admin.caller, "GET", "/api/v1/schools/teachers", nil), http.StatusOK)
		return s.statements(t) - before
	}
	expect(t, s.do(t, admin.caller, "POST", "/api/v1/schools/teachers", map[string]string{"email": "c0@example.com"}), http.StatusCreated)
	one := count()
	for i := 1; i < 12; i++ {
		expect(t, s.do(t, admin.caller, "POST", "/api/v1/schools/teachers", map[string]string{"email": fmt.Sprintf("c%d@example.com", i)}), http.StatusCreated)
	}
	if many := count(); many != one || one == 0 {
		t.Fatalf("%v statements for 1 teacher, %v for 12", one, many)
	}
}
