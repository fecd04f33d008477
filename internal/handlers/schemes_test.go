package handlers_test

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/teachtrack/api/internal/models"
)

// Generation for a Grade 4 Mathematics subject made from the CBC curriculum,
// over Term 2 of 2026 as the national calendar has it (27 April to 31 July,
// half-term 1 to 5 June): 14 weeks, the break week one row, 65 lessons in
// curriculum order starting 13/36 of the way into the year's curriculum,
// each carrying its strand, sub-strand, outcomes, questions, experiences,
// resources and assessment.
func TestSchemeGenerateGrade4MathsTerm2(t *testing.T) {
	s := newTestServer(t)
	if _, err := models.GenerateSystemYear(s.primary(t), 2026, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), nil); err != nil {
		t.Fatal(err)
	}
	s.waitReplicas(t)
	teacher := createPaidUser(t, s, models.RoleTeacher, nil)
	subject, rows := grade4Maths(t, s, teacher.caller)

	// total_weeks 0: every week of the term.
	got := generate(t, s, teacher.caller, subject, 0, nil)
	if got.TotalWeeks != 14 || got.TotalLessons != 13*5+1 || len(got.Weeks) != 14 {
		t.Fatalf("got %d weeks (%d listed), %d lessons; want 14 and 66 (13 weeks of 5, one break row)", got.TotalWeeks, len(got.Weeks), got.TotalLessons)
	}
	if got.Subject != "Mathematics" || got.Grade != "Grade 4" || got.Term != "Term 2" || got.Year != 2026 || got.Status != "active" ||
		got.SubjectID == nil || *got.SubjectID != subject || got.UserID != teacher.ID {
		t.Errorf("header %+v", got)
	}
	first := len(rows) * 13 / 36
	i := 0
	for w, week := range got.Weeks {
		monday := time.Date(2026, 4, 27, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 7*w)
		if week.WeekNumber != w+1 || week.StartDate == nil || *week.StartDate != monday.Format(time.DateOnly) ||
			week.EndDate == nil || *week.EndDate != monday.AddDate(0, 0, 4).Format(time.DateOnly) {
			t.Fatalf("week %d: number %d, dates %v–%v, want from %s", w+1, week.WeekNumber, week.StartDate, week.EndDate, monday.Format(time.DateOnly))
		}
		if w == 5 { // 1–5 June
			if len(week.Lessons) != 1 || week.Lessons[0].Kind != "break" || week.Lessons[0].Strand != "MID TERM BREAK" {
				t.Fatalf("week 6 (half-term): %+v", week.Lessons)
			}
			continue
		}
		if len(week.Lessons) != 5 {
			t.Fatalf("week %d: %d lessons", w+1, len(week.Lessons))
		}
		for n, l := range week.Lessons {
			want := rows[first+i]
			if l.LessonNumber != n+1 || l.Kind != "lesson" || l.Strand != want.Strand || l.SubStrand != want.SubStrand || l.SubStrandID == nil {
				t.Fatalf("week %d lesson %d: got %d %s %q / %q, want %q / %q", w+1, n+1, l.LessonNumber, l.Kind, l.Strand, l.SubStrand, want.Strand, want.SubStrand)
			}
			if !strings.HasPrefix(l.SpecificLearningOutcomes, "By the end of the sub-strand, the learner should be able to:\na) ") ||
				!strings.HasPrefix(l.KeyInquiryQuestions, "1. ") || !strings.HasPrefix(l.LearningExperiences, "- ") ||
				!strings.HasPrefix(l.LearningResources, "Curriculum designs") || !strings.HasPrefix(l.AssessmentMethods, "Observation, Oral questions") {
				t.Fatalf("week %d lesson %d lacks its curriculum: %+v", w+1, n+1, l)
			}
			i++
		}
	}
	if i != 65 {
		t.Errorf("%d curriculum lessons, want 65", i)
	}
	// Term 2 of Grade 4 Mathematics begins in sub-strand 1.6, Fractions (lesson 55 of 150).
	if got.Weeks[0].Lessons[0].SubStrand != "1.6 Fractions" {
		t.Errorf("Term 2 starts at %q", got.Weeks[0].Lessons[0].SubStrand)
	}
	// The term has 14 weeks; a 15th is refused.
	expect(t, s.do(t, teacher.caller, "POST", "/api/v1/schemes/generate", map[string]any{"subject_id": subject, "term": "Term 2", "year": 2026, "total_weeks": 15}), 422)

	// Saved as answered, and the same inputs give the same scheme.
	var read schemeJSON
	expect(t, s.do(t, teacher.caller, "GET", urlf("/api/v1/schemes/%d", got.ID), nil), 200).decode(t, &read)
	if diff := cmp.Diff(got, read); diff != "" {
		t.Errorf("GET differs from the generated scheme (-generated +read):\n%s", diff)
	}
	again := generate(t, s, teacher.caller, subject, 0, nil)
	if diff := cmp.Diff(withoutIDs(got), withoutIDs(again)); diff != "" {
		t.Errorf("the same inputs gave another scheme (-first +second):\n%s", diff)
	}

	// Special weeks: week 1 opening, 13 assessment, 14 closing; no curriculum used by them.
	special := generate(t, s, teacher.caller, subject, 14, map[string]any{"include_special_weeks": true})
	for w, want := range map[int]string{0: "opening", 12: "assessment", 13: "closing"} {
		for _, l := range special.Weeks[w].Lessons {
			if l.Kind != want {
				t.Errorf("week %d: kind %s, want %s", w+1, l.Kind, want)
			}
		}
	}
	if l := special.Weeks[1].Lessons[0]; l.SubStrand != rows[first].SubStrand {
		t.Errorf("week 2 starts at %q, want %q", l.SubStrand, rows[first].SubStrand)
	}
}

