package handlers_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/teachtrack/api/internal/models"
)

// setPlan puts user id on plan (status ACTIVE) and, when trialStart isn't
// zero, restarts their trial then.
func setPlan(t *testing.T, s *testServer, id uint64, plan string, trialStart time.Time) {
	t.Helper()
	changes := map[string]any{"subscription_type": plan, "subscription_status": "ACTIVE"}
	if !trialStart.IsZero() {
		changes["trial_started_at"] = trialStart
	}
	if err := s.primary(t).Model(&models.User{}).Where("id = ?", id).Updates(changes).Error; err != nil {
		t.Fatal(err)
	}
	s.waitReplicas(t)
}

// The 7th subject on an individual plan is refused with a sentence naming
// the plan that lifts the limit, and nothing of it is written; a sponsored
// teacher has no plan limit, and an expired trial still adds subjects.
func TestPlanSubjectLimit(t *testing.T) {
	s := newTestServer(t)
	for _, tc := range []struct {
		plan       string
		trialStart time.Time
		refused    bool
	}{
		{models.PlanFree, time.Time{}, true},
		{models.PlanFree, time.Now().Add(-90 * 24 * time.Hour), true},
		{models.PlanIndividualBasic, time.Time{}, true},
		{models.PlanIndividualPremium, time.Time{}, true},
		{models.PlanSchoolSponsored, time.Time{}, false},
	} {
		t.Run(fmt.Sprintf("%s expired=%v", tc.plan, !tc.trialStart.IsZero()), func(t *testing.T) {
			teacher := createUser(t, s, models.RoleTeacher, nil)
			setPlan(t, s, teacher.ID, tc.plan, tc.trialStart)
			for i := range 6 {
				newSubject(t, s, teacher.caller, fmt.Sprintf("Subject %d", i+1), "Grade 4", tree(1, 1, 1))
			}
			res := s.do(t, teacher.caller, "POST", "/api/v1/subjects", map[string]any{"subject_name": "Seventh", "grade": "Grade 4", "strands": tree(2, 2, 2)})
			if !tc.refused {
				expect(t, res, http.StatusCreated)
				return
			}
			expect(t, res, http.StatusForbidden)
			var p problem
			res.decode(t, &p)
			if !strings.Contains(p.Detail, "allows 6 subjects") || !strings.Contains(p.Detail, "School Sponsored") {
				t.Errorf("detail %q, want the limit and the plan that lifts it", p.Detail)
			}
			if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type %q", ct)
			}
			var n int64
			s.primary(t).Model(&models.Subject{}).Where("user_id = ?", teacher.ID).Count(&n)
			var lessons int64
			s.primary(t).Table("lessons").Joins("JOIN sub_strands ON sub_strands.id = lessons.substrand_id").
				Joins("JOIN strands ON strands.id = sub_strands.strand_id").Joins("JOIN subjects ON subjects.id = strands.subject_id").
				Where("subjects.user_id = ?", teacher.ID).Count(&lessons)
			if n != 6 || lessons != 6 {
				t.Errorf("after the refusal: %d subjects, %d lessons; want 6 and 6 (nothing written)", n, lessons)
			}
		})
	}
}
