package handlers

import (
	"net/http"

	"github.com/teachtrack/api/internal/models"
)

// A super admin's management of any school (PATCH /admin/schools/{id},
// GET /admin/schools/{id}/teachers), as the super admin dashboard calls them.

type schoolLicenceRequest struct {
	MaxTeachers        *int    `json:"max_teachers" validate:"omitempty,min=1,max=100000"`
	SubscriptionStatus *string `json:"subscription_status" validate:"omitempty,oneof=ACTIVE INACTIVE TRIAL PAST_DUE CANCELLED"`
}

// handleAdminSchoolUpdate changes a school's teacher limit and licence status;
// a limit below the teachers it has now is 409.
func (u *usersAPI) handleAdminSchoolUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	var req schoolLicenceRequest
	if err := u.dec.decode(w, r, &req); err != nil {
		u.fail(w, r, err)
		return
	}
	s, err := models.UpdateSchoolLicence(reqDB(r), id, models.SchoolLicence{MaxTeachers: req.MaxTeachers, SubscriptionStatus: req.SubscriptionStatus})
	if err != nil {
		u.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s)
}

type rosterSchoolJSON struct {
	ID                 uint64  `json:"id"`
	Name               string  `json:"name"`
	Email              *string `json:"email"` // its administrator's
	MaxTeachers        int     `json:"max_teachers"`
	SubscriptionStatus string  `json:"subscription_status"`
}

type rosterAdminJSON struct {
	ID       uint64 `json:"id"`
	FullName string `json:"full_name"`
	Email    string `json:"email"`
	IsActive bool   `json:"is_active"`
}

type rosterTeacherJSON struct {
	models.SchoolMember
	IsCurrent    bool                   `json:"is_current"`
	Subjects     []models.MemberSubject `json:"subjects"`
	SubjectCount int                    `json:"subject_count"`
}

type rosterJSON struct {
	School               rosterSchoolJSON    `json:"school"`
	SchoolAdmin          *rosterAdminJSON    `json:"school_admin"`
	Teachers             []rosterTeacherJSON `json:"teachers"`
	PreviousTeachers     []rosterTeacherJSON `json:"previous_teachers"`
	TeacherCount         int                 `json:"teacher_count"`
	PreviousTeacherCount int                 `json:"previous_teacher_count"`
}

// handleAdminSchoolTeachers is one school's licence, administrator and
// teachers with their subjects' progress: three statements whatever the
// school's size. The product does not record which school a teacher left, so
// previous_teachers is always empty.
func (u *usersAPI) handleAdminSchoolTeachers(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	ro, err := models.RosterOf(reqDB(r), id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	subjects := map[uint64][]models.MemberSubject{}
	for _, s := range ro.Subjects {
		subjects[s.UserID] = append(subjects[s.UserID], s)
	}
	out := rosterJSON{School: rosterSchoolJSON{ID: ro.School.ID, Name: ro.School.Name, MaxTeachers: ro.School.MaxTeachers, SubscriptionStatus: ro.School.SubscriptionStatus},
		Teachers: []rosterTeacherJSON{}, PreviousTeachers: []rosterTeacherJSON{}}
	for _, m := range ro.Members {
		m.CreatedAt = m.CreatedAt.UTC()
		switch {
		case ro.AdminID != nil && m.ID == *ro.AdminID:
			out.SchoolAdmin = &rosterAdminJSON{ID: m.ID, FullName: m.FullName, Email: m.Email, IsActive: m.IsActive}
			out.School.Email = &m.Email
		case m.Role == models.RoleTeacher || m.Role == models.RoleHOD:
			list := subjects[m.ID]
			if list == nil {
				list = []models.MemberSubject{}
			}
			out.Teachers = append(out.Teachers, rosterTeacherJSON{SchoolMember: m, IsCurrent: true, Subjects: list, SubjectCount: len(list)})
		}
	}
	out.TeacherCount = len(out.Teachers)
	writeJSON(w, http.StatusOK, out)
}
