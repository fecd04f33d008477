package handlers

import (
	"encoding/json"
	"net/http"
	"time"

	"gorm.io/gorm"

	"github.com/teachtrack/api/internal/models"
)

// settingsJSON is a school's settings as the admin settings page, the scheme
// generator and the lesson-plan editor read them.
type settingsJSON struct {
	ID                  uint64          `json:"id"`
	SchoolID            uint64          `json:"school_id"`
	SchoolName          string          `json:"school_name"`
	SchoolEmail         string          `json:"school_email"`
	SchoolPhone         *string         `json:"school_phone"`
	SchoolAddress       *string         `json:"school_address"`
	SchoolType          *string         `json:"school_type"`
	SchoolMotto         *string         `json:"school_motto"`
	SchoolLogoURL       *string         `json:"school_logo_url"`
	PrincipalName       *string         `json:"principal_name"`
	DeputyPrincipalName *string         `json:"deputy_principal_name"`
	County              *string         `json:"county"`
	SubCounty           *string         `json:"sub_county"`
	EstablishedYear     *int            `json:"established_year"`
	GradesOffered       json.RawMessage `json:"grades_offered"`
	StreamsPerGrade     json.RawMessage `json:"streams_per_grade"`
	CreatedAt           time.Time       `json:"created_at"`
	UpdatedAt           time.Time       `json:"updated_at"`
}

func toSettingsJSON(s *models.SchoolSettings) *settingsJSON {
	if s == nil {
		return nil
	}
	return &settingsJSON{s.ID, s.SchoolID, s.SchoolName, s.SchoolEmail, s.SchoolPhone, s.SchoolAddress, s.SchoolType, s.SchoolMotto,
		s.SchoolLogoURL, s.PrincipalName, s.DeputyPrincipalName, s.County, s.SubCounty, s.EstablishedYear, s.GradesOffered,
		s.StreamsPerGrade, s.CreatedAt, s.UpdatedAt}
}

// settingsRequest is the body of POST and PUT /admin/school-settings: the
// page sends the settings it read (with the logo's URL), so their read-only
// fields are accepted and ignored. Absent fields are left as they are.
type settingsRequest struct {
	SchoolName          *string          `json:"school_name" validate:"omitempty,min=1,max=255"`
	SchoolEmail         *string          `json:"school_email" validate:"omitempty,max=255"`
	SchoolPhone         *string          `json:"school_phone" validate:"omitempty,max=50"`
	SchoolAddress       *string          `json:"school_address" validate:"omitempty,max=500"`
	SchoolType          *string          `json:"school_type" validate:"omitempty,max=100"`
	SchoolMotto         *string          `json:"school_motto" validate:"omitempty,max=500"`
	SchoolLogoURL       *string          `json:"school_logo_url" validate:"omitempty,max=500"`
	PrincipalName       *string          `json:"principal_name" validate:"omitempty,max=255"`
	DeputyPrincipalName *string          `json:"deputy_principal_name" validate:"omitempty,max=255"`
	County              *string          `json:"county" validate:"omitempty,max=100"`
	SubCounty           *string          `json:"sub_county" validate:"omitempty,max=100"`
	EstablishedYear     *int             `json:"established_year" validate:"omitempty,min=1800,max=2100"`
	GradesOffered       *[]string        `json:"grades_offered" validate:"omitempty,max=50,dive,max=50"`
	StreamsPerGrade     *json.RawMessage `json:"streams_per_grade"`
	SchoolID            *uint64          `json:"school_id"`

	ID        json.RawMessage `json:"id"`
	CreatedAt json.RawMessage `json:"created_at"`
	UpdatedAt json.RawMessage `json:"updated_at"`
}

func (q *settingsRequest) apply(s *models.SchoolSettings) error {
	if q.SchoolName != nil {
		s.SchoolName = *q.SchoolName
	}
	if q.SchoolEmail != nil {
		s.SchoolEmail = *q.SchoolEmail
	}
	for _, f := range []struct{ to, from **string }{
		{&s.SchoolPhone, &q.SchoolPhone}, {&s.SchoolAddress, &q.SchoolAddress}, {&s.SchoolType, &q.SchoolType},
		{&s.SchoolMotto, &q.SchoolMotto}, {&s.SchoolLogoURL, &q.SchoolLogoURL}, {&s.PrincipalName, &q.PrincipalName},
		{&s.DeputyPrincipalName, &q.DeputyPrincipalName}, {&s.County, &q.County}, {&s.SubCounty, &q.SubCounty},
	} {
		if *f.from != nil {
			*f.to = blankToNil(*f.from)
		}
	}
	if q.EstablishedYear != nil {
		s.EstablishedYear = q.EstablishedYear
	}
	if q.GradesOffered != nil {
		data, _ := json.Marshal(*q.GradesOffered)
		s.GradesOffered = data
	}
	if q.StreamsPerGrade != nil {
		if err := checkStreams(*q.StreamsPerGrade); err != nil {
			return err
		}
		s.StreamsPerGrade = *q.StreamsPerGrade
	}
	if s.SchoolName == "" {
		return models.Invalid("school_name", "is required")
	}
	return nil
}

