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
	TeacherCount int64   `json:"teacher_count"`
	AdminEmail   *string `json:"admin_email"`
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

// ListSchools returns every school by name, with its number of teachers and
// the email of one of its school admins.
func ListSchools(db *gorm.DB) ([]SchoolSummary, error) {
	out := []SchoolSummary{}
	err := db.Table("schools AS sc").
		Select("sc.id, sc.name, sc.created_at, " +
			"(SELECT COUNT(*) FROM users u WHERE u.school_id = sc.id AND u.role IN ('TEACHER','HOD')) AS teacher_count, " +
			"(SELECT MIN(u.email) FROM users u WHERE u.school_id = sc.id AND u.role = 'SCHOOL_ADMIN') AS admin_email").
		Order("sc.name, sc.id").Scan(&out).Error
	return out, translate(err)
}
