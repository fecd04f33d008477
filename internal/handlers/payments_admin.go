package handlers

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/teachtrack/api/internal/models"
)

// Paging of GET /admin/payments (the page asks for 25, the dashboard 5).
const (
	defaultPaymentsPerPage = 25
	maxPaymentsPerPage     = 100
)

type paymentUserJSON struct {
	ID       uint64  `json:"id"`
	Email    string  `json:"email"`
	FullName *string `json:"full_name"`
}

type adminPaymentJSON struct {
	ID                uint64           `json:"id"`
	Amount            int              `json:"amount"`
	Currency          string           `json:"currency"`
	PhoneNumber       string           `json:"phone_number"`
	TransactionCode   *string          `json:"transaction_code"`
	CheckoutRequestID string           `json:"checkout_request_id"`
	MerchantRequestID *string          `json:"merchant_request_id"`
	Status            string           `json:"status"`
	Description       string           `json:"description"`
	Reference         models.Period    `json:"reference"` // the period bought, as the original named it
	Plan              string           `json:"plan"`
	ResultDesc        *string          `json:"result_desc"`
	MpesaMetadata     json.RawMessage  `json:"mpesa_metadata"`
	CreatedAt         time.Time        `json:"created_at"`
	SettledAt         *time.Time       `json:"settled_at"`
	User              *paymentUserJSON `json:"user"` // null once the payer's account is deleted
}

func toAdminPaymentJSON(p *models.PaymentRow) adminPaymentJSON {
	out := adminPaymentJSON{ID: p.ID, Amount: p.Amount, Currency: p.Currency, PhoneNumber: p.PhoneNumber, TransactionCode: p.TransactionCode,
		CheckoutRequestID: p.CheckoutRequestID, MerchantRequestID: p.MerchantRequestID, Status: p.Status, Description: p.Description,
		Reference: p.Period, Plan: p.Plan, ResultDesc: p.ResultDesc, MpesaMetadata: json.RawMessage("null"),
		CreatedAt: p.CreatedAt.UTC(), SettledAt: utcPtr(p.SettledAt)}
	if len(p.MpesaMetadata) > 0 && json.Valid(p.MpesaMetadata) {
		out.MpesaMetadata = p.MpesaMetadata
	}
	if p.UserID != nil && p.UserEmail != nil {
		out.User = &paymentUserJSON{ID: *p.UserID, Email: *p.UserEmail, FullName: p.UserFullName}
	}
	return out
}

// handleAdminPayments serves GET /admin/payments?page&limit&status&q&start_date&end_date.
func (pa *paymentsAPI) handleAdminPayments(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := models.PaymentFilter{Status: strings.ToUpper(strings.TrimSpace(q.Get("status"))), Query: strings.TrimSpace(q.Get("q"))}
	var err error
	if f.Status != "" && !slices.Contains(models.PaymentStatuses, f.Status) {
		err = models.Invalid("status", "must be one of "+strings.Join(models.PaymentStatuses, ", "))
	}
	if err == nil {
		f.Page, err = queryInt(r, "page", 1)
	}
	if err == nil {
		f.Limit, err = queryInt(r, "limit", defaultPaymentsPerPage)
	}
	if err == nil {
		f.From, err = pa.queryDate(r, "start_date", false)
	}
	if err == nil {
		f.To, err = pa.queryDate(r, "end_date", true)
	}
	if err != nil {
		pa.fail(w, r, err)
		return
	}
	f.Limit = min(f.Limit, maxPaymentsPerPage)
	rows, total, err := models.ListPayments(reqDB(r), f)
	if err != nil {
		pa.fail(w, r, err)
		return
	}
	items := make([]adminPaymentJSON, len(rows))
	for i := range rows {
		items[i] = toAdminPaymentJSON(&rows[i])
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "page": f.Page, "limit": f.Limit, "total": total})
}

// queryDate reads a date filter: YYYY-MM-DD, a day in the school's time zone
// (end dates include their whole day), or an RFC 3339 instant.
func (a *API) queryDate(r *http.Request, name string, end bool) (*time.Time, error) {
	v := strings.TrimSpace(r.URL.Query().Get(name))
	if v == "" {
		return nil, nil
	}
	if d, err := time.ParseInLocation(time.DateOnly, v, a.schoolZone()); err == nil {
		if end {
			d = d.AddDate(0, 0, 1)
		}
		return &d, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return nil, models.Invalid(name, "must be a date such as 2026-01-31 or a time such as 2026-01-31T08:00:00Z")
	}
	if end {
		// An instant end is inclusive too.
		t = t.Add(time.Microsecond)
	}
	return &t, nil
}

// handleAdminPaymentStats serves GET /admin/payments/stats: revenue of all
// time, of today and of this month, in the school's time zone.
func (pa *paymentsAPI) handleAdminPaymentStats(w http.ResponseWriter, r *http.Request) {
	now := time.Now().In(pa.schoolZone())
	y, m, d := now.Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, now.Location())
	month := time.Date(y, m, 1, 0, 0, 0, 0, now.Location())
	s, err := models.PaymentStatsAt(reqDB(r), day, month)
	if err != nil {
		pa.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s)
}
