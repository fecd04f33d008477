package models

import (
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Payment statuses. Only PENDING ever changes, once.
const (
	PaymentPending   = "PENDING"
	PaymentCompleted = "COMPLETED"
	PaymentFailed    = "FAILED"
	PaymentCancelled = "CANCELLED"
)

// PaymentStatuses are the statuses, in the order the admin filter lists them.
var PaymentStatuses = []string{PaymentPending, PaymentCompleted, PaymentFailed, PaymentCancelled}

// Payment is a row of payments: one STK push and how it ended.
type Payment struct {
	ID                uint64 `gorm:"primaryKey"`
	UserID            *uint64
	Period            Period
	Plan              string
	Amount            int
	Currency          string
	PhoneNumber       string
	CheckoutRequestID string
	MerchantRequestID *string
	Status            string
	ResultCode        *int
	ResultDesc        *string
	TransactionCode   *string
	MpesaMetadata     []byte `gorm:"column:mpesa_metadata"`
	Description       string
	SettledAt         *time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// CreatePayment inserts p as PENDING.
func CreatePayment(db *gorm.DB, p *Payment) error {
	p.Status = PaymentPending
	return translate(db.Create(p).Error)
}

// PushAccepted records the ids Daraja gave payment id's STK push.
func PushAccepted(db *gorm.DB, id uint64, checkoutID, merchantID string) error {
	return translate(db.Model(&Payment{}).Where("id = ? AND status = ?", id, PaymentPending).
		Updates(map[string]any{"checkout_request_id": checkoutID, "merchant_request_id": merchantID}).Error)
}

// PushRefused settles payment id as FAILED: Daraja refused or never answered
// its STK push, so no prompt reached the phone and no money can move.
func PushRefused(db *gorm.DB, id uint64, reason string, now time.Time) error {
	return translate(db.Model(&Payment{}).Where("id = ? AND status = ?", id, PaymentPending).
		Updates(map[string]any{"status": PaymentFailed, "result_desc": truncate(reason, 255), "settled_at": now}).Error)
}

var errNoSuchPayment = Sentence(ErrNotFound, "There is no such payment.")

// PaymentByCheckout returns payment checkoutID; with userID non-zero, only if
// it is that user's (else ErrNotFound: ids reveal nothing).
func PaymentByCheckout(db *gorm.DB, checkoutID string, userID uint64) (*Payment, error) {
	var p Payment
	q := db.Where("checkout_request_id = ?", checkoutID)
	if userID != 0 {
		q = q.Where("user_id = ?", userID)
	}
	if err := translate(q.Take(&p).Error); err != nil {
		return nil, notFound(err, errNoSuchPayment)
	}
	return &p, nil
}

// Outcome is how Daraja says an STK push ended (from an STK query, never
// from a callback alone), with what the callback added when there was one.
type Outcome struct {
	ResultCode int
	ResultDesc string
	Receipt    string // MpesaReceiptNumber
	Metadata   []byte // the callback's items as a JSON object
}

// StatusOf maps a Daraja result code to a payment status.
func StatusOf(resultCode int) string {
	switch resultCode {
	case 0:
		return PaymentCompleted
	case 1032:
		return PaymentCancelled
	}
	return PaymentFailed
}

// Settled is what SettlePayment did.
type Settled struct {
	Payment *Payment
	User    *User // the payer after the grant; nil unless Granted
	// Now is true when this call settled the payment; false when it was
	// already settled (a duplicate callback or poll), which changes nothing.
	Now     bool
	Granted bool
}

// SettlePayment settles payment checkoutID with out, once: under a row lock
// (SELECT … FOR UPDATE) in one transaction, a payment still PENDING takes
// its final status, and a completed one grants its plan to its user and
// calls onGrant in the same transaction (the confirmation mail), so however
// many callbacks and polls arrive at once, exactly one of them grants.
func SettlePayment(db *gorm.DB, checkoutID string, out Outcome, c Clock, onGrant func(tx *gorm.DB, p *Payment, u *User) error) (*Settled, error) {
	res := &Settled{}
	err := db.Transaction(func(tx *gorm.DB) error {
		var p Payment
		if err := translate(tx.Clauses(clause.Locking{Strength: "UPDATE"}).
			Where("checkout_request_id = ?", checkoutID).Take(&p).Error); err != nil {
			return notFound(err, errNoSuchPayment)
		}
		res.Payment = &p
		if p.Status != PaymentPending {
			return nil
		}
		res.Now = true
		p.Status, p.ResultCode, p.SettledAt = StatusOf(out.ResultCode), &out.ResultCode, &c.Now
		desc := truncate(out.ResultDesc, 255)
		p.ResultDesc = &desc
		changes := map[string]any{"status": p.Status, "result_code": out.ResultCode, "result_desc": desc, "settled_at": c.Now}
		if p.Status == PaymentCompleted {
			if out.Receipt != "" {
				receipt := truncate(out.Receipt, 50)
				p.TransactionCode, changes["transaction_code"] = &receipt, receipt
			}
			if len(out.Metadata) > 0 {
				p.MpesaMetadata, changes["mpesa_metadata"] = out.Metadata, string(out.Metadata)
			}
		}
		if err := translate(tx.Model(&Payment{}).Where("id = ?", p.ID).Updates(changes).Error); err != nil {
			return err
		}
		if p.Status != PaymentCompleted || p.UserID == nil {
			return nil // a payer deleted since: the money is recorded, nobody to grant
		}
		u, err := lockUser(tx, *p.UserID, c.Now)
		if err != nil {
			return err
		}
		typ, until, err := extend(tx, u, p.Plan, p.Period, c)
		if err != nil {
			return err
		}
		if err := setSubscription(tx, u, SubscriptionChange{PaymentID: &p.ID, Source: ChangePayment, ToType: typ,
			ToStatus: SubscriptionStatusActive, ToExpiresAt: until}, c.Now); err != nil {
			return err
		}
		res.User, res.Granted = u, true
		if onGrant != nil {
			return onGrant(tx, &p, u)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// PaymentFilter selects payments for the admin list.
type PaymentFilter struct {
	Status   string     // empty: any
	From, To *time.Time // created in [From, To)
	Query    string     // part of the phone, M-Pesa code, checkout id, or payer's email or name
	Page     int        // from 1
	Limit    int
}

// PaymentRow is a payment with its payer, for the admin list.
type PaymentRow struct {
	Payment
	UserEmail    *string
	UserFullName *string
}

func (f PaymentFilter) apply(db *gorm.DB) *gorm.DB {
	q := db.Table("payments AS p").Joins("LEFT JOIN users AS u ON u.id = p.user_id")
	if f.Status != "" {
		q = q.Where("p.status = ?", f.Status)
	}
	if f.From != nil {
		q = q.Where("p.created_at >= ?", *f.From)
	}
	if f.To != nil {
		q = q.Where("p.created_at < ?", *f.To)
	}
	if f.Query != "" {
		like := "%" + escapeLike(f.Query) + "%"
		q = q.Where("(p.phone_number LIKE ? OR p.transaction_code LIKE ? OR p.checkout_request_id LIKE ? OR u.email LIKE ? OR u.full_name LIKE ?)",
			like, like, like, like, like)
	}
	return q
}

// ListPayments returns one page of the payments f selects, newest first, and
// how many it selects in all: two statements whatever the page size.
func ListPayments(db *gorm.DB, f PaymentFilter) ([]PaymentRow, int64, error) {
	var total int64
	if err := translate(f.apply(db).Count(&total).Error); err != nil {
		return nil, 0, err
	}
	rows := []PaymentRow{}
	err := f.apply(db).Select("p.*, u.email AS user_email, u.full_name AS user_full_name").
		Order("p.created_at DESC, p.id DESC").Offset((f.Page - 1) * f.Limit).Limit(f.Limit).Scan(&rows).Error
	if err := translate(err); err != nil {
		return nil, 0, err
	}
	return rows, total, nil
}

// PaymentStats are the admin's revenue figures (whole shillings) and counts.
type PaymentStats struct {
	TotalRevenue     int64 `json:"total_revenue"`
	RevenueToday     int64 `json:"revenue_today"`
	RevenueThisMonth int64 `json:"revenue_this_month"`
	TotalCompleted   int64 `json:"total_completed"`
	TotalPending     int64 `json:"total_pending"`
	TotalFailed      int64 `json:"total_failed"`
	TotalCancelled   int64 `json:"total_cancelled"`
}

// PaymentStatsAt computes the stats in one statement. "Today" and "this
// month" start at dayStart and monthStart (midnights in the school's time
// zone) and count payments by when they were paid.
func PaymentStatsAt(db *gorm.DB, dayStart, monthStart time.Time) (*PaymentStats, error) {
	var s PaymentStats
	err := db.Table("payments").Select(`
		COALESCE(SUM(CASE WHEN status = 'COMPLETED' THEN amount END), 0) AS total_revenue,
		COALESCE(SUM(CASE WHEN status = 'COMPLETED' AND settled_at >= ? THEN amount END), 0) AS revenue_today,
		COALESCE(SUM(CASE WHEN status = 'COMPLETED' AND settled_at >= ? THEN amount END), 0) AS revenue_this_month,
		COUNT(CASE WHEN status = 'COMPLETED' THEN 1 END) AS total_completed,
		COUNT(CASE WHEN status = 'PENDING' THEN 1 END) AS total_pending,
		COUNT(CASE WHEN status = 'FAILED' THEN 1 END) AS total_failed,
		COUNT(CASE WHEN status = 'CANCELLED' THEN 1 END) AS total_cancelled`, dayStart.UTC(), monthStart.UTC()).
		Scan(&s).Error
	return &s, translate(err)
}

// truncate cuts s to at most n characters (not bytes).
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// IsNoSuchPayment reports whether err is "there is no such payment".
func IsNoSuchPayment(err error) bool { return errors.Is(err, errNoSuchPayment) }

// StalePending lists the checkout ids of payments still PENDING that were
// started between notBefore and notAfter, oldest first (at most limit): the
// ones whose callback never came and whose page stopped polling.
func StalePending(db *gorm.DB, notBefore, notAfter time.Time, limit int) ([]string, error) {
	var ids []string
	err := db.Model(&Payment{}).Where("status = ? AND created_at >= ? AND created_at <= ? AND checkout_request_id NOT LIKE 'local-%'",
		PaymentPending, notBefore.UTC(), notAfter.UTC()).Order("created_at").Limit(limit).Pluck("checkout_request_id", &ids).Error
	return ids, translate(err)
}
