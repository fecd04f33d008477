package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/teachtrack/api/internal/handlers"
	"github.com/teachtrack/api/internal/models"
	"github.com/teachtrack/api/internal/mpesa"
	"github.com/teachtrack/api/internal/mpesa/mpesatest"
)

// TestPaymentsNotConfigured: without MPESA_* the pricing page loads, paying
// answers 503 with a sentence, and there is no callback to forge.
func TestPaymentsNotConfigured(t *testing.T) {
	s := newTestServer(t)
	teacher := createUser(t, s, models.RoleTeacher, nil)
	var p struct {
		Currency string `json:"currency"`
		Termly   struct {
			Label    string `json:"label"`
			PriceKES int    `json:"price_kes"`
		} `json:"termly"`
		Yearly struct {
			PriceKES int `json:"price_kes"`
		} `json:"yearly"`
	}
	expect(t, s.do(t, anonymous, "GET", "/api/v1/pricing-config", nil), http.StatusOK).decode(t, &p)
	if p.Currency != "KES" || p.Termly.Label != "Termly Pass" || p.Termly.PriceKES != 350 || p.Yearly.PriceKES != 1000 {
		t.Errorf("default pricing %+v", p)
	}
	var pr problem
	expect(t, s.do(t, teacher.caller, "POST", "/api/v1/payments/stk-push", map[string]any{"phone_number": "0712345678", "amount": 350, "plan": "TERMLY"}),
		http.StatusServiceUnavailable).decode(t, &pr)
	if !strings.Contains(pr.Detail, "M-Pesa payments are not available") {
		t.Errorf("503 detail %q", pr.Detail)
	}
	expect(t, s.do(t, anonymous, "POST", "/api/v1/payments/callback/"+callbackToken, rawBody{"application/json", string(mpesatest.CallbackBody("m", "ws_CO_1", 0, "ok"))}), http.StatusNotFound)
	if n := (&payServer{testServer: s}).countRows(t, "payments"); n != 0 {
		t.Errorf("%d payments written", n)
	}
}

// TestPaymentSuccess: the whole flow, as the pricing page and Safaricom drive it.
func TestPaymentSuccess(t *testing.T) {
	s := newPayServer(t, 0)
	teacher := createUser(t, s.testServer, models.RoleTeacher, nil)

	var res pushJSON
	expect(t, s.do(t, teacher.caller, "POST", "/api/v1/payments/stk-push", map[string]any{"phone_number": "+254 712 345 678", "amount": 350, "plan": "TERMLY"}),
		http.StatusOK).decode(t, &res)
	pushes := s.daraja.Pushes()
	if len(pushes) != 1 {
		t.Fatalf("%d pushes", len(pushes))
	}
	got := pushes[0]
	if got.Amount != 350 || got.PhoneNumber != "254712345678" || got.CheckoutRequestID != res.CheckoutRequestID ||
		!strings.HasSuffix(got.CallBackURL, "/api/v1/payments/callback/"+callbackToken) || got.AccountReference != "TeachTrack" {
		t.Errorf("push %+v", got)
	}

	// While the customer hasn't answered, the poll says PENDING (Daraja: "being processed").
	if st := s.status(t, teacher.caller, res.CheckoutRequestID); st.Status != "PENDING" || st.Amount != 350 {
		t.Errorf("status before paying %+v", st)
	}
	if me := s.me(t, teacher.caller); me.SubscriptionType != "FREE" {
		t.Errorf("plan before paying %q", me.SubscriptionType)
	}

	s.daraja.Finish(res.CheckoutRequestID, 0, "The service request is processed successfully.")
	s.callBack(t, res.CheckoutRequestID)
	queries := s.daraja.Count("query")

	st := s.status(t, teacher.caller, res.CheckoutRequestID)
	if st.Status != "COMPLETED" || st.TransactionCode == nil || !strings.HasPrefix(*st.TransactionCode, "TST") || st.SubscriptionType != "INDIVIDUAL_BASIC" {
		t.Errorf("status after the callback %+v (code %s)", st, ptrString(st.TransactionCode))
	}
	if n := s.daraja.Count("query"); n != queries {
		t.Errorf("a settled payment was queried again (%d → %d queries)", queries, n)
	}
	// No calendar is wired in yet: a Termly plan runs four months.
	me := s.me(t, teacher.caller)
	if me.SubscriptionType != "INDIVIDUAL_BASIC" {
		t.Errorf("plan after paying %q", me.SubscriptionType)
	}
	near(t, "expiry", me.SubscriptionExpiresAt, time.Now().AddDate(0, 4, 0))

	p := s.payment(t, res.CheckoutRequestID)
	if p.Status != "COMPLETED" || p.SettledAt == nil || !strings.Contains(string(p.MpesaMetadata), `"MpesaReceiptNumber"`) {
		t.Errorf("payment row %+v, metadata %s", p, p.MpesaMetadata)
	}
	ch := s.changes(t, teacher.ID)
	if len(ch) != 1 || ch[0].Source != models.ChangePayment || ch[0].PaymentID == nil || *ch[0].PaymentID != p.ID || ch[0].ActorID != nil || ch[0].ToType != "INDIVIDUAL_BASIC" {
		t.Errorf("changes %+v", ch)
	}
	if n := s.mail.count(); n != 1 {
		t.Errorf("%d confirmation mails, want 1", n)
	}

	// Safaricom retries its callback: acknowledged, nothing changes.
	s.callBack(t, res.CheckoutRequestID)
	if n, ch := s.mail.count(), s.changes(t, teacher.ID); n != 1 || len(ch) != 1 {
		t.Errorf("after a repeated callback: %d mails, %d changes", n, len(ch))
	}
	if me2 := s.me(t, teacher.caller); !me2.SubscriptionExpiresAt.Equal(*me.SubscriptionExpiresAt) {
		t.Errorf("a repeated callback moved the expiry %v → %v", me.SubscriptionExpiresAt, me2.SubscriptionExpiresAt)
	}
}

