package pdf_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/teachtrack/api/internal/pdf"
)

// Text returns the text of a PDF as poppler's pdftotext reads it in drawing
// order (-raw: a table cell's lines stay together), one string per page
// (make test installs poppler-utils when it is missing).
func Text(t *testing.T, doc []byte) []string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatalf("pdftotext is needed (apt-get install poppler-utils; make test installs it): %v", err)
	}
	cmd := exec.Command("pdftotext", "-raw", "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(doc)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("pdftotext: %v %s", err, stderr.String())
	}
	return strings.Split(strings.TrimRight(string(out), "\f"), "\f")
}

// flat is pages' text with every run of white space made one space, so
// text a cell wrapped reads as one line.
func flat(pages []string) string { return strings.Join(strings.Fields(strings.Join(pages, " ")), " ") }

func sampleScheme(weeks, perWeek int) pdf.Scheme {
	start := time.Date(2026, 4, 27, 0, 0, 0, 0, time.UTC)
	s := pdf.Scheme{School: "Moi Avenue Primary", Teacher: "Wanjiru Kamau", Subject: "Mathematics", Grade: "Grade 4",
		Term: "Term 2", Year: 2026, TotalWeeks: weeks, TotalLessons: weeks * perWeek, Created: start}
	for w := 1; w <= weeks; w++ {
		ws := start.AddDate(0, 0, 7*(w-1))
		we := ws.AddDate(0, 0, 4)
		week := pdf.SchemeWeek{Number: w, Start: &ws, End: &we}
		for l := 1; l <= perWeek; l++ {
			week.Lessons = append(week.Lessons, pdf.SchemeLesson{Number: l, Strand: "1.0 Numbers",
				SubStrand: fmt.Sprintf("Row W%dL%d", w, l),
				Outcomes:  "By the end of the sub-strand, the learner should be able to:\na) read numbers\nb) write numbers",
				Questions: "1. Why count?", Experiences: "- in groups count objects\n- share with others",
				Resources: "Curriculum designs, Textbooks", Assessment: "Observation, Oral questions"})
		}
		s.Weeks = append(s.Weeks, week)
	}
	return s
}

func TestSchemeTextRowsAndRepeatedHeader(t *testing.T) {
	s := sampleScheme(14, 5)
	// User text that would be markup elsewhere prints as typed.
	s.Weeks[0].Lessons[0].Reflection = `<b>bold?</b> & <font color="red">`
	s.Weeks[0].Lessons[1].Strand = "Hesabu: ñ, é, ü, “quotes”, 5 × 3 ≠ 14"
	doc, err := pdf.RenderScheme(s)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(doc, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", doc[:min(len(doc), 16)])
	}
	pages := Text(t, doc)
	if len(pages) < 3 {
		t.Fatalf("70 lessons on %d pages; want them spread over several", len(pages))
	}
	all := flat(pages)
	for _, want := range []string{"SCHEME OF WORK", "Moi Avenue Primary", "Wanjiru Kamau", "Mathematics", "Grade 4", "Term 2", "2026",
		"Hesabu: ñ, é, ü, “quotes”, 5 × 3 ≠ 14", "bold?", "27 Apr", "31 Jul"} {
		if !strings.Contains(all, want) {
			t.Errorf("the PDF's text lacks %q", want)
		}
	}
	if !strings.Contains(all, `<b>bold?</b> & <font color="red">`) {
		t.Errorf("markup-like text was not printed as typed")
	}
	for w := 1; w <= 14; w++ {
		for l := 1; l <= 5; l++ {
			if !strings.Contains(all, fmt.Sprintf("Row W%dL%d", w, l)) {
				t.Errorf("row of week %d lesson %d missing", w, l)
			}
		}
	}
	for i, p := range pages {
		if p := flat([]string{p}); !strings.Contains(p, "SPECIFIC LEARNING OUTCOMES") || !strings.Contains(p, "SUB-STRAND") {
			t.Errorf("page %d lacks the table header", i+1)
		}
		if !strings.Contains(p, fmt.Sprintf("Page %d of %d", i+1, len(pages))) {
			t.Errorf("page %d lacks its page number", i+1)
		}
	}
	// Reproducible: the same scheme gives the same bytes.
	again, err := pdf.RenderScheme(s)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(doc, again) {
		t.Errorf("two renderings of one scheme differ")
	}
	if dir := os.Getenv("PDF_SAMPLE_DIR"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, "scheme-sample.pdf"), doc, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLongCellContinuesOnNextPage(t *testing.T) {
	s := sampleScheme(1, 1)
	var b strings.Builder
	for i := 1; i <= 120; i++ {
		fmt.Fprintf(&b, "experience line %d\n", i)
	}
	s.Weeks[0].Lessons[0].Experiences = b.String()
	doc, err := pdf.RenderScheme(s)
	if err != nil {
		t.Fatal(err)
	}
	pages := Text(t, doc)
	if len(pages) < 2 {
		t.Fatalf("a 120-line cell fit on %d page", len(pages))
	}
	all := flat(pages) + " "
	for i := 1; i <= 120; i++ {
		if !strings.Contains(all, fmt.Sprintf("experience line %d ", i)) {
			t.Fatalf("line %d of the long cell is lost", i)
		}
	}
	if !strings.Contains(pages[1], "LEARNING EXPERIENCES") {
		t.Errorf("the continuation page lacks the header")
	}
}

func TestRecordText(t *testing.T) {
	taught := time.Date(2026, 5, 5, 9, 0, 0, 0, time.UTC)
	doc, err := pdf.RenderRecord(pdf.Record{School: "Moi Avenue Primary", Teacher: "Wanjiru Kamau", LearningArea: "Mathematics",
		Grade: "Grade 4", Term: "Term 2", Year: 2026, Entries: []pdf.RecordEntry{
			{Week: 1, Strand: "1.0 Numbers", Topic: "1.1 Whole Numbers", Outcomes: "read numbers", Status: "taught", Taught: &taught, Signature: "WK"},
			{Week: 2, Strand: "1.0 Numbers", Topic: "1.2 Addition", Status: "pending"},
		}})
	if err != nil {
		t.Fatal(err)
	}
	all := flat(Text(t, doc))
	for _, want := range []string{"RECORD OF WORK COVERED", "Wanjiru Kamau", "1.1 Whole Numbers", "1.2 Addition", "5 May 2026", "taught", "pending"} {
		if !strings.Contains(all, want) {
			t.Errorf("the record's text lacks %q", want)
		}
	}
}
