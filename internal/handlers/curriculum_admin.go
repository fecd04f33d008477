package handlers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/teachtrack/api/internal/curriculum"
	"github.com/teachtrack/api/internal/models"
)

// templateDetail is a template with its tree and totals (the admin editor).
type templateDetail struct {
	templateSummary
	OwnerID         *uint64                 `json:"owner_id"`
	Source          *string                 `json:"source"`
	Extra           models.JSONObject       `json:"extra"`
	TotalStrands    int                     `json:"total_strands"`
	TotalSubstrands int                     `json:"total_substrands"`
	TotalLessons    int                     `json:"total_lessons"`
	Strands         []models.TemplateStrand `json:"strands"`
}

func detailOf(t *models.CurriculumTemplate) templateDetail {
	d := templateDetail{templateSummary: summaryOf(t), OwnerID: t.OwnerID, Source: t.Source, Extra: t.Extra, Strands: t.Strands}
	if d.Strands == nil {
		d.Strands = []models.TemplateStrand{}
	}
	d.TotalStrands, d.TotalSubstrands, d.TotalLessons = t.Totals()
	return d
}

// adminSummary is a template in the admin list: the summary and its totals.
type adminSummary struct {
	templateSummary
	OwnerID         *uint64 `json:"owner_id"`
	Source          *string `json:"source"`
	TotalStrands    int     `json:"total_strands"`
	TotalSubstrands int     `json:"total_substrands"`
	TotalLessons    int     `json:"total_lessons"`
}

// GET /admin/curriculum-templates: every catalogue template (inactive ones
// too), ?education_level ?grade ?is_active ?subject, with totals; trees are
// at /admin/curriculum-templates/{id}. Two queries.
func (c *curriculumAPI) handleAdminTemplateList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := models.TemplateFilter{Grade: q.Get("grade"), EducationLevel: q.Get("education_level"), Subject: q.Get("subject")}
	if v := q.Get("is_active"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			c.fail(w, r, errorf(http.StatusBadRequest, "is_active must be true or false."))
			return
		}
		f.Active = &b
	}
	ts, err := models.ListTemplates(reqDB(r), f)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	ids := make([]uint64, len(ts))
	for i := range ts {
		ids[i] = ts[i].ID
	}
	totals, err := models.TemplateTotals(reqDB(r), ids)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	out := make([]adminSummary, len(ts))
	for i := range ts {
		t := totals[ts[i].ID]
		out[i] = adminSummary{templateSummary: summaryOf(&ts[i]), OwnerID: ts[i].OwnerID, Source: ts[i].Source,
			TotalStrands: t[0], TotalSubstrands: t[1], TotalLessons: t[2]}
	}
	writeJSON(w, http.StatusOK, out)
}

// GET /admin/curricula: the catalogue as the import page lists it.
func (c *curriculumAPI) handleAdminCurricula(w http.ResponseWriter, r *http.Request) {
	ts, err := models.ListTemplates(reqDB(r), models.TemplateFilter{})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	type item struct {
		ID             uint64    `json:"id"`
		Subject        string    `json:"subject"`
		Grade          string    `json:"grade"`
		EducationLevel string    `json:"education_level"`
		IsActive       bool      `json:"is_active"`
		Version        int       `json:"version"`
		Source         *string   `json:"source"`
		CreatedAt      time.Time `json:"created_at"`
	}
	out := make([]item, len(ts))
	for i, t := range ts {
		out[i] = item{t.ID, t.Subject, t.Grade, t.EducationLevel, t.IsActive, t.Version, t.Source, t.CreatedAt}
	}
	writeJSON(w, http.StatusOK, map[string]any{"curricula": out})
}

// catalogueTemplate loads the catalogue template named by {id} (private
// uploads are their owners' business: 404).
func (c *curriculumAPI) catalogueTemplate(r *http.Request) (*models.CurriculumTemplate, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	t, err := models.TemplateByID(reqDB(r), id)
	if err != nil {
		return nil, err
	}
	if t.OwnerID != nil {
		return nil, models.ErrNoSuchTemplate
	}
	return t, nil
}

// GET /admin/curriculum-templates/{id}: the template and its tree.
func (c *curriculumAPI) handleAdminTemplateGet(w http.ResponseWriter, r *http.Request) {
	t, err := c.catalogueTemplate(r)
	if err == nil {
		err = models.LoadTemplateTrees(reqDB(r), []*models.CurriculumTemplate{t})
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, detailOf(t))
}

