package handlers

import (
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/teachtrack/api/internal/models"
)

// handleAdminSchoolList answers with a plain array: the frontend's super admin
// dashboard uses the body as the list itself. It filters by ?search= (name)
// and ?subscription_status=, and orders by ?sort_by= (name, created_at,
// teacher_count, subscription_status) and ?sort_order= (asc, desc).
func (u *usersAPI) handleAdminSchoolList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := models.SchoolFilter{Search: strings.TrimSpace(q.Get("search")), SortBy: q.Get("sort_by")}
	var err error
	switch st := strings.ToUpper(strings.TrimSpace(q.Get("subscription_status"))); {
	case st == "" || st == "ALL":
	case slices.Contains(models.SchoolStatuses, st):
		f.SubscriptionStatus = st
	default:
		err = models.Invalid("subscription_status", "must be one of "+strings.Join(models.SchoolStatuses, ", "))
	}
	if _, ok := map[string]bool{"": true, "name": true, "created_at": true, "teacher_count": true, "subscription_status": true}[f.SortBy]; !ok {
		err = models.Invalid("sort_by", "must be one of name, created_at, teacher_count, subscription_status")
	}
	switch strings.ToLower(q.Get("sort_order")) {
	case "", "asc":
	case "desc":
		f.Desc = true
	default:
		err = models.Invalid("sort_order", "must be asc or desc")
	}
	if !utf8.ValidString(f.Search) {
		err = models.Invalid("search", "must be valid UTF-8 text")
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	schools, err := models.ListSchools(reqDB(r), f)
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
