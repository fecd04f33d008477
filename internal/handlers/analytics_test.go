package handlers_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/teachtrack/api/internal/models"
)

// analyticsBody is GET /admin/analytics as the analytics page reads it.
type analyticsBody struct {
	Overview struct {
		TotalUsers     int `json:"total_users"`
		ActiveTeachers int `json:"active_teachers"`
		TotalTemplates int `json:"total_templates"`
		TotalSubjects  int `json:"total_subjects"`
	} `json:"overview"`
	MostUsedCurricula []struct {
		Subject    string `json:"subject"`
		Grade      string `json:"grade"`
		UsageCount int    `json:"usage_count"`
	} `json:"most_used_curricula"`
	CompletionRates []struct {
		Subject       string  `json:"subject"`
		AvgCompletion float64 `json:"avg_completion"`
		Count         int     `json:"count"`
	} `json:"completion_rates"`
	TeacherEngagement []struct {
		UserID      uint64  `json:"user_id"`
		Email       string  `json:"email"`
		Subjects    int     `json:"subjects"`
		AvgProgress float64 `json:"avg_progress"`
	} `json:"teacher_engagement"`
	SubjectPopularity []struct {
		Grade string `json:"grade"`
		Count int    `json:"count"`
	} `json:"subject_popularity"`
	ActivityTimeline []struct {
		Date  string `json:"date"`
		Count int    `json:"count"`
	} `json:"activity_timeline"`
	ProgressDistribution map[string]int `json:"progress_distribution"`
	SubscriptionStats    struct {
		Paid            int `json:"paid"`
		Free            int `json:"free"`
		SchoolSponsored int `json:"school_sponsored"`
	} `json:"subscription_stats"`
	RetentionStats []struct {
		Date        string `json:"date"`
		ActiveUsers int    `json:"active_users"`
	} `json:"retention_stats"`
	LessonAdherence struct {
		Planned   int     `json:"planned"`
		Completed int     `json:"completed"`
		Rate      float64 `json:"rate"`
	} `json:"lesson_adherence"`
}

// analyticsWorld is a small data set whose figures are known: two schools,
// their admins and teachers, subjects with set progress, and progress rows.
type analyticsWorld struct {
	s                *testServer
	super            *testUser
	adminA, adminB   *testUser
	t1, t2, t3, lone *testUser
	schoolA, schoolB *uint64
}

