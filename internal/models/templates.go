package models

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// CurriculumTemplate is a row of curriculum_templates: one subject of one
// grade in the catalogue (OwnerID nil) or a teacher's private upload.
type CurriculumTemplate struct {
	ID             uint64     `gorm:"primaryKey" json:"id"`
	Subject        string     `json:"subject"`
	Grade          string     `json:"grade"`
	EducationLevel string     `json:"education_level"`
	IsActive       bool       `json:"is_active"`
	OwnerID        *uint64    `json:"owner_id"`
	OwnerKey       uint64     `json:"-"`
	Source         *string    `json:"source"`
	SourceHash     *string    `json:"-"`
	Version        int        `json:"version"`
	Extra          JSONObject `json:"extra"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`

	Strands []TemplateStrand `gorm:"-" json:"-"`
}

// TemplateStrand is a row of template_strands.
type TemplateStrand struct {
	ID            uint64     `gorm:"primaryKey" json:"id"`
	TemplateID    uint64     `gorm:"column:curriculum_template_id" json:"curriculum_template_id"`
	StrandNumber  string     `json:"strand_number"`
	StrandName    string     `json:"strand_name"`
	SequenceOrder int        `json:"sequence_order"`
	Extra         JSONObject `json:"extra"`
	CreatedAt     time.Time  `json:"created_at"`

	Substrands []TemplateSubstrand `gorm:"-" json:"substrands"`
}

// TemplateSubstrand is a row of template_substrands.
type TemplateSubstrand struct {
	ID                           uint64     `gorm:"primaryKey" json:"id"`
	StrandID                     uint64     `json:"strand_id"`
	SubstrandNumber              string     `json:"substrand_number"`
	SubstrandName                string     `json:"substrand_name"`
	NumberOfLessons              int        `json:"number_of_lessons"`
	SpecificLearningOutcomes     StringList `json:"specific_learning_outcomes"`
	SuggestedLearningExperiences StringList `json:"suggested_learning_experiences"`
	KeyInquiryQuestions          StringList `json:"key_inquiry_questions"`
	CoreCompetencies             StringList `json:"core_competencies"`
	Values                       StringList `gorm:"column:values" json:"values"`
	PCIs                         StringList `gorm:"column:pcis" json:"pcis"`
	LinksToOtherSubjects         StringList `json:"links_to_other_subjects"`
	Extra                        JSONObject `json:"extra"`
	SequenceOrder                int        `json:"sequence_order"`
}

// Totals counts the tree: strands, sub-strands and lessons.
func (t *CurriculumTemplate) Totals() (strands, substrands, lessons int) {
	for _, s := range t.Strands {
		substrands += len(s.Substrands)
		for _, ss := range s.Substrands {
			lessons += ss.NumberOfLessons
		}
	}
	return len(t.Strands), substrands, lessons
}

// JSONObject is a JSON object in a JSON column: the fields of a curriculum
// file that have no column of their own. Never nil on the way out ({}).
type JSONObject map[string]json.RawMessage

// Scan reads a JSON object (NULL and empty are {}).
func (o *JSONObject) Scan(v any) error {
	var b []byte
	switch v := v.(type) {
	case nil:
	case []byte:
		b = v
	case string:
		b = []byte(v)
	default:
		return fmt.Errorf("JSONObject: cannot scan %T", v)
	}
	out := JSONObject{}
	if len(b) > 0 {
		if err := json.Unmarshal(b, &out); err != nil {
			return fmt.Errorf("JSONObject: %w", err)
		}
	}
	*o = out
	return nil
}

// Value writes the object, {} for nil.
func (o JSONObject) Value() (driver.Value, error) {
	if o == nil {
		return "{}", nil
	}
	b, err := json.Marshal(map[string]json.RawMessage(o))
	return string(b), err
}

// MarshalJSON shows a nil object as {}.
func (o JSONObject) MarshalJSON() ([]byte, error) {
	if o == nil {
		return []byte("{}"), nil
	}
	return json.Marshal(map[string]json.RawMessage(o))
}

// Education levels of the Kenyan CBC, in school order.
var EducationLevels = []string{"Pre-Primary", "Lower Primary", "Upper Primary", "Junior Secondary", "Senior Secondary"}

// GradesOf lists the grades of an education level (nil for an unknown one).
func GradesOf(level string) []string {
	switch strings.ToLower(strings.TrimSpace(level)) {
	case "pre-primary":
		return []string{"PP1", "PP2"}
	case "lower primary":
		return []string{"Grade 1", "Grade 2", "Grade 3"}
	case "upper primary":
		return []string{"Grade 4", "Grade 5", "Grade 6"}
	case "primary", "primary school":
		return []string{"Grade 1", "Grade 2", "Grade 3", "Grade 4", "Grade 5", "Grade 6"}
	case "junior secondary", "junior school":
		return []string{"Grade 7", "Grade 8", "Grade 9"}
	case "senior secondary", "senior school":
		return []string{"Grade 10", "Grade 11", "Grade 12"}
	}
	return nil
}

