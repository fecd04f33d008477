package models

import (
	"crypto/rand"
	"database/sql/driver"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Scheme is a row of schemes_of_work: a teacher's plan of a term's lessons
// for one subject and grade, with its weeks when loaded whole.
type Scheme struct {
	ID                    uint64    `gorm:"primaryKey" json:"id"`
	UserID                uint64    `json:"user_id"`
	SubjectID             *uint64   `json:"subject_id"`
	TeacherName           string    `json:"teacher_name"`
	School                string    `json:"school"`
	Term                  string    `json:"term"`
	TermNumber            int       `json:"term_number"`
	Year                  int       `json:"year"`
	Subject               string    `json:"subject"`
	Grade                 string    `json:"grade"`
	Stream                string    `json:"stream"`
	Roll                  string    `json:"roll"`
	LessonDurationMinutes *int      `json:"lesson_duration_minutes"`
	LessonsPerWeek        int       `json:"lessons_per_week"`
	TotalWeeks            int       `json:"total_weeks"`
	TotalLessons          int       `json:"total_lessons"`
	Status                string    `json:"status"`
	IsArchived            bool      `json:"is_archived"`
	ShareToken            *string   `json:"share_token"`
	Notes                 string    `json:"notes"`
	CreatedAt             time.Time `json:"created_at"`
	UpdatedAt             time.Time `json:"updated_at"`

	Weeks []SchemeWeek `gorm:"-" json:"weeks,omitempty"`
}

// TableName is the original backend's table name, kept for familiarity.
func (Scheme) TableName() string { return "schemes_of_work" }

// SchemeStatuses are the statuses a scheme may have.
var SchemeStatuses = []string{"draft", "active", "completed"}

// SchemeWeek is a row of scheme_weeks, with its lessons when loaded whole.
type SchemeWeek struct {
	ID         uint64      `gorm:"primaryKey" json:"id"`
	SchemeID   uint64      `json:"scheme_id"`
	WeekNumber int         `json:"week_number"`
	StartDate  *SchemeDate `json:"start_date"`
	EndDate    *SchemeDate `json:"end_date"`
	CreatedAt  time.Time   `json:"created_at"`

	Lessons []SchemeLesson `gorm:"-" json:"lessons"`
}

// SchemeLesson is a row of scheme_lessons: one lesson of a scheme's week.
type SchemeLesson struct {
	ID                        uint64    `gorm:"primaryKey" json:"id"`
	SchemeID                  uint64    `json:"scheme_id"`
	WeekID                    uint64    `json:"week_id"`
	LessonNumber              int       `json:"lesson_number"`
	Kind                      string    `json:"kind"`
	SubStrandID               *uint64   `gorm:"column:sub_strand_id" json:"sub_strand_id"`
	Strand                    string    `json:"strand"`
	SubStrand                 string    `gorm:"column:sub_strand" json:"sub_strand"`
	SpecificLearningOutcomes  string    `json:"specific_learning_outcomes"`
	KeyInquiryQuestions       string    `json:"key_inquiry_questions"`
	LearningExperiences       string    `json:"learning_experiences"`
	LearningResources         string    `json:"learning_resources"`
	TextbookName              string    `json:"textbook_name"`
	TextbookTeacherGuidePages string    `json:"textbook_teacher_guide_pages"`
	TextbookLearnerBookPages  string    `json:"textbook_learner_book_pages"`
	AssessmentMethods         string    `json:"assessment_methods"`
	Reflection                string    `json:"reflection"`
	CoreCompetencies          string    `json:"core_competencies"`
	Values                    string    `gorm:"column:values" json:"values"`
	PCIs                      string    `gorm:"column:pcis" json:"pcis"`
	Links                     string    `json:"links"`
	CreatedAt                 time.Time `json:"created_at"`
	UpdatedAt                 time.Time `json:"updated_at"`
}

// SchemeDate is a calendar date (a DATE column), shown as YYYY-MM-DD.
type SchemeDate struct{ time.Time }

// NewSchemeDate returns t's date, or nil for nil.
func NewSchemeDate(t *time.Time) *SchemeDate {
	if t == nil {
		return nil
	}
	return &SchemeDate{dateOnly(*t)}
}

// Scan reads a DATE.
func (d *SchemeDate) Scan(v any) error {
	switch v := v.(type) {
	case time.Time:
		d.Time = dateOnly(v)
	case []byte:
		return d.parse(string(v))
	case string:
		return d.parse(v)
	default:
		return fmt.Errorf("SchemeDate: cannot scan %T", v)
	}
	return nil
}

func (d *SchemeDate) parse(s string) error {
	t, err := time.Parse(time.DateOnly, s)
	d.Time = t
	return err
}

// Value writes the date as YYYY-MM-DD.
func (d SchemeDate) Value() (driver.Value, error) { return d.Format(time.DateOnly), nil }

// MarshalJSON writes "YYYY-MM-DD".
func (d SchemeDate) MarshalJSON() ([]byte, error) { return json.Marshal(d.Format(time.DateOnly)) }

// Viewer rules shared by every teacher's document (schemes, records of work,
// lesson plans): the teacher reads and writes it; a SCHOOL_ADMIN of the
// teacher's school reads it; to everyone else it does not exist.

// DocumentReadable reports whether v may read a document of ownerID, whose
// school is ownerSchool.
func DocumentReadable(v Viewer, ownerID uint64, ownerSchool *uint64) bool {
	if ownerID == v.UserID {
		return true
	}
	return v.Role == RoleSchoolAdmin && v.SchoolID != nil && ownerSchool != nil && *v.SchoolID == *ownerSchool
}

// DocumentFilter is the WHERE clause of a list of documents in table that v
// may read: their own, or for a SCHOOL_ADMIN their school's teachers'.
func DocumentFilter(db *gorm.DB, table string, v Viewer) *gorm.DB {
	if v.Role == RoleSchoolAdmin && v.SchoolID != nil {
		return db.Where(table+".user_id IN (SELECT id FROM users WHERE school_id = ?)", *v.SchoolID)
	}
	return db.Where(table+".user_id = ?", v.UserID)
}

// NewShareToken returns an unguessable share token: 256 random bits, base64url.
func NewShareToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

var (
	// ErrNoSuchScheme is what anyone who may not see a scheme is told.
	ErrNoSuchScheme = Sentence(ErrNotFound, "There is no such scheme of work.")
	// ErrNoSuchSchemeLesson is the same for one lesson of a scheme.
	ErrNoSuchSchemeLesson = Sentence(ErrNotFound, "There is no such scheme lesson.")
)

// OwnedScheme is a scheme with its teacher's school, which decides who
// besides the teacher may read it.
type OwnedScheme struct {
	Scheme
	OwnerSchoolID *uint64 `json:"-"`
}

// CanRead: the teacher, and a SCHOOL_ADMIN of the teacher's school.
func (s *OwnedScheme) CanRead(v Viewer) bool { return DocumentReadable(v, s.UserID, s.OwnerSchoolID) }

// CanWrite: only the teacher.
func (s *OwnedScheme) CanWrite(v Viewer) bool { return s.UserID == v.UserID }

// SchemeByID returns scheme id (without its weeks) and its teacher's school.
func SchemeByID(db *gorm.DB, id uint64) (*OwnedScheme, error) {
	var s OwnedScheme
	err := db.Table("schemes_of_work").Select("schemes_of_work.*, users.school_id AS owner_school_id").
		Joins("JOIN users ON users.id = schemes_of_work.user_id").
		Where("schemes_of_work.id = ?", id).Take(&s).Error
	if err := translate(err); err != nil {
		return nil, notFound(err, ErrNoSuchScheme)
	}
	return &s, nil
}

// SchemeByShareToken returns the shared scheme whose token is token.
func SchemeByShareToken(db *gorm.DB, token string) (*Scheme, error) {
	var s Scheme
	if err := translate(db.Where("share_token = ?", token).Take(&s).Error); err != nil {
		return nil, notFound(err, ErrNoSuchScheme)
	}
	return &s, nil
}

// LoadWeeks fills s.Weeks and their lessons in two queries whatever their number.
func LoadWeeks(db *gorm.DB, s *Scheme) error {
	weeks := []SchemeWeek{}
	if err := translate(db.Where("scheme_id = ?", s.ID).Order("week_number").Find(&weeks).Error); err != nil {
		return err
	}
	var lessons []SchemeLesson
	if err := translate(db.Where("scheme_id = ?", s.ID).Order("week_id, lesson_number, id").Find(&lessons).Error); err != nil {
		return err
	}
	at := make(map[uint64]int, len(weeks))
	for i := range weeks {
		weeks[i].Lessons = []SchemeLesson{}
		at[weeks[i].ID] = i
	}
	for _, l := range lessons {
		if i, ok := at[l.WeekID]; ok {
			weeks[i].Lessons = append(weeks[i].Lessons, l)
		}
	}
	s.Weeks = weeks
	return nil
}

// MaxDocumentsListed bounds one list of schemes or records of work (the
// frontend takes the whole list, newest first).
const MaxDocumentsListed = 1000

// ListSchemes returns the schemes v may read, archived or not, newest first.
func ListSchemes(db *gorm.DB, v Viewer, archived bool) ([]Scheme, error) {
	out := []Scheme{}
	err := DocumentFilter(db.Model(&Scheme{}), "schemes_of_work", v).Where("is_archived = ?", archived).
		Order("created_at DESC, id DESC").Limit(MaxDocumentsListed).Find(&out).Error
	return out, translate(err)
}

// SchemeStats counts the caller's schemes that are not archived.
type SchemeStats struct {
	TotalSchemes     int `json:"total_schemes"`
	ActiveSchemes    int `json:"active_schemes"`
	CompletedSchemes int `json:"completed_schemes"`
	ArchivedSchemes  int `json:"archived_schemes"`
}

// StatsOfSchemes counts v's readable schemes in one query.
func StatsOfSchemes(db *gorm.DB, v Viewer) (SchemeStats, error) {
	var st SchemeStats
	err := DocumentFilter(db.Model(&Scheme{}), "schemes_of_work", v).Select(
		"COALESCE(SUM(NOT is_archived), 0) AS total_schemes, " +
			"COALESCE(SUM(NOT is_archived AND status IN ('active','draft')), 0) AS active_schemes, " +
			"COALESCE(SUM(NOT is_archived AND status = 'completed'), 0) AS completed_schemes, " +
			"COALESCE(SUM(is_archived), 0) AS archived_schemes").Scan(&st).Error
	return st, translate(err)
}

// CreateScheme inserts s and its weeks and lessons in one transaction, with
// a constant number of statements (multi-row INSERTs, batched). It sets
// total_weeks and total_lessons from the weeks, and fills in the ids.
func CreateScheme(db *gorm.DB, s *Scheme) error {
	weeks := s.Weeks
	s.TotalWeeks, s.TotalLessons = len(weeks), 0
	for _, w := range weeks {
		s.TotalLessons += len(w.Lessons)
	}
	return db.Transaction(func(tx *gorm.DB) error {
		s.ID = 0
		if err := translate(tx.Omit("Weeks").Create(s).Error); err != nil {
			return err
		}
		s.Weeks = weeks
		return insertWeeks(tx, s, weeks, nil)
	})
}

// lessonColumns are what an edit of a scheme lesson may change (not its
// sub-strand link, which only generation sets from the teacher's own subject).
var lessonColumns = []string{"week_id", "lesson_number", "kind", "strand", "sub_strand",
	"specific_learning_outcomes", "key_inquiry_questions", "learning_experiences", "learning_resources",
	"textbook_name", "textbook_teacher_guide_pages", "textbook_learner_book_pages", "assessment_methods",
	"reflection", "core_competencies", "values", "pcis", "links"}

// insertWeeks inserts weeks (none of which exist yet) and every lesson in
// them; keep, when set, lists lessons that already exist and are to be
// moved and updated rather than inserted (see ReplaceWeeks).
func insertWeeks(tx *gorm.DB, s *Scheme, weeks []SchemeWeek, keep map[uint64]bool) error {
	if len(weeks) == 0 {
		return nil
	}
	rows := make([]SchemeWeek, len(weeks))
	for i, w := range weeks {
		rows[i] = SchemeWeek{SchemeID: s.ID, WeekNumber: w.WeekNumber, StartDate: w.StartDate, EndDate: w.EndDate}
	}
	// An edit keeps a week's dates: they come from the school calendar.
	err := tx.Omit("Lessons", "CreatedAt").Clauses(clause.OnConflict{DoUpdates: clause.AssignmentColumns([]string{"week_number"})}).
		CreateInBatches(rows, insertBatch).Error
	if err := translate(err); err != nil {
		return err
	}
	var ids []SchemeWeek
	if err := translate(tx.Select("id, week_number").Where("scheme_id = ?", s.ID).Find(&ids).Error); err != nil {
		return err
	}
	idOf := make(map[int]uint64, len(ids))
	for _, w := range ids {
		idOf[w.WeekNumber] = w.ID
	}
	var fresh, moved []*SchemeLesson
	for i := range weeks {
		weeks[i].ID, weeks[i].SchemeID = idOf[weeks[i].WeekNumber], s.ID
		for j := range weeks[i].Lessons {
			l := &weeks[i].Lessons[j]
			l.SchemeID, l.WeekID = s.ID, weeks[i].ID
			if l.Kind == "" {
				l.Kind = KindLesson
			}
			if keep[l.ID] {
				moved = append(moved, l)
			} else {
				l.ID = 0
				fresh = append(fresh, l)
			}
		}
	}
	if len(moved) > 0 {
		// The lessons' own ids are kept, so lesson plans linked to them stay linked.
		err := tx.Omit("CreatedAt", "UpdatedAt").Clauses(clause.OnConflict{DoUpdates: clause.AssignmentColumns(lessonColumns)}).
			CreateInBatches(moved, insertBatch).Error
		if err := translate(err); err != nil {
			return err
		}
	}
	if len(fresh) > 0 {
		if err := translate(tx.Omit("CreatedAt", "UpdatedAt").CreateInBatches(fresh, insertBatch).Error); err != nil {
			return err
		}
	}
	return nil
}

// ReplaceWeeks makes s's weeks and lessons exactly weeks, in one transaction
// and a constant number of statements: lessons that carry the id of one of
// s's lessons are updated in place (and may move week), other lessons are
// inserted, and s's lessons and weeks missing from weeks are deleted. An id
// of another scheme's lesson is treated as a new lesson, never touching it.
func ReplaceWeeks(tx *gorm.DB, s *Scheme, weeks []SchemeWeek) error {
	var existing []uint64
	if err := translate(tx.Model(&SchemeLesson{}).Where("scheme_id = ?", s.ID).Pluck("id", &existing).Error); err != nil {
		return err
	}
	own := make(map[uint64]bool, len(existing))
	for _, id := range existing {
		own[id] = true
	}
	keep := map[uint64]bool{}
	numbers := make([]int, 0, len(weeks))
	for _, w := range weeks {
		numbers = append(numbers, w.WeekNumber)
		for _, l := range w.Lessons {
			if own[l.ID] && !keep[l.ID] {
				keep[l.ID] = true
			}
		}
	}
	stale := tx.Where("scheme_id = ?", s.ID)
	if len(keep) > 0 {
		ids := make([]uint64, 0, len(keep))
		for id := range keep {
			ids = append(ids, id)
		}
		stale = stale.Where("id NOT IN ?", ids)
	}
	if err := translate(stale.Delete(&SchemeLesson{}).Error); err != nil {
		return err
	}
	// A lesson id given twice is kept once; the second copy is a new lesson.
	seen := map[uint64]bool{}
	for i := range weeks {
		for j := range weeks[i].Lessons {
			l := &weeks[i].Lessons[j]
			if keep[l.ID] && seen[l.ID] {
				l.ID = 0
			}
			seen[l.ID] = true
		}
	}
	if err := insertWeeks(tx, s, weeks, keep); err != nil {
		return err
	}
	gone := tx.Where("scheme_id = ?", s.ID)
	if len(numbers) > 0 {
		gone = gone.Where("week_number NOT IN ?", numbers)
	}
	if err := translate(gone.Delete(&SchemeWeek{}).Error); err != nil {
		return err
	}
	total := 0
	for _, w := range weeks {
		total += len(w.Lessons)
	}
	s.TotalWeeks, s.TotalLessons = len(weeks), total
	return nil
}

// UpdateScheme applies changes (by column) to scheme id and, when weeks is
// not nil, replaces its weeks and lessons, all in one transaction.
func UpdateScheme(db *gorm.DB, s *Scheme, changes map[string]any, weeks []SchemeWeek) error {
	return db.Transaction(func(tx *gorm.DB) error {
		if weeks != nil {
			if err := ReplaceWeeks(tx, s, weeks); err != nil {
				return err
			}
			changes["total_weeks"], changes["total_lessons"] = s.TotalWeeks, s.TotalLessons
		}
		if len(changes) == 0 {
			return nil
		}
		return translate(tx.Model(&Scheme{}).Where("id = ?", s.ID).Updates(changes).Error)
	})
}

// DeleteScheme removes scheme id; its weeks and lessons go with it.
func DeleteScheme(db *gorm.DB, id uint64) error {
	res := db.Delete(&Scheme{}, id)
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return ErrNoSuchScheme
	}
	return nil
}

