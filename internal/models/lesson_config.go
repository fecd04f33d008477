package models

import (
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// LessonConfig is a row of lesson_configurations: how many lessons a week,
// and how long, a subject of a grade has in one school (or, for an admin
// without a school, for that admin). New subjects made from templates take
// these settings (UseTemplates).
type LessonConfig struct {
	ID                   uint64    `gorm:"primaryKey" json:"-"`
	SchoolID             *uint64   `json:"-"`
	UserID               *uint64   `json:"-"`
	OwnerKey             string    `json:"-"`
	SubjectName          string    `json:"subject_name"`
	Grade                string    `json:"grade"`
	LessonsPerWeek       int       `json:"lessons_per_week"`
	DoubleLessonsPerWeek int       `json:"double_lessons_per_week"`
	SingleLessonDuration int       `json:"single_lesson_duration"`
	DoubleLessonDuration int       `json:"double_lesson_duration"`
	CreatedAt            time.Time `json:"-"`
	UpdatedAt            time.Time `json:"-"`
	// UserCount is how many teachers (of the school, or the admin alone)
	// have a subject of this name and grade; computed, not stored.
	UserCount int `gorm:"-" json:"user_count"`
}

// TableName is lesson_configurations.
func (LessonConfig) TableName() string { return "lesson_configurations" }

// ConfigOwner is whose lesson settings an admin edits: their school's, or
// their own when they have none.
type ConfigOwner struct {
	SchoolID *uint64
	UserID   uint64
}

func (o ConfigOwner) key() string {
	if o.SchoolID != nil {
		return "s" + strconv.FormatUint(*o.SchoolID, 10)
	}
	return "u" + strconv.FormatUint(o.UserID, 10)
}

func configKey(subject, grade string) string { return strings.ToLower(subject) + "|" + grade }

// MaxLessonConfigs bounds one owner's list (subjects × grades of a school).
const MaxLessonConfigs = 2000

// LessonConfigs returns o's settings with each one's user_count, in two
// queries.
func LessonConfigs(db *gorm.DB, o ConfigOwner) ([]LessonConfig, error) {
	out := []LessonConfig{}
	if err := translate(db.Where("owner_key = ?", o.key()).Order("grade, subject_name").Limit(MaxLessonConfigs).Find(&out).Error); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	var counts []struct {
		SubjectName string
		Grade       string
		N           int
	}
	q := db.Table("subjects").Select("subjects.subject_name, subjects.grade, COUNT(DISTINCT subjects.user_id) AS n")
	if o.SchoolID != nil {
		q = q.Joins("JOIN users ON users.id = subjects.user_id").Where("users.school_id = ?", *o.SchoolID)
	} else {
		q = q.Where("subjects.user_id = ?", o.UserID)
	}
	if err := translate(q.Group("subjects.subject_name, subjects.grade").Scan(&counts).Error); err != nil {
		return nil, err
	}
	n := make(map[string]int, len(counts))
	for _, c := range counts {
		n[configKey(c.SubjectName, c.Grade)] = c.N
	}
	for i := range out {
		out[i].UserCount = n[configKey(out[i].SubjectName, out[i].Grade)]
	}
	return out, nil
}

// SaveLessonConfigs inserts or updates cs for o in one statement (the owner,
// subject and grade are the key).
func SaveLessonConfigs(db *gorm.DB, o ConfigOwner, cs []LessonConfig) error {
	if len(cs) == 0 {
		return nil
	}
	for i := range cs {
		cs[i].ID, cs[i].OwnerKey, cs[i].SchoolID = 0, o.key(), o.SchoolID
		if o.SchoolID == nil {
			uid := o.UserID
			cs[i].UserID = &uid
		} else {
			cs[i].UserID = nil
		}
	}
	return translate(db.Clauses(clause.OnConflict{DoUpdates: clause.AssignmentColumns([]string{
		"lessons_per_week", "double_lessons_per_week", "single_lesson_duration", "double_lesson_duration", "updated_at"})}).
		Omit("created_at").Create(&cs).Error)
}

// lessonSettingsFor returns the lesson settings that apply to user's new
// subjects made from ts, keyed by configKey: their school's, overridden by
// their own (one query).
func lessonSettingsFor(db *gorm.DB, user *User, ts []CurriculumTemplate) (map[string]*LessonConfig, error) {
	out := map[string]*LessonConfig{}
	if len(ts) == 0 {
		return out, nil
	}
	keys := []string{ConfigOwner{UserID: user.ID}.key()}
	if user.SchoolID != nil {
		keys = append(keys, ConfigOwner{SchoolID: user.SchoolID}.key())
	}
	grades := make([]string, 0, len(ts))
	for _, t := range ts {
		grades = append(grades, t.Grade)
	}
	var rows []LessonConfig
	if err := translate(db.Where("owner_key IN ? AND grade IN ?", keys, grades).Limit(MaxLessonConfigs).Find(&rows).Error); err != nil {
		return nil, err
	}
	for i := range rows {
		r := &rows[i]
		k := configKey(r.SubjectName, r.Grade)
		if cur, ok := out[k]; ok && cur.OwnerKey[0] == 'u' {
			continue // the user's own setting wins over the school's
		}
		out[k] = r
	}
	return out, nil
}
