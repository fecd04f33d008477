package curriculum

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/teachtrack/api/internal/models"
)

func parseFixture(t *testing.T, name string) *models.CurriculumTemplate {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := Parse(data)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return tpl
}

// shape is a template reduced to what the tests compare.
type shape struct {
	Subject, Grade, Level string
	Strands               []string // "number name: sub-number name ×lessons, …"
}

func shapeOf(t *models.CurriculumTemplate) shape {
	s := shape{Subject: t.Subject, Grade: t.Grade, Level: t.EducationLevel}
	for i, st := range t.Strands {
		if st.SequenceOrder != i+1 {
			panic("strand sequence_order out of step")
		}
		var subs []string
		for k, ss := range st.Substrands {
			if ss.SequenceOrder != k+1 {
				panic("sub-strand sequence_order out of step")
			}
			subs = append(subs, ss.SubstrandNumber+" "+ss.SubstrandName+" ×"+itoa(ss.NumberOfLessons))
		}
		s.Strands = append(s.Strands, st.StrandNumber+" "+st.StrandName+": "+strings.Join(subs, ", "))
	}
	return s
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func extraKeys(o models.JSONObject) []string {
	var ks []string
	for k := range o {
		ks = append(ks, k)
	}
	return ks
}

func TestParseDialects(t *testing.T) {
	tests := []struct {
		file string
		want shape
	}{
		{"title-dialect.json", shape{"Religious Education (CRE)", "Grade 2", "Lower Primary",
			[]string{"1.0 Creation: 1.1 Self-awareness ×3, 1.2 Family ×2"}}},
		// Upper-case subject and grade normalised; strands and sub-strands in
		// numeric order (1.10 after 1.2, strand 1.0 before 2.0).
		{"number-dialect.json", shape{"Agriculture and Nutrition", "Grade 9", "Junior Secondary",
			[]string{"1.0 Soils: 1.1 Soil one ×3, 1.2 Soil two ×2, 1.10 Soil ten ×1", "2.0 Livestock: 2.1 Poultry ×4"}}},
		{"snake-dialect.json", shape{"Mathematics", "Grade 7", "Junior Secondary",
			[]string{"1.0 Numbers: 1.1 Whole numbers ×5, 1.2 Factors ×4"}}},
		{"three-level.json", shape{"Kiswahili", "Grade 8", "Junior Secondary",
			[]string{"1.0 Usikilizaji na Uzungumzaji: 1.1.1 Matamshi Bora ×4, 1.1.2 Vitate ×2"}}},
		{"no-lessons.json", shape{"Creative Arts Activities", "Grade 1", "Lower Primary",
			[]string{"1.0 Creating: 1.1 Drawing ×1, 1.2 Painting ×1"}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, shapeOf(parseFixture(t, tt.file))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// Nothing in a file is dropped: every field without a column of its own is
// in the row's extra, and the columns take every spelling of their field.
func TestParseKeepsEverything(t *testing.T) {
	title := parseFixture(t, "title-dialect.json")
	ss := title.Strands[0].Substrands[0]
	if diff := cmp.Diff(models.StringList{"Self-esteem"}, ss.PCIs); diff != "" {
		t.Errorf("pertinentAndContemporaryIssues → pcis (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(models.StringList{"English Activities"}, ss.LinksToOtherSubjects); diff != "" {
		t.Errorf("linkToOtherSubjects (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(models.StringList{"Environmental Activities"}, title.Strands[0].Substrands[1].LinksToOtherSubjects); diff != "" {
		t.Errorf("linksToOtherSubjects (-want +got):\n%s", diff)
	}
	if got := string(title.Extra["grade"]); got != "2" {
		t.Errorf("the integer grade is kept in extra: %q", got)
	}

	num := parseFixture(t, "number-dialect.json")
	if got := string(num.Extra["subject"]); got != `"AGRICULTURE AND NUTRITION"` {
		t.Errorf("the file's own subject spelling: extra.subject = %s", got)
	}
	if got := string(num.Extra["educationLevel"]); got != `"Junior Secondary"` {
		t.Errorf("extra.educationLevel = %s", got)
	}
	rubric := num.Strands[0].Substrands[1].Extra["assessmentRubric"]
	if !strings.Contains(string(rubric), "explains fully") {
		t.Errorf("assessmentRubric kept in extra: %s (extra keys %v)", rubric, extraKeys(num.Strands[0].Substrands[1].Extra))
	}

	snake := parseFixture(t, "snake-dialect.json")
	whole := snake.Strands[0].Substrands[0]
	if diff := cmp.Diff(models.StringList{"Social Studies"}, whole.LinksToOtherSubjects); diff != "" {
		t.Errorf("link_to_other_subjects (-want +got):\n%s", diff)
	}
	if !strings.Contains(string(whole.Extra["topics"]), "rounding off") {
		t.Errorf("topics kept in extra: %v", extraKeys(whole.Extra))
	}
	factors := snake.Strands[0].Substrands[1]
	if diff := cmp.Diff(models.StringList{"find factors"}, factors.SpecificLearningOutcomes); diff != "" {
		t.Errorf("camelCase in a snake_case file (-want +got):\n%s", diff)
	}
	if !strings.Contains(string(factors.Extra["specific_learning_outcomes"]), "second spelling") {
		t.Errorf("a second spelling of a field is kept in extra: %v", extraKeys(factors.Extra))
	}
	if string(snake.Extra["totalNumberOfLessons"]) != "9" {
		t.Errorf("totalNumberOfLessons kept in extra: %v", extraKeys(snake.Extra))
	}

	three := parseFixture(t, "three-level.json")
	row := three.Strands[0].Substrands[0]
	var parent map[string]any
	if err := json.Unmarshal(row.Extra["parentSubStrand"], &parent); err != nil || parent["subStrandNumber"] != "1.1" || parent["subStrandName"] != "Kusikiliza kwa Makini" {
		t.Errorf("parentSubStrand = %s (%v)", row.Extra["parentSubStrand"], err)
	}
	if diff := cmp.Diff(models.StringList{"English"}, row.LinksToOtherSubjects); diff != "" {
		t.Errorf("sub-sub-strand lists (-want +got):\n%s", diff)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ name, data, want string }{
		{"not JSON", `{"subject":`, "not a curriculum"},
		{"an array", `[]`, "not a curriculum"},
		{"no subject", `{"grade":"Grade 1","strands":[]}`, "no subject"},
		{"no grade", `{"subject":"Maths","strands":[]}`, "no grade"},
		{"no strands", `{"subject":"Maths","grade":"Grade 1"}`, "no \"strands\""},
		{"strands not a list", `{"subject":"Maths","grade":"Grade 1","strands":{}}`, "not a list"},
		{"strand without a name", `{"subject":"Maths","grade":"Grade 1","strands":[{"strandNumber":"1.0"}]}`, "strand 1 (1.0) has no name"},
		{"bad lesson count", `{"subject":"Maths","grade":"Grade 1","strands":[{"strandName":"A","subStrands":[{"subStrandName":"B","numberOfLessons":-1}]}]}`, "whole number"},
		{"grade too long", `{"subject":"Maths","grade":"Form Four Special","strands":[]}`, "too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse: %v, want an error saying %q", err, tt.want)
			}
		})
	}
}

func TestNormalizeGrade(t *testing.T) {
	for in, want := range map[string]string{
		"Grade 9": "Grade 9", "GRADE 9": "Grade 9", "grade9": "Grade 9", "9": "Grade 9", " Grade  10 ": "Grade 10",
		"pp1": "PP1", "PP 2": "PP2", "Form 4": "Form 4", "Grade 13": "Grade 13",
	} {
		if got := models.NormalizeGrade(in); got != want {
			t.Errorf("NormalizeGrade(%q) = %q, want %q", in, got, want)
		}
	}
}

// curriculumDir is the 72 CBC files: TEST_CURRICULUM_DIR, else
// ../shared/teachtrack/curriculum beside the repository. Absent, the test
// fails: the catalogue's counts are part of what this package promises.
func curriculumDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("TEST_CURRICULUM_DIR"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for ; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		if filepath.Dir(dir) == dir {
			t.Fatal("no go.mod above the test's directory")
		}
	}
	d := filepath.Join(dir, "..", "shared", "teachtrack", "curriculum")
	if _, err := os.Stat(d); err != nil {
		t.Fatalf("the CBC curriculum files are needed: %v (set TEST_CURRICULUM_DIR)", err)
	}
	return d
}

// The whole catalogue parses, with the counts of the original's importer
// rules after de-duplication (first file in sorted order wins).
func TestParseCatalogueCounts(t *testing.T) {
	files, names, err := Files([]string{curriculumDir(t)})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 72 {
		t.Fatalf("%d files, want 72", len(files))
	}
	seen := map[string]string{}
	var templates, strands, subs, lessons int
	var dups []string
	for i, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		tpl, err := Parse(data)
		if err != nil {
			t.Fatalf("%s: %v", names[i], err)
		}
		if !strings.HasPrefix(tpl.Grade, "Grade ") || tpl.EducationLevel == "" {
			t.Errorf("%s: grade %q, level %q", names[i], tpl.Grade, tpl.EducationLevel)
		}
		key := strings.ToLower(tpl.Subject) + "|" + tpl.Grade
		if first, ok := seen[key]; ok {
			dups = append(dups, names[i]+" = "+first)
			continue
		}
		seen[key] = names[i]
		s, ss, l := tpl.Totals()
		templates, strands, subs, lessons = templates+1, strands+s, subs+ss, lessons+l
	}
	if diff := cmp.Diff([4]int{68, 415, 1778, 8435}, [4]int{templates, strands, subs, lessons}); diff != "" {
		t.Errorf("templates, strands, sub-strands, lessons (-want +got):\n%s", diff)
	}
	want := []string{
		"G1/grade-1-creative-arts.json = G1/grade-1-creative-activities.json",
		"G2/grade-2-creative-arts.json = G2/grade-2-creative-activities.json",
		"G3/grade-3-creative-arts.json = G3/grade-3-creative-activities.json",
		"G9/grade 9 social studies_clean.json = G9/grade 9 social studies.json",
	}
	if diff := cmp.Diff(want, dups); diff != "" {
		t.Errorf("duplicates (-want +got):\n%s", diff)
	}
}
