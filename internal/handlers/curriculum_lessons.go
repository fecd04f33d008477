package handlers

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/teachtrack/api/internal/models"
)

// lessonsOwner is whose settings an admin edits: their school's, or their
// own when they have no school.
func lessonsOwner(r *http.Request) models.ConfigOwner {
	p := principalFrom(r.Context())
	return models.ConfigOwner{SchoolID: p.SchoolID, UserID: p.UserID}
}

// GET /admin/lessons-per-week: {configs: [...]}.
func (c *curriculumAPI) handleLessonsPerWeekList(w http.ResponseWriter, r *http.Request) {
	cs, err := models.LessonConfigs(reqDB(r), lessonsOwner(r))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"configs": cs})
}

// lessonsSettings are the four numbers of a lesson setting; absent ones take
// the frontend's defaults (5 a week, none double, 40 and 80 minutes).
type lessonsSettings struct {
	scheduling
}

func (s lessonsSettings) config(subject, grade string) (models.LessonConfig, error) {
	sub := models.Subject{LessonsPerWeek: models.DefaultLessonsPerWeek, SingleLessonDuration: models.DefaultSingleLessonDuration,
		DoubleLessonDuration: models.DefaultDoubleLessonDuration}
	if err := s.apply(&sub, map[string]any{}); err != nil {
		return models.LessonConfig{}, err
	}
	return models.LessonConfig{SubjectName: subject, Grade: grade, LessonsPerWeek: sub.LessonsPerWeek, DoubleLessonsPerWeek: sub.DoubleLessonsPerWeek,
		SingleLessonDuration: sub.SingleLessonDuration, DoubleLessonDuration: sub.DoubleLessonDuration}, nil
}

type lessonsPerWeekRequest struct {
	SubjectName string `json:"subject_name" validate:"required,max=255"`
	Grade       string `json:"grade" validate:"required,max=20"`
	lessonsSettings
}

// POST /admin/lessons-per-week: set one subject's lessons for a grade.
func (c *curriculumAPI) handleLessonsPerWeekSave(w http.ResponseWriter, r *http.Request) {
	var req lessonsPerWeekRequest
	if err := c.dec.decode(w, r, &req); err != nil {
		c.fail(w, r, err)
		return
	}
	name, grade := strings.TrimSpace(req.SubjectName), strings.TrimSpace(req.Grade)
	if err := checkNames(&name, &grade); err != nil {
		c.fail(w, r, err)
		return
	}
	cfg, err := req.config(name, grade)
	if err == nil {
		err = models.SaveLessonConfigs(reqDB(r), lessonsOwner(r), []models.LessonConfig{cfg})
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, cfg)
}

type lessonsPerWeekBulkRequest struct {
	Grade    string   `json:"grade" validate:"required,max=20"`
	Subjects []string `json:"subjects" validate:"required,min=1,max=100,dive,required,max=255"`
	lessonsSettings
}

// POST /admin/lessons-per-week/bulk: the same settings for many subjects of
// a grade, in one statement.
func (c *curriculumAPI) handleLessonsPerWeekBulk(w http.ResponseWriter, r *http.Request) {
	var req lessonsPerWeekBulkRequest
	if err := c.dec.decode(w, r, &req); err != nil {
		c.fail(w, r, err)
		return
	}
	grade := strings.TrimSpace(req.Grade)
	if grade == "" {
		c.fail(w, r, models.Invalid("grade", "must not be blank"))
		return
	}
	seen := map[string]bool{}
	var cs []models.LessonConfig
	for _, s := range req.Subjects {
		s = strings.TrimSpace(s)
		if s == "" || seen[strings.ToLower(s)] {
			continue
		}
		seen[strings.ToLower(s)] = true
		cfg, err := req.config(s, grade)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		cs = append(cs, cfg)
	}
	if len(cs) == 0 {
		c.fail(w, r, models.Invalid("subjects", "must name at least one subject"))
		return
	}
	if err := models.SaveLessonConfigs(reqDB(r), lessonsOwner(r), cs); err != nil {
		c.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"message": fmt.Sprintf("Updated %d subjects for %s.", len(cs), grade)})
}
