package handlers

import (
	"errors"
	"net/http"
	"time"

	"github.com/teachtrack/api/internal/models"
)

// Generating plans from a scheme of work (C9, C10): plans are made only from
// the caller's own schemes (another teacher's scheme or lesson: 404), dated
// by the scheme's week dates (which the scheme took from the one term-date
// source) or, for a week without dates, by the term's dates themselves.

// ownScheme loads scheme id if it is the caller's own.
func (s *lessonPlansAPI) ownScheme(r *http.Request, id uint64) (*models.OwnedScheme, error) {
	sc, err := models.SchemeByID(reqDB(r), id)
	if err != nil {
		return nil, err
	}
	if sc.UserID != viewer(r).UserID {
		return nil, models.ErrNoSuchScheme
	}
	return sc, nil
}

// dater dates the lessons of one scheme.
type dater struct {
	weekLessons map[int]int // lessons per week number
	term        *models.Term
}

func newDater(r *http.Request, sc *models.Scheme, sources []models.PlanSource) (*dater, error) {
	d := &dater{weekLessons: map[int]int{}}
	undated := false
	for _, l := range sources {
		d.weekLessons[l.WeekNumber]++
		undated = undated || l.WeekStart == nil
	}
	if undated && sc.TermNumber > 0 {
		// Only asked when a week has no dates; no such term leaves those undated.
		t, err := models.ResolveTerm(reqDB(r), principalFrom(r.Context()).SchoolID, sc.Year, sc.TermNumber)
		switch {
		case err == nil:
			d.term = &t
		case !errors.Is(err, models.ErrNotFound):
			return nil, err
		}
	}
	return d, nil
}

// date is the day of the index-th lesson (from 0) of its week, or nil.
func (d *dater) date(l *models.PlanSource, index int) *time.Time {
	var monday time.Time
	switch {
	case l.WeekStart != nil:
		monday = l.WeekStart.Time
	case d.term != nil:
		start := models.Day(d.term.StartDate)
		monday = start.AddDate(0, 0, -((int(start.Weekday())+6)%7)).AddDate(0, 0, 7*(l.WeekNumber-1))
	default:
		return nil
	}
	day := models.PlanDay(monday, index, d.weekLessons[l.WeekNumber])
	return &day
}

// indexInWeek numbers each source within its week, from 0.
func indexInWeek(sources []models.PlanSource) []int {
	out := make([]int, len(sources))
	for i := range sources {
		if i > 0 && sources[i].WeekNumber == sources[i-1].WeekNumber {
			out[i] = out[i-1] + 1
		}
	}
	return out
}

// schemePlans reads every lesson of scheme sc with the date a plan made
// from it gets (nil: undated): two statements at most, whatever its size.
func (s *lessonPlansAPI) schemePlans(r *http.Request, sc *models.OwnedScheme) ([]models.PlanSource, []*time.Time, error) {
	sources, err := models.PlanSources(reqDB(r), sc.ID)
	if err != nil {
		return nil, nil, err
	}
	d, err := newDater(r, &sc.Scheme, sources)
	if err != nil {
		return nil, nil, err
	}
	idx := indexInWeek(sources)
	dates := make([]*time.Time, len(sources))
	for i := range sources {
		dates[i] = d.date(&sources[i], idx[i])
	}
	return sources, dates, nil
}

func (s *lessonPlansAPI) handleGenerateFromScheme(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var sc *models.OwnedScheme
	if err == nil {
		err = s.dec.decodeOptional(w, r, &struct{}{})
	}
	if err == nil {
		sc, err = s.ownScheme(r, id)
	}
	if err == nil {
		err = s.allow(r, models.FeatureGenerate)
	}
	var sources []models.PlanSource
	var dates []*time.Time
	if err == nil {
		sources, dates, err = s.schemePlans(r, sc)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var plans []models.LessonPlan
	skipped := 0
	for i := range sources {
		switch l := &sources[i]; {
		case l.HasPlan:
			skipped++
		case models.PlanMakesSense(l.Kind):
			plans = append(plans, models.PlanFromScheme(&sc.Scheme, l, dates[i]))
		}
	}
	made, err := models.InsertPlansSkipping(reqDB(r), plans)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	skipped += len(plans) - made
	writeJSON(w, http.StatusOK, map[string]any{"message": "Lesson plans generated", "total_plans": made, "skipped": skipped})
}

func (s *lessonPlansAPI) handlePlanFromScheme(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = s.dec.decodeOptional(w, r, &struct{}{})
	}
	var schemeID uint64
	if err == nil {
		schemeID, err = models.SchemeOfLesson(reqDB(r), id)
	}
	var sc *models.OwnedScheme
	if err == nil {
		if sc, err = s.ownScheme(r, schemeID); errors.Is(err, models.ErrNotFound) {
			err = models.ErrNoSuchSchemeLesson // another teacher's lesson reveals nothing
		}
	}
	if err == nil {
		err = s.allow(r, models.FeatureGenerate)
	}
	var sources []models.PlanSource
	var dates []*time.Time
	if err == nil {
		sources, dates, err = s.schemePlans(r, sc)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for i := range sources {
		if l := &sources[i]; l.ID == id {
			p := models.PlanFromScheme(&sc.Scheme, l, dates[i])
			if err := models.CreatePlan(reqDB(r), &p); err != nil {
				s.fail(w, r, err)
				return
			}
			s.reload(w, r, p.ID, http.StatusCreated)
			return
		}
	}
	s.fail(w, r, models.ErrNoSuchSchemeLesson)
}
