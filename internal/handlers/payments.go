package handlers

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"gorm.io/gorm"

	"github.com/teachtrack/api/internal/auth"
	"github.com/teachtrack/api/internal/db"
	"github.com/teachtrack/api/internal/models"
	"github.com/teachtrack/api/internal/mpesa"
)

// PaymentGateway is M-Pesa as the payment handlers use it (*mpesa.Client).
type PaymentGateway interface {
	STKPush(ctx context.Context, req mpesa.PushRequest) (mpesa.PushResult, error)
	Query(ctx context.Context, checkoutID string) (mpesa.QueryResult, error)
}

// PaymentMailer sends the payment-confirmation mail. It is called inside the
// transaction that grants the plan, once per payment, so an outbox that
// writes its message with tx sends exactly one mail per payment.
type PaymentMailer interface {
	PaymentConfirmed(tx *gorm.DB, p *models.Payment, u *models.User) error
}

// logMailer is the PaymentMailer until one is configured: it logs the mail.
type logMailer struct{ log *slog.Logger }

func (m logMailer) PaymentConfirmed(_ *gorm.DB, p *models.Payment, u *models.User) error {
	m.log.Info("payment confirmation mail (no mailer configured)", "to", u.Email, "payment_id", p.ID, "plan", u.SubscriptionType)
	return nil
}

// paymentsAPI serves pricing, M-Pesa payments and plan changes. Nothing a
// client sends decides an amount or marks a payment paid: amounts come from
// plan_prices, and a payment is settled only on Daraja's answer to an STK
// query, under a row lock, once.
type paymentsAPI struct {
	*API
	dec  *decoder
	gw   PaymentGateway // nil: payments are off (503)
	mail PaymentMailer
}

func newPaymentsAPI(a *API, dec *decoder, gw PaymentGateway, mail PaymentMailer) *paymentsAPI {
	if mail == nil {
		mail = logMailer{a.log}
	}
	return &paymentsAPI{API: a, dec: dec, gw: gw, mail: mail}
}

func (pa *paymentsAPI) fail(w http.ResponseWriter, r *http.Request, err error) {
	pa.writeError(w, r, db.Translate(err))
}

// schoolZone is the time zone of school days and of the admin's "today"
// (APP_TIMEZONE).
func (a *API) schoolZone() *time.Location {
	if a.cfg != nil && a.cfg.TimeZone != nil {
		return a.cfg.TimeZone
	}
	return mpesa.Nairobi()
}

// planClock is what a plan change needs to know about time: now, the school
// time zone and the term calendar.
func (a *API) planClock() models.Clock {
	return models.Clock{Now: time.Now().UTC(), Loc: a.schoolZone(), TermEnd: models.CalendarTermEnd}
}

// --- Pricing -------------------------------------------------------------

type planPriceJSON struct {
	Label         string `json:"label" validate:"required,max=80"`
	PriceKES      int    `json:"price_kes" validate:"gte=1,lte=250000"`
	DurationLabel string `json:"duration_label" validate:"required,max=20"`
}

type pricingJSON struct {
	Currency string        `json:"currency" validate:"omitempty,oneof=KES"`
	Termly   planPriceJSON `json:"termly" validate:"required"`
	Yearly   planPriceJSON `json:"yearly" validate:"required"`
}

func toPricingJSON(p *models.Pricing) pricingJSON {
	conv := func(pp models.PlanPrice) planPriceJSON {
		return planPriceJSON{Label: pp.Label, PriceKES: pp.PriceKES, DurationLabel: pp.DurationLabel}
	}
	return pricingJSON{Currency: p.Currency, Termly: conv(p.Termly), Yearly: conv(p.Yearly)}
}

// handlePricingGet serves GET /pricing-config (public) and the super admin's
// GET /admin/pricing-config: the same object, which the admin page sends
// back changed.
func (pa *paymentsAPI) handlePricingGet(w http.ResponseWriter, r *http.Request) {
	p, err := models.Prices(reqDB(r))
	if err != nil {
		pa.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toPricingJSON(p))
}

func (pa *paymentsAPI) handlePricingPut(w http.ResponseWriter, r *http.Request) {
	var req pricingJSON
	if err := pa.dec.decode(w, r, &req); err != nil {
		pa.fail(w, r, err)
		return
	}
	change := func(p planPriceJSON) models.PriceChange {
		return models.PriceChange{Label: strings.TrimSpace(p.Label), PriceKES: p.PriceKES, DurationLabel: strings.TrimSpace(p.DurationLabel)}
	}
	p, err := models.SetPrices(reqDB(r), "KES", change(req.Termly), change(req.Yearly), principalFrom(r.Context()).UserID)
	if err != nil {
		pa.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toPricingJSON(p))
}

// --- STK push ------------------------------------------------------------

type stkPushRequest struct {
	PhoneNumber string `json:"phone_number" validate:"required,max=30"`
	// Amount is what the page showed; the server charges its own price and
	// refuses a different amount rather than charging what the user didn't see.
	Amount *float64      `json:"amount"`
	Plan   models.Period `json:"plan" validate:"required,oneof=TERMLY YEARLY"`
}

type stkPushResponse struct {
	CheckoutRequestID   string `json:"checkout_request_id"`
	MerchantRequestID   string `json:"merchant_request_id"`
	ResponseCode        string `json:"response_code"`
	ResponseDescription string `json:"response_description"`
	CustomerMessage     string `json:"customer_message"`
	Amount              int    `json:"amount"`
	Plan                string `json:"plan"`
}

var errPaymentsOff = errorf(http.StatusServiceUnavailable,
	"M-Pesa payments are not available on this server yet. Please try again later or contact support.")

func (pa *paymentsAPI) handleSTKPush(w http.ResponseWriter, r *http.Request) {
	var req stkPushRequest
	if err := pa.dec.decode(w, r, &req); err != nil {
		pa.fail(w, r, err)
		return
	}
	if pa.gw == nil {
		pa.fail(w, r, errPaymentsOff)
		return
	}
	phone, err := mpesa.NormalizePhone(req.PhoneNumber)
	if err != nil {
		pa.fail(w, r, models.Invalid("phone_number", "must be a Safaricom number such as 0712345678 or 254712345678"))
		return
	}
	prices, err := models.Prices(reqDB(r))
	if err != nil {
		pa.fail(w, r, err)
		return
	}
	price := prices.For(req.Plan)
	if req.Amount != nil && *req.Amount != float64(price.PriceKES) {
		pa.fail(w, r, models.Sentence(models.ErrConflict, fmt.Sprintf(
			"The %s costs %s %d, not %s %s: reload the pricing page and try again.",
			price.Label, prices.Currency, price.PriceKES, prices.Currency, formatAmount(*req.Amount))))
		return
	}
	p := principalFrom(r.Context())
	if err := canBuy(p.User, price.Plan, time.Now()); err != nil {
		pa.fail(w, r, err)
		return
	}

	// The row exists before any prompt reaches the phone, so no money can
	// move without a payment to settle; its checkout id comes from Daraja.
	placeholder, err := auth.RandomToken(16)
	if err != nil {
		pa.fail(w, r, err)
		return
	}
	pay := &models.Payment{UserID: &p.UserID, Period: req.Plan, Plan: price.Plan, Amount: price.PriceKES,
		Currency: prices.Currency, PhoneNumber: phone, CheckoutRequestID: "local-" + placeholder,
		Description: fmt.Sprintf("%s (%s)", price.Label, req.Plan)}
	if err := models.CreatePayment(reqDB(r), pay); err != nil {
		pa.fail(w, r, err)
		return
	}
	// No transaction or connection is held while Daraja answers.
	res, err := pa.gw.STKPush(r.Context(), mpesa.PushRequest{Phone: phone, Amount: price.PriceKES,
		AccountReference: "TeachTrack", Description: pushDescription(req.Plan)})
	// Re-bound: DB_WRITE_TIMEOUT counts from here, not from before the push.
	pa.rebind(r)
	tx := reqDB(r)
	if err != nil {
		pa.log.Warn("stk push refused", "request_id", RequestID(r.Context()), "payment_id", pay.ID, "error", err.Error())
		if err2 := models.PushRefused(tx, pay.ID, "STK push not accepted: "+err.Error(), time.Now().UTC()); err2 != nil {
			pa.log.Error("recording a refused stk push", "payment_id", pay.ID, "error", err2.Error())
		}
		pa.fail(w, r, pushError(err))
		return
	}
	if err := models.PushAccepted(tx, pay.ID, res.CheckoutRequestID, res.MerchantRequestID); err != nil {
		// The prompt is on the phone but the id is not stored: a callback for
		// it will be logged as unknown with this id, for reconciliation.
		pa.log.Error("storing an accepted stk push", "payment_id", pay.ID, "checkout_request_id", res.CheckoutRequestID, "error", err.Error())
		pa.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, stkPushResponse{CheckoutRequestID: res.CheckoutRequestID, MerchantRequestID: res.MerchantRequestID,
		ResponseCode: res.ResponseCode, ResponseDescription: res.ResponseDescription, CustomerMessage: res.CustomerMessage,
		Amount: price.PriceKES, Plan: price.Plan})
}

