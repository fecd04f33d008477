package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/teachtrack/api/internal/dbtest"
	"github.com/teachtrack/api/internal/google/googletest"
	"github.com/teachtrack/api/internal/legacy/legacytest"
)

// importCmd runs `api import-legacy` with args and returns its output.
func importCmd(t *testing.T, d *dbtest.Database, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), append([]string{"api", "import-legacy"}, args...), d.Getenv, strings.NewReader(""), &out, io.Discard)
	return out.String(), err
}

// tableState is every table's row count and CHECKSUM TABLE: any write shows.
func tableState(t *testing.T, conn *sql.DB) map[string]string {
	t.Helper()
	rows, err := conn.Query("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name <> 'goose_db_version'")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	rows.Close()
	state := map[string]string{}
	for _, n := range names {
		var name string
		var sum sql.NullString
		if err := conn.QueryRow("CHECKSUM TABLE `"+n+"`").Scan(&name, &sum); err != nil {
			t.Fatal(err)
		}
		var count int
		if err := conn.QueryRow("SELECT COUNT(*) FROM `" + n + "`").Scan(&count); err != nil {
			t.Fatal(err)
		}
		state[n] = fmt.Sprintf("%d rows, checksum %s", count, sum.String)
	}
	return state
}

// call sends a JSON request and decodes the JSON answer into out (if any).
func call(t *testing.T, method, url, token string, body any, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if out != nil && res.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v\n%s", method, url, err, b)
		}
	}
	return res.StatusCode
}

