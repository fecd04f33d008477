package handlers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/teachtrack/api/internal/models"
)

// documentsAPI serves schemes of work and records of work: the teacher's
// professional records. Every route but the shared views needs a session.
type documentsAPI struct {
	*API
	dec *decoder
}

func newDocumentsAPI(a *API, dec *decoder) *documentsAPI { return &documentsAPI{API: a, dec: dec} }

func (d *documentsAPI) fail(w http.ResponseWriter, r *http.Request, err error) {
	(&subjectsAPI{API: d.API}).fail(w, r, err)
}

var errDocumentReadOnly = models.Sentence(models.ErrForbidden, "Only the teacher who owns this document can change it; you can view it.")

// scheme loads the scheme {id} if the caller may read it (404 otherwise) and,
// with write, change it (403 for a school admin, who only reads).
func (d *documentsAPI) scheme(r *http.Request, write bool) (*models.OwnedScheme, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	s, err := models.SchemeByID(reqDB(r), id)
	switch {
	case err != nil:
		return nil, err
	case !s.CanRead(viewer(r)):
		return nil, models.ErrNoSuchScheme
	case write && !s.CanWrite(viewer(r)):
		return nil, errDocumentReadOnly
	}
	return s, nil
}

// schemeJSON is a scheme as the frontend reads it: the row, is_public and the
// share link, and (on single-scheme answers) its weeks.
type schemeJSON struct {
	*models.Scheme
	IsPublic bool    `json:"is_public"`
	ShareURL *string `json:"share_url"`
	// Weeks is set on single-scheme answers, [] when there are none.
	Weeks *[]models.SchemeWeek `json:"weeks,omitempty"`
}

func (d *documentsAPI) schemeJSON(s *models.Scheme) schemeJSON {
	out := schemeJSON{Scheme: s, IsPublic: s.ShareToken != nil}
	if s.ShareToken != nil {
		u := d.shareURL("schemes", *s.ShareToken)
		out.ShareURL = &u
	}
	return out
}

// shareURL is the public link of a shared document: the API's own path,
// behind the site's public address (FRONTEND_URL; the frontend proxies
// /api/v1) when one is configured.
func (d *documentsAPI) shareURL(kind, token string) string {
	return strings.TrimRight(d.cfg.FrontendURL, "/") + "/api/v1/shared/" + kind + "/" + token
}

// archivedQuery reads ?archived=true|false (default false).
func archivedQuery(r *http.Request) (bool, error) {
	switch r.URL.Query().Get("archived") {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	}
	return false, models.Invalid("archived", "must be true or false")
}

func (d *documentsAPI) handleSchemeList(w http.ResponseWriter, r *http.Request) {
	archived, err := archivedQuery(r)
	var list []models.Scheme
	if err == nil {
		list, err = models.ListSchemes(reqDB(r), viewer(r), archived)
	}
	if err != nil {
		d.fail(w, r, err)
		return
	}
	out := make([]schemeJSON, len(list))
	for i := range list {
		out[i] = d.schemeJSON(&list[i])
	}
	writeJSON(w, http.StatusOK, out)
}

