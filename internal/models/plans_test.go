package models

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestLimitsFor(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	restarted := now.Add(-40 * day)
	tests := []struct {
		name string
		u    User
		want PlanLimits
	}{
		{"new free account is in its trial", User{SubscriptionType: PlanFree, CreatedAt: now.Add(-2 * day)},
			PlanLimits{Plan: PlanFree, InTrial: true, MaxSubjects: 6, MaxSchemeWeeks: 1, AIAssistant: true, Generate: true, TrialDaysRemaining: 28, UpgradeTo: PlanIndividualBasic}},
		{"trial's last hours count as a day", User{SubscriptionType: PlanFree, CreatedAt: now.Add(-30*day + time.Hour)},
			PlanLimits{Plan: PlanFree, InTrial: true, MaxSubjects: 6, MaxSchemeWeeks: 1, AIAssistant: true, Generate: true, TrialDaysRemaining: 1, UpgradeTo: PlanIndividualBasic}},
		{"expired trial keeps its subjects, loses generation", User{SubscriptionType: PlanFree, CreatedAt: now.Add(-31 * day)},
			PlanLimits{Plan: PlanFree, MaxSubjects: 6, MaxSchemeWeeks: 1, UpgradeTo: PlanIndividualBasic}},
		{"trial_started_at wins over created_at", User{SubscriptionType: PlanFree, CreatedAt: now.Add(-400 * day), TrialStartedAt: ptr(now.Add(-10 * day))},
			PlanLimits{Plan: PlanFree, InTrial: true, MaxSubjects: 6, MaxSchemeWeeks: 1, AIAssistant: true, Generate: true, TrialDaysRemaining: 20, UpgradeTo: PlanIndividualBasic}},
		{"expired by trial_started_at", User{SubscriptionType: PlanFree, CreatedAt: now, TrialStartedAt: &restarted},
			PlanLimits{Plan: PlanFree, MaxSubjects: 6, MaxSchemeWeeks: 1, UpgradeTo: PlanIndividualBasic}},
		{"termly, years after sign-up (no lock-out)", User{SubscriptionType: PlanIndividualBasic, SubscriptionStatus: "ACTIVE", CreatedAt: now.Add(-400 * day)},
			PlanLimits{Plan: PlanIndividualBasic, MaxSubjects: 6, PDFDownloads: true, BulkDownloads: true, AIAssistant: true, Generate: true, UpgradeTo: PlanSchoolSponsored}},
		{"yearly", User{SubscriptionType: PlanIndividualPremium, SubscriptionStatus: "ACTIVE"},
			PlanLimits{Plan: PlanIndividualPremium, MaxSubjects: 6, PDFDownloads: true, BulkDownloads: true, AIAssistant: true, Generate: true, UpgradeTo: PlanSchoolSponsored}},
		{"cancelled yearly reads as an expired free plan", User{SubscriptionType: PlanIndividualPremium, SubscriptionStatus: "CANCELLED", CreatedAt: now.Add(-100 * day)},
			PlanLimits{Plan: PlanFree, MaxSubjects: 6, MaxSchemeWeeks: 1, UpgradeTo: PlanIndividualBasic}},
		{"termly past its end reads as an expired free plan", User{SubscriptionType: PlanIndividualBasic, SubscriptionStatus: "ACTIVE", CreatedAt: now.Add(-200 * day), SubscriptionExpiresAt: ptr(now.Add(-time.Second))},
			PlanLimits{Plan: PlanFree, MaxSubjects: 6, MaxSchemeWeeks: 1, UpgradeTo: PlanIndividualBasic}},
		{"termly before its end", User{SubscriptionType: PlanIndividualBasic, SubscriptionStatus: "ACTIVE", CreatedAt: now.Add(-200 * day), SubscriptionExpiresAt: ptr(now.Add(time.Hour))},
			PlanLimits{Plan: PlanIndividualBasic, MaxSubjects: 6, PDFDownloads: true, BulkDownloads: true, AIAssistant: true, Generate: true, UpgradeTo: PlanSchoolSponsored}},
		{"school sponsored: no limits", User{SubscriptionType: PlanSchoolSponsored, SubscriptionStatus: "ACTIVE"},
			PlanLimits{Plan: PlanSchoolSponsored, PDFDownloads: true, BulkDownloads: true, AIAssistant: true, Generate: true}},
		{"super admin: no limits whatever the plan", User{Role: RoleSuperAdmin, SubscriptionType: PlanFree, CreatedAt: now.Add(-400 * day)},
			PlanLimits{Plan: PlanSchoolSponsored, PDFDownloads: true, BulkDownloads: true, AIAssistant: true, Generate: true}},
		{"unknown plan reads as free", User{SubscriptionType: "GOLD", CreatedAt: now},
			PlanLimits{Plan: PlanFree, InTrial: true, MaxSubjects: 6, MaxSchemeWeeks: 1, AIAssistant: true, Generate: true, TrialDaysRemaining: 30, UpgradeTo: PlanIndividualBasic}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := LimitsFor(&tt.u, now)
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(PlanLimits{}, "TrialEndsAt")); diff != "" {
				t.Errorf("LimitsFor (-want +got):\n%s", diff)
			}
			if got.Plan == PlanFree && !got.TrialEndsAt.Equal(tt.u.TrialStart().Add(TrialLength)) {
				t.Errorf("TrialEndsAt = %v, want %v", got.TrialEndsAt, tt.u.TrialStart().Add(TrialLength))
			}
			if got.Plan != PlanFree && !got.TrialEndsAt.IsZero() {
				t.Errorf("TrialEndsAt = %v on a paid plan, want zero", got.TrialEndsAt)
			}
		})
	}
}

