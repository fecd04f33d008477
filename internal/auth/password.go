package auth

import (
	"context"
	"errors"
	"runtime"

	"golang.org/x/crypto/bcrypt"
)

// Password limits in bytes: bcrypt ignores everything after 72 bytes, so a
// longer password would only look stronger than it is.
const (
	MinPasswordBytes = 8
	MaxPasswordBytes = 72
)

// Passwords hashes and checks passwords with bcrypt.
//
// bcrypt is pure CPU (about 0.3 s at cost 12 on one core): run unbounded, a
// burst of sign-ins (a school at 8 a.m.) would share the cores among all of
// them and finish every one late. At most one hash runs per core; the rest
// wait their turn in a queue, so each finishes as early as the machine allows
// and a waiting request only gives up when its client does.
type Passwords struct {
	cost int
	// dummy is compared against when the email is unknown, so a wrong email
	// costs as much time as a wrong password and doesn't reveal which it was.
	dummy []byte
	// slots holds one token per hash running now (GOMAXPROCS at most).
	slots chan struct{}
}

// NewPasswords returns a hasher with the given bcrypt cost (4–31, as
// BCRYPT_COST is checked to be).
func NewPasswords(cost int) *Passwords {
	dummy, _ := bcrypt.GenerateFromPassword([]byte("not-a-real-password-0000"), cost)
	return &Passwords{cost: cost, dummy: dummy, slots: make(chan struct{}, runtime.GOMAXPROCS(0))}
}

// run waits for a free slot (or the end of ctx), then runs fn in it.
func (p *Passwords) run(ctx context.Context, fn func()) error {
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-p.slots }()
	fn()
	return nil
}

// Hash returns the bcrypt hash of password.
func (p *Passwords) Hash(password string) (string, error) {
	return p.HashContext(context.Background(), password)
}

// HashContext is Hash, giving up while queued when ctx ends.
func (p *Passwords) HashContext(ctx context.Context, password string) (string, error) {
	if len(password) > MaxPasswordBytes {
		return "", errors.New("password longer than 72 bytes")
	}
	var h []byte
	var err error
	if qerr := p.run(ctx, func() { h, err = bcrypt.GenerateFromPassword([]byte(password), p.cost) }); qerr != nil {
		return "", qerr
	}
	return string(h), err
}

// Check reports whether password matches hash.
func (p *Passwords) Check(hash, password string) bool {
	ok, _ := p.CheckContext(context.Background(), hash, password)
	return ok
}

// CheckContext is Check, giving up while queued when ctx ends (the error).
func (p *Passwords) CheckContext(ctx context.Context, hash, password string) (bool, error) {
	var ok bool
	err := p.run(ctx, func() { ok = bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil })
	return ok, err
}

// Waste spends the time of one comparison; call it when there is no hash.
func (p *Passwords) Waste(ctx context.Context, password string) {
	_ = p.run(ctx, func() { _ = bcrypt.CompareHashAndPassword(p.dummy, []byte(password)) })
}