func (d *documentsAPI) handleSchemeStats(w http.ResponseWriter, r *http.Request) {
	st, err := models.StatsOfSchemes(reqDB(r), viewer(r))
	if err != nil {
		d.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// showScheme answers with s and its weeks.
func (d *documentsAPI) showScheme(w http.ResponseWriter, r *http.Request, s *models.Scheme, status int) {
	if err := models.LoadWeeks(reqDB(r), s); err != nil {
		d.fail(w, r, err)
		return
	}
	if status == http.StatusCreated {
		w.Header().Set("Location", fmt.Sprintf("/api/v1/schemes/%d", s.ID))
	}
	out := d.schemeJSON(s)
	out.Weeks = &s.Weeks
	writeJSON(w, status, out)
}

func (d *documentsAPI) handleSchemeGet(w http.ResponseWriter, r *http.Request) {
	s, err := d.scheme(r, false)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	d.showScheme(w, r, &s.Scheme, http.StatusOK)
}

// echoed is a field the frontend sends back (it echoes what it read) that
// the API neither needs nor changes.
type echoed = json.RawMessage

// schemeLessonInput is one lesson of a scheme as the frontend sends it.
type schemeLessonInput struct {
	ID                        uint64 `json:"id"`
	LessonNumber              int    `json:"lesson_number" validate:"omitempty,min=1,max=1000"`
	Kind                      string `json:"kind" validate:"omitempty,oneof=lesson opening assessment closing break revision"`
	Strand                    string `json:"strand" validate:"max=500"`
	SubStrand                 string `json:"sub_strand" validate:"max=500"`
	SpecificLearningOutcomes  string `json:"specific_learning_outcomes" validate:"max=65535"`
	KeyInquiryQuestions       string `json:"key_inquiry_questions" validate:"max=65535"`
	LearningExperiences       string `json:"learning_experiences" validate:"max=65535"`
	LearningResources         string `json:"learning_resources" validate:"max=65535"`
	TextbookName              string `json:"textbook_name" validate:"max=255"`
	TextbookTeacherGuidePages string `json:"textbook_teacher_guide_pages" validate:"max=100"`
	TextbookLearnerBookPages  string `json:"textbook_learner_book_pages" validate:"max=100"`
	AssessmentMethods         string `json:"assessment_methods" validate:"max=65535"`
	Reflection                string `json:"reflection" validate:"max=65535"`
	CoreCompetencies          string `json:"core_competencies" validate:"max=65535"`
	Values                    string `json:"values" validate:"max=65535"`
	PCIs                      string `json:"pcis" validate:"max=65535"`
	Links                     string `json:"links" validate:"max=65535"`

	LessonID                  echoed `json:"lesson_id"`
	LessonTitle               echoed `json:"lesson_title"`
	SelectedResources         echoed `json:"selected_resources"`
	SelectedAssessmentMethods echoed `json:"selected_assessment_methods"`
	SchemeID                  echoed `json:"scheme_id"`
	WeekID                    echoed `json:"week_id"`
	SubStrandID               echoed `json:"sub_strand_id"`
	CreatedAt                 echoed `json:"created_at"`
	UpdatedAt                 echoed `json:"updated_at"`
}

type schemeWeekInput struct {
	WeekNumber int                 `json:"week_number" validate:"required,min=1,max=52"`
	Lessons    []schemeLessonInput `json:"lessons" validate:"max=40,dive"`

	ID        echoed `json:"id"`
	SchemeID  echoed `json:"scheme_id"`
	StartDate echoed `json:"start_date"`
	EndDate   echoed `json:"end_date"`
	CreatedAt echoed `json:"created_at"`
}

// weeksOf turns the request's weeks into models: lessons numbered by
// position when unnumbered; week numbers must be unique.
func weeksOf(in []schemeWeekInput) ([]models.SchemeWeek, error) {
	out := make([]models.SchemeWeek, len(in))
	seen := map[int]bool{}
	for i, w := range in {
		if seen[w.WeekNumber] {
			return nil, models.Invalid("weeks", fmt.Sprintf("week %d appears twice", w.WeekNumber))
		}
		seen[w.WeekNumber] = true
		out[i] = models.SchemeWeek{WeekNumber: w.WeekNumber, Lessons: make([]models.SchemeLesson, len(w.Lessons))}
		for j, l := range w.Lessons {
			n := l.LessonNumber
			if n == 0 {
				n = j + 1
			}
			out[i].Lessons[j] = models.SchemeLesson{ID: l.ID, LessonNumber: n, Kind: l.Kind, Strand: l.Strand, SubStrand: l.SubStrand,
				SpecificLearningOutcomes: l.SpecificLearningOutcomes, KeyInquiryQuestions: l.KeyInquiryQuestions,
				LearningExperiences: l.LearningExperiences, LearningResources: l.LearningResources,
				TextbookName: l.TextbookName, TextbookTeacherGuidePages: l.TextbookTeacherGuidePages,
				TextbookLearnerBookPages: l.TextbookLearnerBookPages, AssessmentMethods: l.AssessmentMethods,
				Reflection: l.Reflection, CoreCompetencies: l.CoreCompetencies, Values: l.Values, PCIs: l.PCIs, Links: l.Links}
		}
	}
	return out, nil
}

// termNumberRe finds the term's number in "Term 2", "term2", "2".
var termNumberRe = regexp.MustCompile(`\d+`)

// termNumber is the first whole number in term, 0 when there is none.
func termNumber(term string) int {
	n, _ := strconv.Atoi(termNumberRe.FindString(term))
	return n
}

// schemeHeader are the scheme's own fields, as create, generate and update
// take them.
type schemeHeader struct {
	TeacherName           *string `json:"teacher_name" validate:"omitempty,max=255"`
	School                *string `json:"school" validate:"omitempty,max=255"`
	Term                  *string `json:"term" validate:"omitempty,max=50"`
	Year                  *int    `json:"year" validate:"omitempty,min=2000,max=2100"`
	Subject               *string `json:"subject" validate:"omitempty,max=255"`
	Grade                 *string `json:"grade" validate:"omitempty,max=50"`
	Stream                *string `json:"stream" validate:"omitempty,max=100"`
	Roll                  *string `json:"roll" validate:"omitempty,max=50"`
	LessonDurationMinutes *int    `json:"lesson_duration_minutes" validate:"omitempty,min=1,max=600"`
	LessonsPerWeek        *int    `json:"lessons_per_week" validate:"omitempty,min=1,max=40"`
	Status                *string `json:"status" validate:"omitempty,oneof=draft active completed"`
	Notes                 *string `json:"notes" validate:"omitempty,max=65535"`
}

// apply copies the fields present onto s and into changes (by column).
func (h schemeHeader) apply(s *models.Scheme, changes map[string]any) {
	str := func(col string, from *string, to *string) {
		if from != nil {
			v := strings.TrimSpace(*from)
			*to, changes[col] = v, v
		}
	}
	str("teacher_name", h.TeacherName, &s.TeacherName)
	str("school", h.School, &s.School)
	str("subject", h.Subject, &s.Subject)
	str("grade", h.Grade, &s.Grade)
	str("stream", h.Stream, &s.Stream)
	str("roll", h.Roll, &s.Roll)
	str("status", h.Status, &s.Status)
	str("notes", h.Notes, &s.Notes)
	if h.Term != nil {
		str("term", h.Term, &s.Term)
		s.TermNumber = termNumber(s.Term)
		changes["term_number"] = s.TermNumber
	}
	if h.Year != nil {
		s.Year, changes["year"] = *h.Year, *h.Year
	}
	if h.LessonDurationMinutes != nil {
		s.LessonDurationMinutes, changes["lesson_duration_minutes"] = h.LessonDurationMinutes, *h.LessonDurationMinutes
	}
	if h.LessonsPerWeek != nil {
		s.LessonsPerWeek, changes["lessons_per_week"] = *h.LessonsPerWeek, *h.LessonsPerWeek
	}
}

// requireHeader checks the fields every scheme must have.
func requireHeader(s *models.Scheme) error {
	for _, f := range []struct{ name, v string }{{"term", s.Term}, {"subject", s.Subject}, {"grade", s.Grade}} {
		if f.v == "" {
			return models.Invalid(f.name, "is required")
		}
	}
	if s.Year == 0 {
		return models.Invalid("year", "is required")
	}
	return nil
}

// schemeEcho are the read-only fields of a scheme that the frontend's edit
// and status pages send back with their changes.
type schemeEcho struct {
	ID           echoed `json:"id"`
	UserID       echoed `json:"user_id"`
	SubjectName  echoed `json:"subject_name"`
	TermNumber   echoed `json:"term_number"`
	TermYear     echoed `json:"term_year"`
	TotalWeeks   echoed `json:"total_weeks"`
	TotalLessons echoed `json:"total_lessons"`
	IsArchived   echoed `json:"is_archived"`
	IsPublic     echoed `json:"is_public"`
	ShareToken   echoed `json:"share_token"`
	ShareURL     echoed `json:"share_url"`
	CreatedAt    echoed `json:"created_at"`
	UpdatedAt    echoed `json:"updated_at"`
	// Sent by the generator page's manual save.
	DefaultTextbook     echoed `json:"default_textbook"`
	IncludeSpecialWeeks echoed `json:"include_special_weeks"`
}

type schemeCreateRequest struct {
	SubjectID *uint64 `json:"subject_id"`
	schemeHeader
	schemeEcho
	Weeks []schemeWeekInput `json:"weeks" validate:"max=52,dive"`
}

// ownSubject checks that subject id is the caller's own (404 otherwise: the
// original let anyone attach anyone's subject).
func ownSubject(r *http.Request, id uint64) (*models.OwnedSubject, error) {
	sub, err := models.SubjectByID(reqDB(r), id)
	if err != nil {
		return nil, err
	}
	if sub.UserID != viewer(r).UserID {
		return nil, models.ErrNoSuchSubject
	}
	return sub, nil
}

func (d *documentsAPI) handleSchemeCreate(w http.ResponseWriter, r *http.Request) {
	var req schemeCreateRequest
	err := d.dec.decode(w, r, &req)
	s := &models.Scheme{UserID: viewer(r).UserID, Status: "active", LessonsPerWeek: models.DefaultLessonsPerWeek}
	if err == nil && req.SubjectID != nil && *req.SubjectID != 0 {
		_, err = ownSubject(r, *req.SubjectID)
		s.SubjectID = req.SubjectID
	}
	if err == nil {
		req.schemeHeader.apply(s, map[string]any{})
		err = requireHeader(s)
	}
	if err == nil {
		s.Weeks, err = weeksOf(req.Weeks)
	}
	if err == nil {
		err = d.checkWeeks(r, len(s.Weeks))
	}
	if err == nil {
		err = models.CreateScheme(reqDB(r), s)
	}
	if err != nil {
		d.fail(w, r, err)
		return
	}
	d.showScheme(w, r, s, http.StatusCreated)
}

type schemeUpdateRequest struct {
	SubjectID echoed `json:"subject_id"`
	schemeHeader
	schemeEcho
	Weeks *[]schemeWeekInput `json:"weeks" validate:"omitempty,max=52,dive"`
}

func (d *documentsAPI) handleSchemeUpdate(w http.ResponseWriter, r *http.Request) {
	var req schemeUpdateRequest
	err := d.dec.decode(w, r, &req)
	var s *models.OwnedScheme
	if err == nil {
		s, err = d.scheme(r, true)
	}
	changes := map[string]any{}
	var weeks []models.SchemeWeek
	if err == nil {
		req.schemeHeader.apply(&s.Scheme, changes)
		err = requireHeader(&s.Scheme)
	}
	if err == nil && req.Weeks != nil {
		weeks, err = weeksOf(*req.Weeks)
		if err == nil {
			err = d.checkWeeks(r, len(weeks))
		}
		if weeks == nil {
			weeks = []models.SchemeWeek{}
		}
	}
	if err == nil {
		err = models.UpdateScheme(reqDB(r), &s.Scheme, changes, weeks)
	}
	if err == nil {
		s, err = d.scheme(r, false)
	}
	if err != nil {
		d.fail(w, r, err)
		return
	}
	d.showScheme(w, r, &s.Scheme, http.StatusOK)
}

func (d *documentsAPI) handleSchemeDelete(w http.ResponseWriter, r *http.Request) {
	s, err := d.scheme(r, true)
	if err == nil {
		err = models.DeleteScheme(reqDB(r), s.ID)
	}
	if err != nil {
		d.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, messageJSON{"Scheme deleted."})
}

// messageJSON is a plain {"message": …} answer, as the frontend expects from
// actions whose result it doesn't read.
type messageJSON struct {
	Message string `json:"message"`
}

func (d *documentsAPI) handleSchemeArchive(archived bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, err := d.scheme(r, true)
		if err == nil {
			err = models.SetArchived(reqDB(r), "schemes_of_work", s.ID, archived)
		}
		if err != nil {
			d.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, archiveMessage(archived))
	}
}

func archiveMessage(archived bool) messageJSON {
	if archived {
		return messageJSON{"Archived."}
	}
	return messageJSON{"Unarchived."}
}

// shareJSON answers a share: the link the frontend copies to the clipboard.
type shareJSON struct {
	ShareURL   string `json:"share_url"`
	ShareToken string `json:"share_token"`
	IsPublic   bool   `json:"is_public"`
}

func (d *documentsAPI) handleSchemeShare(w http.ResponseWriter, r *http.Request) {
	s, err := d.scheme(r, true)
	token := ""
	if err == nil {
		token, err = models.Share(reqDB(r), "schemes_of_work", s.ID)
	}
	if err != nil {
		d.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, shareJSON{ShareURL: d.shareURL("schemes", token), ShareToken: token, IsPublic: true})
}

func (d *documentsAPI) handleSchemeUnshare(w http.ResponseWriter, r *http.Request) {
	s, err := d.scheme(r, true)
	if err == nil {
		err = models.Unshare(reqDB(r), "schemes_of_work", s.ID)
	}
	if err != nil {
		d.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (d *documentsAPI) handleSchemeDuplicate(w http.ResponseWriter, r *http.Request) {
	s, err := d.scheme(r, false)
	if err == nil {
		err = models.LoadWeeks(reqDB(r), &s.Scheme)
	}
	var c *models.Scheme
	if err == nil {
		c = models.CopyScheme(&s.Scheme, viewer(r).UserID)
		err = d.checkWeeks(r, len(c.Weeks))
	}
	if err == nil {
		err = models.CreateScheme(reqDB(r), c)
	}
	if err != nil {
		d.fail(w, r, err)
		return
	}
	d.showScheme(w, r, c, http.StatusCreated)
}

// checkWeeks applies the caller's plan to a scheme of weeks weeks
// (PlanLimits.MaxSchemeWeeks: a free trial's schemes cover one week).
func (d *documentsAPI) checkWeeks(r *http.Request, weeks int) error {
	l, err := d.limits(r)
	if err != nil {
		return err
	}
	return l.AllowWeeks(weeks)
}

// now is the request's clock.
func now() time.Time { return time.Now().UTC() }
