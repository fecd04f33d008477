package handlers

import (
	"net/http"
	"time"
)

// Password hashing is kept out of the request's database deadline
// (DB_WRITE_TIMEOUT, which starts when the request is bound): in a burst of
// sign-ins a request may wait seconds for its turn at bcrypt (auth.Passwords
// queues them, one per core), and that wait says nothing about the database.
// Each helper below queues with the request's own context (a client that
// leaves gives up its place) and then binds the request afresh, so its
// statements get the whole deadline. Call them between statements, never
// inside a transaction. Sign-in's check also renews the response's write
// deadline (the server's WriteTimeout counts from the request's arrival): a
// sign-in that waited its turn still gets its answer.

// hashPassword returns the bcrypt hash of password.
func (u *usersAPI) hashPassword(r *http.Request, password string) (string, error) {
	hash, err := u.passwords.HashContext(r.Context(), password)
	u.rebind(r)
	return hash, err
}

// checkPassword reports whether password matches hash; the error is the
// request's context ending while it waited.
func (u *usersAPI) checkPassword(w http.ResponseWriter, r *http.Request, hash, password string) (bool, error) {
	ok, err := u.passwords.CheckContext(r.Context(), hash, password)
	u.afterHashing(w, r)
	return ok, err
}

// wastePassword spends the time of one check (an unknown email).
func (u *usersAPI) wastePassword(w http.ResponseWriter, r *http.Request, password string) {
	u.passwords.Waste(r.Context(), password)
	u.afterHashing(w, r)
}

// answerWindow is how long a response has to be written once its password
// work is done, as long as the server's WriteTimeout (cmd/api).
const answerWindow = 30 * time.Second

func (u *usersAPI) afterHashing(w http.ResponseWriter, r *http.Request) {
	// Not every writer can (httptest's can): then the server's own timeout stands.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(answerWindow))
	u.rebind(r)
}
