package handlers_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/teachtrack/api/internal/models"
	"github.com/teachtrack/api/internal/mpesa"
)

// pay runs a whole successful payment of plan for u through the stand-in.
func (s *payServer) pay(t *testing.T, u *testUser, plan string) {
	t.Helper()
	id := s.push(t, u.caller, plan)
	s.daraja.Finish(id, 0, "The service request is processed successfully.")
	s.callBack(t, id)
	if st := s.status(t, u.caller, id); st.Status != "COMPLETED" {
		t.Fatalf("payment %s: %s", id, st.Status)
	}
}

// setExpiry moves u's plan end, as time passing would.
func (s *payServer) setExpiry(t *testing.T, u *testUser, at time.Time) {
	t.Helper()
	if err := s.primary(t).Model(&models.User{}).Where("id = ?", u.ID).Update("subscription_expires_at", at.UTC()).Error; err != nil {
		t.Fatal(err)
	}
	s.waitReplicas(t)
}

// TestSubscriptionExpiryAndRenewal: plans end into the free tier, renewals
// extend from the end of the running period, and a new period after expiry
// starts from now.
func TestSubscriptionExpiryAndRenewal(t *testing.T) {
	s := newPayServer(t, 0)
	teacher := createUser(t, s.testServer, models.RoleTeacher, nil)
	sub := newSubject(t, s.testServer, teacher.caller, "Mathematics", "Grade 4", tree(1, 1, 2))

	s.pay(t, teacher, "TERMLY")
	first := *s.me(t, teacher.caller).SubscriptionExpiresAt
	near(t, "first period", &first, time.Now().AddDate(0, 4, 0))

	// Renewing while it runs adds a period to its end.
	s.pay(t, teacher, "TERMLY")
	me := s.me(t, teacher.caller)
	if me.SubscriptionType != "INDIVIDUAL_BASIC" || !me.SubscriptionExpiresAt.Equal(first.AddDate(0, 4, 0)) {
		t.Errorf("after renewing: %s until %v, want until %v", me.SubscriptionType, me.SubscriptionExpiresAt, first.AddDate(0, 4, 0))
	}

	// Time passes: the plan has ended. The user is on the free tier at once
	// (no sweep needed) and still reads their own data.
	s.setExpiry(t, teacher, time.Now().Add(-time.Minute))
	if me := s.me(t, teacher.caller); me.SubscriptionType != "FREE" {
		t.Errorf("after expiry: %s", me.SubscriptionType)
	}
	expect(t, s.do(t, teacher.caller, "GET", fmt.Sprintf("/api/v1/subjects/%d", sub.ID), nil), http.StatusOK)
	var users struct {
		Users []struct {
			Email            string `json:"email"`
			SubscriptionType string `json:"subscription_type"`
		} `json:"users"`
	}
	admin := createUser(t, s.testServer, models.RoleSuperAdmin, nil)
	expect(t, s.do(t, admin.caller, "GET", "/api/v1/admin/users?search="+teacher.Email, nil), http.StatusOK).decode(t, &users)
	if len(users.Users) != 1 || users.Users[0].SubscriptionType != "FREE" {
		t.Errorf("admin list after expiry: %+v", users.Users)
	}

	// Paying after expiry starts a new period now, not at the old end.
	s.pay(t, teacher, "TERMLY")
	near(t, "period after expiry", s.me(t, teacher.caller).SubscriptionExpiresAt, time.Now().AddDate(0, 4, 0))

	// Upgrading to Yearly: premium for a year from now.
	s.pay(t, teacher, "YEARLY")
	me = s.me(t, teacher.caller)
	if me.SubscriptionType != "INDIVIDUAL_PREMIUM" {
		t.Errorf("after the yearly payment: %s", me.SubscriptionType)
	}
	near(t, "yearly period", me.SubscriptionExpiresAt, time.Now().AddDate(1, 0, 0))

	// Termly while Yearly runs would buy nothing: refused before any prompt.
	pushes := s.daraja.Count("push")
	var pr problem
	expect(t, s.do(t, teacher.caller, "POST", "/api/v1/payments/stk-push", map[string]any{"phone_number": "0712345678", "plan": "TERMLY"}), http.StatusConflict).decode(t, &pr)
	if !strings.Contains(pr.Detail, "Yearly plan already includes") || s.daraja.Count("push") != pushes {
		t.Errorf("termly during yearly: %q, %d pushes", pr.Detail, s.daraja.Count("push")-pushes)
	}
	if ch := s.changes(t, teacher.ID); len(ch) != 4 {
		t.Errorf("%d recorded changes, want 4 payments", len(ch))
	}
	if n := s.mail.count(); n != 4 {
		t.Errorf("%d mails for 4 payments", n)
	}
}

