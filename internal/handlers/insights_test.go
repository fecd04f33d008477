package handlers_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gorm.io/gorm"

	"github.com/teachtrack/api/internal/models"
)

type insightsBody struct {
	MostTaughtSubjects []struct {
		Subject string `json:"subject"`
		Count   int    `json:"count"`
		Color   string `json:"color"`
	} `json:"mostTaughtSubjects"`
	AverageLessonDuration *int `json:"averageLessonDuration"`
	PeakTeachingHours     []struct {
		Hour  string `json:"hour"`
		Count int    `json:"count"`
	} `json:"peakTeachingHours"`
	WeeklyComparison []struct {
		Week      string `json:"week"`
		Lessons   int    `json:"lessons"`
		Completed int    `json:"completed"`
	} `json:"weeklyComparison"`
}

type deadlineBody struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Date      string `json:"date"`
	Type      string `json:"type"`
	DaysUntil int    `json:"daysUntil"`
}

// seedTerm adds a system term from start to end (days from today), with a
// half-term break starting breakAt days from today.
func seedTerm(t *testing.T, s *testServer, today time.Time, number, start, end, breakAt int) {
	t.Helper()
	d := func(n int) string { return today.AddDate(0, 0, n).Format(time.DateOnly) }
	err := s.primary(t).Exec(`INSERT INTO system_terms (term_number, term_name, year, start_date, end_date, teaching_weeks, mid_term_break_start, mid_term_break_end)
		VALUES (?, ?, ?, ?, ?, 12, ?, ?)`, number, fmt.Sprintf("Term %d", number), 2040, d(start), d(end), d(breakAt), d(breakAt+2)).Error
	if err != nil {
		t.Fatal(err)
	}
}