// withoutIDs is a scheme's content: what generation decides, not the rows' ids.
func withoutIDs(s schemeJSON) []schemeWeekJSON {
	out := make([]schemeWeekJSON, len(s.Weeks))
	for i, w := range s.Weeks {
		w.ID = 0
		ls := make([]schemeLessonJSON, len(w.Lessons))
		for j, l := range w.Lessons {
			l.ID, l.WeekID = 0, 0
			ls[j] = l
		}
		w.Lessons = ls
		out[i] = w
	}
	return out
}

func TestSchemeGenerateErrors(t *testing.T) {
	s := newTestServer(t)
	teacher := createPaidUser(t, s, models.RoleTeacher, nil)
	other := createPaidUser(t, s, models.RoleTeacher, nil)
	subject, _ := grade4Maths(t, s, teacher.caller)
	empty := newSubject(t, s, teacher.caller, "Art", "Grade 4", nil)
	base := map[string]any{"subject_id": subject, "term": "Term 2", "year": 2026, "total_weeks": 14}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for a, b := range base {
			m[a] = b
		}
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	for _, tc := range []struct {
		name   string
		c      caller
		body   any
		status int
		field  string
	}{
		{"another teacher's subject", other.caller, base, 404, ""},
		{"no subject", teacher.caller, with("subject_id", nil), 422, "subject_id"},
		{"subject without curriculum", teacher.caller, with("subject_id", empty.ID), 422, "subject_id"},
		{"term 4", teacher.caller, with("term", "Term 4"), 422, "term"},
		{"too many weeks", teacher.caller, with("total_weeks", 21), 422, "total_weeks"},
		{"no weeks and no term dates", teacher.caller, with("total_weeks", 0), 422, "total_weeks"},
		{"bad year", teacher.caller, with("year", 1999), 422, "year"},
		{"unknown field", teacher.caller, with("colour", "red"), 400, ""},
		{"signed out", anonymous, base, 401, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := expect(t, s.do(t, tc.c, "POST", "/api/v1/schemes/generate", tc.body), tc.status)
			var p problem
			res.decode(t, &p)
			if p.Detail == "" {
				t.Errorf("no detail: %s", res.Body)
			}
			if tc.field != "" && (len(p.Errors) != 1 || p.Errors[0].Field != tc.field) {
				t.Errorf("errors %+v, want one for %s", p.Errors, tc.field)
			}
		})
	}
	var list []schemeJSON
	expect(t, s.do(t, teacher.caller, "GET", "/api/v1/schemes", nil), 200).decode(t, &list)
	if len(list) != 0 {
		t.Errorf("failed generations left %d schemes", len(list))
	}
}