// flexList is a list field of the editor: an array of strings, or the text
// of a textarea (one item per line), which is what the editor sends back
// once a field was edited.
type flexList []string

func (l *flexList) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		out := flexList{}
		for _, line := range strings.Split(s, "\n") {
			if line = strings.TrimSpace(line); line != "" {
				out = append(out, line)
			}
		}
		*l = out
		return nil
	}
	var a []string
	if err := json.Unmarshal(b, &a); err != nil {
		return fmt.Errorf("must be a list of strings or a text")
	}
	*l = a
	return nil
}

type substrandEdit struct {
	ID                           *uint64            `json:"id"`
	SubstrandNumber              string             `json:"substrand_number" validate:"max=20"`
	SubstrandName                string             `json:"substrand_name" validate:"required,max=255"`
	SequenceOrder                *int               `json:"sequence_order" validate:"omitempty,min=0,max=1000000"`
	NumberOfLessons              *int               `json:"number_of_lessons" validate:"omitempty,min=0,max=500"`
	SpecificLearningOutcomes     flexList           `json:"specific_learning_outcomes" validate:"max=500"`
	SuggestedLearningExperiences flexList           `json:"suggested_learning_experiences" validate:"max=500"`
	KeyInquiryQuestions          flexList           `json:"key_inquiry_questions" validate:"max=500"`
	CoreCompetencies             flexList           `json:"core_competencies" validate:"max=500"`
	Values                       flexList           `json:"values" validate:"max=500"`
	PCIs                         flexList           `json:"pcis" validate:"max=500"`
	LinksToOtherSubjects         flexList           `json:"links_to_other_subjects" validate:"max=500"`
	Extra                        *models.JSONObject `json:"extra"`
	StrandID                     ignored            `json:"strand_id"`
}

type strandEdit struct {
	ID            *uint64            `json:"id"`
	StrandNumber  string             `json:"strand_number" validate:"max=20"`
	StrandName    string             `json:"strand_name" validate:"required,max=255"`
	SequenceOrder *int               `json:"sequence_order" validate:"omitempty,min=0,max=1000000"`
	Substrands    []substrandEdit    `json:"substrands" validate:"max=1000,dive"`
	Extra         *models.JSONObject `json:"extra"`
	TemplateID    ignored            `json:"curriculum_template_id"`
	CreatedAt     ignored            `json:"created_at"`
}

// templateEdit is the editor's create and save body. Every field is
// optional on save; strands, when present, are the whole new tree.
type templateEdit struct {
	Subject        *string       `json:"subject" validate:"omitempty,max=150"`
	Grade          *string       `json:"grade" validate:"omitempty,max=20"`
	EducationLevel *string       `json:"education_level" validate:"omitempty,max=50"`
	IsActive       *bool         `json:"is_active"`
	Strands        *[]strandEdit `json:"strands" validate:"omitempty,max=100,dive"`

	ID              ignored `json:"id"`
	IsPrivate       ignored `json:"is_private"`
	Version         ignored `json:"version"`
	OwnerID         ignored `json:"owner_id"`
	Source          ignored `json:"source"`
	Extra           ignored `json:"extra"`
	TotalStrands    ignored `json:"total_strands"`
	TotalSubstrands ignored `json:"total_substrands"`
	TotalLessons    ignored `json:"total_lessons"`
	CreatedAt       ignored `json:"created_at"`
	UpdatedAt       ignored `json:"updated_at"`
}

// scalars checks and collects the template's own fields.
func (e *templateEdit) scalars() (map[string]any, error) {
	ch := map[string]any{}
	if e.Subject != nil {
		s := strings.Join(strings.Fields(*e.Subject), " ")
		if s == "" {
			return nil, models.Invalid("subject", "must not be blank")
		}
		ch["subject"] = s
	}
	if e.Grade != nil {
		g := models.NormalizeGrade(*e.Grade)
		if g == "" {
			return nil, models.Invalid("grade", "must not be blank")
		}
		if len(g) > 10 {
			return nil, models.Invalid("grade", "must be a grade such as \"Grade 4\" or \"PP1\" (at most 10 characters)")
		}
		ch["grade"] = g
		if e.EducationLevel == nil || strings.TrimSpace(*e.EducationLevel) == "" {
			ch["education_level"] = models.EducationLevelOf(g)
		}
	}
	if e.EducationLevel != nil && strings.TrimSpace(*e.EducationLevel) != "" {
		ch["education_level"] = strings.TrimSpace(*e.EducationLevel)
	}
	if e.IsActive != nil {
		ch["is_active"] = *e.IsActive
	}
	return ch, nil
}