// TestPaymentSettledByPoll: the callback never arrives (Safaricom couldn't
// reach us); the page's poll asks Daraja and settles the payment, and the
// user's very next read sees the new plan (the GET was a write).
func TestPaymentSettledByPoll(t *testing.T) {
	s := newPayServer(t, 0)
	teacher := createUser(t, s.testServer, models.RoleTeacher, nil)
	id := s.push(t, teacher.caller, "YEARLY")
	s.daraja.Finish(id, 0, "The service request is processed successfully.")
	if st := s.status(t, teacher.caller, id); st.Status != "COMPLETED" || st.Amount != 1000 || st.TransactionCode != nil {
		t.Errorf("status %+v", st)
	}
	// No waiting for replicas: read-your-writes must hold after the poll.
	code, body, err := s.send(teacher.caller, "GET", "/api/v1/auth/me", nil)
	if err != nil || code != 200 || !strings.Contains(string(body), `"subscription_type":"INDIVIDUAL_PREMIUM"`) {
		t.Errorf("/auth/me right after the poll: %d %s %v", code, body, err)
	}
	near(t, "yearly expiry", s.me(t, teacher.caller).SubscriptionExpiresAt, time.Now().AddDate(1, 0, 0))
	if n := s.mail.count(); n != 1 {
		t.Errorf("%d mails", n)
	}
}

// TestPaymentNotPaid: cancelled by the user (1032), timed out (1037) and
// insufficient funds (1) end the payment without a plan or a mail.
func TestPaymentNotPaid(t *testing.T) {
	s := newPayServer(t, 0)
	for _, tt := range []struct {
		code       int
		desc, want string
		byCallback bool
	}{
		{1032, "Request cancelled by user", "CANCELLED", true},
		{1037, "DS timeout user cannot be reached", "FAILED", true},
		{1, "The balance is insufficient for the transaction.", "FAILED", false},
	} {
		t.Run(tt.want+fmt.Sprint(tt.code), func(t *testing.T) {
			teacher := createUser(t, s.testServer, models.RoleTeacher, nil)
			id := s.push(t, teacher.caller, "TERMLY")
			s.daraja.Finish(id, tt.code, tt.desc)
			if tt.byCallback {
				s.callBack(t, id)
			}
			var st struct {
				Status     string  `json:"status"`
				ResultDesc *string `json:"result_desc"`
			}
			expect(t, s.do(t, teacher.caller, "GET", "/api/v1/payments/status/"+id, nil), http.StatusOK).decode(t, &st)
			if st.Status != tt.want || st.ResultDesc == nil || *st.ResultDesc != tt.desc {
				t.Errorf("status %+v, want %s", st, tt.want)
			}
			if me := s.me(t, teacher.caller); me.SubscriptionType != "FREE" || me.SubscriptionExpiresAt != nil {
				t.Errorf("plan %+v", me)
			}
			if ch := s.changes(t, teacher.ID); len(ch) != 0 {
				t.Errorf("changes %+v", ch)
			}
		})
	}
	if n := s.mail.count(); n != 0 {
		t.Errorf("%d mails for payments that weren't paid", n)
	}
}

