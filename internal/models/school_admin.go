package models

import (
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// LevelCounts is how many teachers a school has per level ("Lower Primary": 4).
type LevelCounts map[string]int

// GormDataType tells GORM the column holds JSON.
func (LevelCounts) GormDataType() string { return "json" }

// Value stores the counts as JSON.
func (c LevelCounts) Value() (driver.Value, error) {
	if c == nil {
		return nil, nil
	}
	b, err := json.Marshal(c)
	return string(b), err
}

// Scan reads the counts from JSON.
func (c *LevelCounts) Scan(v any) error {
	switch b := v.(type) {
	case nil:
		*c = nil
		return nil
	case []byte:
		return json.Unmarshal(b, c)
	case string:
		return json.Unmarshal([]byte(b), c)
	}
	return fmt.Errorf("level counts: unexpected %T", v)
}

// SchoolProfile is a school as its own administrator manages it.
type SchoolProfile struct {
	ID                   uint64      `gorm:"primaryKey" json:"id"`
	Name                 string      `json:"name"`
	AdminID              *uint64     `json:"admin_id"`
	SubscriptionStatus   string      `json:"subscription_status"`
	MaxTeachers          int         `json:"max_teachers"`
	TeacherCountsByLevel LevelCounts `json:"teacher_counts_by_level"`
	CreatedAt            time.Time   `json:"created_at"`
	// TeacherCount is how many teachers the school has now (not a column).
	TeacherCount int64 `gorm:"-" json:"teacher_count"`
}

// TableName is schools.
func (SchoolProfile) TableName() string { return "schools" }

// teacherRoles are the roles that count against a school's max_teachers.
var teacherRoles = []Role{RoleTeacher, RoleHOD}

var (
	errNoSchool       = Sentence(ErrNotFound, "Your account is not linked to a school yet: create your school first.")
	errAlreadyLinked  = Sentence(ErrConflict, "Your account is already linked to a school.")
	errTeacherMissing = Sentence(ErrNotFound, "There is no such teacher in your school.")
)

// CreateOwnSchool creates a school whose administrator is adminID and links
// the administrator to it, unless they already belong to a school.
func CreateOwnSchool(db *gorm.DB, adminID uint64, s *SchoolProfile) error {
	return db.Transaction(func(tx *gorm.DB) error {
		var admin User
		if err := translate(tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&admin, adminID).Error); err != nil {
			return notFound(err, errUserNotFound)
		}
		if admin.SchoolID != nil {
			return errAlreadyLinked
		}
		s.AdminID, s.SubscriptionStatus = &adminID, "INACTIVE"
		if err := translate(tx.Omit("TeacherCount").Create(s).Error); err != nil {
			if errors.Is(err, ErrConflict) {
				return fmt.Errorf("%w: %w", Sentence(ErrConflict, "A school with this name already exists."), err)
			}
			return err
		}
		if err := translate(tx.Model(&User{}).Where("id = ?", adminID).Update("school_id", s.ID).Error); err != nil {
			return err
		}
		return translate(tx.Take(s, s.ID).Error)
	})
}

// SchoolByID returns school id with its current number of teachers, or
// errNoSchool.
func SchoolByID(db *gorm.DB, id *uint64) (*SchoolProfile, error) {
	if id == nil {
		return nil, errNoSchool
	}
	var s SchoolProfile
	if err := translate(db.Select("schools.*").Take(&s, *id).Error); err != nil {
		return nil, notFound(err, errNoSchool)
	}
	err := db.Model(&User{}).Where("school_id = ? AND role IN ?", s.ID, teacherRoles).Count(&s.TeacherCount).Error
	return &s, translate(err)
}

// SchoolTeachers returns the teachers of school id, by name.
func SchoolTeachers(db *gorm.DB, schoolID *uint64) ([]User, error) {
	if schoolID == nil {
		return nil, errNoSchool
	}
	out := []User{}
	err := db.Where("school_id = ? AND role IN ?", *schoolID, teacherRoles).Order("full_name, email, id").Find(&out).Error
	return out, translate(err)
}

// AddedTeacher is the outcome of AddTeacher.
type AddedTeacher struct {
	User    User
	School  SchoolProfile
	Created bool // a new account, with no password yet: send an invitation
}

// IsTeacherRole says whether users of role count against a school's
// max_teachers.
func IsTeacherRole(role Role) bool { return slices.Contains(teacherRoles, role) }

// CheckSeats fails with ErrConflict when school schoolID has more teachers
// than its max_teachers. Call it in the transaction that added one, after the
// insert: it locks the school's row first, so two additions can't both take
// the last place (the count that follows the lock sees the other's commit).
func CheckSeats(tx *gorm.DB, schoolID uint64) error {
	var s SchoolProfile
	taken, err := lockSeats(tx, schoolID, &s)
	if err != nil {
		return err
	}
	if taken > int64(s.MaxTeachers) {
		return seatsFull(s.MaxTeachers)
	}
	return nil
}

