package models

import (
	"fmt"
	"strings"
	"time"
)

// Kinds of scheme lesson rows. Only KindLesson carries curriculum; the others
// are what generation adds around it.
const (
	KindLesson     = "lesson"
	KindOpening    = "opening"
	KindAssessment = "assessment"
	KindClosing    = "closing"
	KindBreak      = "break"
	KindRevision   = "revision"
)

// SchemeKinds are the kinds a scheme lesson may have.
var SchemeKinds = []string{KindLesson, KindOpening, KindAssessment, KindClosing, KindBreak, KindRevision}

// SchemeTermDates are one term's dates, as the school calendar gives them.
type SchemeTermDates struct {
	Start, End           time.Time
	BreakStart, BreakEnd *time.Time // the mid-term break, both or neither
}

// CurriculumUnit is one sub-strand of a subject's curriculum, in curriculum
// order, with what a scheme row shows of it.
type CurriculumUnit struct {
	SubStrandID      uint64
	Strand           string // e.g. "1.0 Numbers"
	SubStrand        string // e.g. "1.1 Whole Numbers"
	Lessons          int    // how many lessons it takes (at least 1 is used)
	Outcomes         []string
	InquiryQuestions []string
	Experiences      []string
	Competencies     []string
	Values           []string
	PCIs             []string
	Links            []string
	TextbookName     string
}

// GenerateInput is everything generation depends on: the same input always
// gives the same weeks and lessons.
type GenerateInput struct {
	Term                *SchemeTermDates // nil: dates unknown (weeks carry none)
	TermNumber          int              // 1..3: where in the year's curriculum the term starts
	TotalWeeks          int              // 0: every week of the term (needs Term)
	LessonsPerWeek      int
	IncludeSpecialWeeks bool
	DefaultTextbook     string
	Units               []CurriculumUnit
}

// GeneratedWeek is one week of a generated scheme.
type GeneratedWeek struct {
	WeekNumber int
	StartDate  *time.Time
	EndDate    *time.Time
	Lessons    []SchemeLesson
}

// Bounds of generation, so one request's rows stay bounded.
const (
	MaxSchemeWeeks      = 20
	MaxLessonsPerWeek   = 40
	schoolDaysPerWeek   = 5
	outcomesLead        = "By the end of the sub-strand, the learner should be able to:"
	termTwoStartNum     = 13 // of 36 teaching weeks in the Kenyan school year:
	termThreeStartNum   = 27 // terms 2 and 3 begin this far into the curriculum
	teachingWeeksInYear = 36
)

// TermWeeks is how many school weeks (Monday to Friday) term spans.
func TermWeeks(t SchemeTermDates) int {
	first := monday(t.Start)
	n := int(t.End.Sub(first).Hours()/24)/7 + 1
	return max(n, 1)
}

