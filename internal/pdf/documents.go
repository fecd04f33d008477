package pdf

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Scheme is a scheme of work as it prints.
type Scheme struct {
	School, Teacher, Subject, Grade, Term, Stream string
	Year, TotalWeeks, TotalLessons                int
	Created                                       time.Time
	Weeks                                         []SchemeWeek
}

// SchemeWeek is one week of a printed scheme.
type SchemeWeek struct {
	Number     int
	Start, End *time.Time
	Lessons    []SchemeLesson
}

// SchemeLesson is one row of a printed scheme.
type SchemeLesson struct {
	Number                                                    int
	Filler                                                    bool // a break, opening, assessment or revision row
	Strand, SubStrand, Outcomes, Questions, Experiences       string
	Resources, Textbook, GuidePages, LearnerPages, Assessment string
	Reflection                                                string
}

// schemeColumns are the columns a Kenyan scheme of work has, with the
// widths in cm (relative) of the original's layout, adjusted so that
// headers and week dates don't break mid-word.
var schemeColumns = []Column{
	{"WK", 1.4}, {"LSN", 1.1}, {"STRAND", 2.2}, {"SUB-STRAND", 2.6},
	{"SPECIFIC LEARNING OUTCOMES", 5.3}, {"KEY INQUIRY QUESTION(S)", 3.3},
	{"LEARNING EXPERIENCES", 5.4}, {"LEARNING RESOURCES", 3.1},
	{"ASSESSMENT", 2.7}, {"REFLECTION", 2.5},
}

// RenderScheme draws s on landscape A4: a title block with school, teacher,
// subject, grade, term and year, then one table row per lesson whose header
// repeats on every page.
func RenderScheme(s Scheme) ([]byte, error) {
	title := fmt.Sprintf("Scheme of Work - %s %s, %s %d", s.Subject, s.Grade, s.Term, s.Year)
	d := New(Options{Orientation: Landscape, Title: title, Created: s.Created})
	d.Heading("SCHEME OF WORK", 16)
	d.Heading(strings.TrimSpace(s.Subject+" - "+s.Grade+" "+s.Stream), 11)
	d.Space(1)
	d.Rule()
	d.InfoGrid([]Field{
		{"School", s.School}, {"Teacher", s.Teacher}, {"Learning area", s.Subject},
		{"Grade", strings.TrimSpace(s.Grade + " " + s.Stream)}, {"Term", s.Term}, {"Year", strconv.Itoa(s.Year)},
		{"Weeks", strconv.Itoa(s.TotalWeeks)}, {"Lessons", strconv.Itoa(s.TotalLessons)},
	}, 4)
	var rows [][]string
	var fill []bool
	for _, w := range s.Weeks {
		for i, l := range w.Lessons {
			week := ""
			if i == 0 {
				week = strconv.Itoa(w.Number)
				if w.Start != nil && w.End != nil {
					week += "\n" + w.Start.Format("2 Jan") + " -\n" + w.End.Format("2 Jan")
				}
			}
			resources := l.Resources
			if l.Textbook != "" {
				resources += "\nTextbook: " + l.Textbook
				if l.GuidePages != "" {
					resources += "\nTG: " + l.GuidePages
				}
				if l.LearnerPages != "" {
					resources += "\nLB: " + l.LearnerPages
				}
			}
			rows = append(rows, []string{week, strconv.Itoa(l.Number), l.Strand, l.SubStrand, l.Outcomes,
				l.Questions, l.Experiences, resources, l.Assessment, l.Reflection})
			fill = append(fill, l.Filler)
		}
	}
	d.Table(Table{Columns: schemeColumns, Rows: rows, FontSize: 7.5, Shade: func(r int) bool { return fill[r] }})
	return d.Bytes()
}

// Record is a record of work as it prints.
type Record struct {
	School, Teacher, LearningArea, Grade, Term string
	Year                                       int
	Created                                    time.Time
	Entries                                    []RecordEntry
}

// RecordEntry is one week of a printed record of work.
type RecordEntry struct {
	Week                                                   int
	Strand, Topic, Outcomes, Reflection, Signature, Status string
	Taught                                                 *time.Time
}

// RenderRecord draws r on landscape A4, one row per week.
func RenderRecord(r Record) ([]byte, error) {
	title := fmt.Sprintf("Record of Work - %s %s, %s %d", r.LearningArea, r.Grade, r.Term, r.Year)
	d := New(Options{Orientation: Landscape, Title: title, Created: r.Created})
	d.Heading("RECORD OF WORK COVERED", 16)
	d.Space(1)
	d.Rule()
	d.InfoGrid([]Field{{"School", r.School}, {"Teacher", r.Teacher}, {"Learning area", r.LearningArea},
		{"Grade", r.Grade}, {"Term", r.Term}, {"Year", strconv.Itoa(r.Year)}}, 6)
	rows := make([][]string, len(r.Entries))
	for i, e := range r.Entries {
		taught := ""
		if e.Taught != nil {
			taught = e.Taught.Format("2 Jan 2006")
		}
		rows[i] = []string{strconv.Itoa(e.Week), e.Strand, e.Topic, e.Outcomes, e.Status, taught, e.Reflection, e.Signature}
	}
	d.Table(Table{Columns: []Column{{"WK", 1}, {"STRAND", 3}, {"SUB-STRAND / TOPIC", 3.5}, {"WORK COVERED", 8},
		{"STATUS", 1.6}, {"DATE", 2}, {"REFLECTION", 4}, {"SIGN", 1.8}}, Rows: rows, FontSize: 8})
	return d.Bytes()
}
