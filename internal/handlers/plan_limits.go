package handlers

import (
	"net/http"

	"github.com/teachtrack/api/internal/models"
)

// allow is nil when the caller's plan includes f (models.LimitsFor: the one
// plans table), else the ErrPlanLimit whose sentence names the plan that
// lifts it (403). Handlers ask it after the ownership checks, so another
// teacher's id still answers 404, and before they write anything.
func (a *API) allow(r *http.Request, f models.Feature) error {
	p := principalFrom(r.Context())
	if p == nil || p.User == nil {
		return errSignIn
	}
	return models.LimitsFor(p.User, a.now()).Allow(f)
}