// The teacher dashboard's widgets on a known teacher: a timetable, lessons
// marked taught now and earlier, terms around today, a scheme for one of
// their subjects, notes and lesson plans.
func TestTeacherDashboardWidgets(t *testing.T) {
	s := newTestServer(t)
	teacher := createUser(t, s, models.RoleTeacher, nil)
	other := createUser(t, s, models.RoleTeacher, nil)
	today := models.Day(time.Now().In(nairobi))

	// Before anything exists: empty lists and null figures, never invented ones.
	var empty insightsBody
	expect(t, s.do(t, teacher.caller, "GET", "/api/v1/dashboard/insights", nil), http.StatusOK).decode(t, &empty)
	if empty.AverageLessonDuration != nil || len(empty.MostTaughtSubjects) != 0 || len(empty.PeakTeachingHours) != 0 || len(empty.WeeklyComparison) != 4 {
		t.Errorf("insights of a new teacher %+v", empty)
	}
	var stats map[string]any
	expect(t, s.do(t, teacher.caller, "GET", "/api/v1/dashboard/stats", nil), http.StatusOK).decode(t, &stats)
	if diff := cmp.Diff(map[string]any{"lessonsCompleted": 0.0, "totalLessons": 0.0, "attendanceAverage": nil, "assessmentsCreated": nil}, stats); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	var none []deadlineBody
	expect(t, s.do(t, teacher.caller, "GET", "/api/v1/dashboard/deadlines", nil), http.StatusOK).decode(t, &none)
	if len(none) != 0 {
		t.Errorf("deadlines without term dates: %+v", none)
	}

	// The current term began 40 days ago and ends in 30 (half-term in 10);
	// the next begins in 60.
	seedTerm(t, s, today, 1, -40, 30, 10)
	seedTerm(t, s, today, 2, 60, 120, 90)

	// Timetable: Mathematics Monday 08:00 and Thursday 08:00, English Wednesday.
	expect(t, s.do(t, teacher.caller, "POST", "/api/v1/timetable/schedules", setupConfig("Junior Secondary")), http.StatusCreated)
	lessons := lessonSlots(slots(t, s, teacher.caller, "Junior%20Secondary"))
	maths := newSubject(t, s, teacher.caller, "Mathematics", "Grade 7", tree(1, 1, 4))
	english := newSubject(t, s, teacher.caller, "English", "Grade 7", tree(1, 1, 2))
	for _, e := range []map[string]any{
		{"subject_id": maths.ID, "time_slot_id": lessons[0].ID, "day_of_week": 1},
		{"subject_id": maths.ID, "time_slot_id": lessons[0].ID, "day_of_week": 4},
		{"subject_id": english.ID, "time_slot_id": lessons[2].ID, "day_of_week": 3},
	} {
		expect(t, s.do(t, teacher.caller, "POST", "/api/v1/timetable/entries", e), http.StatusCreated)
	}
	// Three Mathematics lessons taught now, one of them unmarked again; one
	// English lesson a week ago, one 40 days ago (outside the month).
	ids := lessonIDs(t, s, teacher.caller, maths.ID)
	for _, id := range ids[:3] {
		expect(t, s.do(t, teacher.caller, "POST", fmt.Sprintf("/api/v1/lessons/%d/complete", id), nil), http.StatusOK)
	}
	expect(t, s.do(t, teacher.caller, "POST", fmt.Sprintf("/api/v1/lessons/%d/uncomplete", ids[2]), nil), http.StatusOK)
	seedProgress(t, s, teacher, english.ID, "COMPLETED", 1, time.Now().AddDate(0, 0, -7))
	seedProgress(t, s, teacher, english.ID, "COMPLETED", 1, time.Now().AddDate(0, 0, -40))
	// Another teacher's rows never count.
	theirs := newSubject(t, s, other.caller, "Science", "Grade 7", tree(1, 1, 1))
	seedProgress(t, s, other, theirs.ID, "COMPLETED", 5, time.Now())
	s.waitReplicas(t)

	var in insightsBody
	expect(t, s.do(t, teacher.caller, "GET", "/api/v1/dashboard/insights", nil), http.StatusOK).decode(t, &in)
	if got := fmt.Sprint(in.MostTaughtSubjects); got != "[{Mathematics 2 #6366f1} {English 1 #8b5cf6}]" {
		t.Errorf("most taught %s", got)
	}
	if in.AverageLessonDuration == nil || *in.AverageLessonDuration != 40 {
		t.Errorf("average lesson duration %v, want 40", in.AverageLessonDuration)
	}
	if got := fmt.Sprint(in.PeakTeachingHours); len(in.PeakTeachingHours) != 2 || in.PeakTeachingHours[0].Hour != "08:00" || in.PeakTeachingHours[0].Count != 2 {
		t.Errorf("peak hours %s, want 08:00 (2) first", got)
	}
	if len(in.WeeklyComparison) != 4 {
		t.Fatalf("weekly comparison %+v", in.WeeklyComparison)
	}
	for i, w := range in.WeeklyComparison {
		if w.Lessons != 3 {
			t.Errorf("week %d: %d lessons scheduled, want 3 (all in term)", i, w.Lessons)
		}
	}
	this, prev := in.WeeklyComparison[3], in.WeeklyComparison[2]
	if this.Week != "This week" || this.Completed != 2 || prev.Week != "Last week" || prev.Completed != 1 {
		t.Errorf("this week %+v, last week %+v", this, prev)
	}

	// Deadlines: half-term, term end, next term, and a scheme due for
	// English only (Mathematics has one for the next term).
	sc := &models.Scheme{UserID: teacher.ID, SubjectID: &maths.ID, TeacherName: "T", School: "S", Term: "Term 2", TermNumber: 2, Year: 2040,
		Subject: "Mathematics", Grade: "Grade 7", Roll: "40", LessonsPerWeek: 2, Status: "active"}
	if err := models.CreateScheme(s.primary(t).Session(&gorm.Session{}), sc); err != nil {
		t.Fatal(err)
	}
	s.waitReplicas(t)
	var dl []deadlineBody
	expect(t, s.do(t, teacher.caller, "GET", "/api/v1/dashboard/deadlines", nil), http.StatusOK).decode(t, &dl)
	var got []string
	for _, d := range dl {
		got = append(got, fmt.Sprintf("%d %s %s", d.DaysUntil, d.Type, d.Title))
		if d.Date != today.AddDate(0, 0, d.DaysUntil).Format(time.DateOnly) {
			t.Errorf("deadline %+v: date and daysUntil disagree", d)
		}
	}
	want := []string{"10 other Half-term break, Term 1 2040", "30 report End of Term 1 2040: records of work and reports", "60 other Term 2 2040 begins",
		"60 scheme Scheme of work for English Grade 7, Term 2 2040", "90 other Half-term break, Term 2 2040", "120 report End of Term 2 2040: records of work and reports"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("deadlines (-want +got):\n%s", diff)
	}

	// Resources: the newest notes, lesson plans and schemes, six at most.
	for i := range 5 {
		err := s.primary(t).Exec(`INSERT INTO notes (user_id, title, file_type, content_type, storage_key, original_filename, file_size_bytes, updated_at)
			VALUES (?, ?, 'pdf', 'application/pdf', ?, 'n.pdf', 10, ?)`, teacher.ID, fmt.Sprintf("Note %d", i), fmt.Sprintf("key-%d-%d", teacher.ID, i), time.Now().Add(time.Duration(i-10)*time.Minute)).Error
		if err != nil {
			t.Fatal(err)
		}
	}
	s.waitReplicas(t)
	var res []struct {
		ID, Title, Type, Icon string
		LastAccessed          time.Time `json:"lastAccessed"`
	}
	expect(t, s.do(t, teacher.caller, "GET", "/api/v1/dashboard/resources", nil), http.StatusOK).decode(t, &res)
	if len(res) != 6 || res[0].Type != "scheme" || res[0].ID != fmt.Sprintf("scheme-%d", sc.ID) || res[0].Title != "Mathematics Grade 7 – Term 2 2040" ||
		res[1].Title != "Note 4" || res[1].Type != "material" || res[1].Icon == "" || res[5].Title != "Note 0" {
		t.Errorf("resources %+v", res)
	}
	var theirsRes []any
	expect(t, s.do(t, other.caller, "GET", "/api/v1/dashboard/resources", nil), http.StatusOK).decode(t, &theirsRes)
	if len(theirsRes) != 0 {
		t.Errorf("another teacher sees %v", theirsRes)
	}

	// Constant statements: the same with many more rows.
	count := func(path string) float64 {
		before := s.statements(t)
		expect(t, s.do(t, teacher.caller, "GET", path, nil), http.StatusOK)
		return s.statements(t) - before
	}
	paths := []string{"/api/v1/dashboard/insights", "/api/v1/dashboard/deadlines", "/api/v1/dashboard/resources"}
	before := map[string]float64{}
	for _, p := range paths {
		before[p] = count(p)
	}
	for i := range 3 {
		sub := newSubject(t, s, teacher.caller, fmt.Sprintf("More %d", i), "Grade 8", tree(1, 1, 1))
		seedProgress(t, s, teacher, sub.ID, "COMPLETED", 4, time.Now())
	}
	s.waitReplicas(t)
	for _, p := range paths {
		if n := count(p); n != before[p] {
			t.Errorf("%s: %v statements, then %v with more subjects and rows", p, before[p], n)
		}
	}
}

