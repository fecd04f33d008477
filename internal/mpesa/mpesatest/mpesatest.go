// Package mpesatest is a local stand-in for Safaricom's Daraja API, for
// tests: Safaricom's sandbox can't be reached from the machines the tests run
// on. It speaks the documented messages — OAuth client credentials, STK push
// (processrequest), STK push query and the result callback — checks what a
// real Daraja checks (Basic credentials, bearer token, the STK password and
// its Nairobi timestamp), and lets a test decide how each payment ends.
package mpesatest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"

	"github.com/teachtrack/api/internal/config"
	"github.com/teachtrack/api/internal/mpesa"
)

// Credentials the stand-in accepts.
const (
	ConsumerKey    = "test-consumer-key"
	ConsumerSecret = "test-consumer-secret"
	Shortcode      = "174379"
	Passkey        = "test-passkey-bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919"
)

// Push is an STK push the stand-in received.
type Push struct {
	BusinessShortCode string
	Password          string
	Timestamp         string
	TransactionType   string
	Amount            int
	PartyA            string
	PartyB            string
	PhoneNumber       string
	CallBackURL       string
	AccountReference  string
	TransactionDesc   string

	CheckoutRequestID  string
	MerchantRequestID  string
	resultCode         *int
	resultDesc         string
	mpesaReceiptNumber string
}

// Server is the stand-in. Its fields may be set before requests arrive.
type Server struct {
	*httptest.Server
	// TokenTTL is the expires_in of the tokens it issues (default 3599 s).
	TokenTTL int
	// PushDelay holds every STK push answer this long (to test timeouts).
	PushDelay time.Duration

	mu      sync.Mutex
	tokens  map[string]bool
	pushes  []*Push
	byID    map[string]*Push
	counts  map[string]int
	nextSeq int
}

// New starts a stand-in; it stops when the test ends.
func New(t interface {
	Cleanup(func())
	Helper()
}) *Server {
	t.Helper()
	s := &Server{TokenTTL: 3599, tokens: map[string]bool{}, byID: map[string]*Push{}, counts: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /oauth/v1/generate", s.handleToken)
	mux.HandleFunc("POST /mpesa/stkpush/v1/processrequest", s.handlePush)
	mux.HandleFunc("POST /mpesa/stkpushquery/v1/query", s.handleQuery)
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// Config is a configuration pointing at the stand-in; callbackURL is the
// public URL of the API's callback route.
func (s *Server) Config(callbackURL, callbackToken string) config.Mpesa {
	return config.Mpesa{Env: "sandbox", BaseURL: s.URL, ConsumerKey: ConsumerKey, ConsumerSecret: ConsumerSecret,
		Shortcode: Shortcode, Passkey: Passkey, CallbackURL: callbackURL, CallbackToken: callbackToken, Timeout: 5 * time.Second}
}

// Count is how many requests of kind ("token", "push", "query") it answered.
func (s *Server) Count(kind string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[kind]
}

// Pushes returns copies of the STK pushes received, oldest first.
func (s *Server) Pushes() []Push {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Push, len(s.pushes))
	for i, p := range s.pushes {
		out[i] = *p
	}
	return out
}

// ExpireTokens makes every token issued so far invalid (401), as Daraja does
// when a token expires before its expires_in.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = map[string]bool{}
}

// Finish decides how the customer ended payment checkoutID: resultCode 0
// (paid), 1032 (cancelled), 1037 (timed out), … From then on a query
// answers it; before, a query answers "still being processed".
func (s *Server) Finish(checkoutID string, resultCode int, desc string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.byID[checkoutID]
	if p == nil {
		panic("mpesatest: no push " + checkoutID)
	}
	p.resultCode, p.resultDesc = &resultCode, desc
	if resultCode == 0 {
		p.mpesaReceiptNumber = fmt.Sprintf("TST%07d", s.nextSeq)
		s.nextSeq++
	}
}

