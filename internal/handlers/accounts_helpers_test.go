package handlers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/teachtrack/api/internal/google/googletest"
	"github.com/teachtrack/api/internal/mail"
	"github.com/teachtrack/api/internal/mail/mailtest"
	"github.com/teachtrack/api/internal/models"
)

// mailServer is a test server whose mail goes through the outbox and a real
// SMTP exchange (mailtest, on 127.0.0.1) and whose Google keys come from a
// local key server (googletest).
type mailServer struct {
	*testServer
	Mail   *mailtest.Server
	Google *googletest.Server
}

const testFrontend = "http://frontend.test"

// newMailServer starts the API with a mail worker draining its outbox into
// a local SMTP server; env overrides settings as for newTestServer.
func newMailServer(t *testing.T, env ...string) *mailServer {
	t.Helper()
	smtpSrv, gsrv := mailtest.Start(t), googletest.Start(t)
	env = append([]string{"FRONTEND_URL", testFrontend, "SMTP_URL", smtpSrv.URL,
		"GOOGLE_CLIENT_ID", googletest.ClientID, "GOOGLE_CERTS_URL", gsrv.URL}, env...)
	s := newTestServer(t, env...)
	sender, err := mail.NewSMTP(smtpSrv.URL, "TeachTrack <no-reply@teachtrack.test>", mail.TrustRoots(smtpSrv.RootCAs, "127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	w := mail.NewWorker(models.NewMailOutbox(s.Cluster.OnPrimary), sender, nil)
	w.Interval = 50 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return &mailServer{testServer: s, Mail: smtpSrv, Google: gsrv}
}

// mailedToken waits for the mail to `to` about subject and returns the token
// of its link to path on the frontend.
func (s *mailServer) mailedToken(t *testing.T, to, subject, path string) string {
	t.Helper()
	u := s.Mail.WaitFor(t, to, subject).Link(t, path)
	if u.Scheme+"://"+u.Host != testFrontend {
		t.Fatalf("link %s is not on FRONTEND_URL", u)
	}
	return u.Query().Get("token")
}

// follow makes the frontend page's call for a mailed token: GET path?token=.
func (s *mailServer) follow(t *testing.T, path, token string, want int) *response {
	t.Helper()
	return expect(t, s.do(t, anonymous, "GET", path+"?token="+url.QueryEscape(token), nil), want)
}

var questionRE = regexp.MustCompile(`^What is (\d+) \+ (\d+)\?$`)

// captcha fetches a captcha and returns its id and the right answer.
func captcha(t *testing.T, s *testServer) (id, answer string) {
	t.Helper()
	var c struct{ ID, Question string }
	expect(t, s.do(t, anonymous, "GET", "/api/v1/auth/captcha", nil), http.StatusOK).decode(t, &c)
	m := questionRE.FindStringSubmatch(c.Question)
	if m == nil {
		t.Fatalf("question %q", c.Question)
	}
	a, _ := strconv.Atoi(m[1])
	b, _ := strconv.Atoi(m[2])
	return c.ID, strconv.Itoa(a + b)
}

// me reads the caller's account.
func me(t *testing.T, s *testServer, c caller) userBody {
	t.Helper()
	var u userBody
	expect(t, s.do(t, c, "GET", "/api/v1/auth/me", nil), http.StatusOK).decode(t, &u)
	return u
}

// loginAs signs in with email and password and returns the caller.
func loginAs(t *testing.T, s *testServer, email, password string, want int) caller {
	t.Helper()
	res := expect(t, s.do(t, anonymous, "POST", "/api/v1/auth/login", map[string]string{"email": email, "password": password}), want)
	if want != http.StatusOK {
		return caller{}
	}
	var body struct {
		AccessToken string `json:"access_token"`
	}
	res.decode(t, &body)
	return caller{Token: body.AccessToken, Cookie: res.cookie("access_token")}
}

// numberOf sends s as a JSON number.
func numberOf(s string) json.Number { return json.Number(s) }