// GenerateScheme lays the curriculum out over the term's weeks. It is a pure
// function of in: curriculum order is kept; week 1 (and the last two weeks)
// are opening (assessment, closing) weeks when asked; a week wholly inside
// the mid-term break is one break row, and a lesson whose school day falls in
// the break is a break row that uses no curriculum; when the curriculum runs
// out the remaining lessons are revision. Terms 2 and 3 start part-way into a
// whole-year curriculum, in proportion to the teaching weeks before them.
func GenerateScheme(in GenerateInput) ([]GeneratedWeek, error) {
	weeks := in.TotalWeeks
	if weeks == 0 && in.Term != nil {
		weeks = TermWeeks(*in.Term)
	}
	switch {
	case weeks < 1 || weeks > MaxSchemeWeeks:
		return nil, Invalid("total_weeks", fmt.Sprintf("must be from 1 to %d", MaxSchemeWeeks))
	case in.LessonsPerWeek < 1 || in.LessonsPerWeek > MaxLessonsPerWeek:
		return nil, Invalid("lessons_per_week", fmt.Sprintf("must be from 1 to %d", MaxLessonsPerWeek))
	}
	flat := flatten(in.Units, in.DefaultTextbook)
	next := 0
	switch in.TermNumber {
	case 2:
		next = len(flat) * termTwoStartNum / teachingWeeksInYear
	case 3:
		next = len(flat) * termThreeStartNum / teachingWeeksInYear
	}
	out := make([]GeneratedWeek, 0, weeks)
	for w := 1; w <= weeks; w++ {
		gw := GeneratedWeek{WeekNumber: w}
		var days [schoolDaysPerWeek]time.Time
		if in.Term != nil {
			start := monday(in.Term.Start).AddDate(0, 0, 7*(w-1))
			for d := range days {
				days[d] = start.AddDate(0, 0, d)
			}
			first, last := start, days[schoolDaysPerWeek-1]
			if ts := dateOnly(in.Term.Start); first.Before(ts) {
				first = ts
			}
			gw.StartDate, gw.EndDate = &first, &last
		}
		special := ""
		if in.IncludeSpecialWeeks {
			switch {
			case w == 1:
				special = KindOpening
			case w == weeks && weeks > 1:
				special = KindClosing
			case w == weeks-1 && weeks > 2:
				special = KindAssessment
			}
		}
		switch {
		case special != "":
			for n := 1; n <= in.LessonsPerWeek; n++ {
				gw.Lessons = append(gw.Lessons, filler(special, n))
			}
		case in.Term != nil && inBreak(in.Term, days[0]) && inBreak(in.Term, days[schoolDaysPerWeek-1]):
			gw.Lessons = append(gw.Lessons, filler(KindBreak, 1))
		default:
			for n := 1; n <= in.LessonsPerWeek; n++ {
				day := (n - 1) * schoolDaysPerWeek / in.LessonsPerWeek
				switch {
				case in.Term != nil && inBreak(in.Term, days[day]):
					gw.Lessons = append(gw.Lessons, filler(KindBreak, n))
				case next < len(flat):
					l := flat[next]
					l.LessonNumber = n
					gw.Lessons = append(gw.Lessons, l)
					next++
				default:
					gw.Lessons = append(gw.Lessons, filler(KindRevision, n))
				}
			}
		}
		out = append(out, gw)
	}
	return out, nil
}

// monday is the Monday of t's week (t itself on a Monday), at midnight UTC.
func monday(t time.Time) time.Time {
	t = dateOnly(t)
	off := (int(t.Weekday()) + 6) % 7
	return t.AddDate(0, 0, -off)
}

func inBreak(t *SchemeTermDates, day time.Time) bool {
	if t.BreakStart == nil || t.BreakEnd == nil {
		return false
	}
	d := dateOnly(day)
	return !d.Before(dateOnly(*t.BreakStart)) && !d.After(dateOnly(*t.BreakEnd))
}

