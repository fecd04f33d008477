package models

import (
	"errors"
	"fmt"

	"gorm.io/gorm"
)

// saveRow inserts row (a pointer to a model whose id is 0) or updates every
// column of it but id, its owner column and created_at, then reads it back
// by its primary key, so the caller has what is stored. A duplicate key is
// ErrConflict with the sentence taken.
func saveRow(db *gorm.DB, row any, id uint64, owner, taken string) error {
	var err error
	if id == 0 {
		err = db.Create(row).Error
	} else {
		err = db.Select("*").Omit("id", owner, "created_at").Updates(row).Error
	}
	if err := translate(err); err != nil {
		if errors.Is(err, ErrConflict) {
			return fmt.Errorf("%w: %w", Sentence(ErrConflict, taken), err)
		}
		return err
	}
	return translate(db.Take(row).Error)
}
