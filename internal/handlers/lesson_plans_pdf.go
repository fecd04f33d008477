package handlers

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/teachtrack/api/internal/models"
	"github.com/teachtrack/api/internal/pdf"
)

// printable is plan p as it prints, for teacher (its owner's name and school).
func printable(p *models.LessonPlan, teacher, school string) pdf.LessonPlan {
	date := ""
	if p.Date != nil {
		date = *p.Date
	}
	return pdf.LessonPlan{School: school, Teacher: teacher, LearningArea: p.LearningArea, Grade: p.Grade, Date: date, Time: p.Time,
		Roll: p.Roll, DurationMinutes: p.LessonDurationMinutes, Strand: p.StrandThemeTopic, SubStrand: p.SubStrandSubThemeSubTopic,
		Outcomes: p.SpecificLearningOutcomes, Questions: p.KeyInquiryQuestions, Competences: p.CoreCompetences,
		Values: p.ValuesToBeDeveloped, PCIs: p.PCIsToBeAddressed, Resources: p.LearningResources, Introduction: p.Introduction,
		Development: p.Development, Conclusion: p.Conclusion, Summary: p.Summary, Reflection: p.ReflectionSelfEvaluation}
}

// unsafeFilename is what a file name may not hold: the frontend takes
// everything after "filename=" as the name, so no quotes, separators or
// spaces (spaces become "_", as the original did).
var unsafeFilename = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func filename(parts ...string) string {
	name := unsafeFilename.ReplaceAllString(strings.Join(parts, "_"), "_")
	return strings.Trim(name, "_") + ".pdf"
}

func (s *lessonPlansAPI) handlePlanPDF(w http.ResponseWriter, r *http.Request) {
	p, err := s.plan(r, needRead)
	if err == nil {
		err = s.allow(r, models.FeaturePDF)
	}
	var owners map[uint64]models.PlanOwner
	if err == nil {
		owners, err = models.PlanOwners(reqDB(r), []uint64{p.UserID})
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	o := owners[p.UserID]
	date := "undated"
	if p.Date != nil && *p.Date != "" {
		date = *p.Date
	}
	b, err := pdf.RenderLessonPlans("Lesson plan - "+p.LearningArea+" "+p.Grade, p.UpdatedAt, []pdf.LessonPlan{printable(&p.LessonPlan, o.Name, o.School)})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writePDF(w, b, "attachment", strings.TrimSuffix(filename("LessonPlan", p.LearningArea, p.Grade, date), ".pdf"))
}

func (s *lessonPlansAPI) handlePlansBulkDownload(w http.ResponseWriter, r *http.Request) {
	ids, err := s.readIDs(w, r)
	if err == nil {
		err = s.allow(r, models.FeatureBulkDownload)
	}
	var plans []models.OwnedPlan
	if err == nil {
		plans, err = models.PlansByIDs(reqDB(r), viewer(r), ids)
	}
	var owners map[uint64]models.PlanOwner
	if err == nil {
		userIDs := make([]uint64, 0, 1)
		for _, p := range plans {
			userIDs = append(userIDs, p.UserID)
		}
		owners, err = models.PlanOwners(reqDB(r), userIDs)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]pdf.LessonPlan, len(plans))
	latest := time.Time{}
	for i := range plans {
		o := owners[plans[i].UserID]
		out[i] = printable(&plans[i].LessonPlan, o.Name, o.School)
		if plans[i].UpdatedAt.After(latest) {
			latest = plans[i].UpdatedAt
		}
	}
	b, err := pdf.RenderLessonPlans(fmt.Sprintf("Lesson plans (%d)", len(out)), latest, out)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writePDF(w, b, "attachment", fmt.Sprintf("LessonPlans_Bulk_%d_plans", len(out)))
}