// The edit page sends the whole scheme back: scalar edits, lesson edits,
// removed and added lessons and weeks all persist (the original dropped
// them), and untouched lessons keep their ids.
func TestSchemeEditRoundTrip(t *testing.T) {
	s := newTestServer(t)
	teacher := createPaidUser(t, s, models.RoleTeacher, nil)
	subject, _ := grade4Maths(t, s, teacher.caller)
	gen := generate(t, s, teacher.caller, subject, 3, nil)

	var doc map[string]any
	expect(t, s.do(t, teacher.caller, "GET", urlf("/api/v1/schemes/%d", gen.ID), nil), 200).decode(t, &doc)
	weeks := doc["weeks"].([]any)
	w1 := weeks[0].(map[string]any)
	lessons := w1["lessons"].([]any)
	l0 := lessons[0].(map[string]any)
	l0["reflection"] = "Learners <b>enjoyed</b> place value & rounding"
	l0["selected_resources"] = []string{"Charts"} // UI-only fields the page adds
	l0["lesson_title"] = "x"
	w1["lessons"] = append(lessons[:1], lessons[2:]...) // drop lesson 2
	w1["lessons"] = append(w1["lessons"].([]any), map[string]any{"lesson_number": 6, "strand": "Extra", "sub_strand": "Extra work",
		"specific_learning_outcomes": "", "learning_experiences": "- practise", "key_inquiry_questions": "", "learning_resources": "",
		"assessment_methods": "", "reflection": ""})
	doc["weeks"] = append(weeks[:2], map[string]any{"week_number": 7, "lessons": []any{}}) // drop week 3, add week 7
	doc["status"] = "completed"
	doc["stream"] = "East"
	doc["subject_name"], doc["term_number"], doc["term_year"] = "Mathematics", 2, 2026 // the page's normalised fields

	var got schemeJSON
	expect(t, s.do(t, teacher.cookieOnly(), "PUT", urlf("/api/v1/schemes/%d", gen.ID), doc), 200).decode(t, &got)
	var read schemeJSON
	expect(t, s.do(t, teacher.caller, "GET", urlf("/api/v1/schemes/%d", gen.ID), nil), 200).decode(t, &read)
	if diff := cmp.Diff(got, read); diff != "" {
		t.Errorf("PUT's answer differs from what GET reads (-put +get):\n%s", diff)
	}
	if read.Status != "completed" || read.TotalWeeks != 3 || read.TotalLessons != 5+5+0 || len(read.Weeks) != 3 {
		t.Fatalf("after the edit: status %s, %d weeks, %d lessons", read.Status, read.TotalWeeks, read.TotalLessons)
	}
	r1 := read.Weeks[0].Lessons
	if r1[0].ID != gen.Weeks[0].Lessons[0].ID || r1[0].Reflection != "Learners <b>enjoyed</b> place value & rounding" {
		t.Errorf("edited lesson: %+v", r1[0])
	}
	if r1[1].ID != gen.Weeks[0].Lessons[2].ID || r1[4].Strand != "Extra" || r1[4].LessonNumber != 6 {
		t.Errorf("week 1 after the edit: %+v", r1)
	}
	for _, l := range r1 {
		if l.ID == gen.Weeks[0].Lessons[1].ID {
			t.Errorf("the removed lesson is still there")
		}
	}
	if read.Weeks[2].WeekNumber != 7 || len(read.Weeks[2].Lessons) != 0 || read.Weeks[1].Lessons[0].ID != gen.Weeks[1].Lessons[0].ID {
		t.Errorf("weeks after the edit: %+v", read.Weeks)
	}

	// Bad edits change nothing.
	for _, tc := range []struct {
		body   any
		status int
	}{
		{map[string]any{"status": "finished"}, 422},
		{map[string]any{"weeks": []any{map[string]any{"week_number": 1}, map[string]any{"week_number": 1}}}, 422},
		{map[string]any{"weeks": []any{map[string]any{"week_number": 0}}}, 422},
		{map[string]any{"year": "2026"}, 400},
	} {
		expect(t, s.do(t, teacher.caller, "PUT", urlf("/api/v1/schemes/%d", gen.ID), tc.body), tc.status)
	}
	var after schemeJSON
	expect(t, s.do(t, teacher.caller, "GET", urlf("/api/v1/schemes/%d", gen.ID), nil), 200).decode(t, &after)
	if diff := cmp.Diff(read, after); diff != "" {
		t.Errorf("a refused edit changed the scheme:\n%s", diff)
	}

	// A manual save (POST /schemes) as the generator page sends it.
	manual := map[string]any{"subject_id": subject, "teacher_name": "W", "school": "S", "term": "Term 3", "year": 2026,
		"subject": "Mathematics", "grade": "Grade 4", "stream": "", "roll": "", "lesson_duration_minutes": 40, "total_weeks": 1,
		"total_lessons": 0, "lessons_per_week": 5, "default_textbook": "", "include_special_weeks": false, "status": "active",
		"weeks": []any{map[string]any{"week_number": 1, "lessons": []any{map[string]any{"lesson_id": 3, "lesson_number": 1,
			"lesson_title": "Place value", "strand": "1.0 Numbers", "sub_strand": "1.1 Whole Numbers", "specific_learning_outcomes": "a) read",
			"key_inquiry_questions": "", "learning_experiences": "- count", "learning_resources": "Charts", "selected_resources": []string{"Charts"},
			"assessment_methods": "Oral questions", "selected_assessment_methods": []string{"Oral questions"}, "reflection": ""}}}}}
	var created schemeJSON
	expect(t, s.do(t, teacher.caller, "POST", "/api/v1/schemes", manual), 201).decode(t, &created)
	if created.TotalWeeks != 1 || created.TotalLessons != 1 || created.Weeks[0].Lessons[0].SubStrand != "1.1 Whole Numbers" || created.Weeks[0].Lessons[0].SubStrandID != nil {
		t.Errorf("manual save: %+v", created)
	}
}