// TestSubscriptionChanges: the user's downgrade and the super admin's
// upgrade and plan changes, each recorded with who made it.
func TestSubscriptionChanges(t *testing.T) {
	s := newPayServer(t, 0)
	teacher := createUser(t, s.testServer, models.RoleTeacher, nil)
	admin := createUser(t, s.testServer, models.RoleSuperAdmin, nil)
	schoolID := createSchool(t, s.testServer, "Moi Primary")
	schoolAdmin := createUser(t, s.testServer, models.RoleSchoolAdmin, schoolID)
	upgrade := fmt.Sprintf("/api/v1/admin/users/%d/upgrade", teacher.ID)

	// The frontend sends {}; a year of premium, recorded as the admin's.
	var u struct {
		SubscriptionType      string     `json:"subscription_type"`
		SubscriptionExpiresAt *time.Time `json:"subscription_expires_at"`
	}
	expect(t, s.do(t, admin.caller, "PUT", upgrade, map[string]any{}), http.StatusOK).decode(t, &u)
	if u.SubscriptionType != "INDIVIDUAL_PREMIUM" {
		t.Errorf("upgraded to %s", u.SubscriptionType)
	}
	near(t, "upgrade", u.SubscriptionExpiresAt, time.Now().AddDate(1, 0, 0))
	// Again: it extends.
	expect(t, s.do(t, admin.caller, "PUT", upgrade, nil), http.StatusOK).decode(t, &u)
	near(t, "second upgrade", u.SubscriptionExpiresAt, time.Now().AddDate(2, 0, 0))
	ch := s.changes(t, teacher.ID)
	if len(ch) != 2 || ch[0].Source != models.ChangeAdminUpgrade || ch[0].ActorID == nil || *ch[0].ActorID != admin.ID {
		t.Errorf("changes %+v", ch)
	}

	for _, tt := range []struct {
		name string
		c    caller
		path string
		want int
	}{
		{"a teacher", teacher.caller, upgrade, 403},
		{"a school admin", schoolAdmin.caller, upgrade, 403},
		{"anonymous", anonymous, upgrade, 401},
		{"unknown user", admin.caller, "/api/v1/admin/users/999999/upgrade", 404},
		{"bad id", admin.caller, "/api/v1/admin/users/abc/upgrade", 400},
	} {
		t.Run(tt.name, func(t *testing.T) {
			expect(t, s.do(t, tt.c, "PUT", tt.path, map[string]any{}), tt.want)
		})
	}
	expect(t, s.do(t, admin.caller, "PUT", upgrade, map[string]any{"months": 12}), http.StatusBadRequest)

	// The existing subscription endpoint is recorded too, and gives a period.
	expect(t, s.do(t, admin.caller, "PUT", fmt.Sprintf("/api/v1/admin/users/%d/subscription", teacher.ID),
		map[string]any{"subscription_type": "INDIVIDUAL_BASIC", "subscription_status": "ACTIVE"}), http.StatusOK).decode(t, &u)
	near(t, "admin-set basic", u.SubscriptionExpiresAt, time.Now().AddDate(0, 4, 0))
	if ch := s.changes(t, teacher.ID); len(ch) != 3 || ch[0].Source != models.ChangeAdminSet || *ch[0].ActorID != admin.ID || ch[0].FromType != "INDIVIDUAL_PREMIUM" {
		t.Errorf("changes after set %+v", ch[0])
	}

	// The user's own downgrade: FREE at once, recorded as theirs.
	res := expect(t, s.do(t, teacher.caller, "POST", "/api/v1/payments/downgrade", map[string]any{}), http.StatusOK)
	if !strings.Contains(string(res.Body), "downgraded to Free") {
		t.Errorf("downgrade body %s", res.Body)
	}
	if me := s.me(t, teacher.caller); me.SubscriptionType != "FREE" || me.SubscriptionExpiresAt != nil {
		t.Errorf("after downgrade %+v", me)
	}
	if ch := s.changes(t, teacher.ID); len(ch) != 4 || ch[0].Source != models.ChangeDowngrade || *ch[0].ActorID != teacher.ID {
		t.Errorf("downgrade change %+v", ch[0])
	}

	// A school-sponsored account: the school manages its plan.
	sponsored := createUser(t, s.testServer, models.RoleTeacher, schoolID)
	expect(t, s.do(t, admin.caller, "PUT", fmt.Sprintf("/api/v1/admin/users/%d/subscription", sponsored.ID),
		map[string]any{"subscription_type": "SCHOOL_SPONSORED", "subscription_status": "ACTIVE"}), http.StatusOK)
	for _, r := range []struct {
		c            caller
		method, path string
		body         any
	}{
		{sponsored.caller, "POST", "/api/v1/payments/downgrade", nil},
		{sponsored.caller, "POST", "/api/v1/payments/stk-push", map[string]any{"phone_number": "0712345678", "plan": "YEARLY"}},
		{admin.caller, "PUT", fmt.Sprintf("/api/v1/admin/users/%d/upgrade", sponsored.ID), nil},
	} {
		var pr problem
		expect(t, s.do(t, r.c, r.method, r.path, r.body), http.StatusConflict).decode(t, &pr)
		if !strings.Contains(pr.Detail, "school") {
			t.Errorf("%s %s: %q", r.method, r.path, pr.Detail)
		}
	}
}

