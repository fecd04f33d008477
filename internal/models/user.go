package models

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
	"gorm.io/gorm"
)

// Role is a user's role.
type Role string

// Roles, from least to most powerful.
const (
	RoleTeacher     Role = "TEACHER"
	RoleHOD         Role = "HOD"
	RoleSchoolAdmin Role = "SCHOOL_ADMIN"
	RoleSuperAdmin  Role = "SUPER_ADMIN"
)

// IsAdmin reports whether the role administers users (SCHOOL_ADMIN, SUPER_ADMIN).
func (r Role) IsAdmin() bool { return r == RoleSchoolAdmin || r == RoleSuperAdmin }

// Subscription types and statuses the users table accepts.
const (
	SubscriptionFree            = "FREE"
	SubscriptionStatusActive    = "ACTIVE"
	SubscriptionSchoolSponsored = "SCHOOL_SPONSORED"
)

// User is a row of users. Optional text fields are nil when absent.
type User struct {
	ID                 uint64 `gorm:"primaryKey"`
	Email              string
	PasswordHash       string
	FullName           string
	Phone              *string
	School             *string
	GradeLevel         *string
	TSCNumber          *string `gorm:"column:tsc_number"`
	Role               Role
	SchoolID           *uint64
	IsActive           bool
	EmailVerified      bool
	SubscriptionType   string
	SubscriptionStatus string
	CreatedAt          time.Time
	UpdatedAt          time.Time

	// SubscriptionExpiresAt ends a paid plan (see ApplyExpiry); nil: no end.
	SubscriptionExpiresAt *time.Time
	// TrialStartedAt starts the FREE plan's trial (LimitsFor); NULL means
	// the account's creation.
	TrialStartedAt *time.Time
}

// NormalizeEmail is the one form every e-mail address is stored, looked up,
// rate-limited and compared in: trimmed, Unicode NFC (so "é" typed as one
// character or as "e" + accent is one address), lower-cased. The email column
// has a binary collation (migration 01200), so the database's equality is
// exactly this form's: an address with an accent is another address, never a
// match for the one without.
func NormalizeEmail(email string) string {
	return strings.ToLower(norm.NFC.String(strings.TrimSpace(email)))
}

var errEmailTaken = Sentence(ErrConflict, "An account with this email address already exists.")

// CreateUser inserts u (its email normalised). A taken email is ErrConflict.
func CreateUser(db *gorm.DB, u *User) error {
	u.Email = NormalizeEmail(u.Email)
	if u.Role == "" {
		u.Role = RoleTeacher
	}
	if u.SubscriptionType == "" {
		u.SubscriptionType = SubscriptionFree
	}
	if u.SubscriptionStatus == "" {
		u.SubscriptionStatus = SubscriptionStatusActive
	}
	if err := translate(db.Create(u).Error); err != nil {
		if errors.Is(err, ErrConflict) {
			return fmt.Errorf("%w: %w", errEmailTaken, err)
		}
		return err
	}
	return nil
}

var errUserNotFound = Sentence(ErrNotFound, "There is no such user.")

// UserByID returns the user with id, or ErrNotFound.
func UserByID(db *gorm.DB, id uint64) (*User, error) {
	var u User
	if err := translate(db.Take(&u, id).Error); err != nil {
		return nil, notFound(err, errUserNotFound)
	}
	return &u, nil
}

// UserByEmail returns the user with email (any case), or ErrNotFound.
func UserByEmail(db *gorm.DB, email string) (*User, error) {
	var u User
	if err := translate(db.Where("email = ?", NormalizeEmail(email)).Take(&u).Error); err != nil {
		return nil, notFound(err, errUserNotFound)
	}
	return &u, nil
}

// UpdateUser sets columns of user id and returns the user as stored. A changed
// email that is taken is ErrConflict.
func UpdateUser(db *gorm.DB, id uint64, changes map[string]any) (*User, error) {
	if len(changes) > 0 {
		if e, ok := changes["email"].(string); ok {
			changes["email"] = NormalizeEmail(e)
		}
		res := db.Model(&User{}).Where("id = ?", id).Updates(changes)
		if err := translate(res.Error); err != nil {
			if errors.Is(err, ErrConflict) {
				return nil, fmt.Errorf("%w: %w", errEmailTaken, err)
			}
			return nil, err
		}
	}
	return UserByID(db, id)
}

// DeleteUser removes user id; their sessions go with them (ON DELETE CASCADE).
func DeleteUser(db *gorm.DB, id uint64) error {
	res := db.Delete(&User{}, id)
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return errUserNotFound
	}
	return nil
}

// UserFilter selects users for the admin list and export.
type UserFilter struct {
	Search string // substring of email or full name
	Role   Role   // empty: any
	Roles  []Role // non-empty: any of these (the frontend's "admin" filter)
	// CreatedFrom and CreatedBefore bound when the account was made; nil: open.
	CreatedFrom, CreatedBefore *time.Time
	SchoolID                   *uint64 // non-nil: only this school's users
	Page                       int     // from 1; 0 with Limit 0 means everything
	Limit                      int
}

func (f UserFilter) apply(db *gorm.DB) *gorm.DB {
	q := db.Model(&User{})
	if f.Search != "" {
		like := "%" + escapeLike(f.Search) + "%"
		// email is binary-collated and stored normalised: search it normalised.
		q = q.Where("(email LIKE ? OR full_name LIKE ?)", "%"+escapeLike(NormalizeEmail(f.Search))+"%", like)
	}
	if f.Role != "" {
		q = q.Where("role = ?", f.Role)
	}
	if len(f.Roles) > 0 {
		q = q.Where("role IN ?", f.Roles)
	}
	if f.SchoolID != nil {
		q = q.Where("school_id = ?", *f.SchoolID)
	}
	if f.CreatedFrom != nil {
		q = q.Where("created_at >= ?", f.CreatedFrom.UTC())
	}
	if f.CreatedBefore != nil {
		q = q.Where("created_at < ?", f.CreatedBefore.UTC())
	}
	return q
}

// ListUsers returns one page of the users f selects, newest first, and how
// many it selects in all.
func ListUsers(db *gorm.DB, f UserFilter) ([]User, int64, error) {
	var total int64
	if err := translate(f.apply(db).Count(&total).Error); err != nil {
		return nil, 0, err
	}
	users := []User{}
	q := f.apply(db).Order("created_at DESC, id DESC")
	if f.Limit > 0 {
		q = q.Offset((f.Page - 1) * f.Limit).Limit(f.Limit)
	}
	if err := translate(q.Find(&users).Error); err != nil {
		return nil, 0, err
	}
	return users, total, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