// EducationLevelOf is the level a normalised grade belongs to ("" if none).
func EducationLevelOf(grade string) string {
	for _, l := range EducationLevels {
		for _, g := range GradesOf(l) {
			if g == grade {
				return l
			}
		}
	}
	return ""
}

// NormalizeGrade is the one spelling of a grade the catalogue and the
// frontend's filters use: "Grade 9" for "GRADE 9", "grade9", "9" and the
// number 9; "PP1" for "pp 1". Anything else is trimmed and kept.
func NormalizeGrade(g string) string {
	s := strings.Join(strings.Fields(g), " ")
	low := strings.ToLower(s)
	num := strings.TrimSpace(strings.TrimPrefix(low, "grade"))
	if n, err := strconv.Atoi(num); err == nil && n >= 1 && n <= 12 {
		return "Grade " + strconv.Itoa(n)
	}
	if p := strings.ReplaceAll(strings.TrimPrefix(low, "pre-primary"), " ", ""); p == "pp1" || p == "pp2" {
		return strings.ToUpper(p)
	}
	return s
}

// CodeKey parses a curriculum number such as "1.10" or "2.0" into its parts
// (1,10) and (2,0) for numeric ordering; ok is false when it isn't one.
func CodeKey(code string) (key []int, ok bool) {
	code = strings.TrimSpace(code)
	if code == "" {
		return nil, false
	}
	for _, p := range strings.Split(strings.TrimSuffix(code, "."), ".") {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 0 {
			return nil, false
		}
		key = append(key, n)
	}
	return key, true
}

// CompareCodes orders two parsed codes numerically: "1.2" < "1.10" < "2.0".
func CompareCodes(a, b []int) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return len(a) - len(b)
}

// ErrNoSuchTemplate is what anyone who may not see a template is told.
var ErrNoSuchTemplate = Sentence(ErrNotFound, "There is no such curriculum template.")

// TemplateFilter selects templates for the lists.
type TemplateFilter struct {
	Grade          string // normalised before matching
	EducationLevel string
	Subject        string // substring
	Active         *bool
	// ViewerID adds that user's private uploads to the catalogue (0: none).
	ViewerID uint64
	// AllOwners lists every template, private uploads included (admins).
	AllOwners bool
}

// MaxTemplates bounds every list of templates; the catalogue has about 70.
const MaxTemplates = 1000

// ListTemplates returns the templates f selects (without trees), by grade
// number then subject, in one query.
func ListTemplates(db *gorm.DB, f TemplateFilter) ([]CurriculumTemplate, error) {
	q := db.Model(&CurriculumTemplate{})
	switch {
	case f.AllOwners:
	case f.ViewerID != 0:
		q = q.Where("owner_key IN ?", []uint64{0, f.ViewerID})
	default:
		q = q.Where("owner_key = 0")
	}
	if f.Grade != "" {
		q = q.Where("grade = ?", NormalizeGrade(f.Grade))
	}
	if f.EducationLevel != "" {
		q = q.Where("education_level = ?", f.EducationLevel)
	}
	if f.Subject != "" {
		q = q.Where("subject LIKE ?", "%"+escapeLike(f.Subject)+"%")
	}
	if f.Active != nil {
		q = q.Where("is_active = ?", *f.Active)
	}
	out := []CurriculumTemplate{}
	// Grade 10 after Grade 9: order by the grade's number, then its text.
	err := q.Order("CHAR_LENGTH(grade), grade, subject, id").Limit(MaxTemplates).Find(&out).Error
	return out, translate(err)
}

// TemplateByID returns template id without its tree, or ErrNoSuchTemplate.
func TemplateByID(db *gorm.DB, id uint64) (*CurriculumTemplate, error) {
	var t CurriculumTemplate
	if err := translate(db.Take(&t, id).Error); err != nil {
		return nil, notFound(err, ErrNoSuchTemplate)
	}
	return &t, nil
}

