package handlers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"github.com/teachtrack/api/internal/db"
	"github.com/teachtrack/api/internal/llm"
	"github.com/teachtrack/api/internal/models"
)

// Paging of GET /lesson-plans. The frontend reads the whole list at once, so
// a page holds a term's plans for every subject.
const (
	defaultPlansPerPage = 500
	maxPlansPerPage     = 1000
	// maxBulkPlans bounds the ids of one bulk-delete or bulk-download.
	maxBulkPlans = 200
	// maxPlanText bounds one text field in characters: at 4 bytes each it
	// still fits a TEXT column (65,535 bytes).
	maxPlanText = 16000
)

// lessonPlansAPI serves lesson plans: CRUD, bulk actions, PDFs, generation
// from a scheme and the AI assistant. Every route but the shared view needs
// a live session.
type lessonPlansAPI struct {
	*API
	dec *decoder
	ai  planAssistant // nil: the assistant is not configured
}

func newLessonPlansAPI(a *API, dec *decoder) *lessonPlansAPI {
	s := &lessonPlansAPI{API: a, dec: dec}
	// A nil *llm.Client in the interface would not be nil: only a
	// configured client is kept.
	if c := llm.New(llm.Config{BaseURL: a.cfg.LLMBaseURL, APIKey: a.cfg.LLMAPIKey, Models: a.cfg.LLMModels, Timeout: a.cfg.LLMTimeout}); c != nil {
		s.ai = c
	}
	return s
}

func (s *lessonPlansAPI) fail(w http.ResponseWriter, r *http.Request, err error) {
	s.writeError(w, r, db.Translate(err))
}

var errPlanReadOnly = models.Sentence(models.ErrForbidden, "Only the lesson plan's teacher can change it; you can view it.")

// plan loads the plan named by {id} if the caller may do what they need with
// it: 404 when they may not even see it, 403 when they may only read it.
func (s *lessonPlansAPI) plan(r *http.Request, n need) (*models.OwnedPlan, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	p, err := models.PlanByID(reqDB(r), id)
	if err != nil {
		return nil, err
	}
	v := viewer(r)
	switch {
	case !p.CanRead(v):
		return nil, models.ErrNoSuchPlan
	case n != needRead && !p.CanWrite(v):
		return nil, errPlanReadOnly
	}
	return p, nil
}

// reload answers the plan as it now is.
func (s *lessonPlansAPI) reload(w http.ResponseWriter, r *http.Request, id uint64, status int) {
	p, err := models.PlanByID(reqDB(r), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, status, p.LessonPlan)
}