// SetArchived archives or unarchives document id of table (schemes_of_work,
// records_of_work, or another teacher's document with is_archived).
func SetArchived(db *gorm.DB, table string, id uint64, archived bool) error {
	return translate(db.Table(table).Where("id = ?", id).Update("is_archived", archived).Error)
}

// Share gives document id of table a share token unless it has one, and
// returns the token: sharing twice gives the same link, so links already
// handed out keep working.
func Share(db *gorm.DB, table string, id uint64) (string, error) {
	token, err := NewShareToken()
	if err != nil {
		return "", err
	}
	if err := translate(db.Table(table).Where("id = ? AND share_token IS NULL", id).Update("share_token", token).Error); err != nil {
		return "", err
	}
	// Whichever token stuck (this one, or an earlier or concurrent share's).
	var stuck []string
	if err := translate(db.Table(table).Where("id = ?", id).Pluck("share_token", &stuck).Error); err != nil {
		return "", err
	}
	if len(stuck) != 1 || stuck[0] == "" {
		return "", fmt.Errorf("%w: the document disappeared while being shared", ErrNotFound)
	}
	return stuck[0], nil
}

// Unshare removes document id's share token: its link stops working at once.
func Unshare(db *gorm.DB, table string, id uint64) error {
	return translate(db.Table(table).Where("id = ?", id).Update("share_token", nil).Error)
}

