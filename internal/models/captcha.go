package models

import (
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Captcha is a row of captchas.
type Captcha struct {
	IDHash    string `gorm:"primaryKey;column:id_hash"`
	Answer    string
	ExpiresAt time.Time
}

// CreateCaptcha stores a captcha under the hash of its id, and clears out a
// few expired ones so the table stays the size of five minutes' traffic.
func CreateCaptcha(db *gorm.DB, id, answer string, now, expires time.Time) error {
	if err := translate(db.Exec("DELETE FROM captchas WHERE expires_at < ? LIMIT 100", now).Error); err != nil {
		return err
	}
	return translate(db.Create(&Captcha{IDHash: HashToken(id), Answer: answer, ExpiresAt: expires}).Error)
}

// TakeCaptcha deletes the captcha id, whether the answer is right or not (one
// try each), and reports whether it existed, was live, and answer matches.
func TakeCaptcha(db *gorm.DB, id, answer string, now time.Time) (bool, error) {
	ok := false
	err := db.Transaction(func(tx *gorm.DB) error {
		var c Captcha
		err := translate(tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id_hash = ?", HashToken(id)).Take(&c).Error)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := translate(tx.Where("id_hash = ?", c.IDHash).Delete(&Captcha{}).Error); err != nil {
			return err
		}
		ok = now.Before(c.ExpiresAt) && c.Answer == answer
		return nil
	})
	return ok, err
}