func TestSchemeOwnershipAndSchoolAdmin(t *testing.T) {
	s := newTestServer(t)
	school, otherSchool := createSchool(t, s, "A"), createSchool(t, s, "B")
	teacher := createPaidUser(t, s, models.RoleTeacher, school)
	stranger := createPaidUser(t, s, models.RoleTeacher, school)
	admin := createPaidUser(t, s, models.RoleSchoolAdmin, school)
	otherAdmin := createPaidUser(t, s, models.RoleSchoolAdmin, otherSchool)
	super := createUser(t, s, models.RoleSuperAdmin, nil)
	subject, _ := grade4Maths(t, s, teacher.caller)
	sc := generate(t, s, teacher.caller, subject, 2, nil)
	id := urlf("/api/v1/schemes/%d", sc.ID)

	for _, who := range []*testUser{stranger, otherAdmin, super} {
		for _, req := range []struct{ method, path string }{
			{"GET", id}, {"PUT", id}, {"DELETE", id}, {"GET", id + "/pdf"}, {"POST", id + "/share"}, {"DELETE", id + "/share"},
			{"POST", id + "/duplicate"}, {"POST", id + "/archive"}, {"POST", id + "/unarchive"},
			{"POST", urlf("/api/v1/records-of-work/create-from-scheme/%d", sc.ID)},
			{"POST", urlf("/api/v1/records-of-work/mark-taught/%d", sc.Weeks[0].Lessons[0].ID)},
		} {
			var body any
			if req.method == "PUT" {
				body = map[string]any{"status": "completed"}
			}
			expect(t, s.do(t, who.caller, req.method, req.path, body), http.StatusNotFound)
		}
		var list []schemeJSON
		expect(t, s.do(t, who.caller, "GET", "/api/v1/schemes", nil), 200).decode(t, &list)
		if len(list) != 0 {
			t.Errorf("%s lists %d schemes of another teacher", who.Role, len(list))
		}
	}
	// Manual save with another teacher's subject: 404.
	expect(t, s.do(t, stranger.caller, "POST", "/api/v1/schemes", map[string]any{"subject_id": subject, "term": "Term 1",
		"year": 2026, "subject": "M", "grade": "G"}), 404)

	// The school's admin reads, never writes, and may copy it for themself.
	expect(t, s.do(t, admin.caller, "GET", id, nil), 200)
	expect(t, s.do(t, admin.caller, "GET", id+"/pdf", nil), 200)
	var list []schemeJSON
	expect(t, s.do(t, admin.caller, "GET", "/api/v1/schemes", nil), 200).decode(t, &list)
	if len(list) != 1 || list[0].ID != sc.ID || list[0].Weeks != nil {
		t.Errorf("the admin's list: %+v", list)
	}
	for _, req := range []struct{ method, path string }{{"PUT", id}, {"DELETE", id}, {"POST", id + "/archive"}, {"POST", id + "/share"},
		{"POST", urlf("/api/v1/records-of-work/mark-taught/%d", sc.Weeks[0].Lessons[0].ID)}} {
		var body any
		if req.method == "PUT" {
			body = map[string]any{"status": "completed"}
		}
		expect(t, s.do(t, admin.caller, req.method, req.path, body), http.StatusForbidden)
	}
	var cp schemeJSON
	expect(t, s.do(t, admin.caller, "POST", id+"/duplicate", nil), 201).decode(t, &cp)
	if cp.ID == sc.ID || cp.UserID != admin.ID || cp.SubjectID != nil || cp.TotalLessons != sc.TotalLessons {
		t.Errorf("the admin's copy: %+v", cp)
	}

	// The teacher's own copy is independent: editing it leaves the original.
	var mine schemeJSON
	expect(t, s.do(t, teacher.caller, "POST", id+"/duplicate", map[string]any{}), 201).decode(t, &mine)
	if mine.UserID != teacher.ID || mine.SubjectID == nil || *mine.SubjectID != subject || mine.Weeks[0].Lessons[0].ID == sc.Weeks[0].Lessons[0].ID {
		t.Errorf("the teacher's copy: %+v", mine)
	}
	expect(t, s.do(t, teacher.caller, "PUT", urlf("/api/v1/schemes/%d", mine.ID), map[string]any{"weeks": []any{}}), 200)
	var orig schemeJSON
	expect(t, s.do(t, teacher.caller, "GET", id, nil), 200).decode(t, &orig)
	if len(orig.Weeks) != 2 || orig.TotalLessons != 10 {
		t.Errorf("editing the copy changed the original: %d weeks, %d lessons", len(orig.Weeks), orig.TotalLessons)
	}
	expect(t, s.do(t, teacher.caller, "DELETE", id, nil), 200)
	expect(t, s.do(t, teacher.caller, "GET", id, nil), 404)
	expect(t, s.do(t, teacher.caller, "GET", "/api/v1/schemes/abc", nil), 400)
}

