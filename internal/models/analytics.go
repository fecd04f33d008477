package models

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Analytics for administrators (GET /admin/stats, /admin/analytics…). Each
// function is one or two aggregate statements whatever the number of users,
// schools or progress rows; they run on the replica the request is bound to.
// A nil school means the whole platform; a school id limits every figure to
// that school's users (a SCHOOL_ADMIN's view).

// SubscriptionCounts is how many users are on each paid or sponsored plan.
type SubscriptionCounts struct {
	Basic           int64 `json:"basic"`
	Premium         int64 `json:"premium"`
	SchoolSponsored int64 `json:"school_sponsored"`
}

// PlatformStats is the super admin dashboard's header (GET /admin/stats).
type PlatformStats struct {
	TotalUsers        int64              `json:"total_users"`
	TotalTeachers     int64              `json:"total_teachers"`
	TotalSchoolAdmins int64              `json:"total_school_admins"`
	TotalSchools      int64              `json:"total_schools"`
	TotalSubjects     int64              `json:"total_subjects"`
	Subscriptions     SubscriptionCounts `json:"subscriptions"`
}

// PlatformStatsOf counts users by role and plan, schools and subjects, in one
// statement (an index-only scan of users and two counts).
func PlatformStatsOf(db *gorm.DB) (PlatformStats, error) {
	var row struct {
		Users, Teachers, SchoolAdmins, Schools, Subjects, Basic, Premium, Sponsored int64
	}
	err := db.Raw(`SELECT COUNT(*) AS users,
		COALESCE(SUM(role IN ('TEACHER','HOD')), 0) AS teachers,
		COALESCE(SUM(role = 'SCHOOL_ADMIN'), 0) AS school_admins,
		COALESCE(SUM(subscription_type = 'INDIVIDUAL_BASIC'), 0) AS basic,
		COALESCE(SUM(subscription_type = 'INDIVIDUAL_PREMIUM'), 0) AS premium,
		COALESCE(SUM(subscription_type = 'SCHOOL_SPONSORED'), 0) AS sponsored,
		(SELECT COUNT(*) FROM schools) AS schools,
		(SELECT COUNT(*) FROM subjects) AS subjects
		FROM users`).Scan(&row).Error
	return PlatformStats{TotalUsers: row.Users, TotalTeachers: row.Teachers, TotalSchoolAdmins: row.SchoolAdmins,
		TotalSchools: row.Schools, TotalSubjects: row.Subjects,
		Subscriptions: SubscriptionCounts{Basic: row.Basic, Premium: row.Premium, SchoolSponsored: row.Sponsored}}, translate(err)
}

// AnalyticsOverview is the analytics page's four headline figures.
type AnalyticsOverview struct {
	TotalUsers     int64 `json:"total_users"`
	ActiveTeachers int64 `json:"active_teachers"`
	TotalTemplates int64 `json:"total_templates"`
	TotalSubjects  int64 `json:"total_subjects"`
}

// PlanCounts is users by kind of plan.
type PlanCounts struct {
	Paid            int64 `json:"paid"`
	Free            int64 `json:"free"`
	SchoolSponsored int64 `json:"school_sponsored"`
}

// Adherence is lessons planned (the subjects' lessons) against lessons done.
type Adherence struct {
	Planned   int64   `json:"planned"`
	Completed int64   `json:"completed"`
	Rate      float64 `json:"rate"` // percent, one decimal
}

// ProgressBuckets are the progress bands of the analytics pie chart.
var ProgressBuckets = []string{"0-20", "21-40", "41-60", "61-80", "81-100"}

// AnalyticsTotals is everything of the analytics page that is one row: the
// overview, plans, progress bands and lesson adherence.
type AnalyticsTotals struct {
	Overview     AnalyticsOverview
	Plans        PlanCounts
	Distribution map[string]int64
	Adherence    Adherence
}

// scopeUsers is the WHERE of a users query limited to school (nil: all).
func scopeUsers(alias string, school *uint64) (string, []any) {
	if school == nil {
		return "1=1", nil
	}
	return alias + ".school_id = ?", []any{*school}
}

// subjectsOf is the FROM of a subjects query limited to school's users: the
// school's users by index, then their subjects by index.
func subjectsOf(school *uint64) (string, []any) {
	if school == nil {
		return "subjects s", nil
	}
	return "users u JOIN subjects s ON s.user_id = u.id AND u.school_id = ?", []any{*school}
}

