package handlers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"gorm.io/gorm"

	"github.com/teachtrack/api/internal/db"
	"github.com/teachtrack/api/internal/models"
)

// termJSON is a term as the academic-terms, school-settings, profile and
// scheme pages read it; dates are calendar dates, YYYY-MM-DD.
type termJSON struct {
	ID                uint64     `json:"id"`
	TermNumber        int        `json:"term_number"`
	TermName          string     `json:"term_name"`
	Year              int        `json:"year"`
	StartDate         string     `json:"start_date"`
	EndDate           string     `json:"end_date"`
	TeachingWeeks     int        `json:"teaching_weeks"`
	MidTermBreakStart *string    `json:"mid_term_break_start"`
	MidTermBreakEnd   *string    `json:"mid_term_break_end"`
	IsCurrent         bool       `json:"is_current"`
	SchoolID          *uint64    `json:"school_id,omitempty"`
	IsSystemTerm      *bool      `json:"is_system_term,omitempty"`
	Source            string     `json:"source,omitempty"`
	CreatedAt         *time.Time `json:"created_at,omitempty"`
}

func dateText(t time.Time) string { return t.Format(time.DateOnly) }

func dateTextPtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := dateText(*t)
	return &s
}

func fromDates(id uint64, d models.TermDates, current bool, created *time.Time) termJSON {
	return termJSON{ID: id, TermNumber: d.TermNumber, TermName: d.TermName, Year: d.Year, StartDate: dateText(d.StartDate),
		EndDate: dateText(d.EndDate), TeachingWeeks: d.TeachingWeeks, MidTermBreakStart: dateTextPtr(d.MidTermBreakStart),
		MidTermBreakEnd: dateTextPtr(d.MidTermBreakEnd), IsCurrent: current, CreatedAt: created}
}

func systemTermJSON(t *models.SystemTerm) termJSON {
	return fromDates(t.ID, t.TermDates, t.IsCurrent, &t.CreatedAt)
}

func schoolTermJSON(t *models.SchoolTerm, current bool) termJSON {
	j := fromDates(t.ID, t.TermDates, current, &t.CreatedAt)
	j.SchoolID = &t.SchoolID
	return j
}

// termRequest is the body of every term write. The pages send back the term
// they read, so its read-only fields are accepted and ignored.
type termRequest struct {
	TermNumber        *int    `json:"term_number"`
	TermName          *string `json:"term_name" validate:"omitempty,max=100"`
	Year              *int    `json:"year"`
	StartDate         *string `json:"start_date"`
	EndDate           *string `json:"end_date"`
	TeachingWeeks     *int    `json:"teaching_weeks"`
	MidTermBreakStart *string `json:"mid_term_break_start"`
	MidTermBreakEnd   *string `json:"mid_term_break_end"`
	IsCurrent         *bool   `json:"is_current"`
	SchoolID          *uint64 `json:"school_id"`

	ID           json.RawMessage `json:"id"`
	IsSystemTerm json.RawMessage `json:"is_system_term"`
	Source       json.RawMessage `json:"source"`
	CreatedAt    json.RawMessage `json:"created_at"`
	UpdatedAt    json.RawMessage `json:"updated_at"`
}

// parseDay reads a calendar date: YYYY-MM-DD, or an ISO date-time whose
// date part is taken as it is written (the pages send both).
func parseDay(field, s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if len(s) >= 10 {
		if t, err := time.Parse(time.DateOnly, s[:10]); err == nil && (len(s) == 10 || s[10] == 'T' || s[10] == ' ') {
			return t, nil
		}
	}
	return time.Time{}, models.Invalid(field, "must be a date as YYYY-MM-DD")
}