// seedSubject inserts a subject with its counters as given, created at created.
func seedSubject(t *testing.T, s *testServer, u *testUser, name, grade string, total, done int, created time.Time) uint64 {
	t.Helper()
	progress := 0.0
	if total > 0 {
		progress = float64(done) * 100 / float64(total)
	}
	res := s.primary(t).Exec(`INSERT INTO subjects (user_id, subject_name, grade, total_lessons, lessons_completed, progress_percentage, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, u.ID, name, grade, total, done, progress, created.UTC())
	if res.Error != nil {
		t.Fatal(res.Error)
	}
	var id uint64
	if err := s.primary(t).Raw("SELECT id FROM subjects WHERE user_id = ? AND subject_name = ? AND grade = ?", u.ID, name, grade).Scan(&id).Error; err != nil {
		t.Fatal(err)
	}
	return id
}

// seedProgress inserts n progress rows of action for the subject at at.
func seedProgress(t *testing.T, s *testServer, u *testUser, subjectID uint64, action string, n int, at time.Time) {
	t.Helper()
	for range n {
		if err := s.primary(t).Exec("INSERT INTO progress_log (user_id, subject_id, action, created_at) VALUES (?, ?, ?, ?)", u.ID, subjectID, action, at.UTC()).Error; err != nil {
			t.Fatal(err)
		}
	}
}

func newAnalyticsWorld(t *testing.T) *analyticsWorld {
	t.Helper()
	s := newTestServer(t)
	w := &analyticsWorld{s: s}
	w.schoolA, w.schoolB = createSchool(t, s, "Alpha School"), createSchool(t, s, "Beta School")
	w.super = createUser(t, s, models.RoleSuperAdmin, nil)
	w.adminA = createUser(t, s, models.RoleSchoolAdmin, w.schoolA)
	w.adminB = createUser(t, s, models.RoleSchoolAdmin, w.schoolB)
	w.t1 = createUser(t, s, models.RoleTeacher, w.schoolA)
	w.t2 = createUser(t, s, models.RoleHOD, w.schoolA)
	w.t3 = createUser(t, s, models.RoleTeacher, w.schoolB)
	w.lone = createUser(t, s, models.RoleTeacher, nil)
	db := s.primary(t)
	for _, x := range []struct {
		u    *testUser
		plan string
	}{{w.t1, "SCHOOL_SPONSORED"}, {w.t2, "SCHOOL_SPONSORED"}, {w.t3, "INDIVIDUAL_PREMIUM"}, {w.lone, "INDIVIDUAL_BASIC"}} {
		if err := db.Exec("UPDATE users SET subscription_type = ? WHERE id = ?", x.plan, x.u.ID).Error; err != nil {
			t.Fatal(err)
		}
	}
	// t2 is banned: not an active teacher.
	if err := db.Exec("UPDATE users SET is_active = FALSE WHERE id = ?", w.t2.ID).Error; err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	m1 := seedSubject(t, s, w.t1, "Mathematics", "Grade 7", 10, 1, now)              // 10%
	seedSubject(t, s, w.t1, "English", "Grade 7", 10, 5, now.AddDate(0, 0, -2))      // 50%
	seedSubject(t, s, w.t2, "Mathematics", "Grade 7", 10, 9, now.AddDate(0, 0, -40)) // 90%
	k3 := seedSubject(t, s, w.t3, "Kiswahili", "Grade 8", 20, 6, now)                // 30%
	seedSubject(t, s, w.lone, "Science", "Grade 10", 4, 4, now)                      // 100%
	seedProgress(t, s, w.t1, m1, "COMPLETED", 2, now)
	seedProgress(t, s, w.t3, k3, "COMPLETED", 1, now.AddDate(0, 0, -1))
	seedProgress(t, s, w.t3, k3, "COMPLETED", 1, now.AddDate(0, 0, -45)) // outside the 30 days
	s.waitReplicas(t)
	return w
}

// TestAnalyticsFigures checks every figure of the analytics page against the
// seeded data set, for the platform (SUPER_ADMIN) and for one school.
func TestAnalyticsFigures(t *testing.T) {
	w := newAnalyticsWorld(t)
	s := w.s
	var all analyticsBody
	expect(t, s.do(t, w.super.caller, "GET", "/api/v1/admin/analytics", nil), http.StatusOK).decode(t, &all)
	// 7 users: super, 2 admins, t1, t2 (a banned HOD), t3, lone.
	if o := all.Overview; o.TotalUsers != 7 || o.ActiveTeachers != 3 || o.TotalSubjects != 5 {
		t.Errorf("overview %+v, want 7 users, 3 active teachers, 5 subjects", o)
	}
	if got := all.MostUsedCurricula; len(got) != 4 || got[0].Subject != "Mathematics" || got[0].Grade != "Grade 7" || got[0].UsageCount != 2 {
		t.Errorf("most used curricula %+v, want Mathematics Grade 7 (2) first of 4", got)
	}
	if got := all.CompletionRates; len(got) != 4 || got[0].Subject != "Science" || got[0].AvgCompletion != 100 ||
		got[1].Subject != "Mathematics" || got[1].AvgCompletion != 50 || got[1].Count != 2 || got[2].Subject != "English" || got[2].AvgCompletion != 50 {
		t.Errorf("completion rates %+v", got)
	}
	if diff := cmp.Diff(map[string]int{"0-20": 1, "21-40": 1, "41-60": 1, "61-80": 0, "81-100": 2}, all.ProgressDistribution); diff != "" {
		t.Errorf("progress distribution (-want +got):\n%s", diff)
	}
	if a := all.LessonAdherence; a.Planned != 54 || a.Completed != 25 || a.Rate != 46.3 {
		t.Errorf("lesson adherence %+v, want 25 of 54, 46.3%%", a)
	}
	if p := all.SubscriptionStats; p.Paid != 2 || p.SchoolSponsored != 2 || p.Free != 3 {
		t.Errorf("plans %+v, want 2 paid, 2 sponsored, 3 free", p)
	}
	if e := all.TeacherEngagement; len(e) != 4 || e[0].UserID != w.lone.ID || e[0].AvgProgress != 100 || e[1].UserID != w.t2.ID {
		t.Errorf("teacher engagement %+v", e)
	}
	if diff := cmp.Diff(`[{Grade 7 3} {Grade 8 1} {Grade 10 1}]`, fmt.Sprint(all.SubjectPopularity)); diff != "" {
		t.Errorf("subjects per grade, natural order (-want +got):\n%s", diff)
	}
	if len(all.ActivityTimeline) != 30 || len(all.RetentionStats) != 30 {
		t.Fatalf("daily series of %d and %d days, want 30", len(all.ActivityTimeline), len(all.RetentionStats))
	}
	created, active := 0, 0
	for i := range 30 {
		created += all.ActivityTimeline[i].Count
		active += all.RetentionStats[i].ActiveUsers
	}
	// Four subjects in the last 30 days; t1 today and t3 yesterday were active.
	last := all.RetentionStats[29]
	if created != 4 || active != 2 || last.ActiveUsers != 1 || last.Date != time.Now().In(nairobi).Format(time.DateOnly) {
		t.Errorf("subjects created %d (want 4), active user-days %d (want 2), today %+v", created, active, last)
	}

	// A school admin sees their school's users and subjects only.
	var a analyticsBody
	expect(t, s.do(t, w.adminA.caller, "GET", "/api/v1/admin/analytics", nil), http.StatusOK).decode(t, &a)
	if o := a.Overview; o.TotalUsers != 3 || o.ActiveTeachers != 1 || o.TotalSubjects != 3 {
		t.Errorf("school A overview %+v, want 3 users, 1 active teacher, 3 subjects", o)
	}
	if l := a.LessonAdherence; l.Planned != 30 || l.Completed != 15 || l.Rate != 50 {
		t.Errorf("school A adherence %+v", l)
	}
	for _, e := range a.TeacherEngagement {
		if e.UserID != w.t1.ID && e.UserID != w.t2.ID {
			t.Errorf("school A sees teacher %d of another school", e.UserID)
		}
	}
	active = 0
	for _, d := range a.RetentionStats {
		active += d.ActiveUsers
	}
	if active != 1 {
		t.Errorf("school A active user-days %d, want 1 (t1 only)", active)
	}

	// Who may see what.
	orphan := createUser(t, s, models.RoleSchoolAdmin, nil)
	checkProblem(t, s.do(t, orphan.caller, "GET", "/api/v1/admin/analytics", nil), http.StatusForbidden, "")
	checkProblem(t, s.do(t, w.t1.caller, "GET", "/api/v1/admin/analytics", nil), http.StatusForbidden, "")
	for _, path := range []string{"/admin/stats", "/admin/analytics/trends", "/admin/analytics/curriculum", "/admin/analytics/activity", "/admin/analytics/health"} {
		checkProblem(t, s.do(t, w.adminA.caller, "GET", "/api/v1"+path, nil), http.StatusForbidden, "")
	}
}

// TestSuperAdminDashboardFigures checks /admin/stats and the four analytics
// cards of the super admin dashboard.
func TestSuperAdminDashboardFigures(t *testing.T) {
	w := newAnalyticsWorld(t)
	s := w.s
	var stats models.PlatformStats
	expect(t, s.do(t, w.super.caller, "GET", "/api/v1/admin/stats", nil), http.StatusOK).decode(t, &stats)
	want := models.PlatformStats{TotalUsers: 7, TotalTeachers: 4, TotalSchoolAdmins: 2, TotalSchools: 2, TotalSubjects: 5,
		Subscriptions: models.SubscriptionCounts{Basic: 1, Premium: 1, SchoolSponsored: 2}}
	if diff := cmp.Diff(want, stats); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}

	var weeks []models.WeekCount
	expect(t, s.do(t, w.super.caller, "GET", "/api/v1/admin/analytics/trends?weeks=3", nil), http.StatusOK).decode(t, &weeks)
	if len(weeks) != 3 || weeks[2].NewUsers != 7 || weeks[0].NewUsers != 0 {
		t.Errorf("weeks %+v, want 3 weeks, all 7 users in the current one", weeks)
	}
	checkProblem(t, s.do(t, w.super.caller, "GET", "/api/v1/admin/analytics/trends?weeks=0", nil), http.StatusUnprocessableEntity, "weeks")
	checkProblem(t, s.do(t, w.super.caller, "GET", "/api/v1/admin/analytics/trends?weeks=500", nil), http.StatusUnprocessableEntity, "weeks")

	var grades []models.GradeProgress
	expect(t, s.do(t, w.super.caller, "GET", "/api/v1/admin/analytics/curriculum", nil), http.StatusOK).decode(t, &grades)
	wantGrades := []models.GradeProgress{{Grade: "Grade 7", AvgProgress: 50, SubjectCount: 3}, {Grade: "Grade 8", AvgProgress: 30, SubjectCount: 1}, {Grade: "Grade 10", AvgProgress: 100, SubjectCount: 1}}
	if diff := cmp.Diff(wantGrades, grades); diff != "" {
		t.Errorf("curriculum (-want +got):\n%s", diff)
	}

	var events []models.ActivityEvent
	expect(t, s.do(t, w.super.caller, "GET", "/api/v1/admin/analytics/activity?limit=3", nil), http.StatusOK).decode(t, &events)
	if len(events) != 3 || events[0].Type != "USER_JOINED" || events[0].EntityID != w.lone.ID ||
		events[0].Description != "New user joined: User 7 (TEACHER)" {
		t.Errorf("activity %+v, want the lone teacher first of 3", events)
	}
	expect(t, s.do(t, w.super.caller, "GET", "/api/v1/admin/analytics/activity?limit=100", nil), http.StatusOK).decode(t, &events)
	if len(events) != 9 || events[len(events)-1].Type != "SCHOOL_CREATED" || events[len(events)-1].Description != "New school registered: Alpha School" {
		t.Errorf("activity %+v, want 7 users and 2 schools, Alpha School oldest", events)
	}

	var health struct{ Status, Database string }
	expect(t, s.do(t, w.super.caller, "GET", "/api/v1/admin/analytics/health", nil), http.StatusOK).decode(t, &health)
	if health.Status != "healthy" || health.Database != "connected" {
		t.Errorf("health %+v", health)
	}
}

// TestAnalyticsStatementsConstant: the analytics endpoints run as many
// statements on a data set several times larger (no query per user, school
// or row).
func TestAnalyticsStatementsConstant(t *testing.T) {
	w := newAnalyticsWorld(t)
	s := w.s
	paths := []string{"/admin/analytics", "/admin/stats", "/admin/analytics/trends", "/admin/analytics/curriculum", "/admin/analytics/activity"}
	count := func(c caller, path string) float64 {
		before := s.statements(t)
		expect(t, s.do(t, c, "GET", "/api/v1"+path, nil), http.StatusOK)
		return s.statements(t) - before
	}
	before := map[string]float64{}
	for _, p := range paths {
		before[p] = count(w.super.caller, p)
	}
	schoolBefore := count(w.adminA.caller, "/admin/analytics")
	for i := range 6 {
		sc := createSchool(t, s, fmt.Sprintf("More %d", i))
		u := createUser(t, s, models.RoleTeacher, sc)
		id := seedSubject(t, s, u, fmt.Sprintf("Subject %d", i), "Grade 5", 10, i, time.Now())
		seedProgress(t, s, u, id, "COMPLETED", 3, time.Now())
		uA := createUser(t, s, models.RoleTeacher, w.schoolA)
		seedSubject(t, s, uA, "Music", "Grade 6", 10, 2, time.Now())
	}
	s.waitReplicas(t)
	for _, p := range paths {
		if after := count(w.super.caller, p); after != before[p] || after == 0 {
			t.Errorf("%s: %v statements, then %v with more users, schools and rows", p, before[p], after)
		}
	}
	if after := count(w.adminA.caller, "/admin/analytics"); after != schoolBefore {
		t.Errorf("school analytics: %v statements, then %v", schoolBefore, after)
	}
}

// TestAnalyticsReadTimeout: past DB_READ_TIMEOUT the statements are given up
// and the answer is a 503 sentence, not a hang.
func TestAnalyticsReadTimeout(t *testing.T) {
	s := newTestServer(t, "DB_READ_TIMEOUT", "1ns")
	super := createUser(t, s, models.RoleSuperAdmin, nil)
	res := s.do(t, super.caller, "GET", "/api/v1/admin/analytics", nil)
	checkProblem(t, res, http.StatusServiceUnavailable, "")
	if res.Header.Get("Retry-After") == "" {
		t.Errorf("503 without Retry-After")
	}
}
