package models

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// LessonPlan is a row of lesson_plans, with the week and lesson numbers of
// the scheme lesson it was made from (read through a join, never stored).
type LessonPlan struct {
	ID                        uint64  `gorm:"primaryKey" json:"id"`
	UserID                    uint64  `json:"user_id"`
	SubjectID                 *uint64 `json:"subject_id"`
	SchemeLessonID            *uint64 `json:"scheme_lesson_id"`
	LearningArea              string  `json:"learning_area"`
	Grade                     string  `json:"grade"`
	Date                      *string `gorm:"column:date" json:"date"`
	Time                      string  `gorm:"column:time" json:"time"`
	Roll                      string  `json:"roll"`
	LessonDurationMinutes     *int    `json:"lesson_duration_minutes"`
	StrandThemeTopic          string  `json:"strand_theme_topic"`
	SubStrandSubThemeSubTopic string  `gorm:"column:sub_strand_sub_theme_sub_topic" json:"sub_strand_sub_theme_sub_topic"`
	PlanText
	Status     string    `json:"status"`
	IsArchived bool      `json:"is_archived"`
	ShareToken *string   `json:"share_token"`
	IsPublic   bool      `json:"is_public"`
	Notes      string    `json:"notes"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`

	WeekNumber   *int `gorm:"->" json:"week_number"`
	LessonNumber *int `gorm:"->" json:"lesson_number"`
}

// PlanText is the prose of a plan: what the teacher, the curriculum or the
// AI assistant writes.
type PlanText struct {
	SpecificLearningOutcomes string `json:"specific_learning_outcomes"`
	KeyInquiryQuestions      string `json:"key_inquiry_questions"`
	CoreCompetences          string `json:"core_competences"`
	ValuesToBeDeveloped      string `json:"values_to_be_developed"`
	PCIsToBeAddressed        string `gorm:"column:pcis_to_be_addressed" json:"pcis_to_be_addressed"`
	LearningResources        string `json:"learning_resources"`
	Introduction             string `json:"introduction"`
	Development              string `json:"development"`
	Conclusion               string `json:"conclusion"`
	Summary                  string `json:"summary"`
	ReflectionSelfEvaluation string `json:"reflection_self_evaluation"`
}

// TableName is lesson_plans.
func (LessonPlan) TableName() string { return "lesson_plans" }

// Plan statuses.
const (
	PlanPending   = "pending"
	PlanTaught    = "taught"
	PlanPostponed = "postponed"
)

// OwnedPlan is a plan with its teacher's school, which decides who besides
// the teacher may read it.
type OwnedPlan struct {
	LessonPlan
	OwnerSchoolID *uint64 `json:"-"`
}

// CanRead: the teacher, and a SCHOOL_ADMIN of the teacher's school
// (read-only), as for every teacher's document (schemes, records of work).
func (p *OwnedPlan) CanRead(v Viewer) bool {
	if p.UserID == v.UserID {
		return true
	}
	return v.Role == RoleSchoolAdmin && v.SchoolID != nil && p.OwnerSchoolID != nil && *v.SchoolID == *p.OwnerSchoolID
}

// CanWrite: only the teacher changes, archives, shares or deletes a plan.
func (p *OwnedPlan) CanWrite(v Viewer) bool { return p.UserID == v.UserID }

var (
	// ErrNoSuchPlan is what anyone who may not see a plan is told.
	ErrNoSuchPlan = Sentence(ErrNotFound, "There is no such lesson plan.")
	// ErrSomePlansMissing answers a bulk request naming a plan the caller may not touch.
	ErrSomePlansMissing = Sentence(ErrNotFound, "Some of these lesson plans don't exist or aren't yours; nothing was done.")
)

// planNumbers reads a plan's week and lesson numbers from its scheme lesson
// (none for a plan written from scratch, or whose scheme was deleted).
const planNumbers = "scheme_weeks.week_number AS week_number, scheme_lessons.lesson_number AS lesson_number"

// planJoins are the joins planNumbers needs.
var planJoins = []string{
	"LEFT JOIN scheme_lessons ON scheme_lessons.id = lesson_plans.scheme_lesson_id",
	"LEFT JOIN scheme_weeks ON scheme_weeks.id = scheme_lessons.week_id",
}

