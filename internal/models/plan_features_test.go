package models

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestPlanAllow(t *testing.T) {
	now := time.Now()
	trial := LimitsFor(&User{SubscriptionType: PlanFree, CreatedAt: now}, now)
	expired := LimitsFor(&User{SubscriptionType: PlanFree, CreatedAt: now.Add(-60 * 24 * time.Hour)}, now)
	termly := LimitsFor(&User{SubscriptionType: PlanIndividualBasic, SubscriptionStatus: SubscriptionStatusActive}, now)
	lapsed := LimitsFor(&User{SubscriptionType: PlanIndividualBasic, SubscriptionStatus: "CANCELLED"}, now)
	for _, tt := range []struct {
		name    string
		l       PlanLimits
		f       Feature
		allowed bool
		says    string
	}{
		{"trial pdf", trial, FeaturePDF, false, "Termly or Yearly"},
		{"trial bulk", trial, FeatureBulkDownload, false, "several documents"},
		{"trial generate", trial, FeatureGenerate, true, ""},
		{"trial ai", trial, FeatureAI, true, ""},
		{"expired generate", expired, FeatureGenerate, false, "trial has ended"},
		{"expired ai", expired, FeatureAI, false, "AI assistant"},
		{"termly pdf", termly, FeaturePDF, true, ""},
		{"termly bulk", termly, FeatureBulkDownload, true, ""},
		{"lapsed termly pdf", lapsed, FeaturePDF, false, "Free plan"},
	} {
		err := tt.l.Allow(tt.f)
		if tt.allowed {
			if err != nil {
				t.Errorf("%s: %v, want allowed", tt.name, err)
			}
			continue
		}
		if !errors.Is(err, ErrPlanLimit) || !strings.Contains(err.Error(), tt.says) {
			t.Errorf("%s: %v, want ErrPlanLimit saying %q", tt.name, err, tt.says)
		}
	}
}