// CopyScheme returns an independent copy of s (loaded with its weeks) for
// owner: not shared, not archived, every row new. A copy for someone other
// than s's teacher loses the links into that teacher's subject.
func CopyScheme(s *Scheme, owner uint64) *Scheme {
	c := *s
	c.ID, c.UserID, c.ShareToken, c.IsArchived = 0, owner, nil, false
	if owner != s.UserID {
		c.SubjectID = nil
	}
	c.Weeks = make([]SchemeWeek, len(s.Weeks))
	for i, w := range s.Weeks {
		w.ID, w.SchemeID = 0, 0
		lessons := make([]SchemeLesson, len(w.Lessons))
		for j, l := range w.Lessons {
			l.ID, l.SchemeID, l.WeekID = 0, 0, 0
			if owner != s.UserID {
				l.SubStrandID = nil
			}
			lessons[j] = l
		}
		w.Lessons = lessons
		c.Weeks[i] = w
	}
	return &c
}

// CurriculumOfSubject returns subject id's sub-strands as curriculum units,
// in curriculum order (strand, then sub-strand sequence), in one query. A
// sub-strand takes as many lessons as it has lesson rows, else its
// lessons_count.
func CurriculumOfSubject(db *gorm.DB, subjectID uint64) ([]CurriculumUnit, error) {
	var rows []struct {
		SubStrand
		StrandCode string
		StrandName string
		LessonRows int
	}
	err := db.Table("sub_strands").
		Select("sub_strands.*, strands.strand_code, strands.strand_name, "+
			"(SELECT COUNT(*) FROM lessons WHERE lessons.substrand_id = sub_strands.id) AS lesson_rows").
		Joins("JOIN strands ON strands.id = sub_strands.strand_id").
		Where("strands.subject_id = ?", subjectID).
		Order("strands.sequence_order, strands.id, sub_strands.sequence_order, sub_strands.id").Scan(&rows).Error
	if err := translate(err); err != nil {
		return nil, err
	}
	units := make([]CurriculumUnit, len(rows))
	for i, r := range rows {
		n := r.LessonRows
		if n == 0 {
			n = r.LessonsCount
		}
		units[i] = CurriculumUnit{SubStrandID: r.ID, Strand: codeName(r.StrandCode, r.StrandName),
			SubStrand: codeName(r.SubstrandCode, r.SubstrandName), Lessons: n,
			Outcomes: r.SpecificLearningOutcomes, Experiences: r.SuggestedLearningExperiences,
			InquiryQuestions: lines(r.KeyInquiryQuestions), Competencies: r.CoreCompetencies,
			Values: r.Values, PCIs: r.PCIs, Links: r.LinksToOtherSubjects}
		if len(units[i].Outcomes) == 0 {
			units[i].Outcomes = lines(r.LearningOutcomes)
		}
	}
	return units, nil
}

// codeName is "1.1 Whole Numbers", or the name alone when the code is blank
// or already starts it.
func codeName(code, name string) string {
	code, name = strings.TrimSpace(code), strings.TrimSpace(name)
	if code == "" || strings.HasPrefix(name, code) {
		return name
	}
	return code + " " + name
}

// lines splits a text column into its non-blank lines.
func lines(s string) []string { return nonEmpty(strings.Split(s, "\n")) }