// TestPricingAdmin: the super admin sets the prices the page shows and a
// payment charges; nobody else can, and bad prices change nothing.
func TestPricingAdmin(t *testing.T) {
	s := newTestServer(t)
	admin := createUser(t, s, models.RoleSuperAdmin, nil)
	schoolAdmin := createUser(t, s, models.RoleSchoolAdmin, createSchool(t, s, "Alliance"))
	teacher := createUser(t, s, models.RoleTeacher, nil)

	var cfg map[string]any
	expect(t, s.do(t, admin.caller, "GET", "/api/v1/admin/pricing-config", nil), http.StatusOK).decode(t, &cfg)
	// The page sends back what it loaded, changed.
	cfg["termly"].(map[string]any)["price_kes"] = 400
	cfg["yearly"].(map[string]any)["label"] = "Mwaka Mzima"
	expect(t, s.do(t, admin.caller, "PUT", "/api/v1/admin/pricing-config", cfg), http.StatusOK)
	var pub struct {
		Termly struct {
			PriceKES int `json:"price_kes"`
		} `json:"termly"`
		Yearly struct {
			Label string `json:"label"`
		} `json:"yearly"`
	}
	expect(t, s.do(t, anonymous, "GET", "/api/v1/pricing-config", nil), http.StatusOK).decode(t, &pub)
	if pub.Termly.PriceKES != 400 || pub.Yearly.Label != "Mwaka Mzima" {
		t.Errorf("public pricing after the change %+v", pub)
	}
	var by []uint64
	s.primary(t).Model(&models.PlanPrice{}).Pluck("updated_by", &by)
	if len(by) != 2 || by[0] != admin.ID || by[1] != admin.ID {
		t.Errorf("updated_by %v, want the admin %d", by, admin.ID)
	}

	good := func() map[string]any {
		return map[string]any{"currency": "KES", "termly": map[string]any{"label": "T", "price_kes": 1, "duration_label": "/term"},
			"yearly": map[string]any{"label": "Y", "price_kes": 250000, "duration_label": "/year"}}
	}
	with := func(plan, field string, v any) map[string]any {
		b := good()
		b[plan].(map[string]any)[field] = v
		return b
	}
	usd := good()
	usd["currency"] = "USD"
	noYearly := good()
	delete(noYearly, "yearly")
	for _, tt := range []struct {
		name string
		c    caller
		body any
		want int
	}{
		{"a school admin", schoolAdmin.caller, good(), 403},
		{"a teacher", teacher.caller, good(), 403},
		{"anonymous", anonymous, good(), 401},
		{"free", admin.caller, with("termly", "price_kes", 0), 422},
		{"negative", admin.caller, with("termly", "price_kes", -5), 422},
		{"over what M-Pesa takes", admin.caller, with("yearly", "price_kes", 250001), 422},
		{"fractional", admin.caller, with("yearly", "price_kes", 99.5), 400},
		{"empty label", admin.caller, with("termly", "label", ""), 422},
		{"long label", admin.caller, with("termly", "label", strings.Repeat("x", 81)), 422},
		{"another currency", admin.caller, usd, 422},
		{"a plan missing", admin.caller, noYearly, 422},
		{"an unknown field", admin.caller, with("termly", "plan", "INDIVIDUAL_PREMIUM"), 400},
	} {
		t.Run(tt.name, func(t *testing.T) {
			expect(t, s.do(t, tt.c, "PUT", "/api/v1/admin/pricing-config", tt.body), tt.want)
		})
	}
	expect(t, s.do(t, anonymous, "GET", "/api/v1/pricing-config", nil), http.StatusOK).decode(t, &pub)
	if pub.Termly.PriceKES != 400 {
		t.Errorf("a refused change moved the price to %d", pub.Termly.PriceKES)
	}
	expect(t, s.do(t, teacher.caller, "GET", "/api/v1/admin/pricing-config", nil), http.StatusForbidden)
	// The currency may be left out; the plans a period grants can't be changed.
	b := good()
	delete(b, "currency")
	expect(t, s.do(t, admin.caller, "PUT", "/api/v1/admin/pricing-config", b), http.StatusOK)
	var plans []string
	s.primary(t).Model(&models.PlanPrice{}).Order("period").Pluck("plan", &plans)
	if strings.Join(plans, ",") != "INDIVIDUAL_BASIC,INDIVIDUAL_PREMIUM" {
		t.Errorf("plans %v", plans)
	}
}

