package models

import (
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// PlanCurriculum is the curriculum a plan was written for: its sub-strand
// in the teacher's subject (copied from a template or written by them).
type PlanCurriculum struct {
	StrandName                   string
	SubstrandName                string
	KeyInquiryQuestions          string
	SpecificLearningOutcomes     StringList
	SuggestedLearningExperiences StringList
	CoreCompetencies             StringList
	Values                       StringList `gorm:"column:values"`
	PCIs                         StringList `gorm:"column:pcis"`
}

// PlanCurriculumFor finds the sub-strand of plan p in its teacher's subject: the
// plan's own subject, else the teacher's subject whose name and grade are the
// plan's learning area and grade. The sub-strand is matched by name (a
// sub-strand named like the plan's wins over the first of a strand named
// like it). One statement; nil when nothing matches.
func PlanCurriculumFor(db *gorm.DB, p *LessonPlan) (*PlanCurriculum, error) {
	sub := strings.TrimSpace(p.SubStrandSubThemeSubTopic)
	strand := strings.TrimSpace(p.StrandThemeTopic)
	q := db.Table("sub_strands").
		Select("strands.strand_name, sub_strands.substrand_name, sub_strands.key_inquiry_questions, sub_strands.specific_learning_outcomes, "+
			"sub_strands.suggested_learning_experiences, sub_strands.core_competencies, sub_strands.`values`, sub_strands.pcis").
		Joins("JOIN strands ON strands.id = sub_strands.strand_id").
		Joins("JOIN subjects ON subjects.id = strands.subject_id").
		Where("subjects.user_id = ?", p.UserID)
	if p.SubjectID != nil {
		q = q.Where("subjects.id = ?", *p.SubjectID)
	} else {
		q = q.Where("subjects.subject_name = ? AND subjects.grade = ?", strings.TrimSpace(p.LearningArea), strings.TrimSpace(p.Grade))
	}
	// A plan made from a scheme names them with their numbers ("1.1 Whole
	// Numbers", as the scheme prints them); one written by hand, by name.
	const subMatch = "(sub_strands.substrand_name = ? OR CONCAT_WS(' ', sub_strands.substrand_code, sub_strands.substrand_name) = ?)"
	q = q.Where("("+subMatch+" OR strands.strand_name = ? OR CONCAT_WS(' ', strands.strand_code, strands.strand_name) = ?)", sub, sub, strand, strand).
		Order(gorm.Expr(subMatch+" DESC", sub, sub)).
		Order("strands.sequence_order, strands.id, sub_strands.sequence_order, sub_strands.id")
	var out []PlanCurriculum
	if err := translate(q.Limit(1).Find(&out).Error); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, nil
	}
	return &out[0], nil
}

// FillFromCurriculum writes into the empty text fields of t what the
// curriculum says (outcomes lettered, experiences as the development's steps,
// competences, values, PCIs, inquiry questions, resources suited to the
// experiences) and returns the columns it filled. Fields the teacher wrote
// are kept. A plain function: the same inputs give the same plan.
func FillFromCurriculum(t *PlanText, c *PlanCurriculum, subStrand string) map[string]any {
	filled := map[string]any{}
	set := func(col string, dst *string, v string) {
		if strings.TrimSpace(*dst) == "" && strings.TrimSpace(v) != "" {
			*dst, filled[col] = v, v
		}
	}
	if subStrand == "" {
		subStrand = c.SubstrandName
	}
	set("specific_learning_outcomes", &t.SpecificLearningOutcomes, lettered(c.SpecificLearningOutcomes))
	set("key_inquiry_questions", &t.KeyInquiryQuestions, c.KeyInquiryQuestions)
	set("core_competences", &t.CoreCompetences, strings.Join(nonEmpty(c.CoreCompetencies), ", "))
	set("values_to_be_developed", &t.ValuesToBeDeveloped, strings.Join(nonEmpty(c.Values), ", "))
	set("pcis_to_be_addressed", &t.PCIsToBeAddressed, strings.Join(nonEmpty(c.PCIs), ", "))
	set("learning_resources", &t.LearningResources, PlanResourcesFor(c.SuggestedLearningExperiences, c.SpecificLearningOutcomes))
	intro := "Review the previous lesson and link it to " + subStrand + "."
	if q := planFirstLine(c.KeyInquiryQuestions); q != "" {
		intro += " Pose the key inquiry question: " + q
	}
	set("introduction", &t.Introduction, intro)
	set("development", &t.Development, planSteps(c.SuggestedLearningExperiences))
	set("conclusion", &t.Conclusion, "Ask learners questions about "+subStrand+" and summarise the key points with them.")
	if outcomes := nonEmpty(c.SpecificLearningOutcomes); len(outcomes) > 0 {
		set("summary", &t.Summary, "Learners worked towards: "+strings.Join(outcomes, "; ")+".")
	}
	return filled
}

// planSteps lists the learning experiences as numbered lesson steps.
func planSteps(items []string) string {
	var lines []string
	for _, it := range items {
		if it = strings.TrimSpace(it); it != "" {
			lines = append(lines, fmt.Sprintf("Step %d: %s", len(lines)+1, it))
		}
	}
	return strings.Join(lines, "\n")
}

func planFirstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(l), "-•*")); l != "" {
			return l
		}
	}
	return ""
}

// PlanResourcesFor suggests learning resources for a lesson with the
// scheme generator's rules, so a plan and its scheme suggest the same: the
// curriculum designs and textbooks always, and more as its activities call
// for them.
func PlanResourcesFor(experiences, outcomes []string) string {
	return applyRules([]string{"Curriculum designs", "Textbooks"}, CurriculumUnit{Experiences: experiences, Outcomes: outcomes}, resourceRules)
}
