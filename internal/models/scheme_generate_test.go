package models_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/teachtrack/api/internal/models"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func ptr[T any](v T) *T { return &v }

// units is a curriculum of n sub-strands of `each` lessons, named S1..Sn.
func units(n, each int) []models.CurriculumUnit {
	out := make([]models.CurriculumUnit, n)
	for i := range out {
		out[i] = models.CurriculumUnit{SubStrandID: uint64(i + 1), Strand: fmt.Sprintf("%d.0 Strand", i/3+1),
			SubStrand: fmt.Sprintf("S%d", i+1), Lessons: each, Outcomes: []string{"count objects", "draw shapes"},
			Experiences: []string{"in groups discuss numbers"}, InquiryQuestions: []string{"Why count?"}}
	}
	return out
}

// term2 is a Term 2 of 2026 as a school calendar gives it: 27 April (a
// Monday) to 31 July, with a whole-week half-term break from 22 to 26 June.
func term2() *models.SchemeTermDates {
	return &models.SchemeTermDates{Start: day("2026-04-27"), End: day("2026-07-31"),
		BreakStart: ptr(day("2026-06-22")), BreakEnd: ptr(day("2026-06-26"))}
}

func TestGenerateTermWeeksBreakAndOrder(t *testing.T) {
	in := models.GenerateInput{Term: term2(), TermNumber: 2, LessonsPerWeek: 5, Units: units(30, 4)}
	weeks, err := models.GenerateScheme(in)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(weeks), 14; got != want {
		t.Fatalf("weeks: got %d, want %d (27 April to 31 July)", got, want)
	}
	total, curriculum := 0, []models.SchemeLesson{}
	for i, w := range weeks {
		if w.WeekNumber != i+1 {
			t.Errorf("week %d numbered %d", i+1, w.WeekNumber)
		}
		wantStart := day("2026-04-27").AddDate(0, 0, 7*i)
		if w.StartDate == nil || !w.StartDate.Equal(wantStart) || !w.EndDate.Equal(wantStart.AddDate(0, 0, 4)) {
			t.Errorf("week %d dates %v–%v, want %v to the Friday", w.WeekNumber, w.StartDate, w.EndDate, wantStart)
		}
		total += len(w.Lessons)
		for j, l := range w.Lessons {
			if l.LessonNumber != j+1 {
				t.Errorf("week %d lesson %d numbered %d", w.WeekNumber, j+1, l.LessonNumber)
			}
			if l.Kind == models.KindLesson {
				curriculum = append(curriculum, l)
			}
		}
	}
	// Week 9 (22 June) is the break: one row, no curriculum.
	if b := weeks[8].Lessons; len(b) != 1 || b[0].Kind != models.KindBreak || b[0].Strand != "MID TERM BREAK" {
		t.Errorf("week 9: got %+v, want one MID TERM BREAK row", b)
	}
	if got, want := total, 13*5+1; got != want {
		t.Errorf("rows: got %d, want %d (13 teaching weeks of 5, one break row)", got, want)
	}
	// Term 2 starts 13/36 of the way into the year's 120 lessons: lesson 43,
	// i.e. the 3rd lesson of sub-strand S11; then curriculum order, unbroken.
	first := 120 * 13 / 36
	if len(curriculum) != 65 {
		t.Fatalf("curriculum rows: got %d, want 65", len(curriculum))
	}
	for i, l := range curriculum {
		want := fmt.Sprintf("S%d", (first+i)/4+1)
		if l.SubStrand != want {
			t.Fatalf("curriculum row %d is %s, want %s", i, l.SubStrand, want)
		}
		if l.SubStrandID == nil || *l.SubStrandID != uint64((first+i)/4+1) {
			t.Fatalf("curriculum row %d links sub-strand %v", i, l.SubStrandID)
		}
	}
	l := curriculum[0]
	wantOutcomes := "By the end of the sub-strand, the learner should be able to:\na) count objects\nb) draw shapes"
	if diff := cmp.Diff(wantOutcomes, l.SpecificLearningOutcomes); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	if l.KeyInquiryQuestions != "1. Why count?" || l.LearningExperiences != "- in groups discuss numbers" {
		t.Errorf("questions %q, experiences %q", l.KeyInquiryQuestions, l.LearningExperiences)
	}
	if want := "Curriculum designs, Textbooks, Charts/Manila paper, Reference materials"; l.LearningResources != want {
		t.Errorf("resources: got %q, want %q", l.LearningResources, want)
	}
	if want := "Observation, Oral questions, Drawing/Portfolio, Group discussion"; l.AssessmentMethods != want {
		t.Errorf("assessment: got %q, want %q", l.AssessmentMethods, want)
	}

	again, err := models.GenerateScheme(in)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(weeks, again); diff != "" {
		t.Errorf("the same input gave another scheme (-first +second):\n%s", diff)
	}
}

