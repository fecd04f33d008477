package models

import (
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// A super admin's view of any school: its licence and its teachers.

var errNoSuchSchool = Sentence(ErrNotFound, "There is no such school.")

// SchoolStatuses are the licence statuses a school can have.
var SchoolStatuses = []string{"ACTIVE", "INACTIVE", "TRIAL", "PAST_DUE", "CANCELLED"}

// SchoolLicence is a change to a school's licence; nil fields stay.
type SchoolLicence struct {
	MaxTeachers        *int
	SubscriptionStatus *string
}

// UpdateSchoolLicence changes school id's licence under a lock on its row (the
// lock AddTeacher takes), so a limit is never set below the teachers the
// school has at that moment: that is ErrConflict with a sentence.
func UpdateSchoolLicence(db *gorm.DB, id uint64, c SchoolLicence) (*SchoolProfile, error) {
	var s SchoolProfile
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := translate(tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&s, id).Error); err != nil {
			return notFound(err, errNoSuchSchool)
		}
		if err := translate(tx.Model(&User{}).Where("school_id = ? AND role IN ?", id, teacherRoles).Count(&s.TeacherCount).Error); err != nil {
			return err
		}
		changes := map[string]any{}
		if c.MaxTeachers != nil {
			if int64(*c.MaxTeachers) < s.TeacherCount {
				return Sentence(ErrConflict, fmt.Sprintf("This school has %d teachers: remove some before lowering its limit to %d.", s.TeacherCount, *c.MaxTeachers))
			}
			changes["max_teachers"] = *c.MaxTeachers
		}
		if c.SubscriptionStatus != nil {
			changes["subscription_status"] = *c.SubscriptionStatus
		}
		if len(changes) == 0 {
			return nil
		}
		if err := translate(tx.Model(&SchoolProfile{}).Where("id = ?", id).Updates(changes).Error); err != nil {
			return err
		}
		return translate(tx.Omit("TeacherCount").Take(&s, id).Error)
	})
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// SchoolMember is a teacher or administrator of a school as the super admin
// sees them.
type SchoolMember struct {
	ID               uint64    `json:"id"`
	FullName         string    `json:"full_name"`
	Email            string    `json:"email"`
	Role             Role      `json:"-"`
	SubscriptionType string    `json:"subscription_type"`
	IsActive         bool      `json:"is_active"`
	CreatedAt        time.Time `json:"created_at"`
}

// MemberSubject is a teacher's subject and its progress.
type MemberSubject struct {
	ID               uint64  `json:"id"`
	UserID           uint64  `json:"-"`
	Name             string  `json:"name"`
	Grade            string  `json:"grade"`
	LessonsCompleted int     `json:"lessons_completed"`
	TotalLessons     int     `json:"total_lessons"`
	Progress         float64 `json:"progress"`
}

// SchoolRoster is a school with its administrator, its members and their
// subjects.
type SchoolRoster struct {
	School   SchoolProfile
	AdminID  *uint64 // the school's admin_id, else its first SCHOOL_ADMIN
	Members  []SchoolMember
	Subjects []MemberSubject
}

// RosterOf reads school id, its users and their subjects in three statements
// whatever the number of teachers.
func RosterOf(db *gorm.DB, id uint64) (*SchoolRoster, error) {
	var out SchoolRoster
	if err := translate(db.Select("schools.*").Take(&out.School, id).Error); err != nil {
		return nil, notFound(err, errNoSuchSchool)
	}
	out.Members = []SchoolMember{}
	err := db.Model(&User{}).Select("id, full_name, email, role, subscription_type, is_active, created_at").
		Where("school_id = ? OR id = ?", id, out.School.AdminID).Order("full_name, email, id").Scan(&out.Members).Error
	if err != nil {
		return nil, translate(err)
	}
	out.AdminID = out.School.AdminID
	ids := make([]uint64, 0, len(out.Members))
	for _, m := range out.Members {
		if m.Role == RoleTeacher || m.Role == RoleHOD {
			ids = append(ids, m.ID)
			out.School.TeacherCount++
		} else if out.AdminID == nil && m.Role == RoleSchoolAdmin {
			out.AdminID = &m.ID
		}
	}
	out.Subjects = []MemberSubject{}
	if len(ids) > 0 {
		err = db.Model(&Subject{}).Select("id, user_id, subject_name AS name, grade, lessons_completed, total_lessons, progress_percentage AS progress").
			Where("user_id IN ?", ids).Order("user_id, subject_name, grade, id").Scan(&out.Subjects).Error
	}
	return &out, translate(err)
}
