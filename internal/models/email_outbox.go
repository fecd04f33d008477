package models

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"gorm.io/gorm"

	"github.com/teachtrack/api/internal/mail"
)

// OutboxMail is a row of email_outbox.
type OutboxMail struct {
	ID            uint64 `gorm:"primaryKey"`
	ToAddress     string
	Subject       string
	BodyText      string
	BodyHTML      *string `gorm:"column:body_html"`
	State         string
	Attempts      int
	NextAttemptAt time.Time
	LeaseToken    *string
	LastError     *string
	CreatedAt     time.Time
	SentAt        *time.Time
}

// TableName is email_outbox.
func (OutboxMail) TableName() string { return "email_outbox" }

// EnqueueMail queues m for delivery. Call it inside the transaction that
// makes the change the mail announces: the mail then goes out only if that
// transaction commits. Wake the mail worker after the commit (Deps.Mail.Wake)
// so it leaves at once.
func EnqueueMail(tx *gorm.DB, m mail.Message) error {
	row := &OutboxMail{ToAddress: m.To, Subject: m.Subject, BodyText: m.Text, State: "PENDING",
		NextAttemptAt: time.Now().UTC()}
	if m.HTML != "" {
		row.BodyHTML = &m.HTML
	}
	return translate(tx.Create(row).Error)
}

// MailOutbox is the outbox as the mail worker reads it (mail.Store), on the
// primary.
type MailOutbox struct {
	db func(ctx context.Context) *gorm.DB
}

// NewMailOutbox returns the outbox store; primary gives a *gorm.DB on the
// primary for ctx (db.Cluster.OnPrimary).
func NewMailOutbox(primary func(ctx context.Context) *gorm.DB) *MailOutbox {
	return &MailOutbox{db: primary}
}

// Claim leases up to limit due messages: it moves their next attempt one
// lease ahead under a fresh token, so a second worker skips them and a worker
// that dies mid-send frees them when the lease runs out. An idle poll is one
// indexed SELECT.
func (o *MailOutbox) Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]mail.Queued, error) {
	db := o.db(ctx)
	var due int64
	if err := db.Model(&OutboxMail{}).Where("state = 'PENDING' AND next_attempt_at <= ?", now).Limit(1).Count(&due).Error; err != nil {
		return nil, translate(err)
	}
	if due == 0 {
		return nil, nil
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	token := hex.EncodeToString(b[:])
	err := db.Exec("UPDATE email_outbox SET lease_token = ?, next_attempt_at = ?, attempts = attempts + 1 "+
		"WHERE state = 'PENDING' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?",
		token, now.Add(lease), now, limit).Error
	if err != nil {
		return nil, translate(err)
	}
	var rows []OutboxMail
	if err := db.Where("lease_token = ? AND state = 'PENDING'", token).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]mail.Queued, len(rows))
	for i, r := range rows {
		out[i] = mail.Queued{ID: r.ID, Attempts: r.Attempts, Message: mail.Message{To: r.ToAddress, Subject: r.Subject, Text: r.BodyText}}
		if r.BodyHTML != nil {
			out[i].HTML = *r.BodyHTML
		}
	}
	return out, nil
}

// Sent marks message id delivered and blanks its bodies.
func (o *MailOutbox) Sent(ctx context.Context, id uint64, now time.Time) error {
	return translate(o.db(ctx).Model(&OutboxMail{}).Where("id = ?", id).Updates(map[string]any{
		"state": "SENT", "sent_at": now, "lease_token": nil, "body_text": "", "body_html": nil,
	}).Error)
}

// Retry makes message id due again at retryAt, or gives it up (and blanks its
// bodies) when retryAt is zero.
func (o *MailOutbox) Retry(ctx context.Context, id uint64, retryAt time.Time, reason string) error {
	changes := map[string]any{"lease_token": nil, "last_error": reason}
	if retryAt.IsZero() {
		changes["state"], changes["body_text"], changes["body_html"] = "FAILED", "", nil
	} else {
		changes["next_attempt_at"] = retryAt
	}
	return translate(o.db(ctx).Model(&OutboxMail{}).Where("id = ?", id).Updates(changes).Error)
}
