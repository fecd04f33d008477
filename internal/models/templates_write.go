package models

import (
	"errors"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// ImportStatus says what importing one curriculum file did.
type ImportStatus string

// The outcomes of ImportTemplate.
const (
	ImportCreated   ImportStatus = "created"
	ImportUpdated   ImportStatus = "updated"
	ImportUnchanged ImportStatus = "unchanged"
)

// ImportResult is what ImportTemplate did with one file.
type ImportResult struct {
	Status     ImportStatus
	TemplateID uint64
	Version    int
}

// ImportTemplate stores t (parsed from a file whose SHA-256 is
// *t.SourceHash) on its owner's shelf (the catalogue when t.OwnerID is nil),
// in one transaction. The template is found by owner, subject and grade:
// the same hash changes nothing; another hash replaces its tree and scalar
// fields and bumps its version, keeping its id and is_active (an admin's
// deactivation stands). Teachers' subjects are copies, so they never change.
func ImportTemplate(db *gorm.DB, t *CurriculumTemplate) (ImportResult, error) {
	t.OwnerKey = 0
	if t.OwnerID != nil {
		t.OwnerKey = *t.OwnerID
	}
	if t.Extra == nil {
		t.Extra = JSONObject{}
	}
	var res ImportResult
	err := db.Transaction(func(tx *gorm.DB) error {
		var cur CurriculumTemplate
		err := translate(tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).
			Where("owner_key = ? AND subject = ? AND grade = ?", t.OwnerKey, t.Subject, t.Grade).Take(&cur).Error)
		switch {
		case errors.Is(err, ErrNotFound):
			t.ID, t.Version, t.IsActive = 0, 1, true
			if err := translate(tx.Omit("created_at", "updated_at").Create(t).Error); err != nil {
				return err
			}
			res = ImportResult{Status: ImportCreated, TemplateID: t.ID, Version: 1}
			return insertTemplateTree(tx, t)
		case err != nil:
			return err
		case cur.SourceHash != nil && t.SourceHash != nil && *cur.SourceHash == *t.SourceHash:
			res = ImportResult{Status: ImportUnchanged, TemplateID: cur.ID, Version: cur.Version}
			return nil
		}
		t.ID, t.Version, t.IsActive = cur.ID, cur.Version+1, cur.IsActive
		err = tx.Model(&CurriculumTemplate{}).Where("id = ?", cur.ID).Updates(map[string]any{
			"subject": t.Subject, "grade": t.Grade, "education_level": t.EducationLevel, "source": t.Source,
			"source_hash": t.SourceHash, "version": t.Version, "extra": t.Extra,
		}).Error
		if err := translate(err); err != nil {
			return err
		}
		res = ImportResult{Status: ImportUpdated, TemplateID: t.ID, Version: t.Version}
		return replaceTemplateTree(tx, t)
	})
	if errors.Is(err, ErrConflict) {
		// Two importers raced to create the same template: the other won.
		return res, Sentence(ErrConflict, fmt.Sprintf("A curriculum for %s %s is being imported at the same time; try again.", t.Subject, t.Grade))
	}
	return res, err
}

var errTemplateTaken = Sentence(ErrConflict, "The catalogue already has a curriculum for this subject and grade.")

// CreateTemplate inserts t and its tree (the admin editor's create) in one
// transaction; a subject and grade the shelf already has is ErrConflict.
func CreateTemplate(db *gorm.DB, t *CurriculumTemplate) error {
	t.OwnerKey = 0
	if t.OwnerID != nil {
		t.OwnerKey = *t.OwnerID
	}
	if t.Extra == nil {
		t.Extra = JSONObject{}
	}
	t.Version = 1
	return db.Transaction(func(tx *gorm.DB) error {
		if err := translate(tx.Omit("created_at", "updated_at").Create(t).Error); err != nil {
			if errors.Is(err, ErrConflict) {
				return fmt.Errorf("%w: %w", errTemplateTaken, err)
			}
			return err
		}
		if err := insertTemplateTree(tx, t); err != nil {
			return err
		}
		return translate(tx.Take(t, t.ID).Error)
	})
}

// UpdateTemplate sets columns of template id and, when strands is not nil,
// replaces its tree with *strands (numbers, names and order as given), in one
// transaction; the version goes up with every save.
func UpdateTemplate(db *gorm.DB, id uint64, changes map[string]any, strands *[]TemplateStrand) error {
	return db.Transaction(func(tx *gorm.DB) error {
		var cur CurriculumTemplate
		if err := translate(tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).Take(&cur, id).Error); err != nil {
			return notFound(err, ErrNoSuchTemplate)
		}
		changes["version"] = gorm.Expr("version + 1")
		if err := translate(tx.Model(&CurriculumTemplate{}).Where("id = ?", id).Updates(changes).Error); err != nil {
			if errors.Is(err, ErrConflict) {
				return fmt.Errorf("%w: %w", errTemplateTaken, err)
			}
			return err
		}
		if strands == nil {
			return nil
		}
		cur.Strands = *strands
		return replaceTemplateTree(tx, &cur)
	})
}

// SetTemplateActive (de)activates template id. Deleting a template only
// deactivates it: subjects made from it keep their link and their copy.
func SetTemplateActive(db *gorm.DB, id uint64, active bool) error {
	res := db.Model(&CurriculumTemplate{}).Where("id = ?", id).Update("is_active", active)
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		if _, err := TemplateByID(db, id); err != nil {
			return err
		}
	}
	return nil
}
