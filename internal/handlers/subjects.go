package handlers

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"gorm.io/gorm"

	"github.com/teachtrack/api/internal/db"
	"github.com/teachtrack/api/internal/models"
)

// Paging of GET /subjects.
const (
	defaultSubjectsPerPage = 50
	maxSubjectsPerPage     = 200
)

// Bounds of one subject's tree, so that a subject's lists stay bounded.
const (
	maxStrands    = 100
	maxSubStrands = 1000 // in the whole subject
)

// subjectsAPI serves subjects, their curriculum trees, lessons and the
// progress dashboards. Every route needs a live session (requireSession).
type subjectsAPI struct {
	*API
	dec *decoder
}

func newSubjectsAPI(a *API, dec *decoder) *subjectsAPI { return &subjectsAPI{API: a, dec: dec} }

// fail answers with err through the one error path, driver errors translated.
func (s *subjectsAPI) fail(w http.ResponseWriter, r *http.Request, err error) {
	s.writeError(w, r, db.Translate(err))
}

// viewer is the caller as the subjects' access rules see them.
func viewer(r *http.Request) models.Viewer {
	p := principalFrom(r.Context())
	return models.Viewer{UserID: p.UserID, Role: p.Role, SchoolID: p.SchoolID}
}

// pathID reads the {id} path parameter: digits only, from 1 to the largest
// int64. Anything else (a sign, negative, too large, not a number) is 400, so a
// malformed id is told apart from one that names nothing (404).
func pathID(r *http.Request) (uint64, error) {
	id, err := strconv.ParseUint(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id == 0 || id > math.MaxInt64 {
		return 0, errorf(http.StatusBadRequest, "The id in the path must be a positive whole number.")
	}
	return id, nil
}

// Access a handler needs to a subject.
type need int

const (
	needRead need = iota
	needWrite
	needDelete
)

var errReadOnly = models.Sentence(models.ErrForbidden, "Only the subject's teacher can change it; you can view it.")

// subject loads the subject named by {id} if the caller may do what they
// need with it: 404 when they may not even see it (so ids reveal nothing),
// 403 when they may see it but not change it.
func (s *subjectsAPI) subject(r *http.Request, n need) (*models.OwnedSubject, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	// The check may read a replica on a write (readSide): a subject's owner
	// never changes, and a subject deleted meanwhile fails the write itself.
	var sub *models.OwnedSubject
	err = s.readSide(r, func(tx *gorm.DB) (err error) {
		sub, err = models.SubjectByID(tx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return sub, allowed(sub, viewer(r), n)
}

func allowed(sub *models.OwnedSubject, v models.Viewer, n need) error {
	switch {
	case !sub.CanRead(v):
		return models.ErrNoSuchSubject
	case n == needWrite && !sub.CanWrite(v), n == needDelete && !sub.CanDelete(v):
		return errReadOnly
	}
	return nil
}

func (s *subjectsAPI) handleSubjectList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := viewer(r)
	f := models.SubjectFilter{UserID: v.UserID, Grade: strings.TrimSpace(q.Get("grade")), Query: strings.TrimSpace(q.Get("q")),
		Sort: models.SubjectSort(q.Get("sort"))}
	if v.Role.IsAdmin() && v.SchoolID != nil {
		f.SchoolID = v.SchoolID
	}
	var err error
	if f.Sort == "" {
		f.Sort = models.SortNewest
	} else if !f.Sort.Valid() {
		err = models.Invalid("sort", "must be one of subject_name, -created_at, progress_percentage")
	}
	if err == nil {
		f.Page, err = queryInt(r, "page", 1)
	}
	if err == nil {
		f.PerPage, err = queryInt(r, "per_page", defaultSubjectsPerPage)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f.PerPage = min(f.PerPage, maxSubjectsPerPage)
	subjects, total, err := models.ListSubjects(reqDB(r), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writePage(w, r, f.Page, f.PerPage, total, subjects)
}

// pageLinks is the RFC 8288 Link header of one page of a list: first, prev,
// next and last, as URLs relative to the API's host (the frontend reaches us
// through a proxy, so our own host name means nothing to it).
// writePage answers one page of a list: the items as a JSON array, the
// total in X-Total-Count and the neighbouring pages in Link.
func writePage(w http.ResponseWriter, r *http.Request, page, perPage int, total int64, items any) {
	w.Header().Set("X-Total-Count", strconv.FormatInt(total, 10))
	if link := pageLinks(r.URL, page, perPage, total); link != "" {
		w.Header().Set("Link", link)
	}
	writeJSON(w, http.StatusOK, items)
}

func pageLinks(u *url.URL, page, perPage int, total int64) string {
	last := max(int((total+int64(perPage)-1)/int64(perPage)), 1)
	link := func(p int, rel string) string {
		q := u.Query()
		q.Set("page", strconv.Itoa(p))
		q.Set("per_page", strconv.Itoa(perPage))
		return fmt.Sprintf(`<%s?%s>; rel="%s"`, u.Path, q.Encode(), rel)
	}
	links := []string{link(1, "first")}
	if page > 1 {
		links = append(links, link(min(page-1, last), "prev"))
	}
	if page < last {
		links = append(links, link(page+1, "next"))
	}
	links = append(links, link(last, "last"))
	return strings.Join(links, ", ")
}

// scheduling are the four weekly scheduling fields, optional on create and
// update. Bounds are generous versions of the frontend's form limits.
type scheduling struct {
	LessonsPerWeek       *int `json:"lessons_per_week" validate:"omitempty,min=1,max=40"`
	SingleLessonDuration *int `json:"single_lesson_duration" validate:"omitempty,min=1,max=300"`
	DoubleLessonDuration *int `json:"double_lesson_duration" validate:"omitempty,min=1,max=600"`
	DoubleLessonsPerWeek *int `json:"double_lessons_per_week" validate:"omitempty,min=0,max=40"`
}

// apply copies the fields present onto sub and into changes (by column),
// and checks the resulting schedule.
func (sc scheduling) apply(sub *models.Subject, changes map[string]any) error {
	for _, f := range []struct {
		col      string
		from, to *int
	}{
		{"lessons_per_week", sc.LessonsPerWeek, &sub.LessonsPerWeek},
		{"single_lesson_duration", sc.SingleLessonDuration, &sub.SingleLessonDuration},
		{"double_lesson_duration", sc.DoubleLessonDuration, &sub.DoubleLessonDuration},
		{"double_lessons_per_week", sc.DoubleLessonsPerWeek, &sub.DoubleLessonsPerWeek},
	} {
		if f.from != nil {
			*f.to, changes[f.col] = *f.from, *f.from
		}
	}
	if sub.DoubleLessonsPerWeek > sub.LessonsPerWeek {
		return models.Invalid("double_lessons_per_week", "must not be more than lessons_per_week")
	}
	return nil
}

type lessonRequest struct {
	LessonTitle      string `json:"lesson_title" validate:"required,max=500"`
	LessonNumber     *int   `json:"lesson_number" validate:"omitempty,min=1,max=100000"`
	Description      string `json:"description" validate:"max=65535"`
	DurationMinutes  *int   `json:"duration_minutes" validate:"omitempty,min=1,max=600"`
	LearningOutcomes string `json:"learning_outcomes" validate:"max=65535"`
	SequenceOrder    *int   `json:"sequence_order" validate:"omitempty,min=0,max=1000000"`
}

type subStrandRequest struct {
	SubstrandCode                string          `json:"substrand_code" validate:"required,max=50"`
	SubstrandName                string          `json:"substrand_name" validate:"required,max=255"`
	Description                  string          `json:"description" validate:"max=65535"`
	LessonsCount                 *int            `json:"lessons_count" validate:"omitempty,min=0,max=100000"`
	LearningOutcomes             string          `json:"learning_outcomes" validate:"max=65535"`
	KeyInquiryQuestions          string          `json:"key_inquiry_questions" validate:"max=65535"`
	SpecificLearningOutcomes     []string        `json:"specific_learning_outcomes" validate:"max=200"`
	SuggestedLearningExperiences []string        `json:"suggested_learning_experiences" validate:"max=200"`
	CoreCompetencies             []string        `json:"core_competencies" validate:"max=200"`
	Values                       []string        `json:"values" validate:"max=200"`
	PCIs                         []string        `json:"pcis" validate:"max=200"`
	LinksToOtherSubjects         []string        `json:"links_to_other_subjects" validate:"max=200"`
	SequenceOrder                *int            `json:"sequence_order" validate:"omitempty,min=0,max=1000000"`
	Lessons                      []lessonRequest `json:"lessons" validate:"max=500,dive"`
}

type strandRequest struct {
	StrandCode    string             `json:"strand_code" validate:"required,max=50"`
	StrandName    string             `json:"strand_name" validate:"required,max=255"`
	Description   string             `json:"description" validate:"max=65535"`
	SequenceOrder *int               `json:"sequence_order" validate:"omitempty,min=0,max=1000000"`
	SubStrands    []subStrandRequest `json:"sub_strands" validate:"max=200,dive"`
}

type subjectCreateRequest struct {
	SubjectName      string  `json:"subject_name" validate:"required,max=255"`
	Grade            string  `json:"grade" validate:"required,max=10"`
	CurriculumPDFURL *string `json:"curriculum_pdf_url" validate:"omitempty,max=500"`
	scheduling
	Strands []strandRequest `json:"strands" validate:"max=100,dive"`
}

// checkNames trims the subject's name and grade and refuses blank ones.
func checkNames(name, grade *string) error {
	for _, f := range []struct {
		field string
		v     *string
	}{{"subject_name", name}, {"grade", grade}} {
		if f.v == nil {
			continue
		}
		*f.v = strings.TrimSpace(*f.v)
		if *f.v == "" {
			return models.Invalid(f.field, "must not be blank")
		}
	}
	return nil
}

// pdfURL checks an optional curriculum URL: "" means none; anything else must
// be an absolute http or https URL.
func pdfURL(v *string) (*string, error) {
	if v == nil || strings.TrimSpace(*v) == "" {
		return nil, nil
	}
	s := strings.TrimSpace(*v)
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, models.Invalid("curriculum_pdf_url", "must be an http or https URL")
	}
	return &s, nil
}

// tree turns the request's strands into models, numbering what the client
// left unnumbered by position, and checks the tree's overall bounds.
func (req *subjectCreateRequest) tree(defaultDuration int) ([]models.Strand, error) {
	strands := make([]models.Strand, len(req.Strands))
	subs, lessons := 0, 0
	for i, st := range req.Strands {
		strands[i] = models.Strand{StrandCode: st.StrandCode, StrandName: st.StrandName, Description: st.Description,
			SequenceOrder: orPosition(st.SequenceOrder, i), SubStrands: make([]models.SubStrand, len(st.SubStrands))}
		for j, ss := range st.SubStrands {
			m := models.SubStrand{SubstrandCode: ss.SubstrandCode, SubstrandName: ss.SubstrandName, Description: ss.Description,
				LessonsCount: len(ss.Lessons), LearningOutcomes: ss.LearningOutcomes, KeyInquiryQuestions: ss.KeyInquiryQuestions,
				SpecificLearningOutcomes: ss.SpecificLearningOutcomes, SuggestedLearningExperiences: ss.SuggestedLearningExperiences,
				CoreCompetencies: ss.CoreCompetencies, Values: ss.Values, PCIs: ss.PCIs, LinksToOtherSubjects: ss.LinksToOtherSubjects,
				SequenceOrder: orPosition(ss.SequenceOrder, j), Lessons: make([]models.Lesson, len(ss.Lessons))}
			if ss.LessonsCount != nil {
				m.LessonsCount = *ss.LessonsCount
			}
			for k, l := range ss.Lessons {
				n := orPosition(l.LessonNumber, k)
				d := defaultDuration
				if l.DurationMinutes != nil {
					d = *l.DurationMinutes
				}
				seq := n
				if l.SequenceOrder != nil {
					seq = *l.SequenceOrder
				}
				m.Lessons[k] = models.Lesson{LessonNumber: n, LessonTitle: l.LessonTitle, Description: l.Description,
					DurationMinutes: d, LearningOutcomes: l.LearningOutcomes, SequenceOrder: seq}
			}
			strands[i].SubStrands[j] = m
			subs++
			lessons += len(ss.Lessons)
		}
	}
	switch {
	case subs > maxSubStrands:
		return nil, models.Invalid("strands", fmt.Sprintf("must hold at most %d sub-strands in all", maxSubStrands))
	case lessons > models.MaxLessonsPerSubject:
		return nil, models.Invalid("strands", fmt.Sprintf("must hold at most %d lessons in all", models.MaxLessonsPerSubject))
	}
	return strands, nil
}

// orPosition is *v, or the 1-based position i+1 when v is absent.
func orPosition(v *int, i int) int {
	if v != nil {
		return *v
	}
	return i + 1
}

func (s *subjectsAPI) handleSubjectCreate(w http.ResponseWriter, r *http.Request) {
	var req subjectCreateRequest
	if err := s.dec.decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	sub := &models.Subject{UserID: principalFrom(r.Context()).UserID, LessonsPerWeek: models.DefaultLessonsPerWeek,
		SingleLessonDuration: models.DefaultSingleLessonDuration, DoubleLessonDuration: models.DefaultDoubleLessonDuration}
	err := checkNames(&req.SubjectName, &req.Grade)
	if err == nil {
		sub.CurriculumPDFURL, err = pdfURL(req.CurriculumPDFURL)
	}
	if err == nil {
		err = req.scheduling.apply(sub, map[string]any{})
	}
	if err == nil {
		sub.SubjectName, sub.Grade = req.SubjectName, req.Grade
		sub.Strands, err = req.tree(sub.SingleLessonDuration)
	}
	if err == nil {
		err = models.CreateSubjectForPlan(reqDB(r), sub, s.cfg.MaxSubjectsPerUser, time.Now())
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/subjects/%d", sub.ID))
	writeJSON(w, http.StatusCreated, subjectTree(sub))
}

// subjectTree is a subject with its strands always shown, [] when it has
// none. A plain struct rather than a MarshalJSON method, which encoding/json
// would make marshal the subject and then re-scan it to compact it.
func subjectTree(sub *models.Subject) any {
	type plain models.Subject
	strands := sub.Strands
	if strands == nil {
		strands = []models.Strand{}
	}
	return struct {
		*plain
		Strands []models.Strand `json:"strands"`
	}{(*plain)(sub), strands}
}

// showTree answers with the subject and its tree.
// The strands and sub-strands are read with readSide: no write that answers
// with showTree changes them.
func (s *subjectsAPI) showTree(w http.ResponseWriter, r *http.Request, sub *models.Subject, status int) {
	if err := s.readSide(r, func(tx *gorm.DB) error { return models.LoadTree(tx, sub) }); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, status, subjectTree(sub))
}

func (s *subjectsAPI) handleSubjectGet(w http.ResponseWriter, r *http.Request) {
	sub, err := s.subject(r, needRead)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.showTree(w, r, &sub.Subject, http.StatusOK)
}

type subjectUpdateRequest struct {
	SubjectName      *string `json:"subject_name" validate:"omitempty,max=255"`
	Grade            *string `json:"grade" validate:"omitempty,max=10"`
	CurriculumPDFURL *string `json:"curriculum_pdf_url" validate:"omitempty,max=500"`
	scheduling
}

// writable decodes the body into req and loads the subject {id} for a change.
func (s *subjectsAPI) writable(w http.ResponseWriter, r *http.Request, req any) (*models.OwnedSubject, error) {
	if err := s.dec.decode(w, r, req); err != nil {
		return nil, err
	}
	return s.subject(r, needWrite)
}

func (s *subjectsAPI) handleSubjectUpdate(w http.ResponseWriter, r *http.Request) {
	var req subjectUpdateRequest
	sub, err := s.writable(w, r, &req)
	changes := map[string]any{}
	if err == nil {
		err = checkNames(req.SubjectName, req.Grade)
	}
	if err == nil && req.CurriculumPDFURL != nil {
		var u *string
		if u, err = pdfURL(req.CurriculumPDFURL); u != nil {
			changes["curriculum_pdf_url"] = *u
		} else {
			changes["curriculum_pdf_url"] = nil // "" clears it
		}
	}
	if err == nil {
		err = req.scheduling.apply(&sub.Subject, changes)
	}
	if err == nil {
		if req.SubjectName != nil {
			changes["subject_name"] = *req.SubjectName
		}
		if req.Grade != nil {
			changes["grade"] = *req.Grade
		}
		err = models.UpdateSubject(reqDB(r), sub.ID, changes)
	}
	if err == nil {
		sub, err = models.SubjectByID(reqDB(r), sub.ID)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.showTree(w, r, &sub.Subject, http.StatusOK)
}

func (s *subjectsAPI) handleSubjectDelete(w http.ResponseWriter, r *http.Request) {
	sub, err := s.subject(r, needDelete)
	if err == nil {
		err = models.DeleteSubject(reqDB(r), sub.ID)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *subjectsAPI) handleStrandList(w http.ResponseWriter, r *http.Request) {
	sub, err := s.subject(r, needRead)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	strands, err := models.StrandsOf(reqDB(r), sub.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, strands)
}

// schedulingJSON is a subject's weekly schedule as the scheduling page reads it.
type schedulingJSON struct {
	LessonsPerWeek       int `json:"lessons_per_week"`
	SingleLessonDuration int `json:"single_lesson_duration"`
	DoubleLessonDuration int `json:"double_lesson_duration"`
	DoubleLessonsPerWeek int `json:"double_lessons_per_week"`
}

func toSchedulingJSON(s *models.Subject) schedulingJSON {
	return schedulingJSON{s.LessonsPerWeek, s.SingleLessonDuration, s.DoubleLessonDuration, s.DoubleLessonsPerWeek}
}

func (s *subjectsAPI) handleSchedulingGet(w http.ResponseWriter, r *http.Request) {
	sub, err := s.subject(r, needRead)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"scheduling": toSchedulingJSON(&sub.Subject)})
}

// schedulingPut is PUT's body: all four fields, flat, as the frontend sends them.
type schedulingPut struct {
	LessonsPerWeek       *int `json:"lessons_per_week" validate:"required,min=1,max=40"`
	SingleLessonDuration *int `json:"single_lesson_duration" validate:"required,min=1,max=300"`
	DoubleLessonDuration *int `json:"double_lesson_duration" validate:"required,min=1,max=600"`
	DoubleLessonsPerWeek *int `json:"double_lessons_per_week" validate:"required,min=0,max=40"`
}

func (s *subjectsAPI) handleSchedulingPut(w http.ResponseWriter, r *http.Request) {
	var req schedulingPut
	sub, err := s.writable(w, r, &req)
	changes := map[string]any{}
	if err == nil {
		err = scheduling(req).apply(&sub.Subject, changes)
	}
	if err == nil {
		err = models.UpdateSubject(reqDB(r), sub.ID, changes)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"message": "Scheduling updated.", "scheduling": toSchedulingJSON(&sub.Subject)})
}
