// Package mailtest runs an SMTP server on 127.0.0.1 for tests: a real server
// speaking the protocol (github.com/emersion/go-smtp), with AUTH PLAIN, that
// keeps what it receives so a test can read a delivered message and follow
// its link. It stands in for a mail provider, which can't run here.
package mailtest

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Message is a delivered message, parsed.
type Message struct {
	From, To, Subject string
	Text, HTML        string
	Raw               []byte
}

// Server is the test SMTP server.
type Server struct {
	// URL is the SMTP_URL that reaches it, credentials included.
	URL string
	// RootCAs trusts the certificate it offers with STARTTLS.
	RootCAs *x509.CertPool

	failNext int // deliveries still to refuse with 451

	mu       sync.Mutex
	messages []Message
	changed  chan struct{}
}

// Start runs a server on a free port of 127.0.0.1 until the test ends. It
// requires the user "mailer" with password "mail-pass".
func Start(t *testing.T) *Server {
	t.Helper()
	s := &Server{changed: make(chan struct{})}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	srv.Domain = "localhost"
	cert, pool, err := selfSigned()
	if err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	// STARTTLS as real providers offer it: the client authenticates only
	// once the connection is encrypted.
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	s.RootCAs = pool
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	s.URL = "smtp://mailer:mail-pass@" + ln.Addr().String()
	return s
}

// FailNext makes the next n deliveries fail with a temporary error.
func (s *Server) FailNext(n int) {
	s.mu.Lock()
	s.failNext = n
	s.mu.Unlock()
}

// Messages returns every message delivered so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// WaitFor returns the first message to `to` whose subject contains subject,
// waiting up to 20 s for it.
func (s *Server) WaitFor(t *testing.T, to, subject string) Message {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		s.mu.Lock()
		for _, m := range s.messages {
			if strings.EqualFold(m.To, to) && strings.Contains(m.Subject, subject) {
				s.mu.Unlock()
				return m
			}
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("mailtest: no message to %s about %q within 20 s; have %d others", to, subject, len(s.Messages()))
		}
	}
}

// Count returns how many messages went to `to`.
func (s *Server) Count(to string) int {
	n := 0
	for _, m := range s.Messages() {
		if strings.EqualFold(m.To, to) {
			n++
		}
	}
	return n
}

var linkRE = regexp.MustCompile(`https?://[^\s"<>]+`)

// Link returns the first address in m's plain text whose path is path, and
// checks that the HTML part carries the same link.
func (m Message) Link(t *testing.T, path string) *url.URL {
	t.Helper()
	for _, raw := range linkRE.FindAllString(m.Text, -1) {
		u, err := url.Parse(raw)
		if err == nil && u.Path == path {
			if !strings.Contains(m.HTML, strings.ReplaceAll(raw, "&", "&amp;")) {
				t.Fatalf("the HTML part lacks the link %s:\n%s", raw, m.HTML)
			}
			return u
		}
	}
	t.Fatalf("no %s link in the message:\n%s", path, m.Text)
	return nil
}

func (s *Server) deliver(from string, to []string, raw []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failNext > 0 {
		s.failNext--
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later (test)"}
	}
	parsed, err := parse(raw)
	if err != nil {
		return &smtp.SMTPError{Code: 554, Message: "unparseable message: " + err.Error()}
	}
	for _, rcpt := range to {
		m := parsed
		m.From, m.To = from, rcpt
		s.messages = append(s.messages, m)
	}
	close(s.changed)
	s.changed = make(chan struct{})
	return nil
}

// parse reads the subject and the text and HTML parts of a MIME message.
func parse(raw []byte) (Message, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Message{}, err
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return Message{}, err
	}
	out := Message{Subject: subject, Raw: raw}
	return out, walk(&out, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
}

func walk(out *Message, contentType, encoding string, body io.Reader) error {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("content type %q: %v", contentType, err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if err := walk(out, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err != nil {
				return err
			}
		}
	}
	data, err := io.ReadAll(decoder(encoding, body))
	if err != nil {
		return err
	}
	switch mt {
	case "text/plain":
		out.Text = string(data)
	case "text/html":
		out.HTML = string(data)
	}
	return nil
}

type session struct {
	s      *Server
	authed bool
	from   string
	to     []string
}

func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != "mailer" || password != "mail-pass" {
			return errors.New("invalid credentials")
		}
		ss.authed = true
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if !ss.authed {
		// go-smtp refuses AUTH before STARTTLS, so authed implies TLS.
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	return ss.s.deliver(ss.from, ss.to, raw)
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }
