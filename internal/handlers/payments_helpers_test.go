package handlers_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/teachtrack/api/internal/handlers"
	"github.com/teachtrack/api/internal/models"
	"github.com/teachtrack/api/internal/mpesa"
	"github.com/teachtrack/api/internal/mpesa/mpesatest"
)

// The payment tests run the real API against mpesatest, a local server that
// speaks Daraja's documented OAuth, STK push, STK query and result-callback
// messages and stands in for Safaricom, which can't be reached from the
// machines the tests run on. The stand-in calls the API's callback URL back
// over HTTP, as Safaricom does.

const callbackToken = "cb-0123456789abcdef0123456789abcdef0123456789"

// countingMailer records the payment-confirmation mails the API sends.
type countingMailer struct {
	mu    sync.Mutex
	sent  []uint64 // payment ids
	users []uint64
}

func (m *countingMailer) PaymentConfirmed(_ *gorm.DB, p *models.Payment, u *models.User) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, p.ID)
	m.users = append(m.users, u.ID)
	return nil
}

func (m *countingMailer) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.sent)
}

// payServer is the API with M-Pesa pointed at a Daraja stand-in.
type payServer struct {
	*testServer
	daraja *mpesatest.Server
	mail   *countingMailer
}

// newPayServer starts the stand-in and the API; timeout bounds each Daraja
// request (0: 5 s).
func newPayServer(t *testing.T, timeout time.Duration, env ...string) *payServer {
	t.Helper()
	d := mpesatest.New(t)
	mail := &countingMailer{}
	log := slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	s := newServerWith(t, log, func(deps *handlers.Deps, url string) {
		cfg := d.Config(url+"/api/v1/payments/callback", callbackToken)
		if timeout > 0 {
			cfg.Timeout = timeout
		}
		deps.Mpesa = mpesa.New(cfg)
		deps.PaymentMails = mail
	}, append([]string{"MPESA_CALLBACK_TOKEN", callbackToken}, env...)...)
	return &payServer{testServer: s, daraja: d, mail: mail}
}

type pushJSON struct {
	CheckoutRequestID string `json:"checkout_request_id"`
	Amount            int    `json:"amount"`
	Plan              string `json:"plan"`
}

// push starts a payment for plan as c and returns its checkout id.
func (s *payServer) push(t *testing.T, c caller, plan string) string {
	t.Helper()
	var res pushJSON
	expect(t, s.do(t, c, "POST", "/api/v1/payments/stk-push", map[string]any{"phone_number": "0712 345 678", "plan": plan}), http.StatusOK).decode(t, &res)
	if res.CheckoutRequestID == "" {
		t.Fatal("no checkout_request_id")
	}
	return res.CheckoutRequestID
}

type statusJSON struct {
	Status                string     `json:"status"`
	TransactionCode       *string    `json:"transaction_code"`
	Amount                int        `json:"amount"`
	SubscriptionType      string     `json:"subscription_type"`
	SubscriptionExpiresAt *time.Time `json:"subscription_expires_at"`
}

// status polls payment id as c, as the pricing page does.
func (s *payServer) status(t *testing.T, c caller, id string) statusJSON {
	t.Helper()
	var st statusJSON
	expect(t, s.do(t, c, "GET", "/api/v1/payments/status/"+id, nil), http.StatusOK).decode(t, &st)
	return st
}

// callBack has the stand-in post push id's result callback to the API, and
// checks Safaricom gets the acknowledgement it expects.
func (s *payServer) callBack(t *testing.T, id string) {
	t.Helper()
	code, body, err := s.daraja.CallBack(context.Background(), id)
	if err != nil || code != http.StatusOK || string(body) != `{"ResultCode":0,"ResultDesc":"Accepted"}`+"\n" {
		t.Fatalf("callback: %d %s %v", code, body, err)
	}
	s.waitReplicas(t)
}

// postCallback posts body to the callback URL with token, as anyone could.
func (s *payServer) postCallback(t *testing.T, token string, body []byte) *response {
	t.Helper()
	return s.do(t, anonymous, "POST", "/api/v1/payments/callback/"+token, rawBody{"application/json", string(body)})
}

type meJSON struct {
	SubscriptionType      string     `json:"subscription_type"`
	SubscriptionExpiresAt *time.Time `json:"subscription_expires_at"`
}

func (s *payServer) me(t *testing.T, c caller) meJSON {
	t.Helper()
	var m meJSON
	expect(t, s.do(t, c, "GET", "/api/v1/auth/me", nil), http.StatusOK).decode(t, &m)
	return m
}

// changes counts user id's recorded plan changes.
func (s *payServer) changes(t *testing.T, userID uint64) []models.SubscriptionChange {
	t.Helper()
	ch, err := models.SubscriptionChanges(s.primary(t), userID)
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

func (s *payServer) payment(t *testing.T, id string) *models.Payment {
	t.Helper()
	p, err := models.PaymentByCheckout(s.primary(t), id, 0)
	if err != nil {
		t.Fatalf("payment %s: %v", id, err)
	}
	return p
}

// near fails unless got is within a minute of want.
func near(t *testing.T, what string, got *time.Time, want time.Time) {
	t.Helper()
	if got == nil || got.Sub(want).Abs() > time.Minute {
		t.Errorf("%s = %v, want about %v", what, got, want)
	}
}

func (s *payServer) countRows(t *testing.T, table string) int64 {
	t.Helper()
	var n int64
	if err := s.primary(t).Table(table).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func ptrString(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%q", *p)
}