// AnalyticsTotalsOf computes the one-row figures in two statements: one over
// users, one over subjects.
func AnalyticsTotalsOf(db *gorm.DB, school *uint64) (AnalyticsTotals, error) {
	var out AnalyticsTotals
	where, args := scopeUsers("u", school)
	var u struct{ Users, Teachers, Templates, Paid, Free, Sponsored int64 }
	err := db.Raw(`SELECT COUNT(*) AS users,
		COALESCE(SUM(u.role IN ('TEACHER','HOD') AND u.is_active), 0) AS teachers,
		COALESCE(SUM(u.subscription_type IN ('INDIVIDUAL_BASIC','INDIVIDUAL_PREMIUM')), 0) AS paid,
		COALESCE(SUM(u.subscription_type = 'FREE'), 0) AS free,
		COALESCE(SUM(u.subscription_type = 'SCHOOL_SPONSORED'), 0) AS sponsored,
		(SELECT COUNT(*) FROM curriculum_templates WHERE is_active AND owner_id IS NULL) AS templates
		FROM users u WHERE `+where, args...).Scan(&u).Error
	if err != nil {
		return out, translate(err)
	}
	from, sargs := subjectsOf(school)
	var s struct{ Subjects, B1, B2, B3, B4, B5, Planned, Completed int64 }
	err = db.Raw(`SELECT COUNT(s.id) AS subjects,
		COALESCE(SUM(s.progress_percentage <= 20), 0) AS b1,
		COALESCE(SUM(s.progress_percentage > 20 AND s.progress_percentage <= 40), 0) AS b2,
		COALESCE(SUM(s.progress_percentage > 40 AND s.progress_percentage <= 60), 0) AS b3,
		COALESCE(SUM(s.progress_percentage > 60 AND s.progress_percentage <= 80), 0) AS b4,
		COALESCE(SUM(s.progress_percentage > 80), 0) AS b5,
		COALESCE(SUM(s.total_lessons), 0) AS planned,
		COALESCE(SUM(s.lessons_completed), 0) AS completed
		FROM `+from, sargs...).Scan(&s).Error
	if err != nil {
		return out, translate(err)
	}
	out.Overview = AnalyticsOverview{TotalUsers: u.Users, ActiveTeachers: u.Teachers, TotalTemplates: u.Templates, TotalSubjects: s.Subjects}
	out.Plans = PlanCounts{Paid: u.Paid, Free: u.Free, SchoolSponsored: u.Sponsored}
	out.Distribution = map[string]int64{"0-20": s.B1, "21-40": s.B2, "41-60": s.B3, "61-80": s.B4, "81-100": s.B5}
	out.Adherence = Adherence{Planned: s.Planned, Completed: s.Completed}
	if s.Planned > 0 {
		out.Adherence.Rate = round1(float64(s.Completed) * 100 / float64(s.Planned))
	}
	return out, nil
}

func round1(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }

// CurriculumUsage is how many teachers' subjects use one subject and grade.
type CurriculumUsage struct {
	Subject    string `json:"subject"`
	Grade      string `json:"grade"`
	UsageCount int64  `json:"usage_count"`
}

// MostUsedCurricula is the top limit subject-and-grade pairs by number of
// subjects (one grouped statement).
func MostUsedCurricula(db *gorm.DB, school *uint64, limit int) ([]CurriculumUsage, error) {
	from, args := subjectsOf(school)
	out := []CurriculumUsage{}
	err := db.Raw(`SELECT s.subject_name AS subject, s.grade, COUNT(*) AS usage_count FROM `+from+`
		GROUP BY s.subject_name, s.grade ORDER BY usage_count DESC, s.subject_name, s.grade LIMIT ?`, append(args, limit)...).Scan(&out).Error
	return out, translate(err)
}

// CompletionRate is the average progress of every subject of one name.
type CompletionRate struct {
	Subject       string  `json:"subject"`
	AvgCompletion float64 `json:"avg_completion"`
	Count         int64   `json:"count"`
}

// CompletionRates is the top limit subject names by average progress.
func CompletionRates(db *gorm.DB, school *uint64, limit int) ([]CompletionRate, error) {
	from, args := subjectsOf(school)
	out := []CompletionRate{}
	err := db.Raw(`SELECT s.subject_name AS subject, ROUND(AVG(s.progress_percentage), 1) AS avg_completion, COUNT(*) AS count FROM `+from+`
		GROUP BY s.subject_name ORDER BY avg_completion DESC, count DESC, s.subject_name LIMIT ?`, append(args, limit)...).Scan(&out).Error
	return out, translate(err)
}

// GradeProgress is one grade's subjects and their average progress.
type GradeProgress struct {
	Grade        string  `json:"grade"`
	AvgProgress  float64 `json:"avg_progress"`
	SubjectCount int64   `json:"subject_count"`
}

