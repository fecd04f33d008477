package handlers

import (
	"net/http"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/teachtrack/api/internal/mail"
	"github.com/teachtrack/api/internal/models"
)

// The school administrator's own school and its teachers (/schools/…).
// Everything is scoped to the caller's school as read from their row on this
// request (principal.User), never to an id in the request.

type ownSchoolCreateRequest struct {
	Name                 string         `json:"name" validate:"required,max=255"`
	MaxTeachers          int            `json:"max_teachers" validate:"required,min=1,max=100000"`
	TeacherCountsByLevel map[string]int `json:"teacher_counts_by_level" validate:"omitempty,max=20,dive,keys,min=1,max=50,endkeys,min=0,max=100000"`
}

// handleOwnSchoolCreate creates the caller's school, with the caller as its
// administrator.
func (u *usersAPI) handleOwnSchoolCreate(w http.ResponseWriter, r *http.Request) {
	var req ownSchoolCreateRequest
	if err := u.dec.decode(w, r, &req); err != nil {
		u.fail(w, r, err)
		return
	}
	s := &models.SchoolProfile{Name: strings.TrimSpace(req.Name), MaxTeachers: req.MaxTeachers, TeacherCountsByLevel: req.TeacherCountsByLevel}
	if s.Name == "" {
		u.fail(w, r, models.Invalid("name", "is required"))
		return
	}
	if err := models.CreateOwnSchool(reqDB(r), principalFrom(r.Context()).UserID, s); err != nil {
		u.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, s)
}

// handleOwnSchool is the caller's school (any role); 404 when they have none,
// which the school admin's dashboard takes as "set up your school".
func (u *usersAPI) handleOwnSchool(w http.ResponseWriter, r *http.Request) {
	s, err := models.SchoolByID(reqDB(r), principalFrom(r.Context()).User.SchoolID)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s)
}

// teacherJSON is a teacher as their school administrator sees them.
type teacherJSON struct {
	ID                 uint64      `json:"id"`
	Email              string      `json:"email"`
	FullName           string      `json:"full_name"`
	Role               models.Role `json:"role"`
	EmailVerified      bool        `json:"email_verified"`
	SubscriptionType   string      `json:"subscription_type"`
	SubscriptionStatus string      `json:"subscription_status"`
	CreatedAt          time.Time   `json:"created_at"`
}

func toTeacherJSON(m *models.User) teacherJSON {
	return teacherJSON{ID: m.ID, Email: m.Email, FullName: m.FullName, Role: m.Role, EmailVerified: m.EmailVerified,
		SubscriptionType: m.SubscriptionType, SubscriptionStatus: m.SubscriptionStatus, CreatedAt: m.CreatedAt.UTC()}
}

// handleSchoolTeachers lists the teachers of the caller's school (an array,
// as the dashboard reads it).
func (u *usersAPI) handleSchoolTeachers(w http.ResponseWriter, r *http.Request) {
	users, err := models.SchoolTeachers(reqDB(r), principalFrom(r.Context()).User.SchoolID)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	out := make([]teacherJSON, len(users))
	for i := range users {
		out[i] = toTeacherJSON(&users[i])
	}
	writeJSON(w, http.StatusOK, out)
}

type teacherAddRequest struct {
	Email    string `json:"email" validate:"required,email,max=255"`
	FullName string `json:"full_name" validate:"max=255"`
}

// handleSchoolTeacherAdd adds a teacher to the caller's school by e-mail: an
// existing teacher without a school is told by mail; a new address gets an
// invitation link to choose their own password. The school's max_teachers is
// enforced (409).
func (u *usersAPI) handleSchoolTeacherAdd(w http.ResponseWriter, r *http.Request) {
	var req teacherAddRequest
	if err := u.dec.decode(w, r, &req); err != nil {
		u.fail(w, r, err)
		return
	}
	var added *models.AddedTeacher
	err := reqDB(r).Transaction(func(tx *gorm.DB) error {
		var err error
		if added, err = models.AddTeacher(tx, principalFrom(r.Context()).User.SchoolID, req.Email, strings.TrimSpace(req.FullName)); err != nil {
			return err
		}
		t := &added.User
		if !added.Created {
			return models.EnqueueMail(tx, mail.AddedToSchool(u.acct.links, t.Email, t.FullName, added.School.Name))
		}
		token, err := newMailToken()
		if err != nil {
			return err
		}
		if err := models.CreateAccountToken(tx, t, models.PurposeInvite, token, time.Now().UTC(), models.InviteTTL); err != nil {
			return err
		}
		return models.EnqueueMail(tx, mail.Invitation(u.acct.links, t.Email, added.School.Name, token))
	})
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.wakeMail()
	writeJSON(w, http.StatusCreated, toTeacherJSON(&added.User))
}

// handleSchoolTeacherRemove takes a teacher out of the caller's school; their
// account and data stay theirs. Another school's teacher is 404.
func (u *usersAPI) handleSchoolTeacherRemove(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if err := models.RemoveTeacher(reqDB(r), principalFrom(r.Context()).User.SchoolID, id, time.Now().UTC()); err != nil {
		u.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