func TestSchemeArchiveFiltersAndStats(t *testing.T) {
	s := newTestServer(t)
	teacher := createPaidUser(t, s, models.RoleTeacher, nil)
	subject, _ := grade4Maths(t, s, teacher.caller)
	a := generate(t, s, teacher.caller, subject, 1, nil)
	b := generate(t, s, teacher.caller, subject, 1, nil)
	c := generate(t, s, teacher.caller, subject, 1, nil)
	expect(t, s.do(t, teacher.caller, "PUT", urlf("/api/v1/schemes/%d", b.ID), map[string]any{"status": "completed"}), 200)
	expect(t, s.do(t, teacher.caller, "POST", urlf("/api/v1/schemes/%d/archive", c.ID), map[string]any{}), 200)

	ids := func(q string) []uint64 {
		var list []schemeJSON
		expect(t, s.do(t, teacher.caller, "GET", "/api/v1/schemes"+q, nil), 200).decode(t, &list)
		var out []uint64
		for _, x := range list {
			out = append(out, x.ID)
		}
		return out
	}
	if diff := cmp.Diff([]uint64{b.ID, a.ID}, ids("")); diff != "" {
		t.Errorf("default list (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]uint64{c.ID}, ids("?archived=true")); diff != "" {
		t.Errorf("archived list (-want +got):\n%s", diff)
	}
	expect(t, s.do(t, teacher.caller, "GET", "/api/v1/schemes?archived=maybe", nil), 422)
	var st models.SchemeStats
	expect(t, s.do(t, teacher.caller, "GET", "/api/v1/schemes/stats", nil), 200).decode(t, &st)
	if diff := cmp.Diff(models.SchemeStats{TotalSchemes: 2, ActiveSchemes: 1, CompletedSchemes: 1, ArchivedSchemes: 1}, st); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	expect(t, s.do(t, teacher.caller, "POST", urlf("/api/v1/schemes/%d/unarchive", c.ID), nil), 200)
	if diff := cmp.Diff([]uint64{c.ID, b.ID, a.ID}, ids("?archived=false")); diff != "" {
		t.Errorf("after unarchive (-want +got):\n%s", diff)
	}
}

// A shared scheme is readable at its link without a session (its PDF), by
// anyone with the link, until it is unshared or deleted; nothing else is.
func TestSchemeShareLink(t *testing.T) {
	s := newTestServer(t, "FRONTEND_URL", "https://teachtrack.example")
	teacher := createPaidUser(t, s, models.RoleTeacher, nil)
	other := createPaidUser(t, s, models.RoleTeacher, nil)
	subject, _ := grade4Maths(t, s, teacher.caller)
	sc := generate(t, s, teacher.caller, subject, 2, nil)
	id := urlf("/api/v1/schemes/%d", sc.ID)

	var share struct {
		ShareURL   string `json:"share_url"`
		ShareToken string `json:"share_token"`
	}
	expect(t, s.do(t, teacher.cookieOnly(), "POST", id+"/share", map[string]any{}), 200).decode(t, &share)
	u, err := url.Parse(share.ShareURL)
	if err != nil || u.Scheme != "https" || u.Host != "teachtrack.example" || u.Path != "/api/v1/shared/schemes/"+share.ShareToken {
		t.Fatalf("share_url %q", share.ShareURL)
	}
	if len(share.ShareToken) < 43 {
		t.Errorf("token %q is shorter than 256 bits of base64url", share.ShareToken)
	}
	var again struct {
		ShareURL string `json:"share_url"`
	}
	expect(t, s.do(t, teacher.caller, "POST", id+"/share", nil), 200).decode(t, &again)
	if again.ShareURL != share.ShareURL {
		t.Errorf("sharing again changed the link: %s, then %s", share.ShareURL, again.ShareURL)
	}
	var got schemeJSON
	expect(t, s.do(t, teacher.caller, "GET", id, nil), 200).decode(t, &got)
	if !got.IsPublic || got.ShareURL == nil || *got.ShareURL != share.ShareURL {
		t.Errorf("the scheme shows is_public %v, share_url %v", got.IsPublic, got.ShareURL)
	}

	for _, c := range []caller{anonymous, other.caller} {
		res := expect(t, s.do(t, c, "GET", u.Path, nil), 200)
		if ct := res.Header.Get("Content-Type"); ct != "application/pdf" || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "inline;") {
			t.Errorf("shared view: %s, %s", ct, res.Header.Get("Content-Disposition"))
		}
		if text := pdfText(t, res.Body); !strings.Contains(text, "Moi Avenue Primary") {
			t.Errorf("shared PDF text: %.200s", text)
		}
	}
	// The token opens only this route: not the scheme's API, not another kind.
	expect(t, s.do(t, anonymous, "GET", id, nil), 401)
	expect(t, s.do(t, anonymous, "GET", "/api/v1/shared/records-of-work/"+share.ShareToken, nil), 404)
	expect(t, s.do(t, anonymous, "GET", "/api/v1/shared/schemes/"+strings.Repeat("A", 43), nil), 404)

	expect(t, s.do(t, teacher.caller, "DELETE", id+"/share", nil), 204)
	expect(t, s.do(t, anonymous, "GET", u.Path, nil), 404)
	expect(t, s.do(t, teacher.caller, "POST", id+"/share", nil), 200).decode(t, &share)
	if share.ShareURL == again.ShareURL {
		t.Errorf("sharing after unsharing gave the old link back")
	}
	expect(t, s.do(t, anonymous, "GET", "/api/v1/shared/schemes/"+share.ShareToken, nil), 200)
	expect(t, s.do(t, teacher.caller, "DELETE", id, nil), 200)
	res := expect(t, s.do(t, anonymous, "GET", "/api/v1/shared/schemes/"+share.ShareToken, nil), 404)
	var p problem
	res.decode(t, &p)
	if !strings.Contains(p.Detail, "no longer shared") {
		t.Errorf("detail %q", p.Detail)
	}
}