// TestDeadlinesIncludeSchoolCalendar: a school teacher's deadlines list their
// school's coming calendar activities (never another school's, never a past
// one) beside the term dates.
func TestDeadlinesIncludeSchoolCalendar(t *testing.T) {
	s := newTestServer(t)
	alpha, beta := createSchool(t, s, "Deadline Alpha"), createSchool(t, s, "Deadline Beta")
	adminA := createUser(t, s, models.RoleSchoolAdmin, alpha)
	adminB := createUser(t, s, models.RoleSchoolAdmin, beta)
	teacher := createUser(t, s, models.RoleTeacher, alpha)
	zone, err := time.LoadLocation("Africa/Nairobi")
	if err != nil {
		t.Fatal(err)
	}
	today := models.Day(time.Now().In(zone))
	day := func(n int) string { return today.AddDate(0, 0, n).Format(time.DateOnly) }
	term := func(admin *testUser) uint64 {
		var tb termBody
		expect(t, s.do(t, admin.caller, "POST", "/api/v1/admin/school-terms", map[string]any{
			"term_number": 3, "year": today.Year(), "start_date": day(-20), "end_date": day(40)}), http.StatusCreated).decode(t, &tb)
		return tb.ID
	}
	termA, termB := term(adminA), term(adminB)
	for _, a := range []struct {
		admin *testUser
		term  uint64
		name  string
		date  string
		kind  string
	}{
		{adminA, termA, "Sports Day", day(5), "Sports Day"},
		{adminA, termA, "Staff meeting", day(-3), "Other"},
		{adminA, termA, "Parents' day", day(12), "Other"},
		{adminB, termB, "Beta's exams", day(7), "Exam"},
	} {
		expect(t, s.do(t, a.admin.caller, "POST", "/api/v1/admin/calendar-activities", map[string]any{
			"term_id": a.term, "activity_name": a.name, "activity_date": a.date, "activity_type": a.kind}), http.StatusCreated)
	}
	s.waitReplicas(t)
	var dl []deadlineBody
	expect(t, s.do(t, teacher.caller, "GET", "/api/v1/dashboard/deadlines", nil), http.StatusOK).decode(t, &dl)
	var got []string
	for _, d := range dl {
		if strings.HasPrefix(d.ID, "activity-") {
			got = append(got, fmt.Sprintf("%d %s %s", d.DaysUntil, d.Type, d.Title))
		}
	}
	want := []string{"5 other Sports Day (Sports Day)", "12 other Parents' day"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("calendar deadlines (-want +got):\n%s\nall: %+v", diff, dl)
	}
}
