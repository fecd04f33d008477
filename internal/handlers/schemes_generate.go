package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/teachtrack/api/internal/models"
	"github.com/teachtrack/api/internal/pdf"
)

type schemeGenerateRequest struct {
	SubjectID uint64 `json:"subject_id" validate:"required"`
	schemeHeader
	// TotalWeeks 0 or absent: every week of the term.
	TotalWeeks          *int   `json:"total_weeks" validate:"omitempty,min=0,max=20"`
	IncludeSpecialWeeks bool   `json:"include_special_weeks"`
	DefaultTextbook     string `json:"default_textbook" validate:"max=255"`
}

// handleSchemeGenerate lays the caller's subject's curriculum out over the
// term's weeks (models.GenerateScheme) and saves it as a new scheme.
func (d *documentsAPI) handleSchemeGenerate(w http.ResponseWriter, r *http.Request) {
	var req schemeGenerateRequest
	err := d.dec.decode(w, r, &req)
	var sub *models.OwnedSubject
	if err == nil {
		sub, err = ownSubject(r, req.SubjectID)
	}
	if err == nil {
		err = d.allow(r, models.FeatureGenerate)
	}
	if err != nil {
		d.fail(w, r, err)
		return
	}
	v := viewer(r)
	sid := sub.ID
	s := &models.Scheme{UserID: v.UserID, SubjectID: &sid, Status: "active", Subject: sub.SubjectName, Grade: sub.Grade,
		LessonsPerWeek: sub.LessonsPerWeek}
	if sub.SingleLessonDuration > 0 {
		dur := sub.SingleLessonDuration
		s.LessonDurationMinutes = &dur
	}
	req.schemeHeader.apply(s, map[string]any{})
	if s.Term == "" {
		err = models.Invalid("term", "is required")
	} else if s.TermNumber < 1 || s.TermNumber > 3 {
		err = models.Invalid("term", "must name term 1, 2 or 3, e.g. \"Term 2\"")
	}
	if err == nil {
		err = requireHeader(s)
	}
	in := models.GenerateInput{TermNumber: s.TermNumber, LessonsPerWeek: s.LessonsPerWeek,
		IncludeSpecialWeeks: req.IncludeSpecialWeeks, DefaultTextbook: strings.TrimSpace(req.DefaultTextbook)}
	if req.TotalWeeks != nil {
		in.TotalWeeks = *req.TotalWeeks
	}
	if err == nil {
		in.Term, err = d.termDates(r, s.Year, s.TermNumber)
	}
	if err == nil {
		err = checkTermWeeks(in, s.Term, s.Year)
	}
	if err == nil {
		in.Units, err = models.CurriculumOfSubject(reqDB(r), sub.ID)
	}
	if err == nil && len(in.Units) == 0 {
		err = models.Invalid("subject_id", "names a subject with no curriculum yet: add its strands and sub-strands (or create it from a curriculum template) first")
	}
	var weeks []models.GeneratedWeek
	if err == nil {
		weeks, err = models.GenerateScheme(in)
	}
	if err == nil {
		err = d.checkWeeks(r, len(weeks))
	}
	if err == nil {
		s.Weeks = make([]models.SchemeWeek, len(weeks))
		for i, gw := range weeks {
			s.Weeks[i] = models.SchemeWeek{WeekNumber: gw.WeekNumber, StartDate: models.NewSchemeDate(gw.StartDate),
				EndDate: models.NewSchemeDate(gw.EndDate), Lessons: gw.Lessons}
		}
		err = models.CreateScheme(reqDB(r), s)
	}
	if err != nil {
		d.fail(w, r, err)
		return
	}
	d.showScheme(w, r, s, http.StatusCreated)
}

