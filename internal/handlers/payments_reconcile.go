package handlers

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/teachtrack/api/internal/db"
	"github.com/teachtrack/api/internal/models"
	"github.com/teachtrack/api/internal/mpesa"
)

// PaymentReconciler settles, in the background, payments whose result
// callback never reached us (the API was down, or Safaricom gave up) and
// whose page stopped polling: a customer who paid gets their plan anyway.
// It asks Daraja exactly as a poll does and settles through the same locked
// transaction, so it can run beside callbacks, polls and other instances.
type PaymentReconciler struct {
	cluster *db.Cluster
	pay     *paymentsAPI
	// Every is how often it looks; MinAge leaves a payment to its callback
	// first; MaxAge stops asking about payments Daraja no longer knows.
	Every, MinAge, MaxAge time.Duration
}

// NewPaymentReconciler returns a reconciler for the API's deps (nil when
// payments are off).
func NewPaymentReconciler(d Deps) *PaymentReconciler {
	if d.Mpesa == nil {
		return nil
	}
	log := d.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &API{cfg: d.Config, cluster: d.Cluster, log: log, deps: d}
	return &PaymentReconciler{cluster: d.Cluster, pay: newPaymentsAPI(a, nil, d.Mpesa, d.PaymentMails),
		Every: time.Minute, MinAge: 3 * time.Minute, MaxAge: 24 * time.Hour}
}

// Run reconciles every r.Every until ctx ends.
func (r *PaymentReconciler) Run(ctx context.Context) {
	t := time.NewTicker(r.Every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := r.Once(ctx); err != nil && ctx.Err() == nil {
				r.pay.log.Warn("reconciling pending payments", "error", err.Error())
			}
		}
	}
}

// Once asks Daraja about each stale pending payment (at most 50) and
// settles those that have ended; it returns how many it settled.
func (r *PaymentReconciler) Once(ctx context.Context) (int, error) {
	now := time.Now()
	ids, err := models.StalePending(r.cluster.OnPrimary(ctx), now.Add(-r.MaxAge), now.Add(-r.MinAge), 50)
	if err != nil {
		return 0, err
	}
	settled := 0
	for _, id := range ids {
		// No transaction or connection is held while Daraja answers.
		q, err := r.pay.gw.Query(ctx, id)
		if errors.Is(err, mpesa.ErrProcessing) {
			continue
		}
		if err != nil {
			r.pay.log.Warn("stk query failed while reconciling", "checkout_request_id", id, "error", err.Error())
			continue
		}
		s, err := models.SettlePayment(r.cluster.OnPrimary(ctx), id, models.Outcome{ResultCode: q.ResultCode, ResultDesc: q.ResultDesc},
			r.pay.planClock(), r.pay.mail.PaymentConfirmed)
		if err != nil {
			return settled, err
		}
		if s.Now {
			settled++
			r.pay.log.Info("payment settled by reconciliation", "checkout_request_id", id, "status", s.Payment.Status, "granted", s.Granted)
		}
	}
	return settled, nil
}