// tree turns the editor's strands into rows. Numbers, extras and order the
// editor left out are taken from the stored strands of the same id (the
// original overwrote them with "1" and "1.1"); new rows are numbered by
// position. Order is the editor's sequence_order, else its list order.
func (e *templateEdit) tree(old []models.TemplateStrand) ([]models.TemplateStrand, error) {
	oldStrands := map[uint64]models.TemplateStrand{}
	oldSubs := map[uint64]models.TemplateSubstrand{}
	for _, s := range old {
		oldStrands[s.ID] = s
		for _, ss := range s.Substrands {
			oldSubs[ss.ID] = ss
		}
	}
	in := *e.Strands
	out := make([]models.TemplateStrand, len(in))
	nsubs := 0
	for i, se := range in {
		st := models.TemplateStrand{StrandNumber: strings.TrimSpace(se.StrandNumber), StrandName: strings.TrimSpace(se.StrandName), SequenceOrder: orPosition(se.SequenceOrder, i)}
		prev, had := models.TemplateStrand{}, false
		if se.ID != nil {
			prev, had = oldStrands[*se.ID]
		}
		if st.StrandNumber == "" {
			st.StrandNumber = prev.StrandNumber
		}
		if st.StrandNumber == "" {
			st.StrandNumber = strconv.Itoa(i+1) + ".0"
		}
		switch {
		case se.Extra != nil:
			st.Extra = *se.Extra
		case had:
			st.Extra = prev.Extra
		}
		nsubs += len(se.Substrands)
		if nsubs > 1000 {
			return nil, models.Invalid("strands", "must have at most 1000 sub-strands in all")
		}
		st.Substrands = make([]models.TemplateSubstrand, len(se.Substrands))
		for k, sse := range se.Substrands {
			ss := models.TemplateSubstrand{SubstrandNumber: strings.TrimSpace(sse.SubstrandNumber), SubstrandName: strings.TrimSpace(sse.SubstrandName),
				SequenceOrder: orPosition(sse.SequenceOrder, k), NumberOfLessons: 1,
				SpecificLearningOutcomes: models.StringList(sse.SpecificLearningOutcomes), SuggestedLearningExperiences: models.StringList(sse.SuggestedLearningExperiences),
				KeyInquiryQuestions: models.StringList(sse.KeyInquiryQuestions), CoreCompetencies: models.StringList(sse.CoreCompetencies),
				Values: models.StringList(sse.Values), PCIs: models.StringList(sse.PCIs), LinksToOtherSubjects: models.StringList(sse.LinksToOtherSubjects)}
			if sse.NumberOfLessons != nil {
				ss.NumberOfLessons = *sse.NumberOfLessons
			}
			prevSub, hadSub := models.TemplateSubstrand{}, false
			if sse.ID != nil {
				prevSub, hadSub = oldSubs[*sse.ID]
			}
			if ss.SubstrandNumber == "" {
				ss.SubstrandNumber = prevSub.SubstrandNumber
			}
			if ss.SubstrandNumber == "" {
				ss.SubstrandNumber = fmt.Sprintf("%s.%d", strings.TrimSuffix(st.StrandNumber, ".0"), k+1)
			}
			switch {
			case sse.Extra != nil:
				ss.Extra = *sse.Extra
			case hadSub:
				ss.Extra = prevSub.Extra
			}
			st.Substrands[k] = ss
		}
		sort.SliceStable(st.Substrands, func(a, b int) bool { return st.Substrands[a].SequenceOrder < st.Substrands[b].SequenceOrder })
		for k := range st.Substrands {
			st.Substrands[k].SequenceOrder = k + 1
		}
		out[i] = st
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].SequenceOrder < out[b].SequenceOrder })
	lessons := 0
	for i := range out {
		out[i].SequenceOrder = i + 1
		for _, ss := range out[i].Substrands {
			lessons += ss.NumberOfLessons
		}
	}
	if lessons > models.MaxLessonsPerSubject {
		return nil, models.Invalid("strands", fmt.Sprintf("must have at most %d lessons in all", models.MaxLessonsPerSubject))
	}
	return out, nil
}

