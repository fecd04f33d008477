package handlers

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/teachtrack/api/internal/models"
)

// Profile (section F29–F33): a teacher's own settings, the school context
// their documents are headed with, and their lessons per week.

// profileJSON is a teacher's profile as the profile page reads it; id,
// created_at and updated_at are null before the first save.
type profileJSON struct {
	ID                          *uint64         `json:"id"`
	UserID                      uint64          `json:"user_id"`
	SchoolName                  *string         `json:"school_name"`
	SchoolAddress               *string         `json:"school_address"`
	SchoolPhone                 *string         `json:"school_phone"`
	SchoolEmail                 *string         `json:"school_email"`
	SchoolMotto                 *string         `json:"school_motto"`
	SchoolLogoURL               *string         `json:"school_logo_url"`
	SchoolType                  *string         `json:"school_type"`
	PrincipalName               *string         `json:"principal_name"`
	DeputyPrincipalName         *string         `json:"deputy_principal_name"`
	County                      *string         `json:"county"`
	SubCounty                   *string         `json:"sub_county"`
	DefaultLessonsPerWeek       int             `json:"default_lessons_per_week"`
	DefaultLessonDuration       int             `json:"default_lesson_duration"`
	DefaultDoubleLessonDuration int             `json:"default_double_lesson_duration"`
	DefaultDoubleLessonsPerWeek int             `json:"default_double_lessons_per_week"`
	TSCNumber                   *string         `json:"tsc_number"`
	RegistrationNumber          *string         `json:"registration_number"`
	SubjectsTaught              json.RawMessage `json:"subjects_taught"`
	GradeLevelsTaught           json.RawMessage `json:"grade_levels_taught"`
	YearsOfExperience           *int            `json:"years_of_experience"`
	Qualifications              *string         `json:"qualifications"`
	Specialization              *string         `json:"specialization"`
	CurrentAcademicYear         *int            `json:"current_academic_year"`
	DefaultTermWeeks            *int            `json:"default_term_weeks"`
	GradesOffered               json.RawMessage `json:"grades_offered"`
	StreamsPerGrade             json.RawMessage `json:"streams_per_grade"`
	CreatedAt                   *time.Time      `json:"created_at"`
	UpdatedAt                   *time.Time      `json:"updated_at"`
}

func toProfileJSON(p *models.TeacherProfile) profileJSON {
	j := profileJSON{UserID: p.UserID, SchoolName: p.SchoolName, SchoolAddress: p.SchoolAddress, SchoolPhone: p.SchoolPhone,
		SchoolEmail: p.SchoolEmail, SchoolMotto: p.SchoolMotto, SchoolLogoURL: p.SchoolLogoURL, SchoolType: p.SchoolType,
		PrincipalName: p.PrincipalName, DeputyPrincipalName: p.DeputyPrincipalName, County: p.County, SubCounty: p.SubCounty,
		DefaultLessonsPerWeek: p.DefaultLessonsPerWeek, DefaultLessonDuration: p.DefaultLessonDuration,
		DefaultDoubleLessonDuration: p.DefaultDoubleLessonDuration, DefaultDoubleLessonsPerWeek: p.DefaultDoubleLessonsPerWeek,
		TSCNumber: p.TSCNumber, RegistrationNumber: p.RegistrationNumber, SubjectsTaught: p.SubjectsTaught,
		GradeLevelsTaught: p.GradeLevelsTaught, YearsOfExperience: p.YearsOfExperience, Qualifications: p.Qualifications,
		Specialization: p.Specialization, CurrentAcademicYear: p.CurrentAcademicYear, DefaultTermWeeks: p.DefaultTermWeeks,
		GradesOffered: p.GradesOffered, StreamsPerGrade: p.StreamsPerGrade}
	if p.ID != 0 {
		j.ID, j.CreatedAt, j.UpdatedAt = &p.ID, &p.CreatedAt, &p.UpdatedAt
	}
	return j
}

