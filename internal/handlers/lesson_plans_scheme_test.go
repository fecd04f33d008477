package handlers_test

import (
	"bytes"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gorm.io/gorm"

	"github.com/teachtrack/api/internal/models"
)

// newScheme stores a scheme of weeks weeks for teacher, each with perWeek
// lessons (the third lesson of week 2 a mid-term break row); week 1 starts
// on Monday 4 May 2026 and later weeks carry no dates.
func newScheme(t *testing.T, s *testServer, teacher *testUser, weeks, perWeek int) *models.Scheme {
	t.Helper()
	mins := 35
	sc := &models.Scheme{UserID: teacher.ID, TeacherName: "Jane", School: "Hill", Term: "Term 2", TermNumber: 2, Year: 2026,
		Subject: "Mathematics", Grade: "Grade 4", Roll: "40", LessonDurationMinutes: &mins, LessonsPerWeek: perWeek, Status: "active"}
	monday := time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC)
	for w := 1; w <= weeks; w++ {
		week := models.SchemeWeek{WeekNumber: w}
		if w == 1 {
			end := monday.AddDate(0, 0, 4)
			week.StartDate, week.EndDate = models.NewSchemeDate(&monday), models.NewSchemeDate(&end)
		}
		for n := 1; n <= perWeek; n++ {
			l := models.SchemeLesson{LessonNumber: n, Kind: models.KindLesson, Strand: "1.0 Numbers", SubStrand: fmt.Sprintf("1.%d Sub-strand %d", w, w),
				SpecificLearningOutcomes: "a) count", KeyInquiryQuestions: "How?", LearningExperiences: fmt.Sprintf("Learners do %d.%d", w, n),
				LearningResources: "Counters", CoreCompetencies: "Communication", Values: "Unity", PCIs: "Safety"}
			if w == 2 && n == 3 {
				l.Kind, l.Strand, l.SubStrand = models.KindBreak, "MID TERM BREAK", ""
			}
			week.Lessons = append(week.Lessons, l)
		}
		sc.Weeks = append(sc.Weeks, week)
	}
	if err := models.CreateScheme(s.primary(t).Session(&gorm.Session{}), sc); err != nil {
		t.Fatalf("creating scheme: %v", err)
	}
	s.waitReplicas(t)
	return sc
}

func TestLessonPlansFromScheme(t *testing.T) {
	s := newTestServer(t)
	teacher := createUser(t, s, models.RoleTeacher, nil)
	other := createUser(t, s, models.RoleTeacher, nil)
	sc := newScheme(t, s, teacher, 2, 3)
	gen := fmt.Sprintf("/api/v1/schemes/%d/generate-lesson-plans", sc.ID)

	// Another teacher's scheme or scheme lesson: 404, nothing made.
	expect(t, s.do(t, other.caller, "POST", gen, map[string]any{}), http.StatusNotFound)
	expect(t, s.do(t, other.caller, "POST", fmt.Sprintf("/api/v1/lesson-plans/from-scheme/%d", sc.Weeks[0].Lessons[0].ID), nil), http.StatusNotFound)
	expect(t, s.do(t, teacher.caller, "POST", "/api/v1/lesson-plans/from-scheme/99999999", nil), http.StatusNotFound)

	// One lesson by hand first: generation then skips it.
	var one planJSON
	expect(t, s.do(t, teacher.caller, "POST", fmt.Sprintf("/api/v1/lesson-plans/from-scheme/%d", sc.Weeks[0].Lessons[1].ID), map[string]any{}), http.StatusCreated).decode(t, &one)
	for k, want := range map[string]any{"learning_area": "Mathematics", "grade": "Grade 4", "roll": "40", "lesson_duration_minutes": 35.0,
		"strand_theme_topic": "1.0 Numbers", "sub_strand_sub_theme_sub_topic": "1.1 Sub-strand 1", "development": "Learners do 1.2",
		"core_competences": "Communication", "date": "2026-05-05", "week_number": 1.0, "lesson_number": 2.0} {
		if !cmp.Equal(one[k], want) {
			t.Errorf("from-scheme %s = %v, want %v", k, one[k], want)
		}
	}
	expect(t, s.do(t, teacher.caller, "POST", fmt.Sprintf("/api/v1/lesson-plans/from-scheme/%d", sc.Weeks[0].Lessons[1].ID), nil), http.StatusConflict)

	var res struct {
		TotalPlans int `json:"total_plans"`
		Skipped    int `json:"skipped"`
	}
	expect(t, s.do(t, teacher.caller, "POST", gen, map[string]any{}), http.StatusOK).decode(t, &res)
	if res.TotalPlans != 4 || res.Skipped != 1 { // 6 rows: 1 had a plan, 1 is the break
		t.Errorf("generated %+v, want 4 made and 1 skipped", res)
	}
	expect(t, s.do(t, teacher.caller, "POST", gen, nil), http.StatusOK).decode(t, &res)
	if res.TotalPlans != 0 || res.Skipped != 5 {
		t.Errorf("generating again: %+v, want nothing made", res)
	}

	// Dates: week 1's three lessons on Monday, Tuesday and Thursday. Week 2
	// has no dates in the scheme and no term is configured: undated.
	got := map[string]any{}
	for _, p := range listPlans(t, s, teacher.caller, "") {
		got[fmt.Sprintf("%v.%v", p["week_number"], p["lesson_number"])] = p["date"]
	}
	want := map[string]any{"1.1": "2026-05-04", "1.2": "2026-05-05", "1.3": "2026-05-07", "2.1": nil, "2.2": nil}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("plan dates by week.lesson (-want +got):\n%s", diff)
	}
}

