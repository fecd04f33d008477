package models

import (
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// PlanSource is a scheme lesson with what a lesson plan made from it needs:
// its week, whether it already has a plan, and the competences, values and
// PCIs of the sub-strand it came from.
type PlanSource struct {
	SchemeLesson
	WeekNumber     int
	WeekStart      *SchemeDate `gorm:"column:week_start"`
	HasPlan        bool
	SSCompetencies StringList `gorm:"column:ss_core_competencies"`
	SSValues       StringList `gorm:"column:ss_values"`
	SSPCIs         StringList `gorm:"column:ss_pcis"`
}

// PlanSources returns every lesson of scheme schemeID in week and lesson
// order, in one statement whatever the scheme's size.
func PlanSources(db *gorm.DB, schemeID uint64) ([]PlanSource, error) {
	var out []PlanSource
	err := db.Table("scheme_lessons").
		Select("scheme_lessons.*, scheme_weeks.week_number, scheme_weeks.start_date AS week_start, lesson_plans.id IS NOT NULL AS has_plan, "+
			"sub_strands.core_competencies AS ss_core_competencies, sub_strands.`values` AS ss_values, sub_strands.pcis AS ss_pcis").
		Joins("JOIN scheme_weeks ON scheme_weeks.id = scheme_lessons.week_id").
		Joins("LEFT JOIN lesson_plans ON lesson_plans.scheme_lesson_id = scheme_lessons.id").
		Joins("LEFT JOIN sub_strands ON sub_strands.id = scheme_lessons.sub_strand_id").
		Where("scheme_lessons.scheme_id = ?", schemeID).
		Order("scheme_weeks.week_number, scheme_lessons.lesson_number, scheme_lessons.id").Find(&out).Error
	return out, translate(err)
}

// SchemeOfLesson returns the id of the scheme lesson id belongs to, or
// ErrNoSuchSchemeLesson.
func SchemeOfLesson(db *gorm.DB, lessonID uint64) (uint64, error) {
	var l SchemeLesson
	if err := translate(db.Select("scheme_id").Take(&l, lessonID).Error); err != nil {
		return 0, notFound(err, ErrNoSuchSchemeLesson)
	}
	return l.SchemeID, nil
}

// PlanDay is the school day of the index-th (from 0) of n lessons in a week
// starting on monday: the lessons are spread over Monday to Friday in order
// (5 a week: one a day; 3: Monday, Tuesday, Thursday; 7: some days have two).
func PlanDay(monday time.Time, index, n int) time.Time {
	if n < 1 {
		n = 1
	}
	return monday.AddDate(0, 0, min(index*5/n, 4))
}

// PlanMakesSense reports whether a plan is made for a scheme row of kind:
// not for breaks, opening or closing rows, which teach nothing.
func PlanMakesSense(kind string) bool {
	return kind != KindBreak && kind != KindOpening && kind != KindClosing
}

// PlanFromScheme is the plan for lesson l of scheme s, on date (nil:
// undated): the scheme's learning area, grade, roll and duration, the
// lesson's strand, sub-strand, outcomes, inquiry questions, resources and
// experiences (as the development), and the competences, values and PCIs of
// its sub-strand. A plain function of its inputs.
func PlanFromScheme(s *Scheme, l *PlanSource, date *time.Time) LessonPlan {
	orList := func(text string, list StringList) string {
		if strings.TrimSpace(text) != "" {
			return text
		}
		return strings.Join(list, ", ")
	}
	sub := strings.TrimSpace(l.SubStrand)
	id := l.ID
	p := LessonPlan{UserID: s.UserID, SubjectID: s.SubjectID, SchemeLessonID: &id, LearningArea: planClip(s.Subject, 255), Grade: planClip(s.Grade, 50),
		Roll: planClip(s.Roll, 50), LessonDurationMinutes: s.LessonDurationMinutes, StrandThemeTopic: planClip(l.Strand, 255),
		SubStrandSubThemeSubTopic: planClip(sub, 255), Status: PlanPending}
	if date != nil {
		d := date.Format(time.DateOnly)
		p.Date = &d
	}
	resources := l.LearningResources
	if tb := strings.TrimSpace(l.TextbookName); tb != "" && !strings.Contains(resources, tb) {
		resources = strings.TrimSpace(resources + "\n" + tb)
	}
	p.PlanText = PlanText{
		SpecificLearningOutcomes: l.SpecificLearningOutcomes, KeyInquiryQuestions: l.KeyInquiryQuestions,
		CoreCompetences: orList(l.CoreCompetencies, l.SSCompetencies), ValuesToBeDeveloped: orList(l.Values, l.SSValues),
		PCIsToBeAddressed: orList(l.PCIs, l.SSPCIs), LearningResources: resources, Development: l.LearningExperiences,
	}
	if sub != "" {
		p.Introduction = "Review the previous lesson and introduce " + sub + "."
		p.Conclusion = "Ask learners questions about " + sub + " and summarise the key points."
	}
	return p
}

// planClip shortens s to n characters (a scheme's strand may be longer than a
// plan's column).
func planClip(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// InsertPlansSkipping inserts plans in one statement per 500, skipping any
// whose scheme lesson has gained a plan meanwhile (a concurrent generate),
// and returns how many it inserted.
func InsertPlansSkipping(db *gorm.DB, ps []LessonPlan) (int, error) {
	if len(ps) == 0 {
		return 0, nil
	}
	res := db.Omit("created_at", "updated_at").Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(ps, 500)
	return int(res.RowsAffected), translate(res.Error)
}
