package models

import (
	"errors"
	"time"

	"gorm.io/gorm"
)

// School context types: whose details a teacher's documents print.
const (
	ContextSchool     = "school"     // the school's settings (or, before it has any, its name)
	ContextIndividual = "individual" // an independent teacher's own profile
	ContextNone       = "none"       // neither yet
)

// SchoolContext is the school a user's documents (schemes, lesson plans,
// records) are headed with, and the term that applies to them now.
type SchoolContext struct {
	Type                string  `json:"type"`
	IsSchoolLinked      bool    `json:"is_school_linked"`
	HasContext          bool    `json:"has_context"`
	SchoolID            *uint64 `json:"school_id"`
	SchoolName          *string `json:"school_name"`
	SchoolLogoURL       *string `json:"school_logo_url"`
	SchoolMotto         *string `json:"school_motto"`
	SchoolAddress       *string `json:"school_address"`
	SchoolPhone         *string `json:"school_phone"`
	SchoolEmail         *string `json:"school_email"`
	SchoolType          *string `json:"school_type"`
	PrincipalName       *string `json:"principal_name"`
	DeputyPrincipalName *string `json:"deputy_principal_name"`
	County              *string `json:"county"`
	SubCounty           *string `json:"sub_county"`
	// CurrentTerm is CurrentTerm's answer for the user (nil: no term dates).
	CurrentTerm *Term `json:"current_term"`
}

// SchoolContextFor returns the context of user u (userID, of schoolID or
// none): a school-linked user's school settings (its name alone while it has
// none), else their own profile's school details; and the current term from
// the one term resolver (CurrentTerm) at today (in APP_TIMEZONE). Three
// statements at most.
func SchoolContextFor(db *gorm.DB, userID uint64, schoolID *uint64, today time.Time) (*SchoolContext, error) {
	c := &SchoolContext{Type: ContextNone, SchoolID: schoolID}
	if schoolID != nil {
		c.Type, c.IsSchoolLinked, c.HasContext = ContextSchool, true, true
		s, err := SettingsOfSchool(db, *schoolID)
		if err != nil {
			return nil, err
		}
		if s != nil {
			name := s.SchoolName
			email := s.SchoolEmail
			c.SchoolName, c.SchoolLogoURL, c.SchoolMotto, c.SchoolAddress, c.SchoolPhone = &name, s.SchoolLogoURL, s.SchoolMotto, s.SchoolAddress, s.SchoolPhone
			c.SchoolEmail, c.SchoolType, c.PrincipalName, c.DeputyPrincipalName = blankNil(&email), s.SchoolType, s.PrincipalName, s.DeputyPrincipalName
			c.County, c.SubCounty = s.County, s.SubCounty
		} else {
			var sc School
			if err := translate(db.Select("id", "name").Take(&sc, *schoolID).Error); err != nil && !errors.Is(err, ErrNotFound) {
				return nil, err
			}
			c.SchoolName = blankNil(&sc.Name)
		}
	} else {
		p, err := ProfileOfUser(db, userID)
		if err != nil {
			return nil, err
		}
		if p != nil && p.SchoolName != nil && *p.SchoolName != "" {
			c.Type, c.HasContext = ContextIndividual, true
			c.SchoolName, c.SchoolLogoURL, c.SchoolMotto, c.SchoolAddress, c.SchoolPhone = p.SchoolName, p.SchoolLogoURL, p.SchoolMotto, p.SchoolAddress, p.SchoolPhone
			c.SchoolEmail, c.SchoolType, c.PrincipalName, c.DeputyPrincipalName = p.SchoolEmail, p.SchoolType, p.PrincipalName, p.DeputyPrincipalName
			c.County, c.SubCounty = p.County, p.SubCounty
		}
	}
	t, err := CurrentTerm(db, schoolID, today)
	switch {
	case err == nil:
		c.CurrentTerm = &t
	case !errors.Is(err, ErrNotFound):
		return nil, err
	}
	return c, nil
}

func blankNil(s *string) *string {
	if s == nil || *s == "" {
		return nil
	}
	return s
}
