package models

import (
	"errors"
	"fmt"

	"gorm.io/gorm"
)

// translate maps GORM's own errors to domain errors. Driver errors (duplicate
// keys, unreachable nodes) come through gorm.Config{TranslateError: true} as
// gorm.ErrDuplicatedKey or are handled by db.Translate in the handlers' error
// path; models can't import internal/db (it imports models).
func translate(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return fmt.Errorf("%w: %w", ErrConflict, err)
	}
	return err
}

// notFound replaces a bare ErrNotFound with a sentence naming what is missing.
func notFound(err, sentence error) error {
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("%w: %w", sentence, err)
	}
	return err
}