// TestPaymentDarajaDown: a Daraja that doesn't answer in time (or refuses)
// starts nothing: 504/502 with a sentence, and the payment row is FAILED.
func TestPaymentDarajaDown(t *testing.T) {
	s := newPayServer(t, 300*time.Millisecond)
	teacher := createUser(t, s.testServer, models.RoleTeacher, nil)
	s.daraja.PushDelay = 2 * time.Second
	var pr problem
	expect(t, s.do(t, teacher.caller, "POST", "/api/v1/payments/stk-push", map[string]any{"phone_number": "0712345678", "plan": "TERMLY"}),
		http.StatusGatewayTimeout).decode(t, &pr)
	if !strings.Contains(pr.Detail, "did not answer in time") {
		t.Errorf("detail %q", pr.Detail)
	}
	var rows []models.Payment
	if err := s.primary(t).Find(&rows).Error; err != nil || len(rows) != 1 || rows[0].Status != "FAILED" || rows[0].SettledAt == nil {
		t.Fatalf("payments %+v %v", rows, err)
	}
	// A number Daraja refuses (the stand-in checks what Daraja checks).
	s.daraja.PushDelay = 0
	if code, body, _ := s.send(teacher.caller, "POST", "/api/v1/payments/stk-push", map[string]any{"phone_number": "0712345678", "plan": "TERMLY"}); code != 200 {
		t.Errorf("push once Daraja is back: %d %s", code, body)
	}
}