// TestGenerateStatements: generating from a 1-week and a 6-week scheme runs
// the same number of statements.
func TestGenerateStatements(t *testing.T) {
	s := newTestServer(t)
	teacher := createUser(t, s, models.RoleTeacher, nil)
	small, big := newScheme(t, s, teacher, 2, 1), newScheme(t, s, teacher, 6, 5)
	count := func(id uint64) float64 {
		before := s.statements(t)
		expect(t, s.do(t, teacher.caller, "POST", fmt.Sprintf("/api/v1/schemes/%d/generate-lesson-plans", id), nil), http.StatusOK)
		return s.statements(t) - before
	}
	if n1, n2 := count(small.ID), count(big.ID); n1 != n2 || n1 == 0 {
		t.Errorf("generate: %v statements for 2 lessons, %v for 29", n1, n2)
	}
}

// planPDFText is a PDF's text as poppler's pdftotext reads it, white space
// runs made one space, and its page count.
func planPDFText(t *testing.T, doc []byte) (string, int) {
	t.Helper()
	cmd := exec.Command("pdftotext", "-raw", "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(doc)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext (apt-get install poppler-utils): %v", err)
	}
	pages := strings.Count(strings.TrimRight(string(out), "\f"), "\f") + 1
	return strings.Join(strings.Fields(string(out)), " "), pages
}

// TestLessonPlanPDF downloads as a teacher whose plan includes PDFs (a paid
// one; TestLessonPlanLimits holds the refusals).
func TestLessonPlanPDF(t *testing.T) {
	s := newTestServer(t)
	teacher := createPaidUser(t, s, models.RoleTeacher, nil)
	other := createUser(t, s, models.RoleTeacher, nil)
	p := newPlan(t, s, teacher.caller, map[string]any{"date": "2026-05-04", "lesson_duration_minutes": 40,
		"specific_learning_outcomes": "By the end of the lesson, the learner should be able to:\na. read numbers\nb. write numbers\nc. ",
		"core_competences":           "Communication", "values_to_be_developed": "Unity", "development": "Step 1: <b>count</b> & say"})

	res := expect(t, s.do(t, teacher.caller, "GET", p.path("/pdf"), nil), http.StatusOK)
	if ct, cd := res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"); ct != "application/pdf" || cd != `attachment; filename="LessonPlan_Mathematics_Grade_4_2026-05-04.pdf"` {
		t.Errorf("headers %q %q", ct, cd)
	}
	text, pages := planPDFText(t, res.Body)
	for _, want := range []string{"LESSON PLAN", "Mathematics • Grade 4", "DATE 2026-05-04", "40 min", "User ", "STRAND / THEME Numbers",
		"a) read numbers b) write numbers", "CORE COMPETENCES VALUES TO BE DEVELOPED Communication Unity", "Step 1: <b>count</b> & say",
		"REFLECTION / SELF-EVALUATION"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q:\n%s", want, text)
		}
	}
	if pages != 1 || strings.Contains(text, "c)") {
		t.Errorf("%d pages, text %s", pages, text)
	}
	expect(t, s.do(t, other.caller, "GET", p.path("/pdf"), nil), http.StatusNotFound)

	// Bulk: one PDF, a page per plan, in the order asked, and the name the
	// frontend parses after "filename=".
	q := newPlan(t, s, teacher.caller, map[string]any{"learning_area": "Science"})
	r := newPlan(t, s, teacher.caller, map[string]any{"learning_area": "English"})
	res = expect(t, s.do(t, teacher.caller, "POST", "/api/v1/lesson-plans/bulk-download", []uint64{r.id(), p.id(), q.id()}), http.StatusOK)
	if cd := res.Header.Get("Content-Disposition"); cd != `attachment; filename="LessonPlans_Bulk_3_plans.pdf"` {
		t.Errorf("bulk Content-Disposition %q", cd)
	}
	text, pages = planPDFText(t, res.Body)
	if pages != 3 {
		t.Errorf("bulk PDF has %d pages, want 3", pages)
	}
	if i, j, k := strings.Index(text, "English • Grade 4"), strings.Index(text, "Mathematics • Grade 4"), strings.Index(text, "Science • Grade 4"); !(i >= 0 && i < j && j < k) {
		t.Errorf("plans out of order (%d %d %d): %s", i, j, k, text)
	}
	// Another teacher's id among them: 404, no PDF.
	mine := newPlan(t, s, other.caller, nil)
	expect(t, s.do(t, teacher.caller, "POST", "/api/v1/lesson-plans/bulk-download", []uint64{p.id(), mine.id()}), http.StatusNotFound)

	// Statements: the same for 1 plan and for 3.
	count := func(ids []uint64) float64 {
		before := s.statements(t)
		expect(t, s.do(t, teacher.caller, "POST", "/api/v1/lesson-plans/bulk-download", ids), http.StatusOK)
		return s.statements(t) - before
	}
	if n1, n3 := count([]uint64{p.id()}), count([]uint64{p.id(), q.id(), r.id()}); n1 != n3 || n1 == 0 {
		t.Errorf("bulk download: %v statements for 1 plan, %v for 3", n1, n3)
	}
}
