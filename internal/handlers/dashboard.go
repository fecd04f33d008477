package handlers

import (
	"math"
	"net/http"

	"github.com/teachtrack/api/internal/models"
)

// recentCompletions is how many completed lessons the progress dashboard lists.
const recentCompletions = 10

// Progress dashboard shapes, as frontend/app/curriculum/tracking/page.tsx reads them.
type (
	substrandProgressJSON struct {
		SubstrandCode    string  `json:"substrand_code"`
		SubstrandName    string  `json:"substrand_name"`
		TotalLessons     int     `json:"total_lessons"`
		CompletedLessons int     `json:"completed_lessons"`
		Progress         float64 `json:"progress"`
	}
	strandProgressJSON struct {
		StrandCode       string                  `json:"strand_code"`
		StrandName       string                  `json:"strand_name"`
		TotalLessons     int                     `json:"total_lessons"`
		CompletedLessons int                     `json:"completed_lessons"`
		Progress         float64                 `json:"progress"`
		Substrands       []substrandProgressJSON `json:"substrands"`
	}
	subjectProgressJSON struct {
		ID                 uint64               `json:"id"`
		SubjectName        string               `json:"subject_name"`
		Grade              string               `json:"grade"`
		TotalLessons       int                  `json:"total_lessons"`
		CompletedLessons   int                  `json:"completed_lessons"`
		ProgressPercentage float64              `json:"progress_percentage"`
		Strands            []strandProgressJSON `json:"strands"`
	}
	overviewJSON struct {
		TotalSubjects    int     `json:"total_subjects"`
		TotalLessons     int     `json:"total_lessons"`
		CompletedLessons int     `json:"completed_lessons"`
		AverageProgress  float64 `json:"average_progress"`
	}
)

// handleCurriculumProgress is the caller's own progress across their
// subjects, strands and sub-strands, in three queries whatever the trees'
// size. The list is bounded by MAX_SUBJECTS_PER_USER.
func (s *subjectsAPI) handleCurriculumProgress(w http.ResponseWriter, r *http.Request) {
	uid := principalFrom(r.Context()).UserID
	subjects, err := models.SubjectsPage(reqDB(r), models.SubjectFilter{UserID: uid, Sort: models.SortName, Page: 1, PerPage: s.cfg.MaxSubjectsPerUser})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ids := make([]uint64, len(subjects))
	for i := range subjects {
		ids[i] = subjects[i].ID
	}
	counts, err := models.SubStrandCounts(reqDB(r), ids)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	recent, err := models.RecentCompletions(reqDB(r), uid, recentCompletions)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	strands := strandProgress(counts)
	out := make([]subjectProgressJSON, len(subjects))
	ov := overviewJSON{TotalSubjects: len(subjects)}
	sum := 0.0
	for i, sub := range subjects {
		out[i] = subjectProgressJSON{ID: sub.ID, SubjectName: sub.SubjectName, Grade: sub.Grade, TotalLessons: sub.TotalLessons,
			CompletedLessons: sub.LessonsCompleted, ProgressPercentage: sub.ProgressPercentage, Strands: strands[sub.ID]}
		if out[i].Strands == nil {
			out[i].Strands = []strandProgressJSON{}
		}
		ov.TotalLessons += sub.TotalLessons
		ov.CompletedLessons += sub.LessonsCompleted
		sum += sub.ProgressPercentage
	}
	if len(subjects) > 0 {
		ov.AverageProgress = math.Round(sum*100/float64(len(subjects))) / 100
	}
	writeJSON(w, http.StatusOK, map[string]any{"overview": ov, "subjects": out, "recent_completions": recent})
}

// strandProgress groups per-sub-strand counts (in curriculum order) into
// strands, keyed by subject id.
func strandProgress(counts []models.SubStrandCount) map[uint64][]strandProgressJSON {
	out := map[uint64][]strandProgressJSON{}
	var lastStrand uint64
	for _, c := range counts {
		list := out[c.SubjectID]
		if c.StrandID != lastStrand || len(list) == 0 {
			list = append(list, strandProgressJSON{StrandCode: c.StrandCode, StrandName: c.StrandName, Substrands: []substrandProgressJSON{}})
			lastStrand = c.StrandID
		}
		st := &list[len(list)-1]
		if c.SubstrandID != nil {
			st.Substrands = append(st.Substrands, substrandProgressJSON{SubstrandCode: deref(c.SubstrandCode), SubstrandName: deref(c.SubstrandName),
				TotalLessons: c.Total, CompletedLessons: c.Done, Progress: models.Percent(c.Done, c.Total)})
			st.TotalLessons += c.Total
			st.CompletedLessons += c.Done
		}
		st.Progress = models.Percent(st.CompletedLessons, st.TotalLessons)
		out[c.SubjectID] = list
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// handleDashboardStats is the caller's lessons done and to do, in the
// camelCase names the frontend's dashboard reads. The product records no
// pupil attendance and no assessments, so those two are null (the dashboard
// then shows an empty figure), never a made-up 0.
func (s *subjectsAPI) handleDashboardStats(w http.ResponseWriter, r *http.Request) {
	t, err := models.TotalsOf(reqDB(r), principalFrom(r.Context()).UserID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"lessonsCompleted": t.Completed, "totalLessons": t.Total,
		"attendanceAverage": nil, "assessmentsCreated": nil})
}
