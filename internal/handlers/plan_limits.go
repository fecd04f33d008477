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
	l, err := a.limits(r)
	if err != nil {
		return err
	}
	return l.Allow(f)
}

// limits is what the caller's plan allows now.
func (a *API) limits(r *http.Request) (models.PlanLimits, error) {
	p := principalFrom(r.Context())
	if p == nil || p.User == nil {
		return models.PlanLimits{}, errSignIn
	}
	return models.LimitsFor(p.User, a.now()), nil
}