func (s *lessonPlansAPI) handlePlanList(w http.ResponseWriter, r *http.Request) {
	v := viewer(r)
	f := models.PlanFilter{UserID: v.UserID}
	if v.Role == models.RoleSchoolAdmin && v.SchoolID != nil {
		f.SchoolID = v.SchoolID
	}
	var err error
	if a := r.URL.Query().Get("archived"); a != "" {
		f.Archived, err = strconv.ParseBool(a)
		if err != nil {
			err = models.Invalid("archived", "must be true or false")
		}
	}
	if err == nil {
		f.Page, err = queryInt(r, "page", 1)
	}
	if err == nil {
		f.PerPage, err = queryInt(r, "per_page", defaultPlansPerPage)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f.PerPage = min(f.PerPage, maxPlansPerPage)
	list, total, err := models.ListPlans(reqDB(r), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writePage(w, r, f.Page, f.PerPage, total, list)
}

func (s *lessonPlansAPI) handlePlanGet(w http.ResponseWriter, r *http.Request) {
	p, err := s.plan(r, needRead)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p.LessonPlan)
}

func (s *lessonPlansAPI) handlePlanCreate(w http.ResponseWriter, r *http.Request) {
	var req planRequest
	err := s.dec.decode(w, r, &req)
	if err == nil {
		err = req.check(true)
	}
	p := models.LessonPlan{UserID: viewer(r).UserID, Status: models.PlanPending}
	if err == nil {
		err = s.apply(r, &req, &p, map[string]any{})
	}
	if err == nil {
		err = models.CreatePlan(reqDB(r), &p)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.reload(w, r, p.ID, http.StatusCreated)
}

func (s *lessonPlansAPI) handlePlanUpdate(w http.ResponseWriter, r *http.Request) {
	p, err := s.plan(r, needWrite)
	var req planRequest
	if err == nil {
		err = s.dec.decode(w, r, &req)
	}
	if err == nil {
		err = req.check(false)
	}
	changes := map[string]any{}
	if err == nil {
		err = s.apply(r, &req, &p.LessonPlan, changes)
	}
	if err == nil {
		err = models.UpdatePlan(reqDB(r), p.ID, changes)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.reload(w, r, p.ID, http.StatusOK)
}

func (s *lessonPlansAPI) handlePlanDelete(w http.ResponseWriter, r *http.Request) {
	p, err := s.plan(r, needDelete)
	if err == nil {
		err = models.DeletePlan(reqDB(r), p.ID)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"message": "Lesson plan deleted"})
}

// readIDs reads a bulk body: a bare JSON array of plan ids, as the frontend
// sends it ([1,2,3]). Repeated ids count once.
func (s *lessonPlansAPI) readIDs(w http.ResponseWriter, r *http.Request) ([]uint64, error) {
	var raw []json.Number
	if err := s.dec.read(w, r, &raw, false); err != nil {
		if he, ok := err.(*httpError); ok && he.status == http.StatusBadRequest {
			return nil, errorf(http.StatusBadRequest, "The request body must be a JSON array of lesson plan ids, such as [1, 2, 3].")
		}
		return nil, err
	}
	if len(raw) == 0 {
		return nil, errorf(http.StatusUnprocessableEntity, "Choose at least one lesson plan.")
	}
	if len(raw) > maxBulkPlans {
		return nil, errorf(http.StatusUnprocessableEntity, fmt.Sprintf("At most %d lesson plans can be handled at once; you sent %d.", maxBulkPlans, len(raw)))
	}
	seen := make(map[uint64]bool, len(raw))
	ids := make([]uint64, 0, len(raw))
	for _, n := range raw {
		id, err := strconv.ParseUint(n.String(), 10, 64)
		if err != nil || id == 0 || id > math.MaxInt64 {
			return nil, errorf(http.StatusBadRequest, fmt.Sprintf("%s is not a lesson plan id: ids are positive whole numbers.", n))
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids, nil
}

func (s *lessonPlansAPI) handlePlansBulkDelete(w http.ResponseWriter, r *http.Request) {
	ids, err := s.readIDs(w, r)
	if err == nil {
		err = models.DeletePlans(reqDB(r), viewer(r).UserID, ids)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"message": "Plans deleted", "deleted": len(ids)})
}

func (s *lessonPlansAPI) setArchived(archived bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := s.plan(r, needWrite)
		if err == nil {
			err = s.dec.decodeOptional(w, r, &struct{}{})
		}
		if err == nil {
			err = models.UpdatePlan(reqDB(r), p.ID, map[string]any{"is_archived": archived})
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.reload(w, r, p.ID, http.StatusOK)
	}
}

// handlePlanDuplicate copies a plan the caller may read into a new plan of
// their own: not archived, not shared, linked to no scheme lesson (that link
// is the original's), pending.
func (s *lessonPlansAPI) handlePlanDuplicate(w http.ResponseWriter, r *http.Request) {
	p, err := s.plan(r, needRead)
	if err == nil {
		err = s.dec.decodeOptional(w, r, &struct{}{})
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c := p.LessonPlan
	c.ID, c.SchemeLessonID, c.ShareToken, c.IsPublic, c.IsArchived, c.Status = 0, nil, nil, false, false, models.PlanPending
	if me := viewer(r).UserID; c.UserID != me {
		c.UserID, c.SubjectID = me, nil // another teacher's subject is not the caller's
	}
	if err := models.CreatePlan(reqDB(r), &c); err != nil {
		s.fail(w, r, err)
		return
	}
	s.reload(w, r, c.ID, http.StatusCreated)
}

// planSharePath is where a shared plan is read without signing in.
const planSharePath = "/api/v1/shared/lesson-plans/"

func (s *lessonPlansAPI) handlePlanShare(w http.ResponseWriter, r *http.Request) {
	p, err := s.plan(r, needWrite)
	if err == nil {
		err = s.dec.decodeOptional(w, r, &struct{}{})
	}
	var token string
	if err == nil {
		token, err = models.SharePlan(reqDB(r), p.ID)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// As for schemes: the API's own path behind the site's public address
	// (FRONTEND_URL; the frontend proxies /api/v1).
	url := strings.TrimRight(s.cfg.FrontendURL, "/") + planSharePath + token
	writeJSON(w, http.StatusOK, map[string]string{"share_url": url, "share_token": token})
}

func (s *lessonPlansAPI) handlePlanUnshare(w http.ResponseWriter, r *http.Request) {
	p, err := s.plan(r, needWrite)
	if err == nil {
		err = s.dec.decodeOptional(w, r, &struct{}{})
	}
	if err == nil {
		err = models.UnsharePlan(reqDB(r), p.ID)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"message": "The share link no longer works."})
}

// sharedPlan is what a share link shows: the plan's content, not who owns
// it or its links to the teacher's other records.
type sharedPlan struct {
	LearningArea              string  `json:"learning_area"`
	Grade                     string  `json:"grade"`
	Date                      *string `json:"date"`
	Time                      string  `json:"time"`
	Roll                      string  `json:"roll"`
	LessonDurationMinutes     *int    `json:"lesson_duration_minutes"`
	StrandThemeTopic          string  `json:"strand_theme_topic"`
	SubStrandSubThemeSubTopic string  `json:"sub_strand_sub_theme_sub_topic"`
	models.PlanText
	Status       string `json:"status"`
	WeekNumber   *int   `json:"week_number"`
	LessonNumber *int   `json:"lesson_number"`
}

func (s *lessonPlansAPI) handleSharedPlan(w http.ResponseWriter, r *http.Request) {
	token := chi.URLParam(r, "token")
	if len(token) != 64 || strings.Trim(token, "0123456789abcdef") != "" {
		s.fail(w, r, models.ErrNoSuchSharedPlan)
		return
	}
	p, err := models.SharedPlan(reqDB(r), token)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, sharedPlan{LearningArea: p.LearningArea, Grade: p.Grade, Date: p.Date, Time: p.Time, Roll: p.Roll,
		LessonDurationMinutes: p.LessonDurationMinutes, StrandThemeTopic: p.StrandThemeTopic, SubStrandSubThemeSubTopic: p.SubStrandSubThemeSubTopic,
		PlanText: p.PlanText, Status: p.Status, WeekNumber: p.WeekNumber, LessonNumber: p.LessonNumber})
}

// planRequest is the body of POST and PUT /lesson-plans. PUT changes only the
// fields present. The edit page sends back the whole plan it read, with null
// turned into "", so the read-only fields are accepted and ignored, and
// numbers may come as "" or as digits in a string.
type planRequest struct {
	SubjectID                 lpInt   `json:"subject_id"`
	LearningArea              *string `json:"learning_area" validate:"omitempty,max=255"`
	Grade                     *string `json:"grade" validate:"omitempty,max=50"`
	Date                      lpText  `json:"date"`
	Time                      *string `json:"time" validate:"omitempty,max=50"`
	Roll                      *string `json:"roll" validate:"omitempty,max=50"`
	LessonDurationMinutes     lpInt   `json:"lesson_duration_minutes"`
	StrandThemeTopic          *string `json:"strand_theme_topic" validate:"omitempty,max=255"`
	SubStrandSubThemeSubTopic *string `json:"sub_strand_sub_theme_sub_topic" validate:"omitempty,max=255"`
	SpecificLearningOutcomes  *string `json:"specific_learning_outcomes" validate:"omitempty,max=16000"`
	KeyInquiryQuestions       *string `json:"key_inquiry_questions" validate:"omitempty,max=16000"`
	CoreCompetences           *string `json:"core_competences" validate:"omitempty,max=16000"`
	ValuesToBeDeveloped       *string `json:"values_to_be_developed" validate:"omitempty,max=16000"`
	PCIsToBeAddressed         *string `json:"pcis_to_be_addressed" validate:"omitempty,max=16000"`
	LearningResources         *string `json:"learning_resources" validate:"omitempty,max=16000"`
	Introduction              *string `json:"introduction" validate:"omitempty,max=16000"`
	Development               *string `json:"development" validate:"omitempty,max=16000"`
	Conclusion                *string `json:"conclusion" validate:"omitempty,max=16000"`
	Summary                   *string `json:"summary" validate:"omitempty,max=16000"`
	ReflectionSelfEvaluation  *string `json:"reflection_self_evaluation" validate:"omitempty,max=16000"`
	Status                    *string `json:"status" validate:"omitempty,oneof=pending taught postponed"`
	Notes                     *string `json:"notes" validate:"omitempty,max=16000"`

	// Read-only: sent back by the edit page, ignored.
	ID             json.RawMessage `json:"id"`
	UserID         json.RawMessage `json:"user_id"`
	SchemeLessonID json.RawMessage `json:"scheme_lesson_id"`
	IsArchived     json.RawMessage `json:"is_archived"`
	ShareToken     json.RawMessage `json:"share_token"`
	IsPublic       json.RawMessage `json:"is_public"`
	CreatedAt      json.RawMessage `json:"created_at"`
	UpdatedAt      json.RawMessage `json:"updated_at"`
	WeekNumber     json.RawMessage `json:"week_number"`
	LessonNumber   json.RawMessage `json:"lesson_number"`
}

// check applies what tags can't say: the three fields the frontend requires
// are present (on create) and not blank, numbers are in range.
func (q *planRequest) check(create bool) error {
	for _, f := range []struct {
		name string
		v    *string
	}{{"learning_area", q.LearningArea}, {"grade", q.Grade}, {"strand_theme_topic", q.StrandThemeTopic}} {
		if f.v == nil {
			if create {
				return models.Invalid(f.name, "is required")
			}
			continue
		}
		if *f.v = strings.TrimSpace(*f.v); *f.v == "" {
			return models.Invalid(f.name, "must not be blank")
		}
	}
	if q.Date.V != nil && utf8.RuneCountInString(*q.Date.V) > 50 {
		return models.Invalid("date", "must be at most 50 characters long")
	}
	if d := q.LessonDurationMinutes.V; d != nil && (*d < 1 || *d > 600) {
		return models.Invalid("lesson_duration_minutes", "must be between 1 and 600")
	}
	return nil
}

var errNoSuchSubjectForPlan = models.Sentence(models.ErrNotFound, "There is no such subject among yours: a lesson plan can only belong to one of your own subjects.")

// apply copies the request's fields onto p and into changes (by column). A
// subject must be one of the caller's own (404 otherwise); 0 or "" means none.
func (s *lessonPlansAPI) apply(r *http.Request, q *planRequest, p *models.LessonPlan, changes map[string]any) error {
	if q.SubjectID.Set {
		var sid *uint64
		if q.SubjectID.V != nil && *q.SubjectID.V != 0 {
			if *q.SubjectID.V < 0 {
				return models.Invalid("subject_id", "must be a positive whole number")
			}
			id := uint64(*q.SubjectID.V)
			if p.SubjectID == nil || *p.SubjectID != id { // an unchanged link needs no check
				sub, err := models.SubjectByID(reqDB(r), id)
				if err != nil || sub.UserID != p.UserID {
					return errNoSuchSubjectForPlan
				}
			}
			sid = &id
		}
		p.SubjectID, changes["subject_id"] = sid, sid
	}
	if q.Date.Set {
		var d *string
		if q.Date.V != nil && strings.TrimSpace(*q.Date.V) != "" {
			v := strings.TrimSpace(*q.Date.V)
			d = &v
		}
		p.Date, changes["date"] = d, d
	}
	if q.LessonDurationMinutes.Set {
		var d *int
		if v := q.LessonDurationMinutes.V; v != nil {
			n := int(*v) // 1..600 (check)
			d = &n
		}
		p.LessonDurationMinutes, changes["lesson_duration_minutes"] = d, d
	}
	for _, f := range []struct {
		col  string
		from *string
		to   *string
	}{
		{"learning_area", q.LearningArea, &p.LearningArea},
		{"grade", q.Grade, &p.Grade},
		{"time", q.Time, &p.Time},
		{"roll", q.Roll, &p.Roll},
		{"strand_theme_topic", q.StrandThemeTopic, &p.StrandThemeTopic},
		{"sub_strand_sub_theme_sub_topic", q.SubStrandSubThemeSubTopic, &p.SubStrandSubThemeSubTopic},
		{"specific_learning_outcomes", q.SpecificLearningOutcomes, &p.SpecificLearningOutcomes},
		{"key_inquiry_questions", q.KeyInquiryQuestions, &p.KeyInquiryQuestions},
		{"core_competences", q.CoreCompetences, &p.CoreCompetences},
		{"values_to_be_developed", q.ValuesToBeDeveloped, &p.ValuesToBeDeveloped},
		{"pcis_to_be_addressed", q.PCIsToBeAddressed, &p.PCIsToBeAddressed},
		{"learning_resources", q.LearningResources, &p.LearningResources},
		{"introduction", q.Introduction, &p.Introduction},
		{"development", q.Development, &p.Development},
		{"conclusion", q.Conclusion, &p.Conclusion},
		{"summary", q.Summary, &p.Summary},
		{"reflection_self_evaluation", q.ReflectionSelfEvaluation, &p.ReflectionSelfEvaluation},
		{"status", q.Status, &p.Status},
		{"notes", q.Notes, &p.Notes},
	} {
		if f.from != nil {
			*f.to, changes[f.col] = *f.from, *f.from
		}
	}
	return nil
}

// lpInt is an optional whole number that also takes "" and null (none) and
// digits in a string, as an HTML form's state sends them.
type lpInt struct {
	Set bool
	V   *int64
}

func (o *lpInt) UnmarshalJSON(b []byte) error {
	o.Set = true
	b = bytes.TrimSpace(b)
	if string(b) == "null" || string(b) == `""` {
		return nil
	}
	s := string(b)
	if len(b) > 1 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
		if s == "" {
			return nil
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return &json.UnmarshalTypeError{Value: "value " + s, Type: lpReflectInt}
	}
	o.V = &n
	return nil
}

// lpText is an optional string where null means "clear it".
type lpText struct {
	Set bool
	V   *string
}

func (o *lpText) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(bytes.TrimSpace(b)) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return &json.UnmarshalTypeError{Value: "value", Type: lpReflectString}
	}
	o.V = &s
	return nil
}

var (
	lpReflectInt    = reflect.TypeOf(int64(0))
	lpReflectString = reflect.TypeOf("")
)