func TestSchemePDF(t *testing.T) {
	s := newTestServer(t)
	teacher := createPaidUser(t, s, models.RoleTeacher, nil)
	subject, rows := grade4Maths(t, s, teacher.caller)
	sc := generate(t, s, teacher.caller, subject, 14, map[string]any{"stream": "East"})
	res := expect(t, s.do(t, teacher.caller, "GET", urlf("/api/v1/schemes/%d/pdf", sc.ID), nil), 200)
	if res.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("content type %q", res.Header.Get("Content-Type"))
	}
	if cd := res.Header.Get("Content-Disposition"); cd != urlf(`attachment; filename="scheme_%d_Mathematics_Grade_4_Term_2_2026.pdf"`, sc.ID) {
		t.Errorf("Content-Disposition %q", cd)
	}
	if dir := os.Getenv("PDF_SAMPLE_DIR"); dir != "" { // make docs-pdf
		if err := os.WriteFile(filepath.Join(dir, "scheme-sample.pdf"), res.Body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	text := pdfText(t, res.Body)
	for _, want := range []string{"SCHEME OF WORK", "Moi Avenue Primary", "Wanjiru Kamau", "Mathematics", "Grade 4 East", "Term 2", "2026",
		"SPECIFIC LEARNING OUTCOMES", "By the end of the sub-strand, the learner should be able to:"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF lacks %q", want)
		}
	}
	// Every sub-strand the term covers appears, in order.
	first, at := len(rows)*13/36, 0
	for i := first; i < first+70; i++ {
		if i > first && rows[i].SubStrand == rows[i-1].SubStrand {
			continue
		}
		j := strings.Index(text[at:], rows[i].SubStrand)
		if j < 0 {
			t.Fatalf("sub-strand %q missing or out of order", rows[i].SubStrand)
		}
		at += j
	}
	if pages := strings.Count(text, "SPECIFIC LEARNING OUTCOMES"); pages < 5 {
		t.Errorf("the table header appears %d times; want it on each of the pages", pages)
	}
}

