package handlers

import (
	"net/http"
)

// Password hashing is kept out of the request's database deadline
// (DB_WRITE_TIMEOUT, which starts when the request is bound): in a burst of
// sign-ins a request may wait seconds for its turn at bcrypt (auth.Passwords
// queues them, one per core), and that wait says nothing about the database.
// Each helper below queues with the request's own context (a client that
// leaves gives up its place) and then binds the request afresh, so its
// statements get the whole deadline. Call them between statements, never
// inside a transaction.

// hashPassword returns the bcrypt hash of password.
func (u *usersAPI) hashPassword(r *http.Request, password string) (string, error) {
	hash, err := u.passwords.HashContext(r.Context(), password)
	u.rebind(r)
	return hash, err
}

// checkPassword reports whether password matches hash; the error is the
// request's context ending while it waited.
func (u *usersAPI) checkPassword(r *http.Request, hash, password string) (bool, error) {
	ok, err := u.passwords.CheckContext(r.Context(), hash, password)
	u.rebind(r)
	return ok, err
}

// wastePassword spends the time of one check (an unknown email).
func (u *usersAPI) wastePassword(r *http.Request, password string) {
	u.passwords.Waste(r.Context(), password)
	u.rebind(r)
}