// ProgressByGrade is every grade's subjects (grades in natural order: Grade 2
// before Grade 10); grades are few, so the list is short.
func ProgressByGrade(db *gorm.DB, school *uint64) ([]GradeProgress, error) {
	from, args := subjectsOf(school)
	out := []GradeProgress{}
	err := db.Raw(`SELECT s.grade, ROUND(AVG(s.progress_percentage), 1) AS avg_progress, COUNT(*) AS subject_count FROM `+from+`
		GROUP BY s.grade`, args...).Scan(&out).Error
	sort.SliceStable(out, func(i, j int) bool { return naturalLess(out[i].Grade, out[j].Grade) })
	return out, translate(err)
}

// naturalLess orders "Grade 2" before "Grade 10", and "PP1" before "Grade 1".
func naturalLess(a, b string) bool {
	ka, kb := gradeKey(a), gradeKey(b)
	if ka.prefix != kb.prefix {
		return ka.prefix < kb.prefix
	}
	if ka.n != kb.n {
		return ka.n < kb.n
	}
	return a < b
}

type gkey struct {
	prefix string
	n      int
}

func gradeKey(g string) gkey {
	i := len(g)
	for i > 0 && g[i-1] >= '0' && g[i-1] <= '9' {
		i--
	}
	n := 0
	fmt.Sscan(g[i:], &n)
	p := strings.ToLower(strings.TrimSpace(g[:i]))
	if p == "pp" { // pre-primary comes first
		p = " pp"
	}
	return gkey{prefix: p, n: n}
}

// TeacherEngagement is one teacher's subjects and their average progress.
type TeacherEngagement struct {
	UserID      uint64  `json:"user_id"`
	Email       string  `json:"email"`
	Subjects    int64   `json:"subjects"`
	AvgProgress float64 `json:"avg_progress"`
}

// TopTeachers is the limit teachers with the highest average progress.
func TopTeachers(db *gorm.DB, school *uint64, limit int) ([]TeacherEngagement, error) {
	where, args := scopeUsers("u", school)
	out := []TeacherEngagement{}
	err := db.Raw(`SELECT u.id AS user_id, u.email, COUNT(*) AS subjects, ROUND(AVG(s.progress_percentage), 1) AS avg_progress
		FROM users u JOIN subjects s ON s.user_id = u.id WHERE `+where+`
		GROUP BY u.id, u.email ORDER BY avg_progress DESC, subjects DESC, u.id LIMIT ?`, append(args, limit)...).Scan(&out).Error
	return out, translate(err)
}

// DayCount is a count for one calendar day (YYYY-MM-DD in the school's time zone).
type DayCount struct {
	Date  string `json:"date"`
	Count int64  `json:"count"`
}

// zoneOffset is the SQL interval that turns a stored UTC time into loc's
// wall clock at now (fixed for zones without daylight saving, as Kenya's).
func zoneOffset(now time.Time) int {
	_, off := now.Zone()
	return off
}

// days fills the days from first to last (inclusive) with counts, zero where absent.
func days(first time.Time, n int, counts map[string]int64) []DayCount {
	out := make([]DayCount, n)
	for i := range out {
		d := first.AddDate(0, 0, i).Format(time.DateOnly)
		out[i] = DayCount{Date: d, Count: counts[d]}
	}
	return out
}

// dayStart is midnight of now's day, n-1 days back, in now's location.
func dayStart(now time.Time, n int) time.Time {
	y, m, d := now.Date()
	return time.Date(y, m, d-(n-1), 0, 0, 0, 0, now.Location())
}

// SubjectsCreatedPerDay is how many subjects were created each of the last n
// days (now's location), zeros included.
func SubjectsCreatedPerDay(db *gorm.DB, school *uint64, now time.Time, n int) ([]DayCount, error) {
	first := dayStart(now, n)
	from, args := subjectsOf(school)
	var rows []struct {
		Day   string
		Count int64
	}
	err := db.Raw(`SELECT DATE_FORMAT(s.created_at + INTERVAL ? SECOND, '%Y-%m-%d') AS day, COUNT(*) AS count FROM `+from+`
		WHERE s.created_at >= ? GROUP BY day`, append(append([]any{zoneOffset(now)}, args...), first.UTC())...).Scan(&rows).Error
	counts := map[string]int64{}
	for _, r := range rows {
		counts[r.Day] = r.Count
	}
	return days(first, n, counts), translate(err)
}

// ActiveDay is how many users recorded progress on one day.
type ActiveDay struct {
	Date        string `json:"date"`
	ActiveUsers int64  `json:"active_users"`
}