// TestSubscriptionTermlyFollowsTheCalendar: a Termly plan runs through the
// last day of the current term (midnight after it, in APP_TIMEZONE); a
// renewal covers the next term; a school's own dates win for its teachers.
func TestSubscriptionTermlyFollowsTheCalendar(t *testing.T) {
	s := newPayServer(t, 0)
	nairobi := mpesa.Nairobi()
	today := models.Day(time.Now().In(nairobi))
	day := func(offset int) time.Time { return today.AddDate(0, 0, offset) }
	db := s.primary(t)
	for i, d := range []models.TermDates{
		{TermNumber: 1, Year: 2090, StartDate: day(-10), EndDate: day(20)},
		{TermNumber: 2, Year: 2090, StartDate: day(35), EndDate: day(90)},
	} {
		if err := models.SaveSystemTerm(db, &models.SystemTerm{}, d, i == 0); err != nil {
			t.Fatal(err)
		}
	}
	schoolID := createSchool(t, s.testServer, "Kenya High")
	if err := models.SaveSchoolTerm(db, &models.SchoolTerm{SchoolID: *schoolID},
		models.TermDates{TermNumber: 1, Year: 2090, StartDate: day(-5), EndDate: day(10)}); err != nil {
		t.Fatal(err)
	}
	s.waitReplicas(t)
	endOf := func(d time.Time) time.Time { // the instant a plan through day d ends
		y, m, dd := d.Date()
		return time.Date(y, m, dd+1, 0, 0, 0, 0, nairobi)
	}

	teacher := createUser(t, s.testServer, models.RoleTeacher, nil)
	s.pay(t, teacher, "TERMLY")
	if got := s.me(t, teacher.caller).SubscriptionExpiresAt; got == nil || !got.Equal(endOf(day(20))) {
		t.Errorf("termly: until %v, want the end of term 1, %v", got, endOf(day(20)))
	}
	// Renewed during term 1: it runs to the end of term 2 (the term after the
	// day the first period ends, a holiday).
	s.pay(t, teacher, "TERMLY")
	if got := s.me(t, teacher.caller).SubscriptionExpiresAt; got == nil || !got.Equal(endOf(day(90))) {
		t.Errorf("renewed: until %v, want the end of term 2, %v", got, endOf(day(90)))
	}

	member := createUser(t, s.testServer, models.RoleTeacher, schoolID)
	s.pay(t, member, "TERMLY")
	if got := s.me(t, member.caller).SubscriptionExpiresAt; got == nil || !got.Equal(endOf(day(10))) {
		t.Errorf("a school's teacher: until %v, want the school's term end %v", got, endOf(day(10)))
	}
}
