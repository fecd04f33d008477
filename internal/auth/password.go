package auth

import (
	"errors"

	"golang.org/x/crypto/bcrypt"
)

// Password limits in bytes: bcrypt ignores everything after 72 bytes, so a
// longer password would only look stronger than it is.
const (
	MinPasswordBytes = 8
	MaxPasswordBytes = 72
)

// Passwords hashes and checks passwords with bcrypt.
type Passwords struct {
	cost int
	// dummy is compared against when the email is unknown, so a wrong email
	// costs as much time as a wrong password and doesn't reveal which it was.
	dummy []byte
}

// NewPasswords returns a hasher with the given bcrypt cost (4–31, as
// BCRYPT_COST is checked to be).
func NewPasswords(cost int) *Passwords {
	dummy, _ := bcrypt.GenerateFromPassword([]byte("not-a-real-password-0000"), cost)
	return &Passwords{cost: cost, dummy: dummy}
}

// Hash returns the bcrypt hash of password.
func (p *Passwords) Hash(password string) (string, error) {
	if len(password) > MaxPasswordBytes {
		return "", errors.New("password longer than 72 bytes")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), p.cost)
	return string(h), err
}

// Check reports whether password matches hash.
func (p *Passwords) Check(hash, password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// Waste spends the time of one comparison; call it when there is no hash.
func (p *Passwords) Waste(password string) {
	_ = bcrypt.CompareHashAndPassword(p.dummy, []byte(password))
}