// ActiveUsersPerDay is how many distinct users marked lessons (progress_log)
// each of the last n days, zeros included: a range scan of the
// (created_at, user_id) index.
func ActiveUsersPerDay(db *gorm.DB, school *uint64, now time.Time, n int) ([]ActiveDay, error) {
	first := dayStart(now, n)
	q := `SELECT DATE_FORMAT(p.created_at + INTERVAL ? SECOND, '%Y-%m-%d') AS day, COUNT(DISTINCT p.user_id) AS count
		FROM progress_log p WHERE p.created_at >= ? GROUP BY day`
	args := []any{zoneOffset(now), first.UTC()}
	if school != nil {
		q = `SELECT DATE_FORMAT(p.created_at + INTERVAL ? SECOND, '%Y-%m-%d') AS day, COUNT(DISTINCT p.user_id) AS count
		FROM users u JOIN progress_log p ON p.user_id = u.id WHERE u.school_id = ? AND p.created_at >= ? GROUP BY day`
		args = []any{zoneOffset(now), *school, first.UTC()}
	}
	var rows []struct {
		Day   string
		Count int64
	}
	err := db.Raw(q, args...).Scan(&rows).Error
	counts := map[string]int64{}
	for _, r := range rows {
		counts[r.Day] = r.Count
	}
	out := make([]ActiveDay, n)
	for i, d := range days(first, n, counts) {
		out[i] = ActiveDay{Date: d.Date, ActiveUsers: d.Count}
	}
	return out, translate(err)
}

// WeekCount is the users who joined in the week starting Week (a Monday).
type WeekCount struct {
	Week     string `json:"week"`
	NewUsers int64  `json:"new_users"`
}

// NewUsersPerWeek is how many users joined in each of the last weeks weeks
// (Monday to Sunday in now's location, the current week last), zeros
// included: one range scan of idx_users_created.
func NewUsersPerWeek(db *gorm.DB, now time.Time, weeks int) ([]WeekCount, error) {
	y, m, d := now.Date()
	monday := time.Date(y, m, d-(int(now.Weekday())+6)%7, 0, 0, 0, 0, now.Location())
	first := monday.AddDate(0, 0, -7*(weeks-1))
	var rows []struct {
		Week  int
		Count int64
	}
	err := db.Raw(`SELECT FLOOR(TIMESTAMPDIFF(SECOND, ?, created_at) / 604800) AS week, COUNT(*) AS count
		FROM users WHERE created_at >= ? GROUP BY week`, first.UTC(), first.UTC()).Scan(&rows).Error
	out := make([]WeekCount, weeks)
	for i := range out {
		out[i].Week = first.AddDate(0, 0, 7*i).Format(time.DateOnly)
	}
	for _, r := range rows {
		if r.Week >= 0 && r.Week < weeks {
			out[r.Week].NewUsers += r.Count
		}
	}
	return out, translate(err)
}

// ActivityEvent is one line of the super admin's recent activity.
type ActivityEvent struct {
	Type        string    `json:"type"` // USER_JOINED | SCHOOL_CREATED
	Description string    `json:"description"`
	Timestamp   time.Time `json:"timestamp"`
	EntityID    uint64    `json:"entity_id"`
}

// RecentActivity is the newest limit users and schools, merged newest first,
// in one statement (two index scans of limit rows each).
func RecentActivity(db *gorm.DB, limit int) ([]ActivityEvent, error) {
	var rows []struct {
		Kind      string
		ID        uint64
		Name      string
		Role      string
		CreatedAt time.Time
	}
	err := db.Raw(`(SELECT 'USER_JOINED' AS kind, id, full_name AS name, role, created_at FROM users ORDER BY created_at DESC, id DESC LIMIT ?)
		UNION ALL
		(SELECT 'SCHOOL_CREATED' AS kind, id, name, '' AS role, created_at FROM schools ORDER BY created_at DESC, id DESC LIMIT ?)
		ORDER BY created_at DESC, kind, id DESC LIMIT ?`, limit, limit, limit).Scan(&rows).Error
	out := make([]ActivityEvent, len(rows))
	for i, r := range rows {
		e := ActivityEvent{Type: r.Kind, Timestamp: r.CreatedAt.UTC(), EntityID: r.ID}
		if r.Kind == "USER_JOINED" {
			name := r.Name
			if name == "" {
				name = "(no name)"
			}
			e.Description = fmt.Sprintf("New user joined: %s (%s)", name, r.Role)
		} else {
			e.Description = "New school registered: " + r.Name
		}
		out[i] = e
	}
	return out, translate(err)
}