// Callback is the body Daraja posts to a push's CallBackURL once it has
// finished (see Finish).
func (s *Server) Callback(checkoutID string) []byte {
	s.mu.Lock()
	p := *s.byID[checkoutID]
	s.mu.Unlock()
	if p.resultCode == nil {
		panic("mpesatest: push " + checkoutID + " has not finished")
	}
	var meta []Item
	if *p.resultCode == 0 {
		meta = []Item{{"Amount", p.Amount}, {"MpesaReceiptNumber", p.mpesaReceiptNumber},
			{"TransactionDate", json.Number(mpesa.Timestamp(time.Now()))}, {"PhoneNumber", json.Number(p.PhoneNumber)}}
	}
	return CallbackBody(p.MerchantRequestID, p.CheckoutRequestID, *p.resultCode, p.resultDesc, meta...)
}

// Item is one CallbackMetadata item.
type Item struct {
	Name  string `json:"Name"`
	Value any    `json:"Value,omitempty"`
}

// CallbackBody is a result callback in Daraja's documented shape; tests
// forge their own with it.
func CallbackBody(merchantID, checkoutID string, resultCode int, desc string, meta ...Item) []byte {
	cb := map[string]any{"MerchantRequestID": merchantID, "CheckoutRequestID": checkoutID, "ResultCode": resultCode, "ResultDesc": desc}
	if len(meta) > 0 {
		cb["CallbackMetadata"] = map[string]any{"Item": meta}
	}
	data, _ := json.Marshal(map[string]any{"Body": map[string]any{"stkCallback": cb}})
	return data
}

// CallBack posts push checkoutID's callback to the CallBackURL it was given,
// as Safaricom does, and returns the answer's status and body.
func (s *Server) CallBack(ctx context.Context, checkoutID string) (int, []byte, error) {
	s.mu.Lock()
	url := s.byID[checkoutID].CallBackURL
	s.mu.Unlock()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(s.Callback(checkoutID)))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	var buf bytes.Buffer
	_, err = buf.ReadFrom(res.Body)
	return res.StatusCode, buf.Bytes(), err
}

func (s *Server) count(kind string) {
	s.mu.Lock()
	s.counts[kind]++
	s.mu.Unlock()
}

// fault answers as Daraja does on errors: {requestId, errorCode, errorMessage}.
func fault(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"requestId": "test-" + strconv.FormatInt(time.Now().UnixNano(), 36), "errorCode": code, "errorMessage": msg})
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	s.count("token")
	key, secret, ok := r.BasicAuth()
	if !ok || key != ConsumerKey || secret != ConsumerSecret || r.URL.Query().Get("grant_type") != "client_credentials" {
		fault(w, http.StatusBadRequest, "400.008.01", "Invalid Authentication passed")
		return
	}
	s.mu.Lock()
	token := fmt.Sprintf("tok-%d-%d", len(s.tokens), time.Now().UnixNano())
	s.tokens[token] = true
	ttl := s.TokenTTL
	s.mu.Unlock()
	// expires_in is a string in Daraja's answer.
	reply(w, map[string]string{"access_token": token, "expires_in": strconv.Itoa(ttl)})
}

// authorized checks the bearer token and the STK password and timestamp.
func (s *Server) authorized(w http.ResponseWriter, r *http.Request, shortcode, password, timestamp string) bool {
	s.mu.Lock()
	ok := len(r.Header.Get("Authorization")) > 7 && s.tokens[r.Header.Get("Authorization")[7:]]
	s.mu.Unlock()
	if !ok {
		fault(w, http.StatusUnauthorized, "404.001.03", "Invalid Access Token")
		return false
	}
	ts, err := time.ParseInLocation("20060102150405", timestamp, mpesa.Nairobi())
	if err != nil || time.Since(ts).Abs() > 5*time.Minute {
		fault(w, http.StatusBadRequest, "400.002.02", "Bad Request - Invalid Timestamp")
		return false
	}
	if shortcode != Shortcode || password != base64.StdEncoding.EncodeToString([]byte(Shortcode+Passkey+timestamp)) {
		fault(w, http.StatusInternalServerError, "500.001.1001", "Wrong credentials")
		return false
	}
	return true
}

