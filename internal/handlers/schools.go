package handlers

import (
	"net/http"
	"strings"

	"github.com/teachtrack/api/internal/models"
)

// handleAdminSchoolList answers with a plain array: the frontend's super admin
// dashboard uses the body as the list itself.
func (u *usersAPI) handleAdminSchoolList(w http.ResponseWriter, r *http.Request) {
	schools, err := models.ListSchools(reqDB(r))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, schools)
}

type schoolCreateRequest struct {
	Name string `json:"name" validate:"required,max=255"`
}

func (u *usersAPI) handleAdminSchoolCreate(w http.ResponseWriter, r *http.Request) {
	var req schoolCreateRequest
	if err := u.dec.decode(w, r, &req); err != nil {
		u.fail(w, r, err)
		return
	}
	s := &models.School{Name: strings.TrimSpace(req.Name)}
	if s.Name == "" {
		u.fail(w, r, models.Invalid("name", "is required"))
		return
	}
	if err := models.CreateSchool(reqDB(r), s); err != nil {
		u.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, s)
}