// profileRequest is the body of POST /profile/settings: the page sends the
// school details it read (and the logo's URL from /profile/upload-logo).
// Absent fields are left as they are; a blank text clears it.
type profileRequest struct {
	SchoolName                  *string          `json:"school_name" validate:"omitempty,max=255"`
	SchoolAddress               *string          `json:"school_address" validate:"omitempty,max=500"`
	SchoolPhone                 *string          `json:"school_phone" validate:"omitempty,max=50"`
	SchoolEmail                 *string          `json:"school_email" validate:"omitempty,max=255"`
	SchoolMotto                 *string          `json:"school_motto" validate:"omitempty,max=500"`
	SchoolLogoURL               *string          `json:"school_logo_url" validate:"omitempty,max=500"`
	SchoolType                  *string          `json:"school_type" validate:"omitempty,max=100"`
	PrincipalName               *string          `json:"principal_name" validate:"omitempty,max=255"`
	DeputyPrincipalName         *string          `json:"deputy_principal_name" validate:"omitempty,max=255"`
	County                      *string          `json:"county" validate:"omitempty,max=100"`
	SubCounty                   *string          `json:"sub_county" validate:"omitempty,max=100"`
	DefaultLessonsPerWeek       *int             `json:"default_lessons_per_week" validate:"omitempty,min=1,max=40"`
	DefaultLessonDuration       *int             `json:"default_lesson_duration" validate:"omitempty,min=1,max=300"`
	DefaultDoubleLessonDuration *int             `json:"default_double_lesson_duration" validate:"omitempty,min=1,max=600"`
	DefaultDoubleLessonsPerWeek *int             `json:"default_double_lessons_per_week" validate:"omitempty,min=0,max=20"`
	TSCNumber                   *string          `json:"tsc_number" validate:"omitempty,max=50"`
	RegistrationNumber          *string          `json:"registration_number" validate:"omitempty,max=50"`
	SubjectsTaught              *[]string        `json:"subjects_taught" validate:"omitempty,max=100,dive,max=255"`
	GradeLevelsTaught           *[]string        `json:"grade_levels_taught" validate:"omitempty,max=50,dive,max=50"`
	YearsOfExperience           *int             `json:"years_of_experience" validate:"omitempty,min=0,max=70"`
	Qualifications              *string          `json:"qualifications" validate:"omitempty,max=1000"`
	Specialization              *string          `json:"specialization" validate:"omitempty,max=255"`
	CurrentAcademicYear         *int             `json:"current_academic_year" validate:"omitempty,min=2000,max=2100"`
	DefaultTermWeeks            *int             `json:"default_term_weeks" validate:"omitempty,min=1,max=53"`
	GradesOffered               *[]string        `json:"grades_offered" validate:"omitempty,max=50,dive,max=50"`
	StreamsPerGrade             *json.RawMessage `json:"streams_per_grade"`

	ID        echoed `json:"id"`
	UserID    echoed `json:"user_id"`
	CreatedAt echoed `json:"created_at"`
	UpdatedAt echoed `json:"updated_at"`
}

func (q *profileRequest) apply(p *models.TeacherProfile) error {
	if err := p.CheckSchoolName(q.SchoolName); err != nil {
		return err
	}
	for _, f := range []struct{ to, from **string }{
		{&p.SchoolName, &q.SchoolName}, {&p.SchoolAddress, &q.SchoolAddress}, {&p.SchoolPhone, &q.SchoolPhone},
		{&p.SchoolEmail, &q.SchoolEmail}, {&p.SchoolMotto, &q.SchoolMotto}, {&p.SchoolLogoURL, &q.SchoolLogoURL},
		{&p.SchoolType, &q.SchoolType}, {&p.PrincipalName, &q.PrincipalName}, {&p.DeputyPrincipalName, &q.DeputyPrincipalName},
		{&p.County, &q.County}, {&p.SubCounty, &q.SubCounty}, {&p.TSCNumber, &q.TSCNumber},
		{&p.RegistrationNumber, &q.RegistrationNumber}, {&p.Qualifications, &q.Qualifications}, {&p.Specialization, &q.Specialization},
	} {
		if *f.from != nil {
			v := strings.TrimSpace(**f.from)
			*f.to = blankToNil(&v)
		}
	}
	for _, f := range []struct{ to, from *int }{
		{&p.DefaultLessonsPerWeek, q.DefaultLessonsPerWeek}, {&p.DefaultLessonDuration, q.DefaultLessonDuration},
		{&p.DefaultDoubleLessonDuration, q.DefaultDoubleLessonDuration}, {&p.DefaultDoubleLessonsPerWeek, q.DefaultDoubleLessonsPerWeek},
	} {
		if f.from != nil {
			*f.to = *f.from
		}
	}
	if q.YearsOfExperience != nil {
		p.YearsOfExperience = q.YearsOfExperience
	}
	if q.CurrentAcademicYear != nil {
		p.CurrentAcademicYear = q.CurrentAcademicYear
	}
	if q.DefaultTermWeeks != nil {
		p.DefaultTermWeeks = q.DefaultTermWeeks
	}
	for _, f := range []struct {
		to   *json.RawMessage
		from *[]string
	}{{&p.SubjectsTaught, q.SubjectsTaught}, {&p.GradeLevelsTaught, q.GradeLevelsTaught}, {&p.GradesOffered, q.GradesOffered}} {
		if f.from != nil {
			*f.to, _ = json.Marshal(*f.from)
		}
	}
	if q.StreamsPerGrade != nil {
		if err := checkStreams(*q.StreamsPerGrade); err != nil {
			return err
		}
		p.StreamsPerGrade = *q.StreamsPerGrade
	}
	return nil
}

// handleProfileGet answers the caller's profile; before their first save,
// the defaults (id null) without writing anything on a read.
func (t *termsAPI) handleProfileGet(w http.ResponseWriter, r *http.Request) {
	uid := viewer(r).UserID
	p, err := models.ProfileOfUser(reqDB(r), uid)
	if err != nil {
		t.fail(w, r, err)
		return
	}
	if p == nil {
		p = models.NewTeacherProfile(uid)
	}
	writeJSON(w, http.StatusOK, toProfileJSON(p))
}