func (s *Server) handlePush(w http.ResponseWriter, r *http.Request) {
	s.count("push")
	var p Push
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
		fault(w, http.StatusBadRequest, "400.002.02", "Bad Request - Invalid JSON")
		return
	}
	if !s.authorized(w, r, p.BusinessShortCode, p.Password, p.Timestamp) {
		return
	}
	switch {
	case p.TransactionType != "CustomerPayBillOnline" || p.PartyB != Shortcode:
		fault(w, http.StatusBadRequest, "400.002.02", "Bad Request - Invalid TransactionType")
		return
	case p.Amount < 1:
		fault(w, http.StatusBadRequest, "400.002.02", "Bad Request - Invalid Amount")
		return
	case len(p.PhoneNumber) != 12 || p.PhoneNumber != p.PartyA:
		fault(w, http.StatusBadRequest, "400.002.02", "Bad Request - Invalid PhoneNumber")
		return
	case p.CallBackURL == "":
		fault(w, http.StatusBadRequest, "400.002.02", "Bad Request - Invalid CallBackURL")
		return
	case len(p.AccountReference) > 12 || len(p.TransactionDesc) > 13:
		fault(w, http.StatusBadRequest, "400.002.02", "Bad Request - Invalid AccountReference")
		return
	}
	if d := s.PushDelay; d > 0 {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return
		}
	}
	s.mu.Lock()
	s.nextSeq++
	p.MerchantRequestID = fmt.Sprintf("29115-%d-1", 34620561+s.nextSeq)
	p.CheckoutRequestID = fmt.Sprintf("ws_CO_%s%06d", time.Now().In(mpesa.Nairobi()).Format("020120061504"), s.nextSeq)
	s.pushes = append(s.pushes, &p)
	s.byID[p.CheckoutRequestID] = &p
	s.mu.Unlock()
	reply(w, map[string]string{"MerchantRequestID": p.MerchantRequestID, "CheckoutRequestID": p.CheckoutRequestID,
		"ResponseCode": "0", "ResponseDescription": "Success. Request accepted for processing",
		"CustomerMessage": "Success. Request accepted for processing"})
}

func (s *Server) handleQuery(w http.ResponseWriter, r *http.Request) {
	s.count("query")
	var q struct{ BusinessShortCode, Password, Timestamp, CheckoutRequestID string }
	if err := json.NewDecoder(r.Body).Decode(&q); err != nil {
		fault(w, http.StatusBadRequest, "400.002.02", "Bad Request - Invalid JSON")
		return
	}
	if !s.authorized(w, r, q.BusinessShortCode, q.Password, q.Timestamp) {
		return
	}
	s.mu.Lock()
	p := s.byID[q.CheckoutRequestID]
	var code *int
	var desc, merchant string
	if p != nil {
		code, desc, merchant = p.resultCode, p.resultDesc, p.MerchantRequestID
	}
	s.mu.Unlock()
	switch {
	case p == nil:
		fault(w, http.StatusBadRequest, "400.002.02", "Bad Request - Invalid CheckoutRequestID")
	case code == nil:
		fault(w, http.StatusInternalServerError, "500.001.1001", "The transaction is being processed")
	default:
		// ResultCode is a string in the query's answer (a number in callbacks).
		reply(w, map[string]string{"ResponseCode": "0", "ResponseDescription": "The service request has been accepted successsfully",
			"MerchantRequestID": merchant, "CheckoutRequestID": q.CheckoutRequestID, "ResultCode": strconv.Itoa(*code), "ResultDesc": desc})
	}
}
