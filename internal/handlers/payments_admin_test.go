package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/teachtrack/api/internal/models"
	"github.com/teachtrack/api/internal/mpesa"
)

type adminPaymentsJSON struct {
	Items []struct {
		ID                uint64         `json:"id"`
		Amount            int            `json:"amount"`
		PhoneNumber       string         `json:"phone_number"`
		TransactionCode   *string        `json:"transaction_code"`
		CheckoutRequestID string         `json:"checkout_request_id"`
		Status            string         `json:"status"`
		Reference         string         `json:"reference"`
		MpesaMetadata     map[string]any `json:"mpesa_metadata"`
		User              *struct {
			ID       uint64  `json:"id"`
			Email    string  `json:"email"`
			FullName *string `json:"full_name"`
		} `json:"user"`
	} `json:"items"`
	Page  int   `json:"page"`
	Limit int   `json:"limit"`
	Total int64 `json:"total"`
}

// addPayment writes a payment as the flow would have left it.
func addPayment(t *testing.T, s *testServer, userID *uint64, status string, amount int, created time.Time, settled *time.Time, code string) *models.Payment {
	t.Helper()
	n := s.seq.Add(1)
	p := &models.Payment{UserID: userID, Period: models.PeriodTermly, Plan: "INDIVIDUAL_BASIC", Amount: amount, Currency: "KES",
		PhoneNumber: fmt.Sprintf("2547%08d", n), CheckoutRequestID: fmt.Sprintf("ws_CO_test%06d", n), Description: "Termly Pass (TERMLY)"}
	if err := models.CreatePayment(s.primary(t), p); err != nil {
		t.Fatal(err)
	}
	changes := map[string]any{"status": status, "created_at": created.UTC(), "settled_at": settled}
	if code != "" {
		changes["transaction_code"] = code
		changes["mpesa_metadata"] = `{"MpesaReceiptNumber":"` + code + `","Amount":` + fmt.Sprint(amount) + `}`
	}
	if err := s.primary(t).Model(&models.Payment{}).Where("id = ?", p.ID).Updates(changes).Error; err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAdminPayments(t *testing.T) {
	s := newTestServer(t)
	admin := createUser(t, s, models.RoleSuperAdmin, nil)
	teacher := createUser(t, s, models.RoleTeacher, nil)
	other := createUser(t, s, models.RoleTeacher, nil)
	if err := s.primary(t).Model(&models.User{}).Where("id = ?", other.ID).Update("full_name", "Achieng Otieno").Error; err != nil {
		t.Fatal(err)
	}

	nairobi := mpesa.Nairobi()
	now := time.Now()
	y, m, d := now.In(nairobi).Date()
	dayStart := time.Date(y, m, d, 0, 0, 0, 0, nairobi)
	ptr := func(t time.Time) *time.Time { return &t }
	// Today (Nairobi), earlier this month when there is such a day, last year.
	today := addPayment(t, s, &teacher.ID, "COMPLETED", 350, now.Add(-2*time.Minute), ptr(now.Add(-time.Minute)), "QAB1CD2EF3")
	wantMonth := int64(350)
	if d > 1 {
		addPayment(t, s, &other.ID, "COMPLETED", 1000, dayStart.Add(-2*time.Hour), ptr(dayStart.Add(-time.Hour)), "QZZ9YY8XX7")
		wantMonth += 1000
	}
	addPayment(t, s, &teacher.ID, "COMPLETED", 1000, now.AddDate(-1, 0, -5), ptr(now.AddDate(-1, 0, -5)), "OLD0000001")
	addPayment(t, s, &other.ID, "PENDING", 350, now.Add(-time.Hour), nil, "")
	addPayment(t, s, &other.ID, "FAILED", 350, now.Add(-3*time.Hour), ptr(now.Add(-3*time.Hour)), "")
	addPayment(t, s, nil, "CANCELLED", 1000, now.Add(-4*time.Hour), ptr(now.Add(-4*time.Hour)), "") // payer deleted
	s.waitReplicas(t)

	var stats models.PaymentStats
	expect(t, s.do(t, admin.caller, "GET", "/api/v1/admin/payments/stats", nil), http.StatusOK).decode(t, &stats)
	total := 350 + 1000 + wantMonth - 350
	want := models.PaymentStats{TotalRevenue: total, RevenueToday: 350, RevenueThisMonth: wantMonth, TotalCompleted: 2 + (wantMonth-350)/1000,
		TotalPending: 1, TotalFailed: 1, TotalCancelled: 1}
	if diff := cmp.Diff(want, stats); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}

	list := func(query string) adminPaymentsJSON {
		t.Helper()
		var out adminPaymentsJSON
		expect(t, s.do(t, admin.caller, "GET", "/api/v1/admin/payments"+query, nil), http.StatusOK).decode(t, &out)
		return out
	}
	all := list("")
	if all.Total != int64(len(all.Items)) || all.Page != 1 || all.Limit != 25 {
		t.Errorf("first page: total %d, %d items, page %d, limit %d", all.Total, len(all.Items), all.Page, all.Limit)
	}
	first := all.Items[0]
	if first.ID != today.ID || first.User == nil || first.User.Email != teacher.Email || first.MpesaMetadata["MpesaReceiptNumber"] != "QAB1CD2EF3" || first.Reference != "TERMLY" {
		t.Errorf("newest payment %+v", first)
	}
	if last := all.Items[len(all.Items)-1]; last.Status != "COMPLETED" || last.TransactionCode == nil || *last.TransactionCode != "OLD0000001" {
		t.Errorf("oldest payment %+v", last)
	}
	for _, it := range all.Items {
		if it.Status == "CANCELLED" && it.User != nil {
			t.Errorf("a deleted payer's payment shows user %+v", it.User)
		}
	}

	count := func(query string) int64 { t.Helper(); return list(query).Total }
	monthly := (wantMonth - 350) / 1000 // 1 when this month has a day before today
	for q, want := range map[string]int64{
		"?status=completed":                    2 + monthly,
		"?status=PENDING":                      1,
		"?q=" + url.QueryEscape(teacher.Email): 2,
		"?q=achieng":                           2 + monthly, // the payer's name, any case
		"?q=QAB1CD":                            1,
		"?q=ws_CO_test":                        int64(len(all.Items)),
		"?q=" + today.PhoneNumber[3:]:          1,
		"?q=%25":                               0, // LIKE wildcards are literal
	} {
		if got := count(q); got != want {
			t.Errorf("%s: total %d, want %d", q, got, want)
		}
	}
	lastYear := now.AddDate(-1, 0, -5).In(nairobi).Format(time.DateOnly)
	if got := count("?start_date=" + lastYear + "&end_date=" + lastYear); got != 1 {
		t.Errorf("last year's day: %d", got)
	}
	if got := count("?start_date=" + now.AddDate(0, 0, -1).In(nairobi).Format(time.DateOnly)); got < 4 {
		t.Errorf("since yesterday: %d", got)
	}
	if got := count("?end_date=" + url.QueryEscape(now.AddDate(0, -1, 0).UTC().Format(time.RFC3339))); got != 1 {
		t.Errorf("up to a month ago: %d", got)
	}
	page := list("?limit=2&page=2")
	if len(page.Items) != 2 || page.Items[0].ID != all.Items[2].ID || page.Total != all.Total || page.Limit != 2 || page.Page != 2 {
		t.Errorf("page 2 of 2: %+v", page)
	}
	if got := list("?limit=1000").Limit; got != 100 {
		t.Errorf("limit capped at %d", got)
	}

	for _, tt := range []struct {
		c     caller
		query string
		want  int
	}{
		{admin.caller, "?status=PAID", 422},
		{admin.caller, "?start_date=31/01/2026", 422},
		{admin.caller, "?page=0", 422},
		{teacher.caller, "", 403},
		{anonymous, "", 401},
	} {
		expect(t, s.do(t, tt.c, "GET", "/api/v1/admin/payments"+tt.query, nil), tt.want)
	}
	expect(t, s.do(t, teacher.caller, "GET", "/api/v1/admin/payments/stats", nil), http.StatusForbidden)

	// The list costs the same number of statements for 6 payments as for 36.
	before := s.statements(t)
	list("?limit=100")
	few := s.statements(t) - before
	for range 30 {
		addPayment(t, s, &other.ID, "COMPLETED", 350, now.Add(-5*time.Hour), ptr(now.Add(-5*time.Hour)), "")
	}
	s.waitReplicas(t)
	before = s.statements(t)
	if n := len(list("?limit=100").Items); n != len(all.Items)+30 {
		t.Fatalf("%d items", n)
	}
	if many := s.statements(t) - before; many != few {
		t.Errorf("listing 36 payments took %v statements, 6 took %v", many, few)
	}
	before = s.statements(t)
	expect(t, s.do(t, admin.caller, "GET", "/api/v1/admin/payments/stats", nil), http.StatusOK)
	t.Logf("statements: list %v, stats %v (session check included)", few, s.statements(t)-before)
}