// apply merges the fields sent onto d; a blank mid-term date clears it.
// create requires the fields a new term needs.
func (q *termRequest) apply(d *models.TermDates, create bool) error {
	if create {
		if err := required(present{"term_number", q.TermNumber != nil}, present{"year", q.Year != nil},
			present{"start_date", q.StartDate != nil}, present{"end_date", q.EndDate != nil}); err != nil {
			return err
		}
	}
	if q.TermNumber != nil {
		d.TermNumber = *q.TermNumber
	}
	if q.TermName != nil {
		d.TermName = strings.TrimSpace(*q.TermName)
	}
	if q.Year != nil {
		d.Year = *q.Year
	}
	datesChanged := false
	for _, f := range []struct {
		name string
		in   *string
		out  *time.Time
	}{{"start_date", q.StartDate, &d.StartDate}, {"end_date", q.EndDate, &d.EndDate}} {
		if f.in != nil {
			t, err := parseDay(f.name, *f.in)
			if err != nil {
				return err
			}
			*f.out, datesChanged = t, true
		}
	}
	for _, f := range []struct {
		name string
		in   *string
		out  **time.Time
	}{{"mid_term_break_start", q.MidTermBreakStart, &d.MidTermBreakStart}, {"mid_term_break_end", q.MidTermBreakEnd, &d.MidTermBreakEnd}} {
		if f.in == nil {
			continue
		}
		datesChanged = true
		if strings.TrimSpace(*f.in) == "" {
			*f.out = nil
			continue
		}
		t, err := parseDay(f.name, *f.in)
		if err != nil {
			return err
		}
		*f.out = &t
	}
	switch {
	case q.TeachingWeeks != nil && *q.TeachingWeeks <= 0:
		return models.Invalid("teaching_weeks", "must be from 1 to 53")
	case q.TeachingWeeks != nil:
		d.TeachingWeeks = *q.TeachingWeeks
	case datesChanged:
		d.TeachingWeeks = 0 // recomputed from the new dates by Validate
	}
	return nil
}

// termsAPI serves system terms, schools' terms and the terms a teacher sees.
type termsAPI struct {
	*API
	dec *decoder
}

func newTermsAPI(a *API, dec *decoder) *termsAPI { return &termsAPI{API: a, dec: dec} }

func (t *termsAPI) fail(w http.ResponseWriter, r *http.Request, err error) {
	t.writeError(w, r, db.Translate(err))
}

// today is the calendar date now in APP_TIMEZONE.
func (a *API) today() time.Time { return a.now().In(a.cfg.TimeZone) }

func (t *termsAPI) handleSystemTermList(w http.ResponseWriter, r *http.Request) {
	year, err := queryInt(r, "year", 0)
	if err != nil {
		t.fail(w, r, err)
		return
	}
	terms, err := models.ListSystemTerms(reqDB(r), year)
	if err != nil {
		t.fail(w, r, err)
		return
	}
	out := make([]termJSON, len(terms))
	for i := range terms {
		out[i] = systemTermJSON(&terms[i])
	}
	writeJSON(w, http.StatusOK, out)
}

func (t *termsAPI) handleSystemTermCreate(w http.ResponseWriter, r *http.Request) {
	t.saveSystemTerm(w, r, 0)
}

func (t *termsAPI) handleSystemTermUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		t.fail(w, r, err)
		return
	}
	t.saveSystemTerm(w, r, id)
}

func (t *termsAPI) saveSystemTerm(w http.ResponseWriter, r *http.Request, id uint64) {
	var req termRequest
	if err := t.dec.decode(w, r, &req); err != nil {
		t.fail(w, r, err)
		return
	}
	term := &models.SystemTerm{}
	err := reqDB(r).Transaction(func(tx *gorm.DB) error {
		if id != 0 {
			var err error
			if term, err = models.SystemTermByID(tx, id); err != nil {
				return err
			}
		} else {
			term.CreatedBy = &principalFrom(r.Context()).UserID
		}
		d := term.TermDates
		if err := req.apply(&d, id == 0); err != nil {
			return err
		}
		current := term.IsCurrent
		if req.IsCurrent != nil {
			current = *req.IsCurrent
		}
		return models.SaveSystemTerm(tx, term, d, current)
	})
	if err != nil {
		t.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if id == 0 {
		status = http.StatusCreated
	}
	writeJSON(w, status, systemTermJSON(term))
}

func (t *termsAPI) handleSystemTermDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var term *models.SystemTerm
	if err == nil {
		err = reqDB(r).Transaction(func(tx *gorm.DB) error {
			var err error
			if term, err = models.SystemTermByID(tx, id); err != nil {
				return err
			}
			return models.DeleteSystemTerm(tx, id)
		})
	}
	if err != nil {
		t.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"message": fmt.Sprintf("System term '%s' for year %d deleted", term.TermName, term.Year)})
}

