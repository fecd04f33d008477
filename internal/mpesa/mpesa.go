// Package mpesa is a client of Safaricom's Daraja API for Lipa na M-Pesa
// Online: an OAuth client-credentials token (cached until it expires), STK
// push (the PIN prompt on the customer's phone) and STK push query (the
// authoritative answer to "was it paid?"). It never touches the database.
package mpesa

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // Daraja's timestamps are in Nairobi time, whatever the host's zone database holds.

	"github.com/teachtrack/api/internal/config"
)

// Nairobi is East Africa Time, in which Daraja reads every Timestamp.
var nairobi = mustLoad("Africa/Nairobi")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // time/tzdata is embedded: this cannot fail
	}
	return loc
}

// Nairobi returns the Africa/Nairobi time zone.
func Nairobi() *time.Location { return nairobi }

// Result codes of an STK push transaction (callback and query) that the API
// tells apart; every other non-zero code is a failure.
const (
	ResultSuccess   = 0
	ResultCancelled = 1032 // the customer dismissed the prompt
	ResultTimeout   = 1037 // the phone could not be reached / no answer in time
)

// ErrProcessing is Daraja's answer to a query while the customer has not
// finished (or the transaction is still settling): ask again later.
var ErrProcessing = errors.New("mpesa: the transaction is still being processed")

// APIError is an error answer of Daraja ({requestId, errorCode, errorMessage}).
type APIError struct {
	HTTPStatus int
	Code       string
	Message    string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("mpesa: HTTP %d: %s %s", e.HTTPStatus, e.Code, e.Message)
}

// Client talks to one Daraja environment. It is safe for concurrent use.
type Client struct {
	cfg  config.Mpesa
	http *http.Client
	now  func() time.Time

	mu       sync.Mutex
	token    string
	tokenExp time.Time
}

// New returns a client for cfg (cfg.Configured() must be true).
func New(cfg config.Mpesa) *Client {
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	return &Client{cfg: cfg, http: &http.Client{Timeout: timeout}, now: time.Now}
}

// CallbackURL is the URL Safaricom is asked to call back, secret token included.
func (c *Client) CallbackURL() string { return c.cfg.CallbackURL + "/" + c.cfg.CallbackToken }

// Timestamp is t as Daraja wants it: yyyyMMddHHmmss in Nairobi time.
func Timestamp(t time.Time) string { return t.In(nairobi).Format("20060102150405") }

// Password is base64(shortcode + passkey + timestamp), the STK password.
func Password(shortcode, passkey, timestamp string) string {
	return base64.StdEncoding.EncodeToString([]byte(shortcode + passkey + timestamp))
}

// ErrPhone is returned by NormalizePhone for a number M-Pesa can't prompt.
var ErrPhone = errors.New("mpesa: not a Kenyan mobile number")

// NormalizePhone turns the forms Kenyans type (0712 345 678, +254712345678,
// 254712345678, 712345678, and 01… for the newer 2541… range) into the
// 2547XXXXXXXX / 2541XXXXXXXX form Daraja takes.
func NormalizePhone(s string) (string, error) {
	var b strings.Builder
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
		case r == '+' && i == 0:
		default:
			return "", ErrPhone
		}
	}
	d := b.String()
	switch {
	case len(d) == 12 && strings.HasPrefix(d, "254"):
		d = d[3:]
	case len(d) == 10 && d[0] == '0':
		d = d[1:]
	}
	if len(d) != 9 || (d[0] != '7' && d[0] != '1') {
		return "", ErrPhone
	}
	return "254" + d, nil
}

// signed adds the shortcode, a fresh timestamp and its password to body.
func (c *Client) signed(body map[string]any) map[string]any {
	ts := Timestamp(c.now())
	body["BusinessShortCode"] = c.cfg.Shortcode
	body["Password"] = Password(c.cfg.Shortcode, c.cfg.Passkey, ts)
	body["Timestamp"] = ts
	return body
}

// PushRequest is one STK push: who to prompt, for how much, and what the
// customer's statement says.
type PushRequest struct {
	Phone            string // 2547… / 2541… (see NormalizePhone)
	Amount           int    // whole shillings
	AccountReference string // at most 12 characters
	Description      string // at most 13 characters
}

// PushResult is Daraja's acceptance of an STK push: the prompt is on its way.
type PushResult struct {
	MerchantRequestID   string `json:"MerchantRequestID"`
	CheckoutRequestID   string `json:"CheckoutRequestID"`
	ResponseCode        string `json:"ResponseCode"`
	ResponseDescription string `json:"ResponseDescription"`
	CustomerMessage     string `json:"CustomerMessage"`
}