// POST /admin/curriculum-templates: a new catalogue template.
func (c *curriculumAPI) handleAdminTemplateCreate(w http.ResponseWriter, r *http.Request) {
	var req templateEdit
	if err := c.dec.decode(w, r, &req); err != nil {
		c.fail(w, r, err)
		return
	}
	switch {
	case req.Subject == nil:
		c.fail(w, r, models.Invalid("subject", "is required"))
		return
	case req.Grade == nil:
		c.fail(w, r, models.Invalid("grade", "is required"))
		return
	}
	ch, err := req.scalars()
	var strands []models.TemplateStrand
	if err == nil && req.Strands != nil {
		strands, err = req.tree(nil)
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	t := &models.CurriculumTemplate{Subject: ch["subject"].(string), Grade: ch["grade"].(string), IsActive: true, Strands: strands}
	t.EducationLevel, _ = ch["education_level"].(string)
	if req.IsActive != nil {
		t.IsActive = *req.IsActive
	}
	if err := models.CreateTemplate(reqDB(r), t); err != nil {
		c.fail(w, r, err)
		return
	}
	if err := models.LoadTemplateTrees(reqDB(r), []*models.CurriculumTemplate{t}); err != nil {
		c.fail(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/admin/curriculum-templates/%d", t.ID))
	writeJSON(w, http.StatusCreated, detailOf(t))
}

// PUT /admin/curriculum-templates/{id}: save the editor's changes; with
// strands, the tree is replaced (subjects made from it keep their copies).
func (c *curriculumAPI) handleAdminTemplateUpdate(w http.ResponseWriter, r *http.Request) {
	t, err := c.catalogueTemplate(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	var req templateEdit
	if err := c.dec.decode(w, r, &req); err != nil {
		c.fail(w, r, err)
		return
	}
	ch, err := req.scalars()
	var strands *[]models.TemplateStrand
	if err == nil && req.Strands != nil {
		if err = models.LoadTemplateTrees(reqDB(r), []*models.CurriculumTemplate{t}); err == nil {
			var tree []models.TemplateStrand
			tree, err = req.tree(t.Strands)
			strands = &tree
		}
	}
	if err == nil {
		err = models.UpdateTemplate(reqDB(r), t.ID, ch, strands)
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.handleAdminTemplateGet(w, r)
}

// DELETE /admin/curriculum-templates/{id} and /admin/curricula/{id}:
// deactivate. Teachers' subjects made from it keep their copy and link, and
// an admin can reactivate it (PUT is_active).
func (c *curriculumAPI) handleAdminTemplateDelete(w http.ResponseWriter, r *http.Request) {
	t, err := c.catalogueTemplate(r)
	if err == nil {
		err = models.SetTemplateActive(reqDB(r), t.ID, false)
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"message": fmt.Sprintf("%s %s was deactivated: teachers no longer see it, and subjects made from it are unchanged.", t.Subject, t.Grade)})
}

// POST /admin/import-curriculum: one JSON curriculum file into the catalogue
// (idempotent: the same file again changes nothing).
func (c *curriculumAPI) handleAdminImport(w http.ResponseWriter, r *http.Request) {
	name, data, _, err := uploadedFile(w, r)
	if err == nil {
		err = checkJSONFile(name, data)
	}
	var fr curriculum.FileResult
	if err == nil {
		fr, err = curriculum.ImportData(reqDB(r), data, name, nil)
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	verb := map[string]string{string(models.ImportCreated): "Imported", string(models.ImportUpdated): "Updated", string(models.ImportUnchanged): "Already up to date:"}[fr.Status]
	status := http.StatusOK
	if fr.Status == string(models.ImportCreated) {
		status = http.StatusCreated
	}
	writeJSON(w, status, map[string]any{
		"message":       fmt.Sprintf("%s %s %s (version %d).", verb, fr.Subject, fr.Grade, fr.Version),
		"curriculum_id": fr.TemplateID,
		"status":        fr.Status,
		"version":       fr.Version,
		"stats":         map[string]int{"strands": fr.Strands, "substrands": fr.Substrands, "lessons": fr.Lessons},
	})
}