// planQuery is the query every read of plans starts from: the plan, its numbers
// and its teacher's school, in one statement.
func planQuery(db *gorm.DB) *gorm.DB {
	q := db.Table("lesson_plans").Select("lesson_plans.*, " + planNumbers + ", users.school_id AS owner_school_id").
		Joins("JOIN users ON users.id = lesson_plans.user_id")
	for _, j := range planJoins {
		q = q.Joins(j)
	}
	return q
}

// PlanByID returns plan id with its teacher's school, or ErrNoSuchPlan.
func PlanByID(db *gorm.DB, id uint64) (*OwnedPlan, error) {
	var p OwnedPlan
	if err := translate(planQuery(db).Where("lesson_plans.id = ?", id).Take(&p).Error); err != nil {
		return nil, notFound(err, ErrNoSuchPlan)
	}
	return &p, nil
}

// PlanFilter selects plans for a list.
type PlanFilter struct {
	UserID   uint64  // the teacher's own plans…
	SchoolID *uint64 // …or, when set, every plan of this school's teachers
	Archived bool
	Page     int // from 1
	PerPage  int
}

// ListPlans returns one page of the plans f selects, newest first, and how
// many it selects in all: two statements whatever the page holds.
func ListPlans(db *gorm.DB, f PlanFilter) ([]LessonPlan, int64, error) {
	where := func(q *gorm.DB) *gorm.DB {
		if f.SchoolID != nil {
			q = q.Where("lesson_plans.user_id IN (SELECT id FROM users WHERE school_id = ?)", *f.SchoolID)
		} else {
			q = q.Where("lesson_plans.user_id = ?", f.UserID)
		}
		return q.Where("lesson_plans.is_archived = ?", f.Archived)
	}
	var total int64
	if err := translate(where(db.Table("lesson_plans")).Count(&total).Error); err != nil {
		return nil, 0, err
	}
	out := []LessonPlan{}
	err := where(planQuery(db)).Order("lesson_plans.created_at DESC, lesson_plans.id DESC").
		Offset((f.Page - 1) * f.PerPage).Limit(f.PerPage).Find(&out).Error
	if err := translate(err); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// PlansByIDs returns the plans ids name that v may read, in the order of
// ids, or ErrSomePlansMissing when any of them is not one: one statement.
func PlansByIDs(db *gorm.DB, v Viewer, ids []uint64) ([]OwnedPlan, error) {
	var found []OwnedPlan
	if err := translate(planQuery(db).Where("lesson_plans.id IN ?", ids).Find(&found).Error); err != nil {
		return nil, err
	}
	byID := make(map[uint64]OwnedPlan, len(found))
	for _, p := range found {
		if p.CanRead(v) {
			byID[p.ID] = p
		}
	}
	out := make([]OwnedPlan, 0, len(ids))
	for _, id := range ids {
		p, ok := byID[id]
		if !ok {
			return nil, ErrSomePlansMissing
		}
		out = append(out, p)
	}
	return out, nil
}

// errSchemeLessonHasPlan: the unique scheme_lesson_id.
var errSchemeLessonHasPlan = Sentence(ErrConflict, "This scheme lesson already has a lesson plan.")

// CreatePlan inserts p and reads back the columns the database fills.
func CreatePlan(db *gorm.DB, p *LessonPlan) error {
	if p.Status == "" {
		p.Status = PlanPending
	}
	return db.Transaction(func(tx *gorm.DB) error {
		if err := translate(tx.Omit("created_at", "updated_at").Create(p).Error); err != nil {
			if errors.Is(err, ErrConflict) {
				return fmt.Errorf("%w: %w", errSchemeLessonHasPlan, err)
			}
			return err
		}
		return translate(tx.Select("created_at", "updated_at").Take(p, p.ID).Error)
	})
}

// CreatePlans inserts many plans in one multi-row INSERT; a scheme lesson
// that has gained a plan meanwhile is ErrConflict and nothing is inserted.
func CreatePlans(db *gorm.DB, ps []LessonPlan) error {
	if len(ps) == 0 {
		return nil
	}
	for i := range ps {
		if ps[i].Status == "" {
			ps[i].Status = PlanPending
		}
	}
	err := translate(db.Omit("created_at", "updated_at").CreateInBatches(ps, 500).Error)
	if errors.Is(err, ErrConflict) {
		return fmt.Errorf("%w: %w", Sentence(ErrConflict, "Lesson plans were being generated from this scheme at the same time; please try again."), err)
	}
	return err
}

// UpdatePlan sets columns of plan id.
func UpdatePlan(db *gorm.DB, id uint64, changes map[string]any) error {
	if len(changes) == 0 {
		return nil
	}
	return translate(db.Model(&LessonPlan{}).Where("id = ?", id).Updates(changes).Error)
}

// DeletePlan removes plan id.
func DeletePlan(db *gorm.DB, id uint64) error {
	res := db.Delete(&LessonPlan{}, id)
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return ErrNoSuchPlan
	}
	return nil
}

