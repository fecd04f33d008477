package models

import (
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// School is a row of schools.
type School struct {
	ID        uint64    `gorm:"primaryKey" json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// SchoolSummary is a school as the super admin's list shows it.
type SchoolSummary struct {
	School
	TeacherCount       int64   `json:"teacher_count"`
	AdminEmail         *string `json:"admin_email"`
	MaxTeachers        int     `json:"max_teachers"`
	SubscriptionStatus string  `json:"subscription_status"`
}

// CreateSchool inserts s; a taken name is ErrConflict.
func CreateSchool(db *gorm.DB, s *School) error {
	if err := translate(db.Create(s).Error); err != nil {
		if errors.Is(err, ErrConflict) {
			return fmt.Errorf("%w: %w", Sentence(ErrConflict, "A school with this name already exists."), err)
		}
		return err
	}
	return nil
}

// SchoolExists reports whether school id exists.
func SchoolExists(db *gorm.DB, id uint64) (bool, error) {
	var n int64
	err := translate(db.Model(&School{}).Where("id = ?", id).Count(&n).Error)
	return n > 0, err
}

// SchoolFilter selects and orders the super admin's school list.
type SchoolFilter struct {
	Search             string // substring of the name
	SubscriptionStatus string // empty: any
	SortBy             string // name (default), created_at, teacher_count, subscription_status
	Desc               bool
}

// schoolSorts are the columns the list may be ordered by.
var schoolSorts = map[string]string{"name": "sc.name", "created_at": "sc.created_at", "teacher_count": "teacher_count", "subscription_status": "sc.subscription_status"}

// ListSchools returns the schools f selects, with each one's number of
// teachers and the email of its administrator (the school's admin_id, else
// one of its school admins). One statement: the counts are index lookups per
// school, never a query per school from Go.
func ListSchools(db *gorm.DB, f SchoolFilter) ([]SchoolSummary, error) {
	out := []SchoolSummary{}
	q := db.Table("schools AS sc").
		Select("sc.id, sc.name, sc.created_at, sc.max_teachers, sc.subscription_status, " +
			"(SELECT COUNT(*) FROM users u WHERE u.school_id = sc.id AND u.role IN ('TEACHER','HOD')) AS teacher_count, " +
			"COALESCE((SELECT a.email FROM users a WHERE a.id = sc.admin_id), " +
			"(SELECT MIN(u.email) FROM users u WHERE u.school_id = sc.id AND u.role = 'SCHOOL_ADMIN')) AS admin_email")
	if f.Search != "" {
		q = q.Where("sc.name LIKE ?", "%"+escapeLike(f.Search)+"%")
	}
	if f.SubscriptionStatus != "" {
		q = q.Where("sc.subscription_status = ?", f.SubscriptionStatus)
	}
	col, ok := schoolSorts[f.SortBy]
	if !ok {
		col = "sc.name"
	}
	dir := " ASC"
	if f.Desc {
		dir = " DESC"
	}
	err := q.Order(col + dir + ", sc.id" + dir).Scan(&out).Error
	return out, translate(err)
}
