package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/teachtrack/api/internal/models"
)

// Problem is an RFC 9457 problem+json body. Detail is always a sentence a
// person can read: the frontend shows it in a toast.
type Problem struct {
	Type   string              `json:"type"`
	Title  string              `json:"title"`
	Status int                 `json:"status"`
	Detail string              `json:"detail"`
	Errors []models.FieldError `json:"errors,omitempty"`
	// RequestID lets a user quote the failing request to support.
	RequestID string `json:"request_id,omitempty"`
}

// statusClientClosed is nginx's 499, for requests the client abandoned: the
// access log and metrics tell them apart from the server's own failures.
const statusClientClosed = 499

// httpError carries a status and a user-facing sentence through the error path.
type httpError struct {
	status int
	detail string
	err    error
}

func (e *httpError) Error() string { return e.detail }
func (e *httpError) Unwrap() error { return e.err }

// errorf makes an error that writeError answers with status and detail.
func errorf(status int, detail string) error { return &httpError{status: status, detail: detail} }

// writeError maps any error to problem+json: domain errors to their 4xx status
// and the sentence they carry, everything else to a 500 that shows no internals
// and is logged with the request id.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	p := Problem{Type: "about:blank", RequestID: RequestID(r.Context())}
	var he *httpError
	var ve *models.ValidationError
	switch {
	case errors.As(err, &he):
		p.Status, p.Detail = he.status, he.detail
	case errors.As(err, &ve):
		p.Status, p.Errors = http.StatusUnprocessableEntity, ve.Fields
		p.Detail = "The request has invalid fields: " + ve.Error() + "."
		if len(ve.Fields) == 1 {
			p.Detail = "The field " + ve.Fields[0].Field + " is invalid: " + ve.Fields[0].Message + "."
		}
	case errors.Is(err, models.ErrNotFound):
		p.Status, p.Detail = http.StatusNotFound, userSentence(err, "The requested resource was not found.")
	case errors.Is(err, models.ErrConflict):
		p.Status, p.Detail = http.StatusConflict, userSentence(err, "The request conflicts with existing data.")
	case errors.Is(err, models.ErrPlanLimit):
		// The sentence says which plan lifts the limit (models.PlanLimitError).
		p.Status, p.Detail = http.StatusForbidden, userSentence(err, "Your plan does not include this; upgrade to use it.")
	case errors.Is(err, models.ErrForbidden):
		p.Status, p.Detail = http.StatusForbidden, userSentence(err, "You are not allowed to do this.")
	case errors.Is(err, models.ErrUnauthorized):
		p.Status, p.Detail = http.StatusUnauthorized, userSentence(err, "Please sign in to continue.")
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		// The client went away and its request's queries were cancelled: no
		// one reads this answer, and it is not a server fault to log as one.
		p.Status, p.Detail = statusClientClosed, "The request was cancelled by the client."
	case errors.Is(err, models.ErrUnavailable):
		p.Status, p.Detail = http.StatusServiceUnavailable, "The database is temporarily unavailable. Please try again in a few seconds."
		w.Header().Set("Retry-After", strconv.Itoa(a.retryAfterSeconds()))
	default:
		p.Status, p.Detail = http.StatusInternalServerError, "Something went wrong on our side. Please try again; if it keeps happening, quote the request id to support."
	}
	p.Title = http.StatusText(p.Status)
	if p.Status >= 500 {
		level, msg := slog.LevelError, "request failed"
		if st := stateFrom(r.Context()); st != nil && st.binding != nil && st.binding.ReplicaFailed() {
			// bindDB redoes this read elsewhere and discards this answer.
			level, msg = slog.LevelWarn, "read failed on a replica; retrying on another node"
		}
		a.log.LogAttrs(r.Context(), level, msg,
			slog.String("request_id", p.RequestID), slog.String("error", err.Error()))
	}
	writeProblem(w, p)
}

// userSentence returns the message of a domain error when a store wrapped it
// with a sentence of its own (see models.Sentence), else the fallback.
func userSentence(err error, fallback string) string {
	var s *models.SentenceError
	if errors.As(err, &s) {
		return s.Sentence
	}
	return fallback
}

func writeProblem(w http.ResponseWriter, p Problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// writeJSON writes v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