// LoadTemplateTrees fills the strands and sub-strands of every template in
// ts, in two queries whatever their number and size.
func LoadTemplateTrees(db *gorm.DB, ts []*CurriculumTemplate) error {
	if len(ts) == 0 {
		return nil
	}
	ids := make([]uint64, len(ts))
	at := make(map[uint64]*CurriculumTemplate, len(ts))
	for i, t := range ts {
		ids[i], at[t.ID] = t.ID, t
		t.Strands = []TemplateStrand{}
	}
	var strands []TemplateStrand
	if err := translate(db.Where("curriculum_template_id IN ?", ids).Order("curriculum_template_id, sequence_order, id").Find(&strands).Error); err != nil {
		return err
	}
	var subs []TemplateSubstrand
	err := db.Model(&TemplateSubstrand{}).Select("template_substrands.*").
		Joins("JOIN template_strands ON template_strands.id = template_substrands.strand_id").
		Where("template_strands.curriculum_template_id IN ?", ids).
		Order("template_substrands.strand_id, template_substrands.sequence_order, template_substrands.id").Find(&subs).Error
	if err := translate(err); err != nil {
		return err
	}
	bySubs := make(map[uint64][]TemplateSubstrand)
	for _, ss := range subs {
		bySubs[ss.StrandID] = append(bySubs[ss.StrandID], ss)
	}
	for _, s := range strands {
		s.Substrands = bySubs[s.ID]
		if s.Substrands == nil {
			s.Substrands = []TemplateSubstrand{}
		}
		t := at[s.TemplateID]
		t.Strands = append(t.Strands, s)
	}
	return nil
}

// insertTemplateTree inserts t.Strands and their sub-strands, one multi-row
// INSERT per level (batched), ids read back in order as insertTree does.
func insertTemplateTree(tx *gorm.DB, t *CurriculumTemplate) error {
	if len(t.Strands) == 0 {
		return nil
	}
	for i := range t.Strands {
		s := &t.Strands[i]
		s.ID, s.TemplateID, s.CreatedAt = 0, t.ID, time.Now().UTC()
		if s.Extra == nil {
			s.Extra = JSONObject{}
		}
	}
	if err := translate(tx.CreateInBatches(t.Strands, insertBatch).Error); err != nil {
		return err
	}
	var ids []uint64
	if err := translate(tx.Model(&TemplateStrand{}).Where("curriculum_template_id = ?", t.ID).Order("id").Pluck("id", &ids).Error); err != nil {
		return err
	}
	if len(ids) != len(t.Strands) {
		return fmt.Errorf("template %d: %d strands inserted, %d read back", t.ID, len(t.Strands), len(ids))
	}
	var subs []*TemplateSubstrand
	for i := range t.Strands {
		t.Strands[i].ID = ids[i]
		for j := range t.Strands[i].Substrands {
			ss := &t.Strands[i].Substrands[j]
			ss.ID, ss.StrandID = 0, ids[i]
			if ss.Extra == nil {
				ss.Extra = JSONObject{}
			}
			subs = append(subs, ss)
		}
	}
	if len(subs) == 0 {
		return nil
	}
	if err := translate(tx.CreateInBatches(subs, insertBatch).Error); err != nil {
		return err
	}
	var subIDs []uint64
	err := tx.Model(&TemplateSubstrand{}).Joins("JOIN template_strands ON template_strands.id = template_substrands.strand_id").
		Where("template_strands.curriculum_template_id = ?", t.ID).Order("template_substrands.id").Pluck("template_substrands.id", &subIDs).Error
	if err := translate(err); err != nil {
		return err
	}
	for i, ss := range subs {
		if i < len(subIDs) {
			ss.ID = subIDs[i]
		}
	}
	return nil
}

// replaceTemplateTree swaps t's stored tree for t.Strands (sub-strands go
// with their strands: ON DELETE CASCADE).
func replaceTemplateTree(tx *gorm.DB, t *CurriculumTemplate) error {
	if err := translate(tx.Where("curriculum_template_id = ?", t.ID).Delete(&TemplateStrand{}).Error); err != nil {
		return err
	}
	return insertTemplateTree(tx, t)
}

// TemplateTotals returns, for each of ids, its number of strands,
// sub-strands and lessons, in one query.
func TemplateTotals(db *gorm.DB, ids []uint64) (map[uint64][3]int, error) {
	out := make(map[uint64][3]int, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		TemplateID                   uint64
		Strands, Substrands, Lessons int
	}
	err := db.Table("template_strands").
		Select("template_strands.curriculum_template_id AS template_id, COUNT(DISTINCT template_strands.id) AS strands, "+
			"COUNT(template_substrands.id) AS substrands, COALESCE(SUM(template_substrands.number_of_lessons), 0) AS lessons").
		Joins("LEFT JOIN template_substrands ON template_substrands.strand_id = template_strands.id").
		Where("template_strands.curriculum_template_id IN ?", ids).Group("template_strands.curriculum_template_id").Scan(&rows).Error
	if err := translate(err); err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.TemplateID] = [3]int{r.Strands, r.Substrands, r.Lessons}
	}
	return out, nil
}
