package models

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// TokenPurpose is what a mailed single-use token is for.
type TokenPurpose string

// Token purposes and how long each token lives.
const (
	PurposeVerifyEmail   TokenPurpose = "VERIFY_EMAIL"
	PurposeResetPassword TokenPurpose = "RESET_PASSWORD"
	// PurposeInvite sets the first password of a teacher a school invited.
	PurposeInvite TokenPurpose = "INVITE"

	VerifyEmailTTL   = 24 * time.Hour
	ResetPasswordTTL = time.Hour
	InviteTTL        = 7 * 24 * time.Hour
)

// AccountToken is a row of account_tokens; the token itself is never stored.
type AccountToken struct {
	ID            uint64 `gorm:"primaryKey"`
	UserID        uint64
	Purpose       TokenPurpose
	TokenHash     string
	PasswordStamp string
	CreatedAt     time.Time
	ExpiresAt     time.Time
	UsedAt        *time.Time
}

// ErrTokenInvalid is a token that doesn't exist, expired, was used, is for
// something else, or was issued under a password that has since changed.
var ErrTokenInvalid = errors.New("invalid or expired token")

// HashToken is the stored form of a mailed token. SHA-256 without salt is
// enough: tokens carry 256 random bits, and lookups need a fixed hash.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// passwordStamp binds a token to the password hash it was issued under, so
// any change of password (reset, change, admin) kills the token.
func passwordStamp(passwordHash string) string {
	sum := sha256.Sum256([]byte("account-token-stamp\x00" + passwordHash))
	return hex.EncodeToString(sum[:])
}

// CreateAccountToken stores the hash of token for user, for purpose, valid
// from now for ttl.
func CreateAccountToken(tx *gorm.DB, user *User, purpose TokenPurpose, token string, now time.Time, ttl time.Duration) error {
	return translate(tx.Create(&AccountToken{
		UserID: user.ID, Purpose: purpose, TokenHash: HashToken(token),
		PasswordStamp: passwordStamp(user.PasswordHash), CreatedAt: now, ExpiresAt: now.Add(ttl),
	}).Error)
}

// tokenUser is a token with its user, read in one query.
type tokenUser struct {
	Token AccountToken `gorm:"embedded;embeddedPrefix:t_"`
	User  User         `gorm:"embedded"`
}

// findToken returns the live token (any of purposes) and its user; locking
// reads them FOR UPDATE, for a transaction that will use the token.
func findToken(db *gorm.DB, token string, purposes []TokenPurpose, now time.Time, locking bool) (*tokenUser, error) {
	q := db.Table("account_tokens AS t").
		Select("t.id AS t_id, t.user_id AS t_user_id, t.purpose AS t_purpose, t.token_hash AS t_token_hash, "+
			"t.password_stamp AS t_password_stamp, t.created_at AS t_created_at, t.expires_at AS t_expires_at, t.used_at AS t_used_at, u.*").
		Joins("JOIN users AS u ON u.id = t.user_id").
		Where("t.token_hash = ?", HashToken(token))
	if locking {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var tu tokenUser
	if err := translate(q.Take(&tu).Error); err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, ErrTokenInvalid
		}
		return nil, err
	}
	t := tu.Token
	if t.UsedAt != nil || !now.Before(t.ExpiresAt) || !slices.Contains(purposes, t.Purpose) ||
		t.PasswordStamp != passwordStamp(tu.User.PasswordHash) || !tu.User.IsActive {
		return nil, ErrTokenInvalid
	}
	return &tu, nil
}

// PeekPasswordToken returns the user a live reset or invitation token would
// set the password of, without using it.
func PeekPasswordToken(db *gorm.DB, token string, now time.Time) (*User, error) {
	tu, err := findToken(db, token, []TokenPurpose{PurposeResetPassword, PurposeInvite}, now, false)
	if err != nil {
		return nil, err
	}
	return &tu.User, nil
}

// VerifyEmail uses a verification token: the user's address is verified.
// It returns the user's id and whether the address already was verified.
func VerifyEmail(db *gorm.DB, token string, now time.Time) (userID uint64, already bool, err error) {
	err = db.Transaction(func(tx *gorm.DB) error {
		tu, err := findToken(tx, token, []TokenPurpose{PurposeVerifyEmail}, now, true)
		if err != nil {
			return err
		}
		userID, already = tu.User.ID, tu.User.EmailVerified
		if err := useTokens(tx, tu.User.ID, []TokenPurpose{PurposeVerifyEmail}, now); err != nil {
			return err
		}
		return translate(tx.Model(&User{}).Where("id = ?", tu.User.ID).Update("email_verified", true).Error)
	})
	return userID, already, err
}

// ResetPassword uses a reset or invitation token to set the password hash:
// the mailbox owner proved it, so the address counts as verified; every
// other token of the user dies, and every session of theirs ends.
func ResetPassword(db *gorm.DB, token, hash string, now time.Time) (*User, error) {
	var user *User
	err := db.Transaction(func(tx *gorm.DB) error {
		tu, err := findToken(tx, token, []TokenPurpose{PurposeResetPassword, PurposeInvite}, now, true)
		if err != nil {
			return err
		}
		user = &tu.User
		if err := useTokens(tx, user.ID, []TokenPurpose{PurposeResetPassword, PurposeInvite, PurposeVerifyEmail}, now); err != nil {
			return err
		}
		if err := translate(tx.Model(&User{}).Where("id = ?", user.ID).
			Updates(map[string]any{"password_hash": hash, "email_verified": true}).Error); err != nil {
			return err
		}
		return RevokeUserSessions(tx, user.ID, 0, now)
	})
	return user, err
}

// useTokens marks every unused token of userID for purposes used.
func useTokens(tx *gorm.DB, userID uint64, purposes []TokenPurpose, now time.Time) error {
	return translate(tx.Model(&AccountToken{}).
		Where("user_id = ? AND purpose IN ? AND used_at IS NULL", userID, purposes).
		Update("used_at", now).Error)
}
