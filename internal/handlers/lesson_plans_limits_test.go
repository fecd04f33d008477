package handlers_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/teachtrack/api/internal/models"
)

// TestLessonPlanLimits holds lesson plans to the one plans table
// (models.LimitsFor): a free trial prints no PDFs, one or many; once the
// trial has ended, nothing is generated, from a scheme, the curriculum or
// the assistant. Each refusal is 403 problem+json naming the plan that lifts
// it, and writes nothing.
func TestLessonPlanLimits(t *testing.T) {
	s := newTestServer(t)
	trial := createUser(t, s, models.RoleTeacher, nil)
	ended := createUser(t, s, models.RoleTeacher, nil)
	setPlan(t, s, ended.ID, models.PlanFree, time.Now().Add(-60*24*time.Hour))
	other := createUser(t, s, models.RoleTeacher, nil)

	tp := newPlan(t, s, trial.caller, nil)
	ep := newPlan(t, s, ended.caller, nil)
	sc := newScheme(t, s, ended, 2, 3)
	lesson := sc.Weeks[0].Lessons[0].ID

	for _, tt := range []struct {
		name   string
		c      caller
		method string
		path   string
		body   any
		want   int
		detail string
	}{
		{"trial plan pdf", trial.caller, "GET", tp.path("/pdf"), nil, 403, "PDF downloads are not included in your Free plan"},
		{"trial bulk download", trial.caller, "POST", "/api/v1/lesson-plans/bulk-download", []uint64{tp.id()}, 403, "Termly or Yearly"},
		{"ended trial generates from a scheme", ended.caller, "POST", fmt.Sprintf("/api/v1/schemes/%d/generate-lesson-plans", sc.ID), nil, 403, "trial has ended"},
		{"ended trial plans one scheme lesson", ended.caller, "POST", fmt.Sprintf("/api/v1/lesson-plans/from-scheme/%d", lesson), nil, 403, "Generating documents"},
		{"ended trial enhances", ended.caller, "POST", ep.path("/enhance"), nil, 403, "AI assistant"},
		{"ended trial auto-generates", ended.caller, "POST", ep.path("/auto-generate"), nil, 403, "trial has ended"},
		// Ownership comes first: another teacher's ids still reveal nothing.
		{"ended trial, another's scheme", other.caller, "POST", fmt.Sprintf("/api/v1/schemes/%d/generate-lesson-plans", sc.ID), nil, 404, ""},
		{"trial, another's plan pdf", trial.caller, "GET", ep.path("/pdf"), nil, 404, ""},
		// What the plans keep: reading, writing and archiving their own plans.
		{"ended trial edits", ended.caller, "PUT", ep.path(""), map[string]any{"introduction": "By hand."}, 200, ""},
		{"trial generates", trial.caller, "POST", tp.path("/auto-generate"), nil, 422, "no curriculum"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := expect(t, s.do(t, tt.c, tt.method, tt.path, tt.body), tt.want)
			if tt.want < 400 {
				return
			}
			if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type %q, want application/problem+json", ct)
			}
			var pr problem
			res.decode(t, &pr)
			if !strings.Contains(strings.ToLower(pr.Detail), strings.ToLower(tt.detail)) {
				t.Errorf("detail %q, want it to say %q", pr.Detail, tt.detail)
			}
		})
	}

	// Nothing was generated: the ended trial still has its one plan, as
	// edited by hand, and the scheme's lessons have no plans.
	var n int64
	if err := s.primary(t).Model(&models.LessonPlan{}).Where("user_id = ?", ended.ID).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("the ended trial has %d plans, want 1 (nothing generated)", n)
	}
	got := getPlan(t, s, ended.caller, ep)
	if got["introduction"] != "By hand." || got["development"] != "" {
		t.Errorf("after the refusals: introduction %q, development %q", got["introduction"], got["development"])
	}

	// The same teacher on a paid plan gets what was refused.
	setPlan(t, s, ended.ID, models.PlanIndividualBasic, time.Time{})
	expect(t, s.do(t, ended.caller, "POST", fmt.Sprintf("/api/v1/schemes/%d/generate-lesson-plans", sc.ID), nil), http.StatusOK)
	expect(t, s.do(t, ended.caller, "GET", ep.path("/pdf"), nil), http.StatusOK)
}
