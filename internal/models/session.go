package models

import (
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Session is one sign-in: the family of its refresh tokens and the thing every
// access token points at (claim sid). Ending it ends them all at once.
type Session struct {
	ID     uint64 `gorm:"primaryKey"`
	UserID uint64
	// ImpersonatorID is the SUPER_ADMIN who opened this session as UserID.
	ImpersonatorID *uint64
	CreatedAt      time.Time
	// RenewUntil bounds the browser cookie: its access token is renewed
	// transparently until then (SESSION_TTL after sign-in).
	RenewUntil time.Time
	// ExpiresAt is when the session ends for good; refreshing moves it to the
	// new refresh token's expiry.
	ExpiresAt time.Time
	RevokedAt *time.Time
}

// RefreshToken is a refresh token's hash; the token itself is never stored.
type RefreshToken struct {
	ID        uint64 `gorm:"primaryKey"`
	SessionID uint64
	TokenHash string
	CreatedAt time.Time
	ExpiresAt time.Time
	// UsedAt is set when the token is rotated or its session revoked; seeing
	// it presented again means it leaked.
	UsedAt *time.Time
}

// ErrSessionEnded is the answer for a session that is revoked, expired, or
// whose user is banned or gone: sign in again.
var ErrSessionEnded = Sentence(ErrUnauthorized, "Your session has ended. Please sign in again.")

// Active reports whether s can still authenticate requests at now.
func (s *Session) Active(now time.Time) bool {
	return s.RevokedAt == nil && now.Before(s.ExpiresAt)
}

// CreateSession opens a session for userID, with a first refresh token when
// refreshHash is not empty.
func CreateSession(db *gorm.DB, s *Session, refreshHash string) error {
	return db.Transaction(func(tx *gorm.DB) error {
		if err := translate(tx.Create(s).Error); err != nil {
			return err
		}
		if refreshHash == "" {
			return nil
		}
		return translate(tx.Create(&RefreshToken{SessionID: s.ID, TokenHash: refreshHash, ExpiresAt: s.ExpiresAt}).Error)
	})
}

// SessionUser is a session together with its user, as the per-request check
// reads them in one query.
type SessionUser struct {
	Session Session `gorm:"embedded;embeddedPrefix:s_"`
	User    User    `gorm:"embedded"`
}

// ActiveSession returns session id with its user when the session belongs to
// userID, is neither revoked nor expired, and the user is not banned; else
// ErrSessionEnded.
func ActiveSession(db *gorm.DB, id, userID uint64, now time.Time) (*SessionUser, error) {
	var su SessionUser
	err := db.Table("sessions AS s").
		Select("s.id AS s_id, s.user_id AS s_user_id, s.impersonator_id AS s_impersonator_id, s.created_at AS s_created_at, "+
			"s.renew_until AS s_renew_until, s.expires_at AS s_expires_at, s.revoked_at AS s_revoked_at, u.*").
		Joins("JOIN users AS u ON u.id = s.user_id").
		Where("s.id = ? AND s.user_id = ?", id, userID).
		Take(&su).Error
	if err := translate(err); err != nil {
		if errors.Is(err, ErrNotFound) {
			// Not "not found": the handler must answer 401, the resource exists.
			return nil, ErrSessionEnded
		}
		return nil, err
	}
	if !su.Session.Active(now) || !su.User.IsActive {
		return nil, ErrSessionEnded
	}
	su.User.ApplyExpiry(now)
	return &su, nil
}

// RevokeSession ends session id and burns its refresh tokens.
func RevokeSession(db *gorm.DB, id uint64, now time.Time) error {
	return revokeWhere(db, now, "id = ?", id)
}

// RevokeUserSessions ends every session of userID except keep (0 keeps none).
func RevokeUserSessions(db *gorm.DB, userID, keep uint64, now time.Time) error {
	return revokeWhere(db, now, "user_id = ? AND id <> ?", userID, keep)
}

func revokeWhere(db *gorm.DB, now time.Time, where string, args ...any) error {
	return db.Transaction(func(tx *gorm.DB) error {
		ids := tx.Model(&Session{}).Select("id").Where(where, args...)
		if err := tx.Model(&RefreshToken{}).Where("session_id IN (?) AND used_at IS NULL", ids).
			Update("used_at", now).Error; err != nil {
			return translate(err)
		}
		return translate(tx.Model(&Session{}).Where(where, args...).Where("revoked_at IS NULL").
			Update("revoked_at", now).Error)
	})
}

// ErrRefreshReused means a refresh token that was already rotated came back:
// whoever holds it may have stolen it, so its whole session was revoked.
var ErrRefreshReused = Sentence(ErrUnauthorized, "This refresh token was already used, so its session has been ended for safety. Please sign in again.")

var errRefreshInvalid = Sentence(ErrUnauthorized, "The refresh token is invalid or has expired. Please sign in again.")

// RotateRefreshToken exchanges the refresh token with hash oldHash for one
// with newHash, valid until expires, and returns the session and its user. A
// token presented a second time revokes its session (the whole family) and
// returns ErrRefreshReused; the revocation is committed even so.
func RotateRefreshToken(db *gorm.DB, oldHash, newHash string, now, expires time.Time) (*SessionUser, error) {
	var out *SessionUser
	var reused bool
	err := db.Transaction(func(tx *gorm.DB) error {
		var rt RefreshToken
		if err := translate(tx.Clauses(clause.Locking{Strength: "UPDATE"}).
			Where("token_hash = ?", oldHash).Take(&rt).Error); err != nil {
			if errors.Is(err, ErrNotFound) {
				return errRefreshInvalid
			}
			return err
		}
		if rt.UsedAt != nil {
			reused = true
			return RevokeSession(tx, rt.SessionID, now)
		}
		var s Session
		if err := translate(tx.Take(&s, rt.SessionID).Error); err != nil {
			return err
		}
		var u User
		if err := translate(tx.Take(&u, s.UserID).Error); err != nil {
			return err
		}
		if !now.Before(rt.ExpiresAt) || !s.Active(now) || !u.IsActive {
			return errRefreshInvalid
		}
		if err := translate(tx.Model(&rt).Update("used_at", now).Error); err != nil {
			return err
		}
		if err := translate(tx.Create(&RefreshToken{SessionID: s.ID, TokenHash: newHash, ExpiresAt: expires}).Error); err != nil {
			return err
		}
		if expires.After(s.ExpiresAt) {
			s.ExpiresAt = expires
			if err := translate(tx.Model(&s).Update("expires_at", expires).Error); err != nil {
				return err
			}
		}
		out = &SessionUser{Session: s, User: u}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if reused {
		return nil, ErrRefreshReused
	}
	return out, nil
}

// SessionByRefreshToken returns the session id a refresh token belongs to.
func SessionByRefreshToken(db *gorm.DB, hash string) (uint64, error) {
	var rt RefreshToken
	if err := translate(db.Where("token_hash = ?", hash).Take(&rt).Error); err != nil {
		return 0, err
	}
	return rt.SessionID, nil
}

// SetPassword stores a new password hash for userID and ends every session of
// theirs but keep, in one transaction.
func SetPassword(db *gorm.DB, userID uint64, hash string, keep uint64, now time.Time) error {
	return db.Transaction(func(tx *gorm.DB) error {
		if err := translate(tx.Model(&User{}).Where("id = ?", userID).Update("password_hash", hash).Error); err != nil {
			return err
		}
		return RevokeUserSessions(tx, userID, keep, now)
	})
}

// SetActive bans (active false) or unbans userID; a ban ends every session of
// theirs in the same transaction.
func SetActive(db *gorm.DB, userID uint64, active bool, now time.Time) error {
	return db.Transaction(func(tx *gorm.DB) error {
		if err := translate(tx.Model(&User{}).Where("id = ?", userID).Update("is_active", active).Error); err != nil {
			return err
		}
		if active {
			return nil
		}
		return RevokeUserSessions(tx, userID, 0, now)
	})
}
