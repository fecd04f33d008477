package handlers_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/teachtrack/api/internal/models"
)

// TestSchemePlanLimits holds schemes of work to the one plans table: a free
// trial generates schemes of one week and downloads no PDFs; once the trial
// has ended it generates none. Refusals are 403 problem+json naming the plan
// that lifts them, and write nothing; a paid plan gets what was refused.
func TestSchemePlanLimits(t *testing.T) {
	s := newTestServer(t)
	trial := createUser(t, s, models.RoleTeacher, nil)
	subject, _ := grade4Maths(t, s, trial.caller)
	body := func(weeks int) map[string]any {
		return map[string]any{"subject_id": subject, "teacher_name": "Wanjiru Kamau", "school": "Moi Avenue Primary", "term": "Term 2",
			"year": 2026, "total_weeks": weeks, "lessons_per_week": 5}
	}
	schemes := func() int64 {
		var n int64
		if err := s.primary(t).Model(&models.Scheme{}).Where("user_id = ?", trial.ID).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}

	res := s.do(t, trial.caller, "POST", "/api/v1/schemes/generate", body(3))
	checkProblem(t, res, http.StatusForbidden, "")
	var p problem
	res.decode(t, &p)
	if want := "Your Free plan makes schemes of work of up to 1 week and this one has 3: set the weeks to 1. Upgrade to the Termly or Yearly plan for this."; p.Detail != want {
		t.Errorf("detail %q, want %q", p.Detail, want)
	}
	if n := schemes(); n != 0 {
		t.Errorf("a refused generation wrote %d schemes", n)
	}
	var sc schemeJSON
	expect(t, s.do(t, trial.caller, "POST", "/api/v1/schemes/generate", body(1)), http.StatusCreated).decode(t, &sc)
	res = s.do(t, trial.caller, "GET", urlf("/api/v1/schemes/%d/pdf", sc.ID), nil)
	checkProblem(t, res, http.StatusForbidden, "")

	setPlan(t, s, trial.ID, models.PlanFree, time.Now().Add(-60*24*time.Hour))
	checkProblem(t, s.do(t, trial.caller, "POST", "/api/v1/schemes/generate", body(1)), http.StatusForbidden, "")
	if n := schemes(); n != 1 {
		t.Errorf("after the ended trial's refusal: %d schemes, want 1", n)
	}

	setPlan(t, s, trial.ID, models.PlanIndividualBasic, time.Time{})
	expect(t, s.do(t, trial.caller, "POST", "/api/v1/schemes/generate", body(3)), http.StatusCreated)
	expect(t, s.do(t, trial.caller, "GET", urlf("/api/v1/schemes/%d/pdf", sc.ID), nil), http.StatusOK)
}