// termDates are the dates of term termNumber of year for the caller, from the
// one term-date source (models.ResolveTerm: their school's own term, else the
// national calendar); nil when the calendar has none yet.
func (d *documentsAPI) termDates(r *http.Request, year, termNumber int) (*models.SchemeTermDates, error) {
	t, err := models.ResolveTerm(reqDB(r), viewer(r).SchoolID, year, termNumber)
	switch {
	case errors.Is(err, models.ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, err
	}
	return &models.SchemeTermDates{Start: t.StartDate, End: t.EndDate, BreakStart: t.MidTermBreakStart, BreakEnd: t.MidTermBreakEnd}, nil
}

// checkTermWeeks refuses a number of weeks the term can't hold, and asks for
// one when the calendar has no dates to count them from.
func checkTermWeeks(in models.GenerateInput, term string, year int) error {
	switch {
	case in.Term == nil && in.TotalWeeks == 0:
		return models.Invalid("total_weeks", fmt.Sprintf("is needed: the school calendar has no dates for %s of %d yet", term, year))
	case in.Term != nil && in.TotalWeeks > models.TermWeeks(*in.Term):
		return models.Invalid("total_weeks", fmt.Sprintf("must be at most %d: %s of %d has %d weeks", models.TermWeeks(*in.Term), term, year, models.TermWeeks(*in.Term)))
	}
	return nil
}

func (d *documentsAPI) handleSchemePDF(w http.ResponseWriter, r *http.Request) {
	s, err := d.scheme(r, false)
	if err == nil {
		err = d.checkDownload(r)
	}
	if err == nil {
		err = models.LoadWeeks(reqDB(r), &s.Scheme)
	}
	if err != nil {
		d.fail(w, r, err)
		return
	}
	d.writeSchemePDF(w, r, &s.Scheme, "attachment")
}

// checkDownload applies the caller's plan to a PDF download.
func (d *documentsAPI) checkDownload(r *http.Request) error {
	return d.allow(r, models.FeaturePDF)
}

// writeSchemePDF renders s (with its weeks) and sends it; disposition is
// attachment for downloads, inline for shared links opened in a browser.
func (d *documentsAPI) writeSchemePDF(w http.ResponseWriter, r *http.Request, s *models.Scheme, disposition string) {
	doc := pdf.Scheme{School: s.School, Teacher: s.TeacherName, Subject: s.Subject, Grade: s.Grade, Term: s.Term,
		Stream: s.Stream, Year: s.Year, TotalWeeks: s.TotalWeeks, TotalLessons: s.TotalLessons, Created: s.UpdatedAt}
	for _, wk := range s.Weeks {
		pw := pdf.SchemeWeek{Number: wk.WeekNumber}
		if wk.StartDate != nil && wk.EndDate != nil {
			pw.Start, pw.End = &wk.StartDate.Time, &wk.EndDate.Time
		}
		for _, l := range wk.Lessons {
			pw.Lessons = append(pw.Lessons, pdf.SchemeLesson{Number: l.LessonNumber, Filler: l.Kind != models.KindLesson,
				Strand: l.Strand, SubStrand: l.SubStrand, Outcomes: l.SpecificLearningOutcomes, Questions: l.KeyInquiryQuestions,
				Experiences: l.LearningExperiences, Resources: l.LearningResources, Textbook: l.TextbookName,
				GuidePages: l.TextbookTeacherGuidePages, LearnerPages: l.TextbookLearnerBookPages,
				Assessment: l.AssessmentMethods, Reflection: l.Reflection})
		}
		doc.Weeks = append(doc.Weeks, pw)
	}
	body, err := pdf.RenderScheme(doc)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	name := fileName(fmt.Sprintf("scheme_%d_%s_%s_%s_%d", s.ID, s.Subject, s.Grade, s.Term, s.Year))
	writePDF(w, body, disposition, name)
}

// writePDF sends a PDF document.
func writePDF(w http.ResponseWriter, body []byte, disposition, name string) {
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`%s; filename="%s.pdf"`, disposition, name))
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// fileName keeps letters, digits, - and _ of s (spaces become _), so a
// user's subject name can't break the Content-Disposition header.
func fileName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "document"
	}
	return b.String()
}