// canBuy refuses a payment that would buy nothing: a school-sponsored user,
// or a lesser plan than one still running.
func canBuy(u *models.User, plan string, now time.Time) error {
	switch {
	case u.SubscriptionType == models.SubscriptionSchoolSponsored:
		return models.Sentence(models.ErrConflict, "Your school pays for your plan, so there is nothing to buy.")
	case u.SubscriptionType == "INDIVIDUAL_PREMIUM" && plan == "INDIVIDUAL_BASIC":
		until := "it ends"
		if u.SubscriptionExpiresAt != nil {
			until = u.SubscriptionExpiresAt.In(mpesa.Nairobi()).Format("2 January 2006")
		}
		return models.Sentence(models.ErrConflict, "Your Yearly plan already includes everything in the Termly plan, until "+until+".")
	}
	return nil
}

// pushDescription is TransactionDesc (Daraja takes at most 13 characters).
func pushDescription(p models.Period) string {
	if p == models.PeriodYearly {
		return "Yearly plan"
	}
	return "Termly plan"
}

func formatAmount(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return fmt.Sprintf("%.0f", f)
	}
	return fmt.Sprintf("%.2f", f)
}

// pushError is the sentence for an STK push Daraja refused or never answered.
func pushError(err error) error {
	var apiErr *mpesa.APIError
	switch {
	case errors.As(err, &apiErr) && apiErr.HTTPStatus < 500:
		return errorf(http.StatusBadGateway, "M-Pesa did not accept the payment request. Check the phone number and try again.")
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return errorf(http.StatusGatewayTimeout, "M-Pesa did not answer in time. No payment was started; please try again.")
	}
	return errorf(http.StatusBadGateway, "M-Pesa could not start the payment just now. No money was taken; please try again in a minute.")
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// --- Status and settlement ---------------------------------------------------

type paymentStatusJSON struct {
	CheckoutRequestID     string     `json:"checkout_request_id"`
	Status                string     `json:"status"`
	TransactionCode       *string    `json:"transaction_code"`
	Amount                int        `json:"amount"`
	Plan                  string     `json:"plan"`
	ResultDesc            *string    `json:"result_desc"`
	Date                  time.Time  `json:"date"`
	SubscriptionType      *string    `json:"subscription_type,omitempty"`
	SubscriptionExpiresAt *time.Time `json:"subscription_expires_at,omitempty"`
}

// handleStatus serves GET /payments/status/{checkout_request_id}, the page's
// poll. A pending payment is settled here too when Daraja's STK query says
// it has ended (the callback may never reach us), so the GET writes (asWrite).
func (pa *paymentsAPI) handleStatus(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "checkout_request_id")
	p := principalFrom(r.Context())
	pay, err := models.PaymentByCheckout(reqDB(r), id, p.UserID)
	if err != nil {
		pa.fail(w, r, err)
		return
	}
	out := paymentStatusJSON{CheckoutRequestID: pay.CheckoutRequestID, Status: pay.Status, TransactionCode: pay.TransactionCode,
		Amount: pay.Amount, Plan: pay.Plan, ResultDesc: pay.ResultDesc, Date: pay.UpdatedAt.UTC()}
	if pay.Status == models.PaymentPending && pa.gw != nil && !strings.HasPrefix(pay.CheckoutRequestID, "local-") {
		if s, ok := pa.confirm(r, pay.CheckoutRequestID, models.Outcome{}); ok {
			pay = s.Payment
			out.Status, out.TransactionCode, out.ResultDesc, out.Date = pay.Status, pay.TransactionCode, pay.ResultDesc, time.Now().UTC()
		}
	}
	if pay.Status == models.PaymentCompleted {
		if u, err := models.UserByID(reqDB(r), p.UserID); err == nil {
			u.ApplyExpiry(time.Now())
			out.SubscriptionType, out.SubscriptionExpiresAt = &u.SubscriptionType, utcPtr(u.SubscriptionExpiresAt)
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, out)
}

// confirm asks Daraja how checkoutID ended and settles the payment with that
// answer (plus what a callback added). ok is false while it is still
// pending: Daraja is still waiting for the customer, or did not answer.
func (pa *paymentsAPI) confirm(r *http.Request, checkoutID string, extra models.Outcome) (*models.Settled, bool) {
	// The query runs with no transaction or connection held.
	q, err := pa.gw.Query(r.Context(), checkoutID)
	if err != nil {
		if !errors.Is(err, mpesa.ErrProcessing) {
			pa.log.Warn("stk query failed; the payment stays pending", "request_id", RequestID(r.Context()),
				"checkout_request_id", checkoutID, "error", err.Error())
		}
		return nil, false
	}
	out := models.Outcome{ResultCode: q.ResultCode, ResultDesc: q.ResultDesc}
	if q.ResultCode == mpesa.ResultSuccess {
		out.Receipt, out.Metadata = extra.Receipt, extra.Metadata
	}
	// Re-bound: DB_WRITE_TIMEOUT counts from here, not from before the query.
	pa.rebind(r)
	s, err := models.SettlePayment(reqDB(r), checkoutID, out, pa.planClock(), pa.mail.PaymentConfirmed)
	if err != nil {
		pa.log.Error("settling a payment", "request_id", RequestID(r.Context()), "checkout_request_id", checkoutID, "error", err.Error())
		return nil, false
	}
	if s.Now {
		pa.log.Info("payment settled", "checkout_request_id", checkoutID, "status", s.Payment.Status, "granted", s.Granted)
	}
	return s, true
}

// --- Safaricom's callback ------------------------------------------------------

// callbackAck is what Safaricom expects back from a result callback. It gets
// it for every well-formed callback, even one we ignore, so it doesn't retry.
var callbackAck = map[string]any{"ResultCode": 0, "ResultDesc": "Accepted"}

type stkCallback struct {
	Body struct {
		STKCallback struct {
			MerchantRequestID string          `json:"MerchantRequestID"`
			CheckoutRequestID string          `json:"CheckoutRequestID"`
			ResultCode        json.Number     `json:"ResultCode"`
			ResultDesc        string          `json:"ResultDesc"`
			CallbackMetadata  json.RawMessage `json:"CallbackMetadata"`
		} `json:"stkCallback"`
	} `json:"Body"`
}

// handleCallback serves POST /payments/callback/{token}, Safaricom's result
// callback. The path's secret token is the first check (anything else: 404,
// as for a path that doesn't exist). The callback's own claims are never
// trusted: it only prompts an STK query, whose answer settles the payment.
func (pa *paymentsAPI) handleCallback(w http.ResponseWriter, r *http.Request) {
	token := chi.URLParam(r, "token")
	want := pa.cfg.Mpesa.CallbackToken
	if pa.gw == nil || want == "" || subtle.ConstantTimeCompare([]byte(token), []byte(want)) != 1 {
		pa.fail(w, r, errorf(http.StatusNotFound, "There is no such endpoint: check the path."))
		return
	}
	var cb stkCallback
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	if err := dec.Decode(&cb); err != nil || cb.Body.STKCallback.CheckoutRequestID == "" {
		pa.fail(w, r, errorf(http.StatusBadRequest, "The body is not an M-Pesa STK callback (Body.stkCallback.CheckoutRequestID is missing)."))
		return
	}
	c := cb.Body.STKCallback
	pay, err := models.PaymentByCheckout(reqDB(r), c.CheckoutRequestID, 0)
	switch {
	case models.IsNoSuchPayment(err):
		pa.log.Warn("mpesa callback for an unknown checkout id: ignored", "checkout_request_id", c.CheckoutRequestID, "result_code", c.ResultCode.String())
		writeJSON(w, http.StatusOK, callbackAck)
		return
	case err != nil:
		pa.fail(w, r, err) // a 5xx: Safaricom retries later
		return
	case pay.Status != models.PaymentPending:
		writeJSON(w, http.StatusOK, callbackAck)
		return
	}
	receipt, meta := callbackMetadata(c.CallbackMetadata)
	pa.confirm(r, c.CheckoutRequestID, models.Outcome{Receipt: receipt, Metadata: meta})
	writeJSON(w, http.StatusOK, callbackAck)
}

// callbackMetadata turns CallbackMetadata.Item [{Name, Value}] into a JSON
// object and picks out the M-Pesa receipt number.
func callbackMetadata(raw json.RawMessage) (string, []byte) {
	var m struct {
		Item []struct {
			Name  string `json:"Name"`
			Value any    `json:"Value"`
		} `json:"Item"`
	}
	if len(raw) == 0 || json.Unmarshal(raw, &m) != nil || len(m.Item) == 0 {
		return "", nil
	}
	obj := make(map[string]any, len(m.Item))
	receipt := ""
	for _, it := range m.Item {
		obj[it.Name] = it.Value
		if s, ok := it.Value.(string); ok && it.Name == "MpesaReceiptNumber" {
			receipt = s
		}
	}
	data, err := json.Marshal(obj)
	if err != nil {
		return receipt, nil
	}
	return receipt, data
}

// --- Plan changes ----------------------------------------------------------

func (pa *paymentsAPI) handleDowngrade(w http.ResponseWriter, r *http.Request) {
	var req struct{}
	if err := pa.dec.decodeOptional(w, r, &req); err != nil {
		pa.fail(w, r, err)
		return
	}
	if _, err := models.Downgrade(reqDB(r), principalFrom(r.Context()).UserID, time.Now().UTC()); err != nil {
		pa.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "success", "message": "Subscription downgraded to Free"})
}

// handleAdminUpgrade serves PUT /admin/users/{id}/upgrade: the super admin's
// "Upgrade this user to Premium?" — a year of premium, recorded as theirs.
func (pa *paymentsAPI) handleAdminUpgrade(w http.ResponseWriter, r *http.Request) {
	var req struct{}
	if err := pa.dec.decodeOptional(w, r, &req); err != nil {
		pa.fail(w, r, err)
		return
	}
	id, err := pathID(r)
	if err != nil {
		pa.fail(w, r, err)
		return
	}
	u, err := models.AdminUpgrade(reqDB(r), id, principalFrom(r.Context()).UserID, pa.planClock())
	if err != nil {
		pa.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toUserJSON(u))
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
