package mail_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/teachtrack/api/internal/db"
	"github.com/teachtrack/api/internal/dbtest"
	"github.com/teachtrack/api/internal/mail"
	"github.com/teachtrack/api/internal/mail/mailtest"
	"github.com/teachtrack/api/internal/models"
)

var links = mail.Links{FrontendURL: "https://teachtrack.example/"}

func TestSMTPDeliversTextAndHTML(t *testing.T) {
	srv := mailtest.Start(t)
	s, err := mail.NewSMTP(srv.URL, "TeachTrack <no-reply@teachtrack.example>", mail.TrustRoots(srv.RootCAs, "127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	m := mail.VerifyEmail(links, "ann@example.com", `Ann <b>"O'Neil"</b>`, "tok_EN-123")
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatalf("send: %v", err)
	}
	got := srv.WaitFor(t, "ann@example.com", "Confirm your e-mail")
	if got.From != "no-reply@teachtrack.example" {
		t.Errorf("envelope from %q", got.From)
	}
	u := got.Link(t, "/verify-email")
	if u.Host != "teachtrack.example" || u.Query().Get("token") != "tok_EN-123" {
		t.Errorf("link %s", u)
	}
	// The name a user typed is escaped in HTML, never markup.
	if strings.Contains(got.HTML, "<b>") || !strings.Contains(got.HTML, "&lt;b&gt;") {
		t.Errorf("HTML part not escaped:\n%s", got.HTML)
	}
	if !strings.Contains(got.Text, `Hello Ann <b>"O'Neil"</b>,`) {
		t.Errorf("text part:\n%s", got.Text)
	}
}

func TestSMTPRefusesWrongPassword(t *testing.T) {
	srv := mailtest.Start(t)
	s, err := mail.NewSMTP(strings.Replace(srv.URL, "mail-pass", "wrong", 1), "no-reply@teachtrack.example", mail.TrustRoots(srv.RootCAs, "127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), mail.Message{To: "a@example.com", Subject: "x", Text: "y"}); err == nil {
		t.Fatal("sent with a wrong password")
	}
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("%d messages delivered", n)
	}
}

// Without STARTTLS (the server's certificate untrusted), no password is sent.
func TestSMTPNeverSendsThePasswordInClear(t *testing.T) {
	srv := mailtest.Start(t)
	s, err := mail.NewSMTP(srv.URL+"?starttls=off", "no-reply@teachtrack.example")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), mail.Message{To: "a@example.com", Subject: "x", Text: "y"}); err == nil {
		t.Fatal("authenticated without TLS")
	}
	s, _ = mail.NewSMTP(srv.URL, "no-reply@teachtrack.example") // system roots: the test certificate is untrusted
	if err := s.Send(context.Background(), mail.Message{To: "a@example.com", Subject: "x", Text: "y"}); err == nil {
		t.Fatal("sent to a server whose certificate is untrusted")
	}
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("%d messages delivered", n)
	}
}

func TestNewSMTPRejectsBadURLs(t *testing.T) {
	for _, raw := range []string{"http://x", "smtp://", "smtp://h:99999", "smtp://h?starttls=maybe", "::"} {
		if _, err := mail.NewSMTP(raw, "a@example.com"); err == nil {
			t.Errorf("%q accepted", raw)
		}
	}
	if _, err := mail.NewSMTP("smtp://h", "not an address"); err == nil {
		t.Error("a From that is no address was accepted")
	}
	for _, raw := range []string{"smtp://u:p@h:25?starttls=off", "smtps://h", "smtp://h:587?starttls=required"} {
		if _, err := mail.NewSMTP(raw, "a@example.com"); err != nil {
			t.Errorf("%q: %v", raw, err)
		}
	}
}

func TestLogSenderWritesTheLink(t *testing.T) {
	var buf bytes.Buffer
	s, err := mail.NewSender("", "a@example.com", slog.New(slog.NewTextHandler(&buf, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), mail.ResetPassword(links, "bob@example.com", "Bob", "abc")); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "https://teachtrack.example/reset-password?token=abc") {
		t.Fatalf("log lacks the link: %s", buf.String())
	}
}

// outbox opens the real outbox of a fresh database.
func outbox(t *testing.T) (*models.MailOutbox, *gorm.DB) {
	t.Helper()
	d := dbtest.New(t)
	cfg, err := d.Config()
	if err != nil {
		t.Fatal(err)
	}
	cluster, err := db.Open(context.Background(), db.OptionsFromConfig(cfg, slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cluster.Close() })
	return models.NewMailOutbox(cluster.OnPrimary), cluster.OnPrimary(context.Background())
}

func run(t *testing.T, w *mail.Worker) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