// A request's statements don't grow with the scheme's weeks and lessons,
// nor with the number of schemes listed.
func TestSchemeStatementsAreConstant(t *testing.T) {
	s := newTestServer(t)
	teacher := createPaidUser(t, s, models.RoleTeacher, nil)
	subject, _ := grade4Maths(t, s, teacher.caller)
	count := func(method, p string, body any, status int) (float64, *response) {
		before := s.statements(t)
		res := expect(t, s.do(t, teacher.caller, method, p, body), status)
		return s.statements(t) - before, res
	}
	body := func(weeks int) map[string]any {
		return map[string]any{"subject_id": subject, "term": "Term 2", "year": 2026, "total_weeks": weeks}
	}
	genSmall, r1 := count("POST", "/api/v1/schemes/generate", body(1), 201)
	genBig, r2 := count("POST", "/api/v1/schemes/generate", body(20), 201)
	var small, big schemeJSON
	r1.decode(t, &small)
	r2.decode(t, &big)
	if genSmall != genBig {
		t.Errorf("generate: %v statements for 1 week, %v for 20", genSmall, genBig)
	}
	for _, p := range []string{"/api/v1/schemes/%d", "/api/v1/schemes/%d/pdf"} {
		a, _ := count("GET", urlf(p, small.ID), nil, 200)
		b, _ := count("GET", urlf(p, big.ID), nil, 200)
		if a != b {
			t.Errorf("GET %s: %v statements for 5 lessons, %v for 100", p, a, b)
		}
	}
	var doc map[string]any
	expect(t, s.do(t, teacher.caller, "GET", urlf("/api/v1/schemes/%d", big.ID), nil), 200).decode(t, &doc)
	putBig, _ := count("PUT", urlf("/api/v1/schemes/%d", big.ID), doc, 200)
	expect(t, s.do(t, teacher.caller, "GET", urlf("/api/v1/schemes/%d", small.ID), nil), 200).decode(t, &doc)
	putSmall, _ := count("PUT", urlf("/api/v1/schemes/%d", small.ID), doc, 200)
	if putSmall != putBig {
		t.Errorf("PUT: %v statements for 5 lessons, %v for 100", putSmall, putBig)
	}
	l2, _ := count("GET", "/api/v1/schemes", nil, 200)
	generate(t, s, teacher.caller, subject, 3, nil)
	generate(t, s, teacher.caller, subject, 3, nil)
	l4, _ := count("GET", "/api/v1/schemes", nil, 200)
	if l2 != l4 {
		t.Errorf("list: %v statements for 2 schemes, %v for 4", l2, l4)
	}
	r3, _ := count("POST", urlf("/api/v1/records-of-work/create-from-scheme/%d", small.ID), nil, 201)
	r4, _ := count("POST", urlf("/api/v1/records-of-work/create-from-scheme/%d", big.ID), nil, 201)
	if r3 != r4 {
		t.Errorf("create-from-scheme: %v statements for 1 week, %v for 20", r3, r4)
	}
	t.Logf("statements: generate %v, get/pdf constant, put %v, list %v, record %v", genBig, putBig, l4, r4)
}