// handleSystemTermGenerateYear creates the Kenyan calendar's three terms of
// the year in the path.
func (t *termsAPI) handleSystemTermGenerateYear(w http.ResponseWriter, r *http.Request) {
	year, err := strconv.Atoi(chi.URLParam(r, "year"))
	if err != nil || year < 2000 || year > 2100 {
		t.fail(w, r, errorf(http.StatusBadRequest, "The year in the path must be a year from 2000 to 2100."))
		return
	}
	var terms []models.SystemTerm
	err = reqDB(r).Transaction(func(tx *gorm.DB) error {
		var err error
		terms, err = models.GenerateSystemYear(tx, year, t.today(), &principalFrom(r.Context()).UserID)
		return err
	})
	if err != nil {
		t.fail(w, r, err)
		return
	}
	out := make([]termJSON, len(terms))
	for i := range terms {
		out[i] = systemTermJSON(&terms[i])
	}
	writeJSON(w, http.StatusCreated, map[string]any{"message": fmt.Sprintf("Generated %d terms for year %d", len(terms), year), "terms": out})
}

func (t *termsAPI) handleSystemTermSetCurrent(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var term *models.SystemTerm
	if err == nil {
		err = reqDB(r).Transaction(func(tx *gorm.DB) error {
			var err error
			term, err = models.SetCurrentSystemTerm(tx, id)
			return err
		})
	}
	if err != nil {
		t.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"message": fmt.Sprintf("'%s' (%d) is now the current term", term.TermName, term.Year)})
}

// handleTermsForMe lists the terms of ?year (default: this year in
// APP_TIMEZONE) that apply to the caller: their school's own, else the
// system's (models.TermsForYear). is_current marks the term CurrentTerm
// answers: the one running today, else the next to start.
func (t *termsAPI) handleTermsForMe(w http.ResponseWriter, r *http.Request) {
	today := t.today()
	year, err := queryInt(r, "year", today.Year())
	if err != nil {
		t.fail(w, r, err)
		return
	}
	v := viewer(r)
	terms, err := models.TermsForYear(reqDB(r), v.SchoolID, year)
	var current models.Term
	if err == nil {
		current, err = models.CurrentTerm(reqDB(r), v.SchoolID, today)
		if isNotFound(err) {
			err = nil
		}
	}
	if err != nil {
		t.fail(w, r, err)
		return
	}
	out := make([]termJSON, len(terms))
	for i, term := range terms {
		system := term.Source == models.TermSourceSystem
		out[i] = fromDates(term.ID, models.TermDates{TermNumber: term.TermNumber, TermName: term.TermName, Year: term.Year,
			StartDate: term.StartDate, EndDate: term.EndDate, TeachingWeeks: term.TeachingWeeks,
			MidTermBreakStart: term.MidTermBreakStart, MidTermBreakEnd: term.MidTermBreakEnd},
			term.ID == current.ID && term.Source == current.Source, nil)
		out[i].IsSystemTerm, out[i].Source, out[i].SchoolID = &system, term.Source, term.SchoolID
	}
	writeJSON(w, http.StatusOK, out)
}