// lockSeats locks school schoolID's row into s and counts its teachers (the
// places taken); the count, made after the lock, sees every committed addition.
func lockSeats(tx *gorm.DB, schoolID uint64, s *SchoolProfile) (int64, error) {
	if err := translate(tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(s, schoolID).Error); err != nil {
		return 0, notFound(err, errNoSchool)
	}
	var n int64
	err := translate(tx.Model(&User{}).Where("school_id = ? AND role IN ?", schoolID, teacherRoles).Count(&n).Error)
	return n, err
}

func seatsFull(max int) error {
	return Sentence(ErrConflict, fmt.Sprintf("Your school has reached its limit of %d teachers. Remove a teacher or raise the limit before adding another.", max))
}

// AddTeacher puts the teacher with email into the school: an existing teacher
// without a school joins it; a new address gets an account with no password,
// to be set through an invitation. Either way the school now sponsors them;
// their own plan is kept to give back when they leave. The school's row is
// locked first, so two additions can't both take its last place.
func AddTeacher(db *gorm.DB, schoolID *uint64, email, fullName string) (*AddedTeacher, error) {
	if schoolID == nil {
		return nil, errNoSchool
	}
	var out AddedTeacher
	err := db.Transaction(func(tx *gorm.DB) error {
		n, err := lockSeats(tx, *schoolID, &out.School)
		if err != nil {
			return err
		}
		if n >= int64(out.School.MaxTeachers) {
			return seatsFull(out.School.MaxTeachers)
		}
		u := &out.User
		err = translate(tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("email = ?", NormalizeEmail(email)).Take(u).Error)
		switch {
		case errors.Is(err, ErrNotFound):
			*u = User{Email: email, FullName: fullName, Role: RoleTeacher, SchoolID: schoolID, IsActive: true,
				SubscriptionType: SubscriptionSchoolSponsored, SubscriptionStatus: SubscriptionStatusActive}
			out.Created = true
			if err := CreateUser(tx, u); err != nil {
				return err
			}
			return translate(tx.Model(&User{}).Where("id = ?", u.ID).
				Updates(map[string]any{"own_subscription_type": SubscriptionFree, "own_subscription_status": SubscriptionStatusActive}).Error)
		case err != nil:
			return err
		case u.Role != RoleTeacher && u.Role != RoleHOD:
			return Sentence(ErrConflict, "This address belongs to an administrator's account, which can't be added as a teacher.")
		case u.SchoolID != nil && *u.SchoolID == *schoolID:
			return Sentence(ErrConflict, "This teacher is already in your school.")
		case u.SchoolID != nil:
			return Sentence(ErrConflict, "This teacher already belongs to another school; they must leave it first.")
		}
		// The own_* columns are assigned first, from the plan before sponsoring.
		if err := translate(tx.Exec("UPDATE users SET school_id = ?, "+
			"own_subscription_type = IF(subscription_type = ?, ?, subscription_type), own_subscription_status = subscription_status, "+
			"subscription_type = ?, subscription_status = ? WHERE id = ?",
			*schoolID, SubscriptionSchoolSponsored, SubscriptionFree, SubscriptionSchoolSponsored, SubscriptionStatusActive, u.ID).Error); err != nil {
			return err
		}
		return translate(tx.Take(u, u.ID).Error)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// RemoveTeacher takes teacherID out of the school: they keep their account
// and everything in it, go back to their own plan, and an invitation they
// haven't used dies.
func RemoveTeacher(db *gorm.DB, schoolID *uint64, teacherID uint64, now time.Time) error {
	if schoolID == nil {
		return errNoSchool
	}
	return db.Transaction(func(tx *gorm.DB) error {
		var s SchoolProfile
		if err := translate(tx.Clauses(clause.Locking{Strength: "UPDATE"}).Select("id").Take(&s, *schoolID).Error); err != nil {
			return notFound(err, errNoSchool)
		}
		var u User
		err := translate(tx.Clauses(clause.Locking{Strength: "UPDATE"}).
			Where("id = ? AND school_id = ? AND role IN ?", teacherID, *schoolID, teacherRoles).Take(&u).Error)
		if err != nil {
			return notFound(err, errTeacherMissing)
		}
		// MySQL assigns left to right, each seeing the ones before: the
		// status is restored while subscription_type still says sponsored.
		// previous_school_id is assigned before school_id is cleared (left to right).
		if err := translate(tx.Exec("UPDATE users SET previous_school_id = school_id, school_id = NULL, "+
			"subscription_status = IF(subscription_type = ?, COALESCE(own_subscription_status, ?), subscription_status), "+
			"subscription_type = IF(subscription_type = ?, COALESCE(own_subscription_type, ?), subscription_type), "+
			"own_subscription_type = NULL, own_subscription_status = NULL WHERE id = ?",
			SubscriptionSchoolSponsored, SubscriptionStatusActive, SubscriptionSchoolSponsored, SubscriptionFree, u.ID).Error); err != nil {
			return err
		}
		return useTokens(tx, u.ID, []TokenPurpose{PurposeInvite}, now)
	})
}