// The plan's rules (models.LimitsFor): a free trial makes schemes of one
// week and downloads no PDFs, nor shares them as PDFs.
func TestSchemePlanLimits(t *testing.T) {
	s := newTestServer(t)
	free := createUser(t, s, models.RoleTeacher, nil)
	subject, _ := grade4Maths(t, s, free.caller)
	res := expect(t, s.do(t, free.caller, "POST", "/api/v1/schemes/generate", map[string]any{"subject_id": subject, "term": "Term 2", "year": 2026, "total_weeks": 2}), 403)
	var p problem
	res.decode(t, &p)
	if !strings.Contains(p.Detail, "up to 1 week") {
		t.Errorf("detail %q", p.Detail)
	}
	sc := generate(t, s, free.caller, subject, 1, nil)
	id := urlf("/api/v1/schemes/%d", sc.ID)
	expect(t, s.do(t, free.caller, "GET", id+"/pdf", nil), 403)
	expect(t, s.do(t, free.caller, "POST", id+"/share", nil), 403)
	var doc map[string]any
	expect(t, s.do(t, free.caller, "GET", id, nil), 200).decode(t, &doc)
	doc["weeks"] = append(doc["weeks"].([]any), map[string]any{"week_number": 2, "lessons": []any{}})
	expect(t, s.do(t, free.caller, "PUT", id, doc), 403)
	var list []schemeJSON
	expect(t, s.do(t, free.caller, "GET", "/api/v1/schemes", nil), 200).decode(t, &list)
	if len(list) != 1 || list[0].TotalWeeks != 1 {
		t.Errorf("after refusals: %+v", list)
	}
}
