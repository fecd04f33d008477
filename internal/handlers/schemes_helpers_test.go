package handlers_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// curriculumFile is a CBC curriculum JSON of the project's shared reference
// material: TEACHTRACK_CURRICULUM_DIR, else shared/teachtrack/curriculum
// beside the repository (or beside any folder above it).
func curriculumFile(t *testing.T, rel string) string {
	t.Helper()
	if dir := os.Getenv("TEACHTRACK_CURRICULUM_DIR"); dir != "" {
		return filepath.Join(dir, rel)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		p := filepath.Join(dir, "shared", "teachtrack", "curriculum", rel)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		if filepath.Dir(dir) == dir {
			t.Fatalf("no shared/teachtrack/curriculum/%s above %s; set TEACHTRACK_CURRICULUM_DIR", rel, wd)
		}
	}
}

// cbcSubStrand is one sub-strand of a curriculum file, as the tests read it.
type cbcSubStrand struct {
	ID          string   `json:"subStrandId"`
	Title       string   `json:"subStrandTitle"`
	Outcomes    []string `json:"specificLearningOutcomes"`
	Experiences []string `json:"suggestedLearningExperiences"`
	Questions   []string `json:"keyInquiryQuestions"`
	Lessons     int      `json:"numberOfLessons"`
}

type cbcFile struct {
	Grade   string `json:"grade"`
	Subject string `json:"subject"`
	Strands []struct {
		ID         string         `json:"strandId"`
		Title      string         `json:"strandTitle"`
		SubStrands []cbcSubStrand `json:"subStrands"`
	} `json:"strands"`
}

// expectedRow is one curriculum lesson as a generated scheme must show it.
type expectedRow struct{ Strand, SubStrand string }

// grade4Maths creates the caller's Grade 4 Mathematics subject from the CBC
// curriculum file (every sub-strand with its lesson count, outcomes,
// experiences and questions, as the curriculum import makes it) and returns
// its id and the curriculum's lessons in order.
func grade4Maths(t *testing.T, s *testServer, c caller) (uint64, []expectedRow) {
	t.Helper()
	data, err := os.ReadFile(curriculumFile(t, "G4/grade-4-mathematics.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f cbcFile
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	var rows []expectedRow
	strands := []map[string]any{}
	for _, st := range f.Strands {
		subs := []map[string]any{}
		for _, ss := range st.SubStrands {
			subs = append(subs, map[string]any{"substrand_code": ss.ID, "substrand_name": ss.Title, "lessons_count": ss.Lessons,
				"specific_learning_outcomes": ss.Outcomes, "suggested_learning_experiences": ss.Experiences,
				"key_inquiry_questions": strings.Join(ss.Questions, "\n")})
			for range max(ss.Lessons, 1) {
				rows = append(rows, expectedRow{st.ID + " " + st.Title, ss.ID + " " + ss.Title})
			}
		}
		strands = append(strands, map[string]any{"strand_code": st.ID, "strand_name": st.Title, "sub_strands": subs})
	}
	sub := newSubject(t, s, c, f.Subject, f.Grade, strands)
	return sub.ID, rows
}

// pdfText is a PDF's text as poppler's pdftotext reads it in drawing order,
// white space runs made single spaces (make test installs poppler-utils).
func pdfText(t *testing.T, doc []byte) string {
	t.Helper()
	cmd := exec.Command("pdftotext", "-raw", "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(doc)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("pdftotext (apt-get install poppler-utils): %v %s", err, stderr.String())
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// Shapes of the answers, as the tests read them.
type schemeLessonJSON struct {
	ID                       uint64  `json:"id"`
	WeekID                   uint64  `json:"week_id"`
	LessonNumber             int     `json:"lesson_number"`
	Kind                     string  `json:"kind"`
	SubStrandID              *uint64 `json:"sub_strand_id"`
	Strand                   string  `json:"strand"`
	SubStrand                string  `json:"sub_strand"`
	SpecificLearningOutcomes string  `json:"specific_learning_outcomes"`
	KeyInquiryQuestions      string  `json:"key_inquiry_questions"`
	LearningExperiences      string  `json:"learning_experiences"`
	LearningResources        string  `json:"learning_resources"`
	AssessmentMethods        string  `json:"assessment_methods"`
	Reflection               string  `json:"reflection"`
}

type schemeWeekJSON struct {
	ID         uint64             `json:"id"`
	WeekNumber int                `json:"week_number"`
	StartDate  *string            `json:"start_date"`
	EndDate    *string            `json:"end_date"`
	Lessons    []schemeLessonJSON `json:"lessons"`
}

type schemeJSON struct {
	ID           uint64           `json:"id"`
	UserID       uint64           `json:"user_id"`
	SubjectID    *uint64          `json:"subject_id"`
	Subject      string           `json:"subject"`
	Grade        string           `json:"grade"`
	Term         string           `json:"term"`
	Year         int              `json:"year"`
	Status       string           `json:"status"`
	TotalWeeks   int              `json:"total_weeks"`
	TotalLessons int              `json:"total_lessons"`
	IsArchived   bool             `json:"is_archived"`
	IsPublic     bool             `json:"is_public"`
	ShareURL     *string          `json:"share_url"`
	Weeks        []schemeWeekJSON `json:"weeks"`
}

// generate makes a scheme from subject through POST /schemes/generate.
func generate(t *testing.T, s *testServer, c caller, subject uint64, weeks int, extra map[string]any) schemeJSON {
	t.Helper()
	body := map[string]any{"subject_id": subject, "teacher_name": "Wanjiru Kamau", "school": "Moi Avenue Primary",
		"term": "Term 2", "year": 2026, "subject": "Mathematics", "grade": "Grade 4", "stream": "", "roll": "",
		"lesson_duration_minutes": 35, "total_weeks": weeks, "lessons_per_week": 5, "include_special_weeks": false, "default_textbook": ""}
	for k, v := range extra {
		body[k] = v
	}
	var out schemeJSON
	expect(t, s.do(t, c, "POST", "/api/v1/schemes/generate", body), 201).decode(t, &out)
	return out
}

func urlf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
