package models

import (
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// GoogleIdentity is what a verified Google ID token says about its holder.
type GoogleIdentity struct {
	Subject string // Google's stable account id ("sub")
	Email   string // verified by Google
	Name    string
}

var errGoogleOther = Sentence(ErrConflict, "This TeachTrack account is linked to a different Google account. Sign in with that one, or with your password.")

// SignInWithGoogle returns the user of the Google account id: the one linked
// to it, else the one with its (Google-verified) e-mail address, which is
// linked now, else a new TEACHER. created reports the last case. Linking an
// account whose address was never verified also clears its password and ends
// its sessions: whoever registered it may not own the mailbox, and Google has
// just proved that the person signing in does.
func SignInWithGoogle(db *gorm.DB, id GoogleIdentity, now time.Time) (user *User, created bool, err error) {
	err = db.Transaction(func(tx *gorm.DB) error {
		var u User
		err := translate(tx.Clauses(clause.Locking{Strength: "UPDATE"}).
			Where("google_id = ?", id.Subject).Take(&u).Error)
		if err == nil {
			user = &u
			return nil
		}
		if !errors.Is(err, ErrNotFound) {
			return err
		}
		err = translate(tx.Clauses(clause.Locking{Strength: "UPDATE"}).
			Where("email = ?", NormalizeEmail(id.Email)).Take(&u).Error)
		switch {
		case errors.Is(err, ErrNotFound):
			u = User{Email: id.Email, FullName: id.Name, Role: RoleTeacher, IsActive: true, EmailVerified: true}
			if err := CreateUser(tx, &u); err != nil {
				return err
			}
			created = true
		case err != nil:
			return err
		default:
			var linked struct{ GoogleID *string }
			if err := translate(tx.Table("users").Select("google_id").Where("id = ?", u.ID).Take(&linked).Error); err != nil {
				return err
			}
			if linked.GoogleID != nil {
				return errGoogleOther
			}
			if !u.EmailVerified {
				if err := translate(tx.Model(&User{}).Where("id = ?", u.ID).
					Updates(map[string]any{"password_hash": "", "email_verified": true}).Error); err != nil {
					return err
				}
				if err := RevokeUserSessions(tx, u.ID, 0, now); err != nil {
					return err
				}
				u.PasswordHash, u.EmailVerified = "", true
			}
		}
		user = &u
		return translate(tx.Model(&User{}).Where("id = ?", u.ID).Update("google_id", id.Subject).Error)
	})
	return user, created, err
}
