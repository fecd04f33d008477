// Package mail sends the API's e-mail: a Sender (SMTP, or the log when no
// SMTP server is configured) and an outbox Worker that delivers queued mail in
// the background, retrying with backoff.
//
// Mail is queued, never sent from a request: a handler inserts the message
// into the outbox table in the same transaction as the change it announces
// (models.EnqueueMail), so it goes out only if that transaction commits, and a
// slow or failing SMTP server never holds a request or a database connection.
// The Worker claims queued rows with a lease, sends them with no transaction
// open, and marks each sent or due again later. Rows survive restarts, and
// several API instances can drain one outbox: a lease keeps a row with one of
// them at a time. After a commit, a handler calls Wake so the mail leaves at
// once rather than at the next poll.
//
// This package knows nothing of the database: the Worker reaches the outbox
// through the Store interface, which internal/models implements.
package mail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Message is one e-mail to one recipient, with a plain-text part and,
// optionally, an HTML alternative.
type Message struct {
	To      string
	Subject string
	Text    string
	HTML    string
}

// Sender delivers a message now. Implementations must be safe for concurrent use.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// SMTP sends through an SMTP server.
type SMTP struct {
	from string
	opts []gomail.Option
	host string
}

// NewSMTP returns a Sender for rawURL, which is smtp://[user:pass@]host[:port]
// (STARTTLS whenever the server offers it; port 587 by default) or
// smtps://[user:pass@]host[:port] (TLS from the first byte; port 465 by
// default). ?starttls=required refuses a server that doesn't offer STARTTLS;
// ?starttls=off never starts TLS (a local relay). from is the From address,
// e.g. "TeachTrack <no-reply@example.com>".
func NewSMTP(rawURL, from string, opts ...SMTPOption) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("not a URL: %v", err)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("has no host (e.g. smtp://user:password@smtp.example.com:587)")
	}
	s := &SMTP{from: from, host: u.Hostname()}
	port := 587
	switch u.Scheme {
	case "smtp":
		policy := gomail.TLSOpportunistic
		switch u.Query().Get("starttls") {
		case "", "opportunistic":
		case "required":
			policy = gomail.TLSMandatory
		case "off":
			policy = gomail.NoTLS
		default:
			return nil, fmt.Errorf("starttls must be opportunistic, required or off, not %q", u.Query().Get("starttls"))
		}
		s.opts = append(s.opts, gomail.WithTLSPolicy(policy))
	case "smtps":
		port = 465
		s.opts = append(s.opts, gomail.WithSSL())
	default:
		return nil, fmt.Errorf("must start with smtp:// or smtps://, not %q", u.Scheme+"://")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("port must be a number from 1 to 65535, not %q", p)
		}
		port = n
	}
	s.opts = append(s.opts, gomail.WithPort(port), gomail.WithTimeout(30*time.Second))
	if u.User != nil && u.User.Username() != "" {
		pass, _ := u.User.Password()
		s.opts = append(s.opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(u.User.Username()), gomail.WithPassword(pass))
	}
	for _, o := range opts {
		s.opts = append(s.opts, gomail.Option(o))
	}
	if _, err := s.build(Message{To: "check@example.com"}); err != nil {
		return nil, err
	}
	return s, nil
}

// SMTPOption adjusts an SMTP sender.
type SMTPOption gomail.Option

// TrustRoots verifies the server's certificate against roots instead of the
// system's (a private relay, or a test server).
func TrustRoots(roots *x509.CertPool, serverName string) SMTPOption {
	return SMTPOption(gomail.WithTLSConfig(&tls.Config{RootCAs: roots, ServerName: serverName, MinVersion: tls.VersionTLS12}))
}

// Send delivers m over a new SMTP connection. Mail is rare (sign-ups, resets,
// invitations), so a connection per message costs nothing worth pooling.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg, err := s.build(m)
	if err != nil {
		return err
	}
	c, err := gomail.NewClient(s.host, s.opts...)
	if err != nil {
		return err
	}
	return c.DialAndSendWithContext(ctx, msg)
}

func (s *SMTP) build(m Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return nil, fmt.Errorf("EMAIL_FROM %q is not an address: %v", s.from, err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("recipient %q is not an address: %v", m.To, err)
	}
	msg.Subject(m.Subject)
	msg.SetMessageID()
	msg.SetDate()
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// Log "sends" mail by writing it to the log: local development without an
// SMTP server still shows every link a user would receive.
type Log struct {
	log *slog.Logger
}

// NewLog returns a Sender that writes messages to log at level INFO.
func NewLog(log *slog.Logger) *Log { return &Log{log: log} }

// Send logs m's recipient, subject and plain text.
func (l *Log) Send(ctx context.Context, m Message) error {
	l.log.InfoContext(ctx, "mail (SMTP_URL not set, so logged instead of sent)",
		"to", m.To, "subject", m.Subject, "text", strings.TrimSpace(m.Text))
	return nil
}

// NewSender returns the SMTP sender for smtpURL, or the log sender when
// smtpURL is empty (local development).
func NewSender(smtpURL, from string, log *slog.Logger) (Sender, error) {
	if smtpURL == "" {
		return NewLog(log), nil
	}
	return NewSMTP(smtpURL, from)
}