// DeletePlans removes the plans ids name, all of which must be userID's:
// otherwise nothing is deleted and the answer is ErrSomePlansMissing. The
// rows are locked and counted first, in one transaction, so a concurrent
// change can't turn this into a partial delete.
func DeletePlans(db *gorm.DB, userID uint64, ids []uint64) error {
	return db.Transaction(func(tx *gorm.DB) error {
		var n int64
		err := tx.Model(&LessonPlan{}).Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).
			Where("id IN ? AND user_id = ?", ids, userID).Select("COUNT(*)").Scan(&n).Error
		if err := translate(err); err != nil {
			return err
		}
		if n != int64(len(ids)) {
			return ErrSomePlansMissing
		}
		return translate(tx.Where("id IN ? AND user_id = ?", ids, userID).Delete(&LessonPlan{}).Error)
	})
}

// newPlanShareToken is 256 random bits as hex: a share link can't be guessed.
func newPlanShareToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// SharePlan gives plan id a share token unless it has one, and returns it;
// sharing twice gives the same link.
func SharePlan(db *gorm.DB, id uint64) (string, error) {
	token := newPlanShareToken()
	err := db.Model(&LessonPlan{}).Where("id = ? AND share_token IS NULL", id).
		Updates(map[string]any{"share_token": token, "is_public": true}).Error
	if err := translate(err); err != nil {
		return "", err
	}
	var p LessonPlan
	if err := translate(db.Select("share_token").Take(&p, id).Error); err != nil {
		return "", notFound(err, ErrNoSuchPlan)
	}
	if p.ShareToken == nil {
		return "", fmt.Errorf("plan %d: share token not set", id)
	}
	return *p.ShareToken, nil
}

// UnsharePlan ends plan id's share link.
func UnsharePlan(db *gorm.DB, id uint64) error {
	return translate(db.Model(&LessonPlan{}).Where("id = ?", id).
		Updates(map[string]any{"share_token": nil, "is_public": false}).Error)
}

// ErrNoSuchSharedPlan answers a share link that names nothing (never shared,
// unshared, or its plan deleted).
var ErrNoSuchSharedPlan = Sentence(ErrNotFound, "This share link doesn't exist or has been withdrawn.")

// SharedPlan returns the plan whose share token is token.
func SharedPlan(db *gorm.DB, token string) (*LessonPlan, error) {
	var p OwnedPlan
	err := translate(planQuery(db).Where("lesson_plans.share_token = ? AND lesson_plans.is_public", token).Take(&p).Error)
	if err != nil {
		return nil, notFound(err, ErrNoSuchSharedPlan)
	}
	return &p.LessonPlan, nil
}

// PlanOwner is who a plan belongs to, as its PDF names them.
type PlanOwner struct {
	ID     uint64
	Name   string
	School string
}

// PlanOwners returns the teachers ids name with their school's name (the
// school they are linked to, else the one they typed), in one statement.
func PlanOwners(db *gorm.DB, ids []uint64) (map[uint64]PlanOwner, error) {
	var rows []PlanOwner
	err := db.Table("users").Select("users.id, users.full_name AS name, COALESCE(schools.name, users.school, '') AS school").
		Joins("LEFT JOIN schools ON schools.id = users.school_id").Where("users.id IN ?", ids).Scan(&rows).Error
	if err := translate(err); err != nil {
		return nil, err
	}
	out := make(map[uint64]PlanOwner, len(rows))
	for _, o := range rows {
		out[o.ID] = o
	}
	return out, nil
}