// The original backend's database moves in: a dry run writes nothing and
// lists what it refuses; the import verifies; a second run changes nothing;
// then, through the API, the teacher signs in with the old password and sees
// the same progress, and the Google-linked account signs in through Google.
func TestImportLegacy(t *testing.T) {
	scale := 1
	if v, err := strconv.Atoi(os.Getenv("TEST_LEGACY_SCALE")); err == nil && v > 0 {
		scale = v
	}
	src := legacytest.Start(t, 3552, scale)
	d := newDB(t)
	gs := googletest.Start(t)
	d.Set("GOOGLE_CLIENT_ID", googletest.ClientID)
	d.Set("GOOGLE_CERTS_URL", gs.URL)
	conn, err := d.AdminTo(0)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()

	before := tableState(t, conn)
	out, err := importCmd(t, d, "--from", src.URL, "--dry-run")
	if err != nil {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	for _, want := range []string{
		"DRY RUN: nothing was written",
		"users #4: same e-mail address as users #3",
		`users #7: invalid e-mail address "not-an-email"`,
		"subjects #3: orphan: its user #4 is not imported",
		"subjects #4: orphan: its user #999",
		"subjects #5: the same teacher's subject and grade as subjects #1",
		"lessons #",
		"lesson_number -1 is not a lesson number",
		`action "viewed" is none of`,
		"curriculum_templates #3: same subject and grade as curriculum_templates #1",
		"template_strands #900: orphan",
		"legacy is_admin with no admin role",
		"every strand of its parent had the same order",
		"departments #4: the school already has a department named \"mathematics\": departments #1",
		"departments #5: orphan: its school #99 is not imported",
		"departments, 1 rows: its head of department is not a user of the department's school: no head (#2)",
		"departments, 1 rows: its head of department is not imported (a missing or refused user): no head (#3)",
		"departments, 1 rows: description longer than 1000 characters: shortened (#6)",
		"calendar_activities #2: orphan: its term #99 is not imported",
		"calendar_activities #3: orphan: its term #3 is not imported",
		`calendar_activities #4: activity date "2025-13-01" is not a date`,
		"calendar_activities, 1 rows: its settings row names another school than its term does: filed under the term's school (#5)",
		"calendar_activities, 1 rows: activity_type longer than 50 characters: shortened (#5)",
		"calendar_activities, 1 rows: no activity type: Other (as the API files one without) (#6)",
		"system_terms #4: term number 4 is not 1, 2 or 3",
		"system_terms #5: ends (2026-01-05) before it starts",
		"school_settings #1: school #1 has a newer settings row (#2)",
		"school_settings #3: the settings row names no school",
		"school_terms #3: its settings row (#3) names no school",
		`school_terms #4: dates "2025-13-45"`,
		"school_terms #5: the school's term 1 of 2025 is already school_terms #1",
		"user_term_adjustments #3: the school's term 1 of 2025 is already school_terms #1",
		"a teacher's own term dates: not modelled",
		"school_schedules #2: another schedule of the same owner and education level (#1) is kept",
		`school_schedules #4: times "25:00"`,
		`time_slots #6: slot type "recess"`,
		"timetable_entries #3: day_of_week 0",
		"timetable_entries #4: the teacher already has timetable_entries #1",
		"schemes_of_work #2: year 0 is not a year",
		"schemes_of_work #3: orphan",
		"scheme_weeks #3: the scheme's week 2 is already scheme_weeks #2",
		"scheme_lessons #4: orphan",
		`notes #4: file URL "not a url"`,
		"notes #5: orphan",
		"shared_presentations #2: its link's token",
		"payments #3: neither its reference",
		`payments #4: amount "0.00"`,
		"share link or public flag not carried over",
		"its scheme lesson already has a plan",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the dry run's report lacks %q:\n%s", want, out)
		}
	}
	t.Logf("dry run: %s", out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:])
	if diff := cmp.Diff(before, tableState(t, conn)); diff != "" {
		t.Fatalf("the dry run wrote (-before +after):\n%s", diff)
	}

	out, err = importCmd(t, d, "--from", src.URL)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	t.Logf("import:\n%s", out)
	if !strings.Contains(out, "verification") || strings.Contains(out, "MISMATCH") {
		t.Fatalf("no clean verification:\n%s", out)
	}
	imported := tableState(t, conn)
	out, err = importCmd(t, d, "--from", src.URL)
	if err != nil {
		t.Fatalf("second import: %v\n%s", err, out)
	}
	if diff := cmp.Diff(imported, tableState(t, conn)); diff != "" {
		t.Fatalf("the second run changed the database (-first +second):\n%s\n%s", diff, out)
	}
	if m := regexp.MustCompile(`(?m)^\S+\s+\d+\s+[1-9]\d*\s`).FindString(out); m != "" {
		t.Errorf("the second run inserted rows: %q\n%s", m, out)
	}

	s := startServer(t, d)
	s.waitReady(t)
	base := "http://" + s.addr + "/api/v1"
	login := func(email, password string) (int, string) {
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		st := call(t, "POST", base+"/auth/login", "", map[string]string{"email": email, "password": password}, &tok)
		return st, tok.AccessToken
	}
	st, token := login("Jane.Teacher@Example.com", legacytest.Password)
	if st != http.StatusOK {
		t.Fatalf("the teacher's old password: %d", st)
	}
	var subjects []struct {
		ID                 uint64  `json:"id"`
		SubjectName        string  `json:"subject_name"`
		TotalLessons       int     `json:"total_lessons"`
		LessonsCompleted   int     `json:"lessons_completed"`
		ProgressPercentage float64 `json:"progress_percentage"`
	}
	if st := call(t, "GET", base+"/subjects", token, nil, &subjects); st != http.StatusOK {
		t.Fatalf("subjects: %d", st)
	}
	got := map[string]string{}
	for _, s := range subjects {
		got[s.SubjectName] = fmt.Sprintf("%d/%d %.2f", s.LessonsCompleted, s.TotalLessons, s.ProgressPercentage)
	}
	want := map[string]string{"Mathematics": "7/18 38.89", "English": "1/6 16.67"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the teacher's subjects (-want +got):\n%s", diff)
	}
	var english uint64
	for _, s := range subjects {
		if s.SubjectName == "English" {
			english = s.ID
		}
	}
	var strands []struct {
		StrandName string `json:"strand_name"`
	}
	call(t, "GET", fmt.Sprintf("%s/subjects/%d/strands", base, english), token, nil, &strands)
	var names []string
	for _, s := range strands {
		names = append(names, s.StrandName)
	}
	if diff := cmp.Diff([]string{"English strand 1", "English strand 2", "English strand 3"}, names); diff != "" {
		t.Errorf("strand order lost to 0 in the original is by creation here (-want +got):\n%s", diff)
	}

	for path, want := range map[string]int{"/schemes": legacytest.TeacherSchemes, "/lesson-plans": legacytest.TeacherPlans,
		"/records-of-work": legacytest.TeacherRecords, "/timetable/entries": legacytest.TeacherEntries, "/notes": legacytest.TeacherNotes} {
		var body any
		if st := call(t, "GET", base+path, token, nil, &body); st != http.StatusOK || countItems(body) != want {
			t.Errorf("GET %s: %d, %d items, want %d: %v", path, st, countItems(body), want, body)
		}
	}
	var notes []struct {
		Title   string `json:"title"`
		FileURL string `json:"file_url"`
	}
	call(t, "GET", base+"/notes", token, nil, &notes)
	urls := map[string]string{}
	for _, n := range notes {
		urls[n.Title] = n.FileURL
	}
	if got := urls["Fractions worksheet"]; got != "https://res.cloudinary.com/tt/raw/upload/v1/notes/fractions.pdf" {
		t.Errorf("an imported note's file stays where it was: file_url %q", got)
	}

	// The school's admin sees the school's imported departments (the head
	// kept where they are a teacher of the school) and calendar activities.
	st, headToken := login(legacytest.SchoolAdminEmail, legacytest.Password)
	if st != http.StatusOK {
		t.Fatalf("the school admin's old password: %d", st)
	}
	var departments []struct {
		Name    string  `json:"name"`
		HODName *string `json:"hod_name"`
	}
	if st := call(t, "GET", base+"/admin/departments", headToken, nil, &departments); st != http.StatusOK {
		t.Fatalf("GET /admin/departments: %d", st)
	}
	gotDeps := map[string]string{}
	for _, d := range departments {
		gotDeps[d.Name] = "no head"
		if d.HODName != nil {
			gotDeps[d.Name] = *d.HODName
		}
	}
	wantDeps := map[string]string{"Mathematics": legacytest.TeacherName, "Sciences": "no head", "Humanities": "no head"}
	if diff := cmp.Diff(wantDeps, gotDeps); diff != "" || len(departments) != legacytest.SchoolDepartments {
		t.Errorf("the school's departments (-want +got):\n%s", diff)
	}
	var activities []struct {
		TermID       uint64 `json:"term_id"`
		ActivityName string `json:"activity_name"`
		ActivityDate string `json:"activity_date"`
		ActivityType string `json:"activity_type"`
	}
	if st := call(t, "GET", base+"/admin/calendar-activities", headToken, nil, &activities); st != http.StatusOK {
		t.Fatalf("GET /admin/calendar-activities: %d", st)
	}
	var term1 uint64
	if err := conn.QueryRow("SELECT target_id FROM legacy_ids WHERE source_table = 'school_terms' AND source_id = 1").Scan(&term1); err != nil {
		t.Fatal(err)
	}
	var gotActs []string
	for _, a := range activities {
		gotActs = append(gotActs, fmt.Sprintf("%s %s (%s)", a.ActivityDate, a.ActivityName, a.ActivityType))
	}
	wantActs := []string{"2025-01-07 Opening day (Opening Day)", "2025-02-24 Half term (Other)",
		"2025-07-21 End of term exams (" + strings.TrimSpace(strings.Repeat("Exam Week ", 5)) + ")"}
	if diff := cmp.Diff(wantActs, gotActs); diff != "" || len(activities) != legacytest.SchoolActivities {
		t.Errorf("the school's calendar activities (-want +got):\n%s", diff)
	} else if activities[0].TermID != term1 {
		t.Errorf("the opening day is in term %d, want the imported school term %d", activities[0].TermID, term1)
	}

	for _, c := range []struct {
		email string
		want  int
	}{{legacytest.BannedEmail, http.StatusForbidden}, {"pbkdf2@example.com", http.StatusUnauthorized}} {
		if st, _ := login(c.email, legacytest.Password); st != c.want {
			t.Errorf("login %s: %d, want %d", c.email, st, c.want)
		}
	}
	_, adminToken := login(legacytest.LegacyAdmin, legacytest.Password)
	var me struct {
		Role string `json:"role"`
	}
	call(t, "GET", base+"/auth/me", adminToken, nil, &me)
	if me.Role != "SUPER_ADMIN" {
		t.Errorf("the legacy is_admin account's role: %q", me.Role)
	}

	var signedIn struct {
		User struct {
			ID    uint64 `json:"id"`
			Email string `json:"email"`
		} `json:"user"`
	}
	st = call(t, "POST", base+"/auth/google", "", map[string]string{"token": gs.Token(t, legacytest.GoogleSub, legacytest.GoogleEmail, nil)}, &signedIn)
	var wantID uint64
	if err := conn.QueryRow("SELECT target_id FROM legacy_ids WHERE source_table = 'users' AND source_id = 5").Scan(&wantID); err != nil {
		t.Fatal(err)
	}
	if st != http.StatusOK || signedIn.User.ID != wantID {
		t.Errorf("Google sign-in of the linked account: %d, user %d, want the imported user %d", st, signedIn.User.ID, wantID)
	}
}

// countItems is the length of a JSON list, bare or the one array of an object.
func countItems(v any) int {
	switch x := v.(type) {
	case []any:
		return len(x)
	case map[string]any:
		for _, f := range x {
			if a, ok := f.([]any); ok {
				return len(a)
			}
		}
	}
	return -1
}
