package pdf

import (
	"fmt"
	"strings"
	"time"
)

// LessonPlan is a lesson plan as it prints.
type LessonPlan struct {
	School, Teacher, LearningArea, Grade string
	Date, Time, Roll                     string
	DurationMinutes                      *int
	Strand, SubStrand                    string
	Outcomes, Questions                  string
	Competences, Values                  string
	PCIs, Resources                      string
	Introduction, Development            string
	Conclusion, Summary, Reflection      string
}

// RenderLessonPlans draws plans on portrait A4, each starting on a new page:
// a title block (school, "LESSON PLAN", learning area and grade), a
// DATE/TIME/DURATION/ROLL/GRADE/TEACHER grid, then bordered sections:
// strand, sub-strand, the outcomes lettered, inquiry questions,
// competences beside values, PCIs beside resources, the lesson's
// introduction, development, conclusion and summary, and a reflection box
// that is always there (ruled lines when the teacher hasn't written one).
func RenderLessonPlans(title string, created time.Time, plans []LessonPlan) ([]byte, error) {
	if len(plans) == 0 {
		return nil, fmt.Errorf("no lesson plans to render")
	}
	d := New(Options{Orientation: Portrait, Title: title, Created: created})
	for i, p := range plans {
		if i > 0 {
			d.PageBreak()
		}
		d.lessonPlan(p)
	}
	return d.Bytes()
}

func (d *Document) lessonPlan(p LessonPlan) {
	if s := strings.TrimSpace(p.School); s != "" {
		d.Heading(strings.ToUpper(s), 11)
	}
	d.Heading("LESSON PLAN", 16)
	d.Heading(p.LearningArea+" \u2022 "+p.Grade, 11)
	d.Space(1)
	d.Rule()
	duration := "Not set"
	if p.DurationMinutes != nil {
		duration = fmt.Sprintf("%d min", *p.DurationMinutes)
	}
	d.InfoGrid([]Field{{"Date", p.Date}, {"Time", p.Time}, {"Duration", duration},
		{"Roll", p.Roll}, {"Grade", p.Grade}, {"Teacher", p.Teacher}}, 3)
	d.Section("STRAND / THEME", p.Strand)
	d.Section("SUB-STRAND / SUB-THEME", p.SubStrand)
	d.Section("SPECIFIC LEARNING OUTCOMES", LetteredOutcomes(p.Outcomes))
	d.Section("KEY INQUIRY QUESTIONS", p.Questions)
	d.Table(Table{Columns: []Column{{"CORE COMPETENCES", 1}, {"VALUES TO BE DEVELOPED", 1}},
		Rows: [][]string{{orDash(p.Competences), orDash(p.Values)}}, FontSize: 9})
	d.Table(Table{Columns: []Column{{"PCIs TO BE ADDRESSED", 1}, {"LEARNING RESOURCES", 1}},
		Rows: [][]string{{orDash(p.PCIs), orDash(p.Resources)}}, FontSize: 9})
	d.Section("INTRODUCTION", p.Introduction)
	d.Section("DEVELOPMENT (LESSON STEPS)", p.Development)
	d.Section("CONCLUSION", p.Conclusion)
	d.Section("SUMMARY", p.Summary)
	if strings.TrimSpace(p.Reflection) != "" {
		d.Section("REFLECTION / SELF-EVALUATION", p.Reflection)
		return
	}
	d.writingBox("REFLECTION / SELF-EVALUATION", 30)
}

// writingBox draws a titled empty box h mm high, to be written in by hand.
func (d *Document) writingBox(title string, h float64) {
	const size = 9.0
	lh := size * 0.42
	d.ensure(lh + 2*cellPad + h + 2)
	d.f.SetFont(family, "B", size)
	d.band([][]string{{title}}, []float64{d.width()}, lh, true, false, 1)
	y := d.f.GetY()
	d.f.Rect(margin, y, d.width(), h, "D")
	d.f.SetXY(margin, y+h)
	d.f.Ln(2)
}

// LetteredOutcomes lists outcomes as "a) …", one a line. A line ending in a
// colon ("By the end of the lesson, the learner should be able to:") is kept
// as it is; a line the teacher already lettered or bulleted is lettered
// afresh, so the letters always run a), b), c).
func LetteredOutcomes(text string) string {
	var out []string
	n := 0
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if strings.HasSuffix(line, ":") && n == 0 {
			out = append(out, line)
			continue
		}
		item := stripMarker(line)
		if item == "" {
			continue // an empty "b. " the create form leaves
		}
		out = append(out, fmt.Sprintf("%c) %s", 'a'+rune(n%26), item))
		n++
	}
	return strings.Join(out, "\n")
}

// stripMarker removes a list marker: "a)", "a.", "(a)", "1.", "1)", "-", "•", "*".
func stripMarker(s string) string {
	s = strings.TrimLeft(s, "-•* \t")
	if i := strings.IndexAny(s, ")."); i > 0 && i <= 3 && (i+1 == len(s) || s[i+1] == ' ') {
		head := strings.ToLower(strings.Trim(s[:i], "( "))
		if len(head) == 1 && head[0] >= 'a' && head[0] <= 'z' || isDigits(head) {
			s = s[i+1:]
		}
	}
	return strings.TrimSpace(s)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