// STKPush sends the PIN prompt to req.Phone.
func (c *Client) STKPush(ctx context.Context, req PushRequest) (PushResult, error) {
	body := c.signed(map[string]any{
		"TransactionType":  "CustomerPayBillOnline",
		"Amount":           req.Amount,
		"PartyA":           req.Phone,
		"PartyB":           c.cfg.Shortcode,
		"PhoneNumber":      req.Phone,
		"CallBackURL":      c.CallbackURL(),
		"AccountReference": req.AccountReference,
		"TransactionDesc":  req.Description,
	})
	var res PushResult
	if err := c.post(ctx, "/mpesa/stkpush/v1/processrequest", body, &res); err != nil {
		return PushResult{}, err
	}
	if res.ResponseCode != "0" || res.CheckoutRequestID == "" {
		return PushResult{}, &APIError{HTTPStatus: http.StatusOK, Code: res.ResponseCode, Message: res.ResponseDescription}
	}
	return res, nil
}

// QueryResult is the state of an STK push transaction Daraja reports.
type QueryResult struct {
	CheckoutRequestID string
	ResultCode        int
	ResultDesc        string
}

// Query asks Daraja how STK push checkoutID ended. ErrProcessing means not yet.
func (c *Client) Query(ctx context.Context, checkoutID string) (QueryResult, error) {
	body := c.signed(map[string]any{"CheckoutRequestID": checkoutID})
	// Daraja sends ResultCode as a string ("0", "1032"); accept a number too.
	var res struct {
		ResponseCode      string      `json:"ResponseCode"`
		CheckoutRequestID string      `json:"CheckoutRequestID"`
		ResultCode        json.Number `json:"ResultCode"`
		ResultDesc        string      `json:"ResultDesc"`
	}
	err := c.post(ctx, "/mpesa/stkpushquery/v1/query", body, &res)
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.Code == "500.001.1001" {
		return QueryResult{}, ErrProcessing
	}
	if err != nil {
		return QueryResult{}, err
	}
	code, err := strconv.Atoi(strings.Trim(res.ResultCode.String(), `"`))
	if err != nil || res.ResponseCode != "0" {
		return QueryResult{}, fmt.Errorf("mpesa: query of %s answered ResponseCode %q, ResultCode %q", checkoutID, res.ResponseCode, res.ResultCode)
	}
	if res.CheckoutRequestID != checkoutID {
		return QueryResult{}, fmt.Errorf("mpesa: query of %s answered for %q", checkoutID, res.CheckoutRequestID)
	}
	return QueryResult{CheckoutRequestID: checkoutID, ResultCode: code, ResultDesc: res.ResultDesc}, nil
}

// accessToken returns a cached token, fetching a new one a minute before the
// old one expires.
func (c *Client) accessToken(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != "" && c.now().Before(c.tokenExp) {
		return c.token, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.cfg.BaseURL+"/oauth/v1/generate?grant_type=client_credentials", nil)
	if err != nil {
		return "", err
	}
	req.SetBasicAuth(c.cfg.ConsumerKey, c.cfg.ConsumerSecret)
	// Daraja sends expires_in as a string ("3599").
	var res struct {
		AccessToken string      `json:"access_token"`
		ExpiresIn   json.Number `json:"expires_in"`
	}
	if err := c.do(req, &res); err != nil {
		return "", fmt.Errorf("mpesa: access token: %w", err)
	}
	secs, err := strconv.Atoi(res.ExpiresIn.String())
	if res.AccessToken == "" || err != nil || secs <= 0 {
		return "", fmt.Errorf("mpesa: access token: unexpected answer (expires_in %q)", res.ExpiresIn)
	}
	c.token = res.AccessToken
	c.tokenExp = c.now().Add(time.Duration(secs)*time.Second - min(time.Minute, time.Duration(secs)*time.Second/2))
	return c.token, nil
}

// forgetToken drops a token Daraja refused, so the next call fetches another.
func (c *Client) forgetToken(token string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token == token {
		c.token = ""
	}
}

func (c *Client) post(ctx context.Context, path string, body, dst any) error {
	data, err := json.Marshal(body)
	if err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		token, err := c.accessToken(ctx)
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.BaseURL+path, bytes.NewReader(data))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		err = c.do(req, dst)
		var apiErr *APIError
		if attempt == 0 && errors.As(err, &apiErr) && apiErr.HTTPStatus == http.StatusUnauthorized {
			// Revoked or expired early on Daraja's side: one fresh token.
			c.forgetToken(token)
			continue
		}
		return err
	}
}

// do sends req and decodes a 200 answer into dst, or returns an *APIError.
func (c *Client) do(req *http.Request, dst any) error {
	req.Header.Set("Accept", "application/json")
	res, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		var e struct {
			ErrorCode    string `json:"errorCode"`
			ErrorMessage string `json:"errorMessage"`
		}
		_ = json.Unmarshal(data, &e)
		if e.ErrorMessage == "" {
			e.ErrorMessage = strings.TrimSpace(string(data[:min(len(data), 200)]))
		}
		return &APIError{HTTPStatus: res.StatusCode, Code: e.ErrorCode, Message: e.ErrorMessage}
	}
	if err := json.Unmarshal(data, dst); err != nil {
		return fmt.Errorf("mpesa: %s answered something other than JSON: %w", req.URL.Path, err)
	}
	return nil
}