// handleProfileSave creates or updates the caller's profile. A school name
// once set can't be changed (models.ErrSchoolNameLocked, 403).
func (t *termsAPI) handleProfileSave(w http.ResponseWriter, r *http.Request) {
	var req profileRequest
	if err := t.dec.decode(w, r, &req); err != nil {
		t.fail(w, r, err)
		return
	}
	uid := viewer(r).UserID
	var p *models.TeacherProfile
	err := reqDB(r).Transaction(func(tx *gorm.DB) error {
		var err error
		if p, err = models.LockProfileOfUser(tx, uid); err != nil {
			return err
		}
		if p == nil {
			p = models.NewTeacherProfile(uid)
		}
		if err := req.apply(p); err != nil {
			return err
		}
		return models.SaveTeacherProfile(tx, p)
	})
	if err != nil {
		t.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toProfileJSON(p))
}

// schoolContextJSON is models.SchoolContext with its term's dates as the
// other term endpoints write them (YYYY-MM-DD).
type schoolContextJSON struct {
	*models.SchoolContext
	CurrentTerm *termJSON `json:"current_term"`
}

// handleSchoolContext answers whose school details the caller's documents
// print (their school's settings, or their own profile's) and the term that
// applies now (models.CurrentTerm, the one term resolver).
func (t *termsAPI) handleSchoolContext(w http.ResponseWriter, r *http.Request) {
	v := viewer(r)
	c, err := models.SchoolContextFor(reqDB(r), v.UserID, v.SchoolID, t.today())
	if err != nil {
		t.fail(w, r, err)
		return
	}
	out := schoolContextJSON{SchoolContext: c}
	if term := c.CurrentTerm; term != nil {
		j := fromDates(term.ID, models.TermDates{TermNumber: term.TermNumber, TermName: term.TermName, Year: term.Year,
			StartDate: term.StartDate, EndDate: term.EndDate, TeachingWeeks: term.TeachingWeeks,
			MidTermBreakStart: term.MidTermBreakStart, MidTermBreakEnd: term.MidTermBreakEnd}, true, nil)
		system := term.Source == models.TermSourceSystem
		j.IsSystemTerm, j.Source, j.SchoolID = &system, term.Source, term.SchoolID
		out.CurrentTerm = &j
	}
	writeJSON(w, http.StatusOK, out)
}

// profileLessonConfig is one lesson setting as the lessons-config page reads
// it; source says whether it is the teacher's own or their school's.
type profileLessonConfig struct {
	SubjectName          string `json:"subject_name"`
	Grade                string `json:"grade"`
	LessonsPerWeek       int    `json:"lessons_per_week"`
	DoubleLessonsPerWeek int    `json:"double_lessons_per_week"`
	SingleLessonDuration int    `json:"single_lesson_duration"`
	DoubleLessonDuration int    `json:"double_lesson_duration"`
	Source               string `json:"source"` // "own" | "school"
}

func toProfileLessonConfig(c *models.LessonConfig, own bool) profileLessonConfig {
	src := "school"
	if own {
		src = "own"
	}
	return profileLessonConfig{c.SubjectName, c.Grade, c.LessonsPerWeek, c.DoubleLessonsPerWeek, c.SingleLessonDuration, c.DoubleLessonDuration, src}
}

// handleProfileLessonsConfig answers {configs}: the settings that apply to
// the caller, their own over their school's (one statement).
func (t *termsAPI) handleProfileLessonsConfig(w http.ResponseWriter, r *http.Request) {
	v := viewer(r)
	cs, own, err := models.TeacherLessonConfigs(reqDB(r), v.UserID, v.SchoolID)
	if err != nil {
		t.fail(w, r, err)
		return
	}
	out := make([]profileLessonConfig, len(cs))
	for i := range cs {
		out[i] = toProfileLessonConfig(&cs[i], own[i])
	}
	writeJSON(w, http.StatusOK, map[string]any{"configs": out})
}

// handleProfileLessonsConfigSave sets the caller's own lessons per week for
// one subject and grade; their new subjects of it take them.
func (t *termsAPI) handleProfileLessonsConfigSave(w http.ResponseWriter, r *http.Request) {
	var req lessonsPerWeekRequest
	if err := t.dec.decode(w, r, &req); err != nil {
		t.fail(w, r, err)
		return
	}
	name, grade := strings.TrimSpace(req.SubjectName), strings.TrimSpace(req.Grade)
	err := checkNames(&name, &grade)
	var cfg models.LessonConfig
	if err == nil {
		cfg, err = req.config(name, grade)
	}
	if err == nil {
		err = models.SaveLessonConfigs(reqDB(r), models.ConfigOwner{UserID: viewer(r).UserID}, []models.LessonConfig{cfg})
	}
	if err != nil {
		t.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"message": "Configuration saved", "config": toProfileLessonConfig(&cfg, true)})
}