// checkStreams accepts streams_per_grade as the settings pages send it: an
// object from grade to a list of streams (names, or {name, pupils}).
func checkStreams(raw json.RawMessage) error {
	var streams map[string][]json.RawMessage
	if err := json.Unmarshal(raw, &streams); err != nil || len(raw) > 64<<10 {
		return models.Invalid("streams_per_grade", "must be an object from grade to a list of its streams")
	}
	return nil
}

// handleMySchoolSettings answers the caller's school's settings, or null
// when it has none or the caller has no school (any signed-in user: teachers'
// pages print the school's name).
func (t *termsAPI) handleMySchoolSettings(w http.ResponseWriter, r *http.Request) {
	var s *models.SchoolSettings
	var err error
	if v := viewer(r); v.SchoolID != nil {
		s, err = models.SettingsOfSchool(reqDB(r), *v.SchoolID)
	}
	if err != nil {
		t.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toSettingsJSON(s))
}

// handleAdminSchoolSettings is the admin's school's settings (a super admin
// names one with ?school_id), or null.
func (t *termsAPI) handleAdminSchoolSettings(w http.ResponseWriter, r *http.Request) {
	school, err := readSchool(r)
	var s *models.SchoolSettings
	if err == nil {
		s, err = models.SettingsOfSchool(reqDB(r), school)
	}
	if err != nil {
		t.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toSettingsJSON(s))
}

// handleSchoolSettingsRead is GET /admin/school-settings for every signed-in
// user: an admin's as handleAdminSchoolSettings; anyone else their own
// school's settings or null, as GET /school-settings (the lesson-plan editor
// reads them for its grades and streams).
func (t *termsAPI) handleSchoolSettingsRead(w http.ResponseWriter, r *http.Request) {
	if viewer(r).Role.IsAdmin() {
		t.handleAdminSchoolSettings(w, r)
		return
	}
	t.handleMySchoolSettings(w, r)
}

// handleAdminSchoolSettingsCreate saves the admin's school's settings: the
// first time it creates them (201), later it updates them (200): a school
// has one settings row.
func (t *termsAPI) handleAdminSchoolSettingsCreate(w http.ResponseWriter, r *http.Request) {
	var req settingsRequest
	if err := t.dec.decode(w, r, &req); err != nil {
		t.fail(w, r, err)
		return
	}
	var s *models.SchoolSettings
	created := false
	err := reqDB(r).Transaction(func(tx *gorm.DB) error {
		school, err := adminSchool(r, req.SchoolID)
		if err != nil {
			return err
		}
		if ok, err := models.SchoolExists(tx, school); err != nil || !ok {
			return models.Sentence(models.ErrNotFound, "There is no such school.")
		}
		if s, err = models.LockSettingsOfSchool(tx, school); err != nil {
			return err
		}
		if s == nil {
			s, created = &models.SchoolSettings{SchoolID: school}, true
		}
		if err := req.apply(s); err != nil {
			return err
		}
		return models.SaveSettings(tx, s)
	})
	if err != nil {
		t.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, toSettingsJSON(s))
}

func (t *termsAPI) handleAdminSchoolSettingsUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		t.fail(w, r, err)
		return
	}
	var req settingsRequest
	if err := t.dec.decode(w, r, &req); err != nil {
		t.fail(w, r, err)
		return
	}
	var s *models.SchoolSettings
	err = reqDB(r).Transaction(func(tx *gorm.DB) error {
		var err error
		if s, err = models.SettingsByID(tx, id, adminScope(r)); err != nil {
			return err
		}
		if err := req.apply(s); err != nil {
			return err
		}
		return models.SaveSettings(tx, s)
	})
	if err != nil {
		t.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toSettingsJSON(s))
}

// handleAdminRollover starts a new school year for the admin's school: every
// grade's streams move up one grade (models.RolloverStreams).
func (t *termsAPI) handleAdminRollover(w http.ResponseWriter, r *http.Request) {
	err := reqDB(r).Transaction(func(tx *gorm.DB) error {
		school, err := adminSchool(r, nil)
		if err != nil {
			return err
		}
		s, err := models.LockSettingsOfSchool(tx, school)
		if err != nil {
			return err
		}
		if s == nil {
			return models.Sentence(models.ErrNotFound, "Your school has no settings yet: save them before rolling over the year.")
		}
		if s.StreamsPerGrade, err = models.RolloverStreams(s.StreamsPerGrade); err != nil {
			return err
		}
		return models.SaveSettings(tx, s)
	})
	if err != nil {
		t.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"message": "Academic year rollover completed successfully. Streams have been promoted."})
}
