// Package models holds the GORM models, the domain errors, and the queries on
// them as plain functions that take a *gorm.DB.
package models

import (
	"errors"
	"fmt"
)

// Domain errors. Stores wrap them with %w and a sentence a person understands;
// handlers map them to HTTP statuses in one place.
var (
	ErrNotFound     = errors.New("not found")
	ErrConflict     = errors.New("conflict")
	ErrForbidden    = errors.New("forbidden")
	ErrUnauthorized = errors.New("unauthorized")
	ErrInvalid      = errors.New("invalid")
	// ErrUnavailable means a database node needed for the request can't be reached.
	ErrUnavailable = errors.New("unavailable")
)

// FieldError is one invalid field of a request.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ValidationError lists the fields that failed validation; it matches ErrInvalid.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	if len(e.Fields) == 1 {
		return fmt.Sprintf("%s: %s", e.Fields[0].Field, e.Fields[0].Message)
	}
	return fmt.Sprintf("%d fields are invalid", len(e.Fields))
}

// Is makes errors.Is(err, ErrInvalid) true for validation errors.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// Invalid returns a ValidationError for one field.
func Invalid(field, message string) error {
	return &ValidationError{Fields: []FieldError{{Field: field, Message: message}}}
}

// SentenceError pairs a domain error with the sentence to show the user.
type SentenceError struct {
	Err      error
	Sentence string
}

func (e *SentenceError) Error() string { return e.Sentence }
func (e *SentenceError) Unwrap() error { return e.Err }

// Sentence wraps a domain error with the sentence users see, e.g.
// Sentence(ErrConflict, "An account with this email already exists.").
func Sentence(err error, sentence string) error { return &SentenceError{Err: err, Sentence: sentence} }
