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
	// ImpersonatorID is the SUPER_ADMIN who opened this session as UserID; it
	// is kept when that admin is deleted (no foreign key), for the audit trail.
	ImpersonatorID *uint64
	// ImpersonatorSessionID is the admin's own session the impersonation was
	// started from: when it ends, the impersonation ends.
	ImpersonatorSessionID *uint64
	CreatedAt             time.Time
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

var errImpersonationEnded = Sentence(ErrUnauthorized, "This impersonation has ended: the administrator who started it signed out or lost the right to impersonate.")

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

// Impersonation is the audit record of one impersonation. It has no foreign
// keys: it outlives the deletion of either account and of the session.
type Impersonation struct {
	ID          uint64 `gorm:"primaryKey"`
	SessionID   uint64
	AdminID     uint64
	AdminEmail  string
	TargetID    uint64
	TargetEmail string
	StartedAt   time.Time
}

// StartImpersonation opens session s of target for admin, started from the
// admin's session adminSession, and records it in the audit trail, in one
// transaction.
func StartImpersonation(db *gorm.DB, s *Session, admin, target *User, adminSession uint64) error {
	s.ImpersonatorID, s.ImpersonatorSessionID = &admin.ID, &adminSession
	return db.Transaction(func(tx *gorm.DB) error {
		if err := CreateSession(tx, s, ""); err != nil {
			return err
		}
		return translate(tx.Create(&Impersonation{SessionID: s.ID, AdminID: admin.ID, AdminEmail: admin.Email,
			TargetID: target.ID, TargetEmail: target.Email, StartedAt: s.CreatedAt}).Error)
	})
}

// SessionUser is a session together with its user, as the per-request check
// reads them in one query.
type SessionUser struct {
	Session Session `gorm:"embedded;embeddedPrefix:s_"`
	User    User    `gorm:"embedded"`
	// Impersonator is the impersonating admin's state, for an impersonation
	// session (all nil when that admin or their session is gone).
	Impersonator impersonatorState `gorm:"embedded;embeddedPrefix:i_"`
}

type impersonatorState struct {
	Role             *Role
	IsActive         *bool
	SessionUserID    *uint64
	SessionRevokedAt *time.Time
	SessionExpiresAt *time.Time
}

// live reports whether the impersonation may go on at now: its admin exists,
// is active and still a SUPER_ADMIN, and the admin's session it was started
// from is neither revoked nor expired.
func (i impersonatorState) live(adminID uint64, now time.Time) bool {
	return i.Role != nil && *i.Role == RoleSuperAdmin && i.IsActive != nil && *i.IsActive &&
		i.SessionUserID != nil && *i.SessionUserID == adminID &&
		i.SessionRevokedAt == nil && i.SessionExpiresAt != nil && now.Before(*i.SessionExpiresAt)
}

var (
	activeSessionSQL = "SELECT " + sessionColumns + ", " + userColumns +
		" FROM sessions AS s JOIN users AS u ON u.id = s.user_id WHERE s.id = ? AND s.user_id = ?"
	impersonatorSQL = "SELECT " + impersonatorColumns + " FROM sessions AS s" +
		" LEFT JOIN users AS iu ON iu.id = s.impersonator_id" +
		" LEFT JOIN sessions AS isn ON isn.id = s.impersonator_session_id WHERE s.id = ?"
)

// ActiveSession returns session id with its user when the session belongs to
// userID, is neither revoked nor expired, and the user is not banned; an
// impersonation session also needs its admin live (impersonatorState.live).
// Else ErrSessionEnded. One query; an impersonation session, a second for its
// admin's state (kept out of the first so the commonest statement of all
// stays small: every column costs the server its metadata on every request).
func ActiveSession(db *gorm.DB, id, userID uint64, now time.Time) (*SessionUser, error) {
	var su SessionUser
	err := scanOne(db, activeSessionSQL, []any{id, userID}, append(sessionDest(&su.Session), userDest(&su.User)...)...)
	if err == nil && su.Session.ImpersonatorID != nil {
		err = scanOne(db, impersonatorSQL, []any{id}, impersonatorDest(&su.Impersonator)...)
	}
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			// Not "not found": the handler must answer 401, the resource exists.
			return nil, ErrSessionEnded
		}
		return nil, err
	}
	if !su.Session.Active(now) || !su.User.IsActive {
		return nil, ErrSessionEnded
	}
	if a := su.Session.ImpersonatorID; a != nil && !su.Impersonator.live(*a, now) {
		return nil, errImpersonationEnded
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
// returns ErrRefreshReused, with the session's id and user; the revocation is
// committed even so.
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
			var s Session
			if err := translate(tx.Select("id", "user_id").Take(&s, rt.SessionID).Error); err != nil {
				return err
			}
			out = &SessionUser{Session: s}
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
		// The session (its user) comes along so the caller can make the
		// revocation apply at once on every node.
		return out, ErrRefreshReused
	}
	return out, nil
}

// SessionByRefreshToken returns the session a refresh token belongs to, and
// that session's user.
func SessionByRefreshToken(db *gorm.DB, hash string) (sessionID, userID uint64, err error) {
	var s Session
	err = translate(db.Select("sessions.id", "sessions.user_id").
		Joins("JOIN refresh_tokens AS rt ON rt.session_id = sessions.id").
		Where("rt.token_hash = ?", hash).Take(&s).Error)
	return s.ID, s.UserID, err
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
