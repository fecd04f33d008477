package models

import (
	"testing"
	"time"
)

func TestSubscriptionEnd(t *testing.T) {
	nairobi, err := time.LoadLocation("Africa/Nairobi")
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 1, 12, 7, 30, 0, 0, time.UTC)
	termEnd := time.Date(2026, 4, 3, 0, 0, 0, 0, time.UTC) // a DATE column
	for _, tt := range []struct {
		name    string
		period  Period
		termEnd *time.Time
		want    time.Time
	}{
		// Through the term's last day: until midnight after it, Nairobi time (21:00 UTC).
		{"termly until the end of the term", PeriodTermly, &termEnd, time.Date(2026, 4, 3, 21, 0, 0, 0, time.UTC)},
		{"termly without a calendar", PeriodTermly, nil, time.Date(2026, 5, 12, 7, 30, 0, 0, time.UTC)},
		{"yearly", PeriodYearly, &termEnd, time.Date(2027, 1, 12, 7, 30, 0, 0, time.UTC)},
	} {
		if got := SubscriptionEnd(tt.period, from, tt.termEnd, nairobi); !got.Equal(tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got.UTC(), tt.want)
		}
	}
}

func TestApplyExpiry(t *testing.T) {
	now := time.Now()
	past, future := now.Add(-time.Second), now.Add(time.Hour)
	for _, tt := range []struct {
		typ     string
		expires *time.Time
		want    string
	}{
		{"INDIVIDUAL_BASIC", &past, "FREE"},
		{"INDIVIDUAL_PREMIUM", &past, "FREE"},
		{"INDIVIDUAL_PREMIUM", &future, "INDIVIDUAL_PREMIUM"},
		{"INDIVIDUAL_BASIC", nil, "INDIVIDUAL_BASIC"},
		{"SCHOOL_SPONSORED", &past, "SCHOOL_SPONSORED"}, // the school's plan is not ours to end
		{"FREE", &past, "FREE"},
	} {
		u := User{SubscriptionType: tt.typ, SubscriptionStatus: "ACTIVE", SubscriptionExpiresAt: tt.expires}
		u.ApplyExpiry(now)
		if u.SubscriptionType != tt.want {
			t.Errorf("%s expiring %v: %s, want %s", tt.typ, tt.expires, u.SubscriptionType, tt.want)
		}
	}
}