// adminSchool is the school a school-scoped admin request acts on: a school
// admin's own; for a super admin, the one named (?school_id or the body's
// school_id), else their own. None is 422.
func adminSchool(r *http.Request, named *uint64) (uint64, error) {
	v := viewer(r)
	if v.Role == models.RoleSuperAdmin {
		if named == nil {
			if q := r.URL.Query().Get("school_id"); q != "" {
				id, err := strconv.ParseUint(q, 10, 64)
				if err != nil || id == 0 {
					return 0, models.Invalid("school_id", "must be a school's id")
				}
				named = &id
			}
		}
		if named != nil {
			return *named, nil
		}
	}
	if v.SchoolID == nil {
		return 0, models.Invalid("school_id", "your account is not linked to a school; a super admin names the school with school_id")
	}
	return *v.SchoolID, nil
}

// readSchool is adminSchool for the school settings page's reads: an admin
// with no school who names none reads school 0, which has nothing (empty
// lists, null settings), as the original answered, rather than a 422 on
// every load of that page. Writes still need a school (adminSchool).
func readSchool(r *http.Request) (uint64, error) {
	school, err := adminSchool(r, nil)
	if err != nil && viewer(r).SchoolID == nil && r.URL.Query().Get("school_id") == "" {
		return 0, nil
	}
	return school, err
}

// adminScope limits admin reads and writes by id: a school admin to their
// school; a super admin to none (nil).
func adminScope(r *http.Request) *uint64 {
	v := viewer(r)
	if v.Role == models.RoleSuperAdmin {
		return nil
	}
	if v.SchoolID == nil {
		zero := uint64(0) // no school: matches nothing
		return &zero
	}
	return v.SchoolID
}

func (t *termsAPI) handleSchoolTermList(w http.ResponseWriter, r *http.Request) {
	school, err := readSchool(r)
	var terms []models.SchoolTerm
	if err == nil {
		terms, err = models.ListSchoolTerms(reqDB(r), school)
	}
	if err != nil {
		t.fail(w, r, err)
		return
	}
	out := make([]termJSON, len(terms))
	for i := range terms {
		out[i] = schoolTermJSON(&terms[i], false)
	}
	writeJSON(w, http.StatusOK, out)
}

func (t *termsAPI) handleSchoolTermCreate(w http.ResponseWriter, r *http.Request) {
	t.saveSchoolTerm(w, r, 0)
}

func (t *termsAPI) handleSchoolTermUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		t.fail(w, r, err)
		return
	}
	t.saveSchoolTerm(w, r, id)
}

func (t *termsAPI) saveSchoolTerm(w http.ResponseWriter, r *http.Request, id uint64) {
	if v := viewer(r); !v.Role.IsAdmin() {
		t.fail(w, r, models.Sentence(models.ErrForbidden, "Only your school's admin sets its term dates; ask them, or use the system terms."))
		return
	}
	var req termRequest
	if err := t.dec.decode(w, r, &req); err != nil {
		t.fail(w, r, err)
		return
	}
	term := &models.SchoolTerm{}
	err := reqDB(r).Transaction(func(tx *gorm.DB) error {
		if id != 0 {
			var err error
			if term, err = models.SchoolTermByID(tx, id, adminScope(r)); err != nil {
				return err
			}
		} else {
			school, err := adminSchool(r, req.SchoolID)
			if err != nil {
				return err
			}
			if ok, err := models.SchoolExists(tx, school); err != nil || !ok {
				return models.Sentence(models.ErrNotFound, "There is no such school.")
			}
			term.SchoolID = school
		}
		d := term.TermDates
		if err := req.apply(&d, id == 0); err != nil {
			return err
		}
		return models.SaveSchoolTerm(tx, term, d)
	})
	if err != nil {
		t.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if id == 0 {
		status = http.StatusCreated
	}
	writeJSON(w, status, schoolTermJSON(term, false))
}

func (t *termsAPI) handleSchoolTermDelete(w http.ResponseWriter, r *http.Request) {
	if v := viewer(r); !v.Role.IsAdmin() {
		t.fail(w, r, models.Sentence(models.ErrForbidden, "Only your school's admin deletes its term dates."))
		return
	}
	id, err := pathID(r)
	if err == nil {
		err = models.DeleteSchoolTerm(reqDB(r), id, adminScope(r))
	}
	if err != nil {
		t.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"message": "Term deleted"})
}