// TestPaymentConcurrentSettlement: callbacks and polls for one payment,
// twice and at once: exactly one grant, one change, one mail.
func TestPaymentConcurrentSettlement(t *testing.T) {
	s := newPayServer(t, 0)
	teacher := createUser(t, s.testServer, models.RoleTeacher, nil)
	id := s.push(t, teacher.caller, "TERMLY")
	s.daraja.Finish(id, 0, "The service request is processed successfully.")

	var wg sync.WaitGroup
	errs := make(chan string, 40)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				code, body, err := s.daraja.CallBack(context.Background(), id)
				if err != nil || code != 200 || !strings.Contains(string(body), `"ResultDesc":"Accepted"`) {
					errs <- fmt.Sprintf("callback: %d %s %v", code, body, err)
				}
				return
			}
			code, body, err := s.send(teacher.caller, "GET", "/api/v1/payments/status/"+id, nil)
			if err != nil || code != 200 || !strings.Contains(string(body), `"status":"COMPLETED"`) {
				errs <- fmt.Sprintf("poll: %d %s %v", code, body, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	s.waitReplicas(t)
	if n, ch := s.mail.count(), s.changes(t, teacher.ID); n != 1 || len(ch) != 1 {
		t.Errorf("%d mails and %d plan changes for one payment, want 1 and 1", n, len(ch))
	}
	near(t, "expiry (granted once, not extended per callback)", s.me(t, teacher.caller).SubscriptionExpiresAt, time.Now().AddDate(0, 4, 0))
}

// TestPaymentForgedCallbacks: nothing but Daraja's own answer grants a plan.
func TestPaymentForgedCallbacks(t *testing.T) {
	s := newPayServer(t, 0)
	teacher := createUser(t, s.testServer, models.RoleTeacher, nil)
	pending := s.push(t, teacher.caller, "TERMLY")
	forged := mpesatest.CallbackBody("29115-1-1", pending, 0, "The service request is processed successfully.",
		mpesatest.Item{Name: "Amount", Value: 350}, mpesatest.Item{Name: "MpesaReceiptNumber", Value: "FORGED0001"})

	// The wrong path token: 404, as for a path that doesn't exist.
	for _, tok := range []string{"wrong", callbackToken[:len(callbackToken)-1], callbackToken + "x", strings.ToUpper(callbackToken)} {
		expect(t, s.postCallback(t, tok, forged), http.StatusNotFound)
	}
	expect(t, s.do(t, anonymous, "POST", "/api/v1/payments/callback", rawBody{"application/json", string(forged)}), http.StatusNotFound)

	// The right token, but the customer hasn't paid: Daraja's query says so,
	// and the callback's claim of success changes nothing.
	res := expect(t, s.postCallback(t, callbackToken, forged), http.StatusOK)
	if !strings.Contains(string(res.Body), `"ResultCode":0`) {
		t.Errorf("ack %s", res.Body)
	}
	if p := s.payment(t, pending); p.Status != "PENDING" || p.TransactionCode != nil {
		t.Errorf("a forged success moved the payment: %+v", p)
	}

	// Cancelled on the phone, but a callback claims success: CANCELLED.
	s.daraja.Finish(pending, 1032, "Request cancelled by user")
	expect(t, s.postCallback(t, callbackToken, forged), http.StatusOK)
	if p := s.payment(t, pending); p.Status != "CANCELLED" || p.TransactionCode != nil {
		t.Errorf("payment %+v", p)
	}

	// An unknown checkout id: acknowledged, nothing written.
	before := s.countRows(t, "payments")
	expect(t, s.postCallback(t, callbackToken, mpesatest.CallbackBody("x", "ws_CO_000000000000000000", 0, "ok")), http.StatusOK)

	// A settled payment: a later callback saying otherwise changes nothing.
	paid := s.push(t, teacher.caller, "TERMLY")
	s.daraja.Finish(paid, 0, "The service request is processed successfully.")
	s.callBack(t, paid)
	expect(t, s.postCallback(t, callbackToken, mpesatest.CallbackBody("x", paid, 1032, "Request cancelled by user")), http.StatusOK)
	expect(t, s.postCallback(t, callbackToken, mpesatest.CallbackBody("x", pending, 0, "ok")), http.StatusOK)
	if p := s.payment(t, paid); p.Status != "COMPLETED" {
		t.Errorf("settled payment became %s", p.Status)
	}
	if p := s.payment(t, pending); p.Status != "CANCELLED" {
		t.Errorf("cancelled payment became %s", p.Status)
	}
	if n := s.countRows(t, "payments"); n != before+1 {
		t.Errorf("%d payments, want %d", n, before+1)
	}
	if ch := s.changes(t, teacher.ID); len(ch) != 1 || s.mail.count() != 1 {
		t.Errorf("%d changes and %d mails, want the paid payment's only", len(ch), s.mail.count())
	}

	// Malformed: 400, and Safaricom never sends one.
	expect(t, s.postCallback(t, callbackToken, []byte(`{"Body":{}}`)), http.StatusBadRequest)
	expect(t, s.postCallback(t, callbackToken, []byte(`not json`)), http.StatusBadRequest)
}

// TestPaymentTampering: the amount and the plan are the server's.
func TestPaymentTampering(t *testing.T) {
	s := newPayServer(t, 0)
	teacher := createUser(t, s.testServer, models.RoleTeacher, nil)
	other := createUser(t, s.testServer, models.RoleTeacher, nil)
	tests := []struct {
		name   string
		body   map[string]any
		want   int
		detail string
	}{
		{"amount lowered", map[string]any{"phone_number": "0712345678", "amount": 1, "plan": "TERMLY"}, 409, "costs KES 350, not KES 1"},
		{"yearly at the termly price", map[string]any{"phone_number": "0712345678", "amount": 350, "plan": "YEARLY"}, 409, "costs KES 1000"},
		{"fractional amount", map[string]any{"phone_number": "0712345678", "amount": 349.5, "plan": "TERMLY"}, 409, "not KES 349.50"},
		{"negative amount", map[string]any{"phone_number": "0712345678", "amount": -350, "plan": "TERMLY"}, 409, ""},
		{"amount as text", map[string]any{"phone_number": "0712345678", "amount": "350", "plan": "TERMLY"}, 400, "amount"},
		{"unknown plan", map[string]any{"phone_number": "0712345678", "plan": "LIFETIME"}, 422, "plan"},
		{"plan named as a subscription", map[string]any{"phone_number": "0712345678", "plan": "INDIVIDUAL_PREMIUM"}, 422, "plan"},
		{"not a Safaricom number", map[string]any{"phone_number": "0812345678", "plan": "TERMLY"}, 422, "phone_number"},
		{"extra field", map[string]any{"phone_number": "0712345678", "plan": "TERMLY", "user_id": other.ID}, 400, "user_id"},
		{"no phone", map[string]any{"plan": "TERMLY"}, 422, "phone_number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var pr problem
			expect(t, s.do(t, teacher.caller, "POST", "/api/v1/payments/stk-push", tt.body), tt.want).decode(t, &pr)
			if !strings.Contains(pr.Detail, tt.detail) {
				t.Errorf("detail %q, want %q", pr.Detail, tt.detail)
			}
		})
	}
	if n := s.daraja.Count("push"); n != 0 {
		t.Errorf("%d STK pushes sent for refused requests", n)
	}
	if n := s.countRows(t, "payments"); n != 0 {
		t.Errorf("%d payments written for refused requests", n)
	}
	expect(t, s.do(t, anonymous, "POST", "/api/v1/payments/stk-push", map[string]any{"phone_number": "0712345678", "plan": "TERMLY"}), http.StatusUnauthorized)

	// The price an admin sets is the price charged.
	admin := createUser(t, s.testServer, models.RoleSuperAdmin, nil)
	expect(t, s.do(t, admin.caller, "PUT", "/api/v1/admin/pricing-config", map[string]any{"currency": "KES",
		"termly": map[string]any{"label": "Termly Pass", "price_kes": 420, "duration_label": "/term"},
		"yearly": map[string]any{"label": "Yearly Saver", "price_kes": 1200, "duration_label": "/year"}}), http.StatusOK)
	expect(t, s.do(t, teacher.caller, "POST", "/api/v1/payments/stk-push", map[string]any{"phone_number": "0712345678", "amount": 350, "plan": "TERMLY"}), http.StatusConflict)
	s.push(t, teacher.caller, "TERMLY")
	if p := s.daraja.Pushes(); len(p) != 1 || p[0].Amount != 420 {
		t.Errorf("pushes %+v, want one of KES 420", p)
	}

	// Someone else's checkout id is 404, like one that doesn't exist.
	id := s.daraja.Pushes()[0].CheckoutRequestID
	expect(t, s.do(t, other.caller, "GET", "/api/v1/payments/status/"+id, nil), http.StatusNotFound)
	expect(t, s.do(t, teacher.caller, "GET", "/api/v1/payments/status/ws_CO_nope", nil), http.StatusNotFound)
	expect(t, s.do(t, anonymous, "GET", "/api/v1/payments/status/"+id, nil), http.StatusUnauthorized)
}

