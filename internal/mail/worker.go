package mail

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// Queued is a message claimed from the outbox.
type Queued struct {
	ID uint64
	Message
	// Attempts counts delivery attempts, this one included.
	Attempts int
}

// Store is the outbox as the Worker needs it; internal/models implements it
// on the email_outbox table.
type Store interface {
	// Claim leases up to limit due messages to this worker until now+lease
	// (counting the attempt), so no other worker sends them meanwhile.
	Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Queued, error)
	// Sent records that message id was delivered.
	Sent(ctx context.Context, id uint64, now time.Time) error
	// Retry records a failed attempt: the message is due again at retryAt, or
	// given up for good when retryAt is zero.
	Retry(ctx context.Context, id uint64, retryAt time.Time, reason string) error
}

// Worker delivers the outbox's messages in the background.
type Worker struct {
	store  Store
	sender Sender
	log    *slog.Logger
	wake   chan struct{}

	// Interval is how often the outbox is polled when nobody calls Wake.
	Interval time.Duration
	// MaxAttempts is how many times a message is tried before it is given up.
	MaxAttempts int
	// Lease is how long a claimed message stays with this worker: longer than
	// one SMTP exchange, so a worker that died mid-send frees it later.
	Lease time.Duration
	// Backoff is the wait after the first failure; it doubles each attempt,
	// up to an hour.
	Backoff time.Duration
}

// NewWorker returns a worker with the default timings (poll every 5 s,
// 8 attempts over about 4 hours).
func NewWorker(store Store, sender Sender, log *slog.Logger) *Worker {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Worker{
		store: store, sender: sender, log: log, wake: make(chan struct{}, 1),
		Interval: 5 * time.Second, MaxAttempts: 8, Lease: 2 * time.Minute, Backoff: 30 * time.Second,
	}
}

// Wake makes the worker look at the outbox now (after a transaction that
// queued mail has committed). It never blocks.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run delivers mail until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	t := time.NewTicker(w.Interval)
	defer t.Stop()
	for {
		for w.drainOnce(ctx) {
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-w.wake:
		}
	}
}

const claimBatch = 10

// drainOnce sends one batch; it reports whether a full batch was claimed,
// so that Run goes on at once.
func (w *Worker) drainOnce(ctx context.Context) bool {
	if ctx.Err() != nil {
		return false
	}
	batch, err := w.store.Claim(ctx, time.Now().UTC(), w.Lease, claimBatch)
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			w.log.Warn("mail outbox: claiming failed; will retry", "error", err.Error())
		}
		return false
	}
	for _, q := range batch {
		w.deliver(ctx, q)
	}
	return len(batch) == claimBatch
}

func (w *Worker) deliver(ctx context.Context, q Queued) {
	sctx, cancel := context.WithTimeout(ctx, w.Lease/2)
	err := w.sender.Send(sctx, q.Message)
	cancel()
	now := time.Now().UTC()
	// Recording the outcome must not be lost to a shutdown that just began.
	rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer rcancel()
	if err == nil {
		if err := w.store.Sent(rctx, q.ID, now); err != nil {
			// The lease expires and the message goes again: a rare duplicate
			// beats a lost password-reset mail.
			w.log.Warn("mail outbox: recording a delivery failed", "id", q.ID, "error", err.Error())
		}
		return
	}
	var retryAt time.Time
	if q.Attempts < w.MaxAttempts {
		d := w.Backoff << min(q.Attempts-1, 20)
		retryAt = now.Add(min(d, time.Hour))
	}
	level := slog.LevelWarn
	if retryAt.IsZero() {
		level = slog.LevelError
	}
	w.log.Log(ctx, level, "mail delivery failed", "id", q.ID, "attempt", q.Attempts,
		"gave_up", retryAt.IsZero(), "error", err.Error())
	if err := w.store.Retry(rctx, q.ID, retryAt, truncate(err.Error(), 1000)); err != nil {
		w.log.Warn("mail outbox: recording a failure failed", "id", q.ID, "error", err.Error())
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
