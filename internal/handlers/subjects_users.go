package handlers

import (
	"fmt"
	"net/http"

	"gorm.io/gorm"

	"github.com/teachtrack/api/internal/models"
)

// What the subjects add to the users side: the caller's subject count on
// GET /auth/me, each user's subjects on GET /admin/users, and the admin's
// progress reset. Kept here so users.go and auth.go change by one call each.

// meJSON is GET /auth/me's user with their subjects counted.
type meJSON struct {
	userJSON
	HasSubjects  bool  `json:"has_subjects"`
	SubjectCount int64 `json:"subject_count"`
}

// meWithSubjects is the signed-in user as GET /auth/me shows them.
func meWithSubjects(r *http.Request, user *models.User) (meJSON, error) {
	n, err := models.CountSubjects(reqDB(r), user.ID)
	return meJSON{userJSON: toUserJSON(user), HasSubjects: n > 0, SubjectCount: n}, err
}

// adminUserJSON is a user of the admin list with their subjects. The
// frontend reads the count under both names.
type adminUserJSON struct {
	userJSON
	SubjectCount  int                     `json:"subject_count"`
	SubjectsCount int                     `json:"subjects_count"`
	Subjects      []models.SubjectSummary `json:"subjects"`
}

// usersWithSubjects adds each user's subjects, in one query for the page.
func usersWithSubjects(db *gorm.DB, users []models.User) ([]adminUserJSON, error) {
	ids := make([]uint64, len(users))
	for i := range users {
		ids[i] = users[i].ID
	}
	subjects, err := models.SubjectSummaries(db, ids)
	if err != nil {
		return nil, err
	}
	out := make([]adminUserJSON, len(users))
	for i := range users {
		s := subjects[users[i].ID]
		out[i] = adminUserJSON{userJSON: toUserJSON(&users[i]), SubjectCount: len(s), SubjectsCount: len(s), Subjects: s}
	}
	return out, nil
}

type resetProgressRequest struct {
	SubjectID *int64 `json:"subject_id" validate:"omitempty,gt=0"`
}

// handleAdminUserResetProgress marks a user's lessons (of one subject, or
// all) not done and zeroes their counters. The old backend zeroed the
// counters but left the lessons marked done; here both go together.
func (u *usersAPI) handleAdminUserResetProgress(w http.ResponseWriter, r *http.Request) {
	var req resetProgressRequest
	if err := u.dec.decodeOptional(w, r, &req); err != nil {
		u.fail(w, r, err)
		return
	}
	p := principalFrom(r.Context())
	t, err := u.modifiable(r, p)
	var subjectID *uint64
	if req.SubjectID != nil {
		id := uint64(*req.SubjectID)
		subjectID = &id
	}
	n := 0
	if err == nil {
		n, err = models.ResetProgress(reqDB(r), t.ID, subjectID, p.UserID)
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"message": fmt.Sprintf("Progress reset for %d subject(s).", n), "user_id": t.ID, "subjects_reset": n,
	})
}