// Mail queued in a transaction leaves only if it commits, and a delivery the
// server refuses is retried until it goes through.
func TestWorkerSendsCommittedMailAndRetries(t *testing.T) {
	store, gdb := outbox(t)
	srv := mailtest.Start(t)
	srv.FailNext(2)
	sender, err := mail.NewSMTP(srv.URL, "no-reply@teachtrack.example", mail.TrustRoots(srv.RootCAs, "127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	w := mail.NewWorker(store, sender, nil)
	w.Interval, w.Backoff = 50*time.Millisecond, 50*time.Millisecond
	run(t, w)

	if err := gdb.Transaction(func(tx *gorm.DB) error {
		if err := models.EnqueueMail(tx, mail.Message{To: "rolled@example.com", Subject: "never", Text: "x"}); err != nil {
			t.Fatal(err)
		}
		return context.Canceled // roll back
	}); err == nil {
		t.Fatal("expected the rollback")
	}
	if err := gdb.Transaction(func(tx *gorm.DB) error {
		return models.EnqueueMail(tx, mail.ResetPassword(links, "carol@example.com", "Carol", "t0k"))
	}); err != nil {
		t.Fatal(err)
	}
	w.Wake()
	got := srv.WaitFor(t, "carol@example.com", "Reset your TeachTrack password")
	if got.Link(t, "/reset-password").Query().Get("token") != "t0k" {
		t.Fatalf("link in %s", got.Text)
	}
	var row models.OutboxMail
	deadline := time.Now().Add(10 * time.Second)
	for {
		if err := gdb.Take(&row, "to_address = ?", "carol@example.com").Error; err != nil {
			t.Fatal(err)
		}
		if row.State == "SENT" || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if row.State != "SENT" || row.Attempts != 3 || row.BodyText != "" || row.BodyHTML != nil || row.SentAt == nil {
		t.Fatalf("row after delivery: state %s, attempts %d, text %q, html set %v", row.State, row.Attempts, row.BodyText, row.BodyHTML != nil)
	}
	var n int64
	gdb.Model(&models.OutboxMail{}).Where("to_address = ?", "rolled@example.com").Count(&n)
	if n != 0 || srv.Count("rolled@example.com") != 0 {
		t.Fatalf("rolled-back mail: %d rows, %d delivered", n, srv.Count("rolled@example.com"))
	}
}

// A message that keeps failing is given up after MaxAttempts, its bodies blanked.
func TestWorkerGivesUp(t *testing.T) {
	store, gdb := outbox(t)
	srv := mailtest.Start(t)
	srv.FailNext(100)
	sender, _ := mail.NewSMTP(srv.URL, "no-reply@teachtrack.example", mail.TrustRoots(srv.RootCAs, "127.0.0.1"))
	w := mail.NewWorker(store, sender, nil)
	w.Interval, w.Backoff, w.MaxAttempts = 20*time.Millisecond, 10*time.Millisecond, 3
	if err := models.EnqueueMail(gdb, mail.Message{To: "dave@example.com", Subject: "s", Text: "secret link", HTML: "<p>secret</p>"}); err != nil {
		t.Fatal(err)
	}
	run(t, w)
	var row models.OutboxMail
	deadline := time.Now().Add(10 * time.Second)
	for row.State != "FAILED" && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		if err := gdb.Take(&row, "to_address = ?", "dave@example.com").Error; err != nil {
			t.Fatal(err)
		}
	}
	if row.State != "FAILED" || row.Attempts != 3 || row.BodyText != "" || row.LastError == nil {
		t.Fatalf("state %s attempts %d text %q", row.State, row.Attempts, row.BodyText)
	}
}

// Several workers on one outbox (several API instances) send each message once.
func TestWorkersShareTheOutbox(t *testing.T) {
	store, gdb := outbox(t)
	srv := mailtest.Start(t)
	const total = 40
	for i := range total {
		if err := models.EnqueueMail(gdb, mail.Message{To: "many@example.com", Subject: "n" + string(rune('A'+i%26)), Text: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	sender, _ := mail.NewSMTP(srv.URL, "no-reply@teachtrack.example", mail.TrustRoots(srv.RootCAs, "127.0.0.1"))
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(context.Background())
	for range 3 {
		w := mail.NewWorker(store, sender, nil)
		w.Interval = 10 * time.Millisecond
		wg.Add(1)
		go func() { defer wg.Done(); w.Run(ctx) }()
	}
	deadline := time.Now().Add(20 * time.Second)
	for srv.Count("many@example.com") < total && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // room for a duplicate to show up
	cancel()
	wg.Wait()
	if n := srv.Count("many@example.com"); n != total {
		t.Fatalf("%d deliveries of %d messages", n, total)
	}
}