func TestGeneratePartialBreakSpecialWeeksAndRevision(t *testing.T) {
	term := term2()
	term.BreakStart, term.BreakEnd = ptr(day("2026-06-24")), ptr(day("2026-06-28")) // Wednesday to Sunday
	in := models.GenerateInput{Term: term, TermNumber: 1, TotalWeeks: 10, LessonsPerWeek: 5,
		IncludeSpecialWeeks: true, Units: units(2, 3), DefaultTextbook: "Spark Maths"}
	weeks, err := models.GenerateScheme(in)
	if err != nil {
		t.Fatal(err)
	}
	kinds := func(w models.GeneratedWeek) []string {
		var k []string
		for _, l := range w.Lessons {
			k = append(k, l.Kind)
		}
		return k
	}
	five := func(k string) []string { return []string{k, k, k, k, k} }
	L, R, B := models.KindLesson, models.KindRevision, models.KindBreak
	want := [][]string{
		five(models.KindOpening),
		{L, L, L, L, L},
		{L, R, R, R, R}, // 6 curriculum lessons in all, then revision
		five(R), five(R), five(R), five(R),
		five(R),
		five(models.KindAssessment),
		five(models.KindClosing),
	}
	for i, w := range weeks {
		if diff := cmp.Diff(want[i], kinds(w)); diff != "" {
			t.Errorf("week %d kinds (-want +got):\n%s", i+1, diff)
		}
	}
	if got := weeks[1].Lessons[0].TextbookName; got != "Spark Maths" {
		t.Errorf("textbook: got %q", got)
	}

	// Week 9 of a 14-week scheme holds 24–26 June: Monday and Tuesday teach.
	in.TotalWeeks, in.IncludeSpecialWeeks, in.Units = 14, false, units(40, 4)
	weeks, err = models.GenerateScheme(in)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{L, L, B, B, B}, kinds(weeks[8])); diff != "" {
		t.Errorf("week 9 with a Wednesday–Sunday break (-want +got):\n%s", diff)
	}
}

func TestGenerateWithoutDatesAndBadInput(t *testing.T) {
	weeks, err := models.GenerateScheme(models.GenerateInput{TotalWeeks: 2, LessonsPerWeek: 3, Units: units(1, 1)})
	if err != nil {
		t.Fatal(err)
	}
	if len(weeks) != 2 || weeks[0].StartDate != nil || len(weeks[0].Lessons) != 3 {
		t.Errorf("got %+v", weeks)
	}
	for _, in := range []models.GenerateInput{
		{LessonsPerWeek: 5},                  // no weeks and no term to count them from
		{TotalWeeks: 21, LessonsPerWeek: 5},  // too many weeks
		{TotalWeeks: 10, LessonsPerWeek: 0},  // no lessons
		{TotalWeeks: 10, LessonsPerWeek: 41}, // too many
	} {
		if _, err := models.GenerateScheme(in); !errors.Is(err, models.ErrInvalid) {
			t.Errorf("%+v: got %v, want ErrInvalid", in, err)
		}
	}
}