func TestPlanLimitErrors(t *testing.T) {
	now := time.Now()
	free := LimitsFor(&User{SubscriptionType: PlanFree, CreatedAt: now}, now)
	err := free.SubjectLimitError(6)
	if !errors.Is(err, ErrPlanLimit) || errors.Is(err, ErrForbidden) {
		t.Fatalf("SubjectLimitError: errors.Is ErrPlanLimit=%v, ErrForbidden=%v; want only ErrPlanLimit", errors.Is(err, ErrPlanLimit), errors.Is(err, ErrForbidden))
	}
	for _, want := range []string{"Free plan allows 6 subjects", "you have 6", "School Sponsored"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("SubjectLimitError = %q, want it to say %q", err, want)
		}
	}
	expired := LimitsFor(&User{SubscriptionType: PlanFree, CreatedAt: now.Add(-60 * 24 * time.Hour)}, now)
	if got := expired.Upgrade(); !strings.Contains(got, "trial has ended") || !strings.Contains(got, "Termly or Yearly") {
		t.Errorf("expired trial's Upgrade() = %q", got)
	}
	if got := free.Upgrade(); !strings.Contains(got, "Termly or Yearly") {
		t.Errorf("trial's Upgrade() = %q", got)
	}
	if got := LimitsFor(&User{SubscriptionType: PlanSchoolSponsored}, now).Upgrade(); got != "" {
		t.Errorf("sponsored Upgrade() = %q, want nothing higher", got)
	}
	if got := PlanLimitError("Upgrade to the Yearly plan.").Error(); got != "Upgrade to the Yearly plan." {
		t.Errorf("PlanLimitError text = %q", got)
	}
}

func TestSubjectCap(t *testing.T) {
	for _, tt := range []struct {
		max, ceiling, want int
	}{{6, 50, 6}, {6, 2, 2}, {0, 50, 50}, {6, 0, 6}, {0, 0, 0}} {
		if got := (PlanLimits{MaxSubjects: tt.max}).SubjectCap(tt.ceiling); got != tt.want {
			t.Errorf("SubjectCap(max %d, ceiling %d) = %d, want %d", tt.max, tt.ceiling, got, tt.want)
		}
	}
	now := time.Now()
	check := SubjectAllowed(50, now)
	u := &User{SubscriptionType: PlanIndividualBasic, SubscriptionStatus: "ACTIVE"}
	if err := check(nil, u, 5); err != nil {
		t.Errorf("6th subject on Termly: %v, want allowed", err)
	}
	if err := check(nil, u, 6); !errors.Is(err, ErrPlanLimit) {
		t.Errorf("7th subject on Termly: %v, want ErrPlanLimit", err)
	}
	sponsored := &User{SubscriptionType: PlanSchoolSponsored}
	if err := check(nil, sponsored, 49); err != nil {
		t.Errorf("50th sponsored subject: %v", err)
	}
	if err := check(nil, sponsored, 50); !errors.Is(err, ErrForbidden) || errors.Is(err, ErrPlanLimit) {
		t.Errorf("51st sponsored subject: %v, want the operator's ceiling (ErrForbidden)", err)
	}
}

func ptr[T any](v T) *T { return &v }
