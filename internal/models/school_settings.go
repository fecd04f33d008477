package models

import (
	"encoding/json"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// SchoolSettings is a row of school_settings: one school's details, as its
// documents (schemes, plans, records) print them.
type SchoolSettings struct {
	ID                  uint64 `gorm:"primaryKey"`
	SchoolID            uint64
	SchoolName          string
	SchoolEmail         string
	SchoolPhone         *string
	SchoolAddress       *string
	SchoolType          *string
	SchoolMotto         *string
	SchoolLogoURL       *string `gorm:"column:school_logo_url"`
	PrincipalName       *string
	DeputyPrincipalName *string
	County              *string
	SubCounty           *string
	EstablishedYear     *int
	GradesOffered       json.RawMessage // a JSON array of grade names
	StreamsPerGrade     json.RawMessage // a JSON object: grade name → its streams
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// TableName is school_settings.
func (SchoolSettings) TableName() string { return "school_settings" }

var errNoSuchSettings = Sentence(ErrNotFound, "There are no such school settings.")

// SettingsOfSchool returns school schoolID's settings, or nil when it has none.
func SettingsOfSchool(db *gorm.DB, schoolID uint64) (*SchoolSettings, error) {
	var s []SchoolSettings
	if err := translate(db.Where("school_id = ?", schoolID).Limit(1).Find(&s).Error); err != nil || len(s) == 0 {
		return nil, err
	}
	return &s[0], nil
}

// SettingsByID returns settings id of school schoolID (nil: any, for a super admin).
func SettingsByID(db *gorm.DB, id uint64, schoolID *uint64) (*SchoolSettings, error) {
	var s SchoolSettings
	if err := translate(inSchool(db.Where("id = ?", id), schoolID).Take(&s).Error); err != nil {
		return nil, notFound(err, errNoSuchSettings)
	}
	return &s, nil
}

// LockSettingsOfSchool is SettingsOfSchool read FOR UPDATE, for a change
// that depends on what is stored (the rollover, a create that may update).
func LockSettingsOfSchool(tx *gorm.DB, schoolID uint64) (*SchoolSettings, error) {
	return SettingsOfSchool(tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}), schoolID)
}

// SaveSettings inserts (s.ID 0) or updates s.
func SaveSettings(db *gorm.DB, s *SchoolSettings) error {
	if len(s.GradesOffered) == 0 {
		s.GradesOffered = json.RawMessage("[]")
	}
	if len(s.StreamsPerGrade) == 0 {
		s.StreamsPerGrade = json.RawMessage("{}")
	}
	return saveRow(db, s, s.ID, "school_id", "Your school already has settings: edit them instead.")
}

// GradeOrder is the CBC grades in order, from pre-primary to grade 12: the
// ladder the year's rollover moves streams up.
var GradeOrder = []string{"PP1", "PP2", "Grade 1", "Grade 2", "Grade 3", "Grade 4", "Grade 5", "Grade 6",
	"Grade 7", "Grade 8", "Grade 9", "Grade 10", "Grade 11", "Grade 12"}

// RolloverStreams moves every grade's streams one grade up for a new school
// year: Grade 12's leave, PP1 starts empty, and grades off the ladder keep
// theirs. Every grade of the ladder is present afterwards.
func RolloverStreams(streams json.RawMessage) (json.RawMessage, error) {
	in := map[string]json.RawMessage{}
	if len(streams) > 0 {
		if err := json.Unmarshal(streams, &in); err != nil {
			return nil, Invalid("streams_per_grade", "must be an object from grade to its streams")
		}
	}
	out := map[string]json.RawMessage{}
	for k, v := range in {
		out[k] = v
	}
	for i := len(GradeOrder) - 1; i >= 0; i-- {
		if i == 0 {
			out[GradeOrder[0]] = json.RawMessage("[]")
			continue
		}
		if v, ok := in[GradeOrder[i-1]]; ok {
			out[GradeOrder[i]] = v
		} else {
			out[GradeOrder[i]] = json.RawMessage("[]")
		}
	}
	return json.Marshal(out)
}
