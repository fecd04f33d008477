package models

import (
	"encoding/json"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// TeacherProfile is a row of teacher_profiles: the school details an
// independent teacher prints on their documents, and their teaching defaults.
// A school-linked teacher's school details come from their school's settings
// (SchoolContextFor decides which applies).
type TeacherProfile struct {
	ID                          uint64 `gorm:"primaryKey"`
	UserID                      uint64
	SchoolName                  *string
	SchoolAddress               *string
	SchoolPhone                 *string
	SchoolEmail                 *string
	SchoolMotto                 *string
	SchoolLogoURL               *string `gorm:"column:school_logo_url"`
	SchoolType                  *string
	PrincipalName               *string
	DeputyPrincipalName         *string
	County                      *string
	SubCounty                   *string
	DefaultLessonsPerWeek       int
	DefaultLessonDuration       int
	DefaultDoubleLessonDuration int
	DefaultDoubleLessonsPerWeek int
	TSCNumber                   *string `gorm:"column:tsc_number"`
	RegistrationNumber          *string
	SubjectsTaught              json.RawMessage // a JSON array of subject names
	GradeLevelsTaught           json.RawMessage // a JSON array of grades
	YearsOfExperience           *int
	Qualifications              *string
	Specialization              *string
	CurrentAcademicYear         *int
	DefaultTermWeeks            *int
	GradesOffered               json.RawMessage // a JSON array of grade names
	StreamsPerGrade             json.RawMessage // a JSON object: grade name → its streams
	CreatedAt                   time.Time
	UpdatedAt                   time.Time
}

// TableName is teacher_profiles.
func (TeacherProfile) TableName() string { return "teacher_profiles" }

// NewTeacherProfile is user's profile before they first save it: the
// defaults the table gives a new row.
func NewTeacherProfile(userID uint64) *TeacherProfile {
	return &TeacherProfile{UserID: userID, DefaultLessonsPerWeek: 5, DefaultLessonDuration: 40, DefaultDoubleLessonDuration: 80,
		SubjectsTaught: json.RawMessage("[]"), GradeLevelsTaught: json.RawMessage("[]"),
		GradesOffered: json.RawMessage("[]"), StreamsPerGrade: json.RawMessage("{}")}
}

// ErrSchoolNameLocked refuses a change of a profile's school name once set:
// one account per teacher, not one shared by a school's staff.
var ErrSchoolNameLocked = Sentence(ErrForbidden, "School Name cannot be changed once set. This is to prevent account sharing. Please contact support if you have moved schools.")

// ProfileOfUser returns user userID's profile, or nil when they have none yet.
func ProfileOfUser(db *gorm.DB, userID uint64) (*TeacherProfile, error) {
	var p []TeacherProfile
	if err := translate(db.Where("user_id = ?", userID).Limit(1).Find(&p).Error); err != nil || len(p) == 0 {
		return nil, err
	}
	return &p[0], nil
}

// LockProfileOfUser is ProfileOfUser read FOR UPDATE, for a save that
// depends on what is stored (the school name rule).
func LockProfileOfUser(tx *gorm.DB, userID uint64) (*TeacherProfile, error) {
	return ProfileOfUser(tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}), userID)
}

// CheckSchoolName is nil unless the stored profile has a school name and
// next is a different one (ErrSchoolNameLocked).
func (p *TeacherProfile) CheckSchoolName(next *string) error {
	if p.SchoolName == nil || strings.TrimSpace(*p.SchoolName) == "" || next == nil {
		return nil
	}
	if strings.TrimSpace(*next) != strings.TrimSpace(*p.SchoolName) {
		return ErrSchoolNameLocked
	}
	return nil
}

// SaveTeacherProfile inserts (p.ID 0) or updates p and reads it back. Two
// first saves at once: the second is ErrConflict with a sentence.
func SaveTeacherProfile(db *gorm.DB, p *TeacherProfile) error {
	for _, f := range []struct {
		v   *json.RawMessage
		def string
	}{{&p.SubjectsTaught, "[]"}, {&p.GradeLevelsTaught, "[]"}, {&p.GradesOffered, "[]"}, {&p.StreamsPerGrade, "{}"}} {
		if len(*f.v) == 0 {
			*f.v = json.RawMessage(f.def)
		}
	}
	return saveRow(db, p, p.ID, "user_id", "Your profile was saved elsewhere at the same time: reload it and try again.")
}
