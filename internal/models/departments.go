package models

import (
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Department is a row of departments: a school's department and its head
// (HOD), a user of the same school.
type Department struct {
	ID          uint64 `gorm:"primaryKey"`
	SchoolID    uint64
	Name        string
	Description *string
	HODID       *uint64 `gorm:"column:hod_id"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
	// HODName is the head's full name, read with the department (not a column).
	HODName *string `gorm:"column:hod_name;->;-:migration"`
}

// TableName is departments.
func (Department) TableName() string { return "departments" }

var (
	errNoSuchDepartment = Sentence(ErrNotFound, "There is no such department.")
	// ErrHODNotInSchool is a head of department who is not a user of the
	// department's school (another school's user reveals nothing).
	ErrHODNotInSchool = Sentence(ErrNotFound, "There is no such teacher in your school to head the department.")
)

// MaxDepartments bounds one school's list.
const MaxDepartments = 500

// departmentQuery reads a department with its head's name in one statement.
func departmentQuery(db *gorm.DB) *gorm.DB {
	return db.Model(&Department{}).Select("departments.*, users.full_name AS hod_name").
		Joins("LEFT JOIN users ON users.id = departments.hod_id")
}

// ListDepartments returns school schoolID's departments by name, each with
// its head's name (one statement).
func ListDepartments(db *gorm.DB, schoolID uint64) ([]Department, error) {
	out := []Department{}
	return out, translate(departmentQuery(db).Where("departments.school_id = ?", schoolID).
		Order("departments.name").Limit(MaxDepartments).Find(&out).Error)
}

// DepartmentByID returns department id of school schoolID (nil: any school,
// for a super admin) with its head's name; another school's is not found.
func DepartmentByID(db *gorm.DB, id uint64, schoolID *uint64) (*Department, error) {
	q := departmentQuery(db).Where("departments.id = ?", id)
	if schoolID != nil {
		q = q.Where("departments.school_id = ?", *schoolID)
	}
	var d Department
	if err := translate(q.Take(&d).Error); err != nil {
		return nil, notFound(err, errNoSuchDepartment)
	}
	return &d, nil
}

// SaveDepartment inserts (d.ID 0) or updates d, after checking that its head
// (if any) is a user of its school. A name the school already has is
// ErrConflict.
func SaveDepartment(db *gorm.DB, d *Department) error {
	if d.HODID != nil {
		var n int64
		if err := translate(db.Model(&User{}).Where("id = ? AND school_id = ?", *d.HODID, d.SchoolID).Count(&n).Error); err != nil {
			return err
		}
		if n == 0 {
			return ErrHODNotInSchool
		}
	}
	var err error
	if d.ID == 0 {
		err = db.Omit("HODName").Create(d).Error
	} else {
		err = db.Select("name", "description", "hod_id").Updates(d).Error
	}
	if err := translate(err); err != nil {
		if errors.Is(err, ErrConflict) {
			return fmt.Errorf("%w: %w", Sentence(ErrConflict, fmt.Sprintf("Your school already has a department named %q.", d.Name)), err)
		}
		return err
	}
	return nil
}

// DeleteDepartment removes department id of school schoolID (nil: any).
func DeleteDepartment(db *gorm.DB, id uint64, schoolID *uint64) error {
	return deleteOne(inSchool(db.Where("id = ?", id), schoolID), &Department{}, errNoSuchDepartment)
}