// dateOnly is t's calendar date at midnight UTC (term dates are dates, not instants).
func dateOnly(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// fillers are the fixed texts of rows that teach no curriculum.
var fillers = map[string][2]string{
	KindOpening:    {"OPENING WEEK", "OPENER ASSESSMENT"},
	KindAssessment: {"ASSESSMENT WEEK", "END OF TERM ASSESSMENT"},
	KindClosing:    {"CLOSING WEEK", "CLOSING AND CLEANING"},
	KindBreak:      {"MID TERM BREAK", "MID TERM BREAK"},
	KindRevision:   {"REVISION", "REVISION / ASSESSMENT"},
}

func filler(kind string, n int) SchemeLesson {
	t := fillers[kind]
	return SchemeLesson{LessonNumber: n, Kind: kind, Strand: t[0], SubStrand: t[1]}
}

// flatten turns units into one lesson row per lesson, in order.
func flatten(units []CurriculumUnit, defaultTextbook string) []SchemeLesson {
	var out []SchemeLesson
	for _, u := range units {
		tb := u.TextbookName
		if tb == "" {
			tb = defaultTextbook
		}
		id := u.SubStrandID
		row := SchemeLesson{
			Kind: KindLesson, Strand: u.Strand, SubStrand: u.SubStrand,
			SpecificLearningOutcomes: lettered(u.Outcomes),
			KeyInquiryQuestions:      numbered(u.InquiryQuestions),
			LearningExperiences:      bulleted(u.Experiences),
			LearningResources:        resourcesFor(u, tb),
			AssessmentMethods:        assessmentFor(u),
			TextbookName:             tb,
			CoreCompetencies:         strings.Join(u.Competencies, ", "),
			Values:                   strings.Join(u.Values, ", "),
			PCIs:                     strings.Join(u.PCIs, ", "),
			Links:                    strings.Join(u.Links, ", "),
		}
		if id != 0 {
			row.SubStrandID = &id
		}
		for range max(u.Lessons, 1) {
			out = append(out, row)
		}
	}
	return out
}

func lettered(items []string) string {
	items = nonEmpty(items)
	if len(items) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(outcomesLead)
	for i, it := range items {
		fmt.Fprintf(&b, "\n%s) %s", letter(i), it)
	}
	return b.String()
}

// letter is a, b, …, z, aa, ab, … for list position i.
func letter(i int) string {
	if i < 26 {
		return string(rune('a' + i))
	}
	return letter(i/26-1) + letter(i%26)
}

func numbered(items []string) string {
	items = nonEmpty(items)
	lines := make([]string, len(items))
	for i, it := range items {
		lines[i] = fmt.Sprintf("%d. %s", i+1, it)
	}
	return strings.Join(lines, "\n")
}

func bulleted(items []string) string {
	items = nonEmpty(items)
	lines := make([]string, len(items))
	for i, it := range items {
		lines[i] = "- " + it
	}
	return strings.Join(lines, "\n")
}

func nonEmpty(items []string) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		if it = strings.TrimSpace(it); it != "" {
			out = append(out, it)
		}
	}
	return out
}

// keywordRules add a resource or assessment when the sub-strand's outcomes or
// experiences mention one of the words, in this order (the original's rules).
type keywordRule struct {
	words []string
	adds  []string
}

var resourceRules = []keywordRule{
	{[]string{"digital", "video", "watch", "internet", "online"}, []string{"Digital devices", "Video clips"}},
	{[]string{"chart", "draw", "illustrate", "poster"}, []string{"Charts/Manila paper"}},
	{[]string{"map", "locate"}, []string{"Maps/Atlases"}},
	{[]string{"model", "construct", "make"}, []string{"Modeling materials"}},
	{[]string{"group", "discuss"}, []string{"Reference materials"}},
	{[]string{"field", "visit", "walk"}, []string{"Field trip consent forms"}},
	{[]string{"experiment", "observe", "measure"}, []string{"Real objects/Realia"}},
	{[]string{"picture", "photo"}, []string{"Pictures/Photographs"}},
}

var assessmentRules = []keywordRule{
	{[]string{"write", "list", "explain", "describe"}, []string{"Written exercise"}},
	{[]string{"draw", "sketch", "paint"}, []string{"Drawing/Portfolio"}},
	{[]string{"group", "discuss", "share"}, []string{"Group discussion"}},
	{[]string{"present", "report", "tell"}, []string{"Presentation"}},
	{[]string{"project", "create", "make"}, []string{"Project work"}},
	{[]string{"calculate", "solve", "compute"}, []string{"Computation"}},
	{[]string{"role", "act", "play"}, []string{"Role play"}},
}

func applyRules(base []string, u CurriculumUnit, rules []keywordRule) string {
	text := strings.ToLower(strings.Join(u.Experiences, " ") + " " + strings.Join(u.Outcomes, " "))
	out := base
	for _, r := range rules {
		for _, w := range r.words {
			if strings.Contains(text, w) {
				out = append(out, r.adds...)
				break
			}
		}
	}
	return strings.Join(out, ", ")
}

func resourcesFor(u CurriculumUnit, textbook string) string {
	base := []string{"Curriculum designs", "Textbooks"}
	if textbook != "" {
		base = []string{"Curriculum designs", textbook + " (Learner's Book)", textbook + " (Teacher's Guide)"}
	}
	return applyRules(base, u, resourceRules)
}

func assessmentFor(u CurriculumUnit) string {
	return applyRules([]string{"Observation", "Oral questions"}, u, assessmentRules)
}