// TestPaymentReconciler: the customer paid, but the callback never came and
// the page was closed: the background reconciler settles it, once.
func TestPaymentReconciler(t *testing.T) {
	s := newPayServer(t, 0)
	teacher := createUser(t, s.testServer, models.RoleTeacher, nil)
	paid := s.push(t, teacher.caller, "TERMLY")
	waiting := s.push(t, teacher.caller, "TERMLY")
	s.daraja.Finish(paid, 0, "The service request is processed successfully.")

	cfg, err := s.DB.Config()
	if err != nil {
		t.Fatal(err)
	}
	rec := handlers.NewPaymentReconciler(handlers.Deps{Config: cfg, Cluster: s.Cluster, Mpesa: mpesa.New(s.daraja.Config("http://127.0.0.1:1/cb", callbackToken)), PaymentMails: s.mail})
	rec.MinAge = 0
	for i, want := range []int{1, 0} { // the second run finds nothing left to settle
		n, err := rec.Once(context.Background())
		if err != nil || n != want {
			t.Fatalf("run %d: settled %d, %v; want %d", i+1, n, err, want)
		}
	}
	if p := s.payment(t, paid); p.Status != "COMPLETED" {
		t.Errorf("paid payment %s", p.Status)
	}
	if p := s.payment(t, waiting); p.Status != "PENDING" {
		t.Errorf("unanswered payment %s", p.Status)
	}
	if n := s.mail.count(); n != 1 {
		t.Errorf("%d mails", n)
	}
	s.waitReplicas(t)
	if me := s.me(t, teacher.caller); me.SubscriptionType != "INDIVIDUAL_BASIC" {
		t.Errorf("plan %s", me.SubscriptionType)
	}
	if handlers.NewPaymentReconciler(handlers.Deps{Cluster: s.Cluster}) != nil {
		t.Error("a reconciler without M-Pesa")
	}
}
