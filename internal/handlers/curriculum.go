package handlers

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/teachtrack/api/internal/curriculum"
	"github.com/teachtrack/api/internal/db"
	"github.com/teachtrack/api/internal/models"
)

// curriculumAPI serves the curriculum catalogue and onboarding: templates,
// bulk use into a teacher's subjects, uploads, the admin editor and the
// lessons-per-week settings (issue 13).
type curriculumAPI struct {
	*API
	dec   *decoder
	users *usersAPI
}

func newCurriculumAPI(a *API, dec *decoder, u *usersAPI) *curriculumAPI {
	return &curriculumAPI{API: a, dec: dec, users: u}
}

func (c *curriculumAPI) fail(w http.ResponseWriter, r *http.Request, err error) {
	c.writeError(w, r, db.Translate(err))
}

// maybeSession checks the session of a caller who sent a token, so a public
// route can add their own data; without a token the caller is anonymous.
func (c *curriculumAPI) maybeSession(next http.Handler) http.Handler {
	checked := c.users.requireSession(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if principalFrom(r.Context()) == nil {
			next.ServeHTTP(w, r)
			return
		}
		checked.ServeHTTP(w, r)
	})
}

// templateSummary is a template as the lists show it.
type templateSummary struct {
	ID             uint64    `json:"id"`
	Subject        string    `json:"subject"`
	Grade          string    `json:"grade"`
	EducationLevel string    `json:"education_level"`
	IsActive       bool      `json:"is_active"`
	IsPrivate      bool      `json:"is_private"`
	Version        int       `json:"version"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

func summaryOf(t *models.CurriculumTemplate) templateSummary {
	return templateSummary{ID: t.ID, Subject: t.Subject, Grade: t.Grade, EducationLevel: t.EducationLevel,
		IsActive: t.IsActive, IsPrivate: t.OwnerID != nil, Version: t.Version, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
}

// GET /curriculum-templates: the active catalogue (and the caller's own
// uploads), a bare array; ?grade= ?education_level= ?subject= filter.
func (c *curriculumAPI) handleTemplateList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	active := true
	f := models.TemplateFilter{Grade: q.Get("grade"), EducationLevel: q.Get("education_level"), Subject: q.Get("subject"), Active: &active}
	if p := principalFrom(r.Context()); p != nil && p.User != nil {
		f.ViewerID = p.UserID
	}
	ts, err := models.ListTemplates(reqDB(r), f)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	out := make([]templateSummary, len(ts))
	for i := range ts {
		out[i] = summaryOf(&ts[i])
	}
	writeJSON(w, http.StatusOK, out)
}

type bulkUseRequest struct {
	TemplateIDs []uint64 `json:"template_ids" validate:"required,min=1,max=100,dive,min=1"`
}

// POST /curriculum-templates/bulk-use: each template becomes one of the
// caller's subjects (see models.UseTemplates).
func (c *curriculumAPI) handleBulkUse(w http.ResponseWriter, r *http.Request) {
	var req bulkUseRequest
	if err := c.dec.decode(w, r, &req); err != nil {
		c.fail(w, r, err)
		return
	}
	p := principalFrom(r.Context())
	res, err := models.UseTemplates(reqDB(r), p.User, req.TemplateIDs, c.cfg.MaxSubjectsPerUser, time.Now())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"message": fmt.Sprintf("Processed %d templates: %d added, %d skipped, %d failed.", len(res.Success)+len(res.Skipped)+len(res.Failed),
			len(res.Success), len(res.Skipped), len(res.Failed)),
		"results": res,
	})
}

// GET /education-levels: the CBC's levels, for the notes page's pickers.
func (c *curriculumAPI) handleEducationLevels(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string][]string{"education_levels": models.EducationLevels})
}

// GET /grades?education_level=: that level's grades (every grade without one).
func (c *curriculumAPI) handleGrades(w http.ResponseWriter, r *http.Request) {
	level := r.URL.Query().Get("education_level")
	grades := []string{}
	if level == "" {
		for _, l := range models.EducationLevels {
			grades = append(grades, models.GradesOf(l)...)
		}
	} else if g := models.GradesOf(level); g != nil {
		grades = g
	}
	writeJSON(w, http.StatusOK, map[string][]string{"grades": grades})
}

// GET /subjects-by-grade?grade=&education_level=: the names of the caller's
// own subjects of that grade (of any of the level's grades without one).
func (c *curriculumAPI) handleSubjectsByGrade(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var grades []string
	if g := strings.TrimSpace(q.Get("grade")); g != "" {
		grades = []string{models.NormalizeGrade(g)}
		if g != grades[0] {
			grades = append(grades, g)
		}
	} else {
		grades = models.GradesOf(q.Get("education_level"))
	}
	names := []string{}
	if len(grades) > 0 {
		err := reqDB(r).Model(&models.Subject{}).Where("user_id = ? AND grade IN ?", principalFrom(r.Context()).UserID, grades).
			Distinct().Order("subject_name").Limit(models.MaxTemplates).Pluck("subject_name", &names).Error
		if err != nil {
			c.fail(w, r, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string][]string{"subjects": names})
}

// maxUploadBytes bounds a curriculum upload (the frontend's own limit).
const maxUploadBytes = curriculum.MaxFileBytes

var errNotAFile = errorf(http.StatusBadRequest, "Send the curriculum as a multipart/form-data upload with the file in the field \"file\".")

// uploadedFile reads the multipart field "file" (and the form's other
// fields) of at most maxUploadBytes.
func uploadedFile(w http.ResponseWriter, r *http.Request) (name string, data []byte, form map[string]string, err error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		return "", nil, nil, errorf(http.StatusUnsupportedMediaType, "Send the curriculum as a multipart/form-data upload with the file in the field \"file\".")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxUploadBytes+64<<10)
	if err := r.ParseMultipartForm(maxUploadBytes); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return "", nil, nil, errorf(http.StatusRequestEntityTooLarge, fmt.Sprintf("The file is larger than %d MB.", maxUploadBytes>>20))
		}
		return "", nil, nil, errNotAFile
	}
	defer r.MultipartForm.RemoveAll()
	f, h, err := r.FormFile("file")
	if err != nil {
		return "", nil, nil, errNotAFile
	}
	defer f.Close()
	data, err = io.ReadAll(io.LimitReader(f, maxUploadBytes+1))
	if err != nil {
		return "", nil, nil, errNotAFile
	}
	if len(data) > maxUploadBytes {
		return "", nil, nil, errorf(http.StatusRequestEntityTooLarge, fmt.Sprintf("The file is larger than %d MB.", maxUploadBytes>>20))
	}
	form = map[string]string{}
	for k, v := range r.MultipartForm.Value {
		if len(v) > 0 {
			form[k] = strings.TrimSpace(v[0])
		}
	}
	// Only the base name, and only for display: files are never written to disk.
	return filepath.Base(filepath.Clean("/" + h.Filename)), data, form, nil
}

// checkJSONFile refuses what isn't a JSON curriculum file with a sentence
// saying which formats work.
func checkJSONFile(name string, data []byte) error {
	ext := strings.ToLower(filepath.Ext(name))
	trimmed := strings.TrimSpace(string(data[:min(len(data), 64)]))
	switch {
	case ext == ".pdf" || strings.HasPrefix(trimmed, "%PDF"):
		return errorf(http.StatusUnsupportedMediaType, "PDF curricula can't be read here: upload the curriculum as a JSON file in TeachTrack's curriculum format (PDF and Word files need an AI parser, which this server has not configured).")
	case ext == ".docx" || ext == ".doc" || strings.HasPrefix(trimmed, "PK"):
		return errorf(http.StatusUnsupportedMediaType, "Word documents can't be read here: upload the curriculum as a JSON file in TeachTrack's curriculum format (PDF and Word files need an AI parser, which this server has not configured).")
	case ext != ".json" && !strings.HasPrefix(trimmed, "{"):
		return errorf(http.StatusUnsupportedMediaType, "Only JSON curriculum files in TeachTrack's curriculum format can be imported.")
	}
	return nil
}

// uploadResult is the body of a successful upload or import.
type uploadResult struct {
	TemplateID    uint64   `json:"template_id"`
	Status        string   `json:"status"`
	Version       int      `json:"version"`
	Subject       string   `json:"subject"`
	Grade         string   `json:"grade"`
	Strands       int      `json:"strands"`
	Substrands    int      `json:"substrands"`
	Lessons       int      `json:"lessons"`
	FallbackUsed  bool     `json:"fallback_used"`
	ParseWarnings []string `json:"parse_warnings"`
}

// POST /curriculum/upload: a JSON curriculum file becomes a private template
// of the caller (grade and learning_area from the form, when given, name it).
func (c *curriculumAPI) handleUpload(w http.ResponseWriter, r *http.Request) {
	name, data, form, err := uploadedFile(w, r)
	if err == nil {
		err = checkJSONFile(name, data)
	}
	if err == nil && (form["grade"] != "" || form["learning_area"] != "") {
		data, err = curriculum.Rename(data, form["learning_area"], form["grade"])
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	uid := principalFrom(r.Context()).UserID
	fr, err := curriculum.ImportData(reqDB(r), data, name, &uid)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if fr.Status == string(models.ImportCreated) {
		status = http.StatusCreated
	}
	writeJSON(w, status, map[string]any{
		"message": fmt.Sprintf("%s %s is in your curriculum templates (%d strands, %d sub-strands, %d lessons); add it from \"Select curriculum\".", fr.Subject, fr.Grade, fr.Strands, fr.Substrands, fr.Lessons),
		"data":    resultOf(fr),
	})
}

func resultOf(fr curriculum.FileResult) uploadResult {
	return uploadResult{TemplateID: fr.TemplateID, Status: fr.Status, Version: fr.Version, Subject: fr.Subject, Grade: fr.Grade,
		Strands: fr.Strands, Substrands: fr.Substrands, Lessons: fr.Lessons, ParseWarnings: []string{}}
}
