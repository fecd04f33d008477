package mpesa_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/teachtrack/api/internal/mpesa"
	"github.com/teachtrack/api/internal/mpesa/mpesatest"
)

// These tests run against mpesatest, a local server speaking Daraja's
// documented messages: Safaricom's sandbox can't be reached from the
// machines the tests run on.

func TestNormalizePhone(t *testing.T) {
	for in, want := range map[string]string{
		"0712345678": "254712345678", "+254712345678": "254712345678", "254712345678": "254712345678",
		"712345678": "254712345678", " 0712 345 678 ": "254712345678", "0712-345-678": "254712345678",
		"0110123456": "254110123456", "+254 110 123 456": "254110123456",
	} {
		if got, err := mpesa.NormalizePhone(in); err != nil || got != want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0812345678", "07123456", "07123456789", "255712345678", "0712a45678", "++254712345678", "254+712345678", "0712345678; DROP"} {
		if got, err := mpesa.NormalizePhone(in); !errors.Is(err, mpesa.ErrPhone) {
			t.Errorf("NormalizePhone(%q) = %q, %v; want ErrPhone", in, got, err)
		}
	}
}

func TestPasswordAndTimestamp(t *testing.T) {
	// Daraja's documented example: shortcode 174379, the sandbox passkey and
	// 20160216165627 give this password.
	const passkey = "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919"
	want := "MTc0Mzc5YmZiMjc5ZjlhYTliZGJjZjE1OGU5N2RkNzFhNDY3Y2QyZTBjODkzMDU5YjEwZjc4ZTZiNzJhZGExZWQyYzkxOTIwMTYwMjE2MTY1NjI3"
	if got := mpesa.Password("174379", passkey, "20160216165627"); got != want {
		t.Errorf("Password = %s, want %s", got, want)
	}
	// 13:56:27 UTC is 16:56:27 in Nairobi (UTC+3, no daylight saving).
	if got := mpesa.Timestamp(time.Date(2016, 2, 16, 13, 56, 27, 0, time.UTC)); got != "20160216165627" {
		t.Errorf("Timestamp = %s", got)
	}
}

func TestPushQueryAndTokenCache(t *testing.T) {
	d := mpesatest.New(t)
	c := mpesa.New(d.Config("https://api.example.com/api/v1/payments/callback", "secret-token-0123456789abcdef0123456789"))
	ctx := context.Background()

	res, err := c.STKPush(ctx, mpesa.PushRequest{Phone: "254712345678", Amount: 350, AccountReference: "TeachTrack", Description: "Termly Pass"})
	if err != nil {
		t.Fatalf("STKPush: %v", err)
	}
	pushes := d.Pushes()
	if len(pushes) != 1 || pushes[0].Amount != 350 || pushes[0].CallBackURL != "https://api.example.com/api/v1/payments/callback/secret-token-0123456789abcdef0123456789" || pushes[0].CheckoutRequestID != res.CheckoutRequestID {
		t.Fatalf("pushes %+v, result %+v", pushes, res)
	}
	if _, err := c.Query(ctx, res.CheckoutRequestID); !errors.Is(err, mpesa.ErrProcessing) {
		t.Fatalf("query before the customer answered: %v, want ErrProcessing", err)
	}
	d.Finish(res.CheckoutRequestID, mpesa.ResultCancelled, "Request cancelled by user")
	q, err := c.Query(ctx, res.CheckoutRequestID)
	if err != nil || q.ResultCode != 1032 || q.ResultDesc != "Request cancelled by user" {
		t.Fatalf("query: %+v, %v", q, err)
	}
	if n := d.Count("token"); n != 1 {
		t.Errorf("%d token requests for 3 calls, want 1 (cached)", n)
	}

	// A token Daraja stops accepting is replaced once, transparently.
	d.ExpireTokens()
	if _, err := c.Query(ctx, res.CheckoutRequestID); err != nil {
		t.Fatalf("query after the token expired: %v", err)
	}
	if n := d.Count("token"); n != 2 {
		t.Errorf("%d token requests, want 2", n)
	}

	// A token is renewed before its expires_in runs out.
	d.TokenTTL = 1
	c2 := mpesa.New(d.Config("https://x.example/cb", "secret-token-0123456789abcdef0123456789"))
	for range 2 {
		if _, err := c2.Query(ctx, res.CheckoutRequestID); err != nil {
			t.Fatal(err)
		}
		time.Sleep(600 * time.Millisecond)
	}
	if n := d.Count("token"); n != 4 {
		t.Errorf("%d token requests with 1 s tokens, want 4", n)
	}
}

func TestErrors(t *testing.T) {
	d := mpesatest.New(t)
	cfg := d.Config("https://x.example/cb", "secret-token-0123456789abcdef0123456789")
	ctx := context.Background()

	bad := cfg
	bad.ConsumerSecret = "wrong"
	var apiErr *mpesa.APIError
	if _, err := mpesa.New(bad).STKPush(ctx, mpesa.PushRequest{Phone: "254712345678", Amount: 1}); !errors.As(err, &apiErr) || apiErr.HTTPStatus != 400 {
		t.Errorf("wrong consumer secret: %v", err)
	}
	bad = cfg
	bad.Passkey = "wrong"
	if _, err := mpesa.New(bad).STKPush(ctx, mpesa.PushRequest{Phone: "254712345678", Amount: 1}); !errors.As(err, &apiErr) || apiErr.Code != "500.001.1001" {
		t.Errorf("wrong passkey: %v", err)
	}
	if _, err := mpesa.New(cfg).Query(ctx, "ws_CO_unknown"); !errors.As(err, &apiErr) || apiErr.HTTPStatus != 400 {
		t.Errorf("unknown checkout id: %v", err)
	}

	// A Daraja slower than the timeout is an error, not a hang.
	d.PushDelay = 2 * time.Second
	slow := cfg
	slow.Timeout = 300 * time.Millisecond
	start := time.Now()
	if _, err := mpesa.New(slow).STKPush(ctx, mpesa.PushRequest{Phone: "254712345678", Amount: 1}); err == nil || time.Since(start) > time.Second {
		t.Errorf("slow push: %v after %v", err, time.Since(start))
	}
}
