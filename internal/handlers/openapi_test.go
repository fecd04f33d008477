package handlers_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	verrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/helpers"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"

	"github.com/teachtrack/api/api"
)

// The API's reference, api/openapi.yaml, is held to the server two ways:
// TestSpecMatchesRoutes compares its operations with the router's, and every
// HTTP test's requests and responses pass through checkSpec, which fails the
// test on anything the spec does not describe.

// plannedKey marks a spec operation whose route another issue is still
// building; the parity test accepts it only while the route is missing.
const plannedKey = "x-planned"

type spec struct {
	model     *v3.Document
	validator validator.Validator
}

// loadSpec builds the spec once per test binary: building the model and the
// validator's schema cache takes a while, and both are read-only after.
var loadSpec = sync.OnceValues(func() (*spec, error) {
	doc, err := libopenapi.NewDocument(api.Spec())
	if err != nil {
		return nil, err
	}
	m, err := doc.BuildV3Model()
	if err != nil {
		return nil, err
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		return nil, fmt.Errorf("validator: %v", errs)
	}
	return &spec{model: &m.Model, validator: v}, nil
})

func mustSpec(t *testing.T) *spec {
	t.Helper()
	s, err := loadSpec()
	if err != nil {
		t.Fatalf("loading api/openapi.yaml: %v", err)
	}
	return s
}

// specChecked is the API's handler with every exchange checked against the spec.
type specChecked struct {
	t    *testing.T
	spec *spec
	next http.Handler
}

// checkSpec wraps the handler newTestServer serves, so each HTTP test also
// tests the spec.
func checkSpec(t *testing.T, next http.Handler) http.Handler {
	t.Helper()
	return &specChecked{t: t, spec: mustSpec(t), next: next}
}

func (c *specChecked) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		c.t.Errorf("reading the request body: %v", err)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := &recorder{ResponseWriter: w}
	c.next.ServeHTTP(rec, r)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}

	req := r.Clone(context.Background())
	req.Body = io.NopCloser(bytes.NewReader(body))
	res := &http.Response{StatusCode: rec.status, Header: rec.Header().Clone(), Body: io.NopCloser(bytes.NewReader(rec.body.Bytes())), Request: req}
	for _, p := range c.spec.problems(req, body, res) {
		c.t.Errorf("api/openapi.yaml vs %s %s → %d: %s", r.Method, r.URL.RequestURI(), rec.status, p)
	}
}

// problems lists where req and res disagree with the spec.
//
// A request the spec does not describe is fine when the server refused it
// with a 4xx (the tests send bad requests on purpose), and a failure when it
// succeeded: the server accepts something undocumented. A response must
// always be described exactly: its status, content type, headers and body.
func (s *spec) problems(req *http.Request, body []byte, res *http.Response) []string {
	// CORS preflights are answered by the CORS layer on every path; the
	// spec's description says so rather than listing OPTIONS everywhere.
	if req.Method == http.MethodOptions && req.Header.Get("Access-Control-Request-Method") != "" {
		return nil
	}
	var out []string
	ok, reqErrs := s.validator.ValidateHttpRequestSync(req)
	// The validator forgives a trailing slash; the router (and the spec's
	// paths) do not.
	trailingSlash := len(req.URL.Path) > 1 && strings.HasSuffix(req.URL.Path, "/")
	if trailingSlash || !ok && unknownOperation(reqErrs) {
		if res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusMethodNotAllowed {
			out = append(out, "the server serves an operation the spec does not have")
		}
		return append(out, problemShape(res)...)
	}
	switch {
	case !ok && res.StatusCode < 400:
		out = append(out, "the server accepted a request the spec does not allow: "+strings.Join(describe(reqErrs), "; "))
	case ok && (res.StatusCode == http.StatusBadRequest || res.StatusCode == http.StatusUnsupportedMediaType) && plainJSON(req, body):
		out = append(out, fmt.Sprintf("the server refused as malformed a request the spec allows (the spec is too loose); body %.200q", body))
	}
	if ok, resErrs := s.validator.ValidateHttpResponse(req, res); !ok {
		out = append(out, describe(resErrs)...)
	}
	return out
}

// plainJSON reports whether the request has a body the validator judges as
// the server does: sent as application/json, in valid UTF-8. (The validator
// reads a body without a Content-Type, or with a malformed one, as JSON, and
// JSON Schema cannot express invalid UTF-8; the server refuses both.)
func plainJSON(req *http.Request, body []byte) bool {
	mt, _, err := mime.ParseMediaType(req.Header.Get("Content-Type"))
	return len(body) > 0 && err == nil && mt == "application/json" && utf8.Valid(body)
}

// unknownOperation reports whether errs say the path or method is not in the spec.
func unknownOperation(errs []*verrors.ValidationError) bool {
	for _, e := range errs {
		if e.ValidationType == helpers.PathValidation &&
			(e.ValidationSubType == helpers.ValidationMissing || e.ValidationSubType == helpers.ValidationMissingOperation) {
			return true
		}
	}
	return false
}

// problemShape checks an answer to an undescribed request: still a problem.
func problemShape(res *http.Response) []string {
	if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
		return []string{"an unknown path or method answered with Content-Type " + ct + ", not application/problem+json"}
	}
	return nil
}

func describe(errs []*verrors.ValidationError) []string {
	var out []string
	for _, e := range errs {
		line := e.Message
		if e.Reason != "" && e.Reason != e.Message {
			line += ": " + e.Reason
		}
		for _, f := range e.SchemaValidationErrors {
			line += fmt.Sprintf("\n\t\t%s: %s", f.FieldPath, f.Reason)
		}
		out = append(out, line)
	}
	return out
}

// recorder passes a response through and keeps a copy for checking.
type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	r.body.Write(p)
	return r.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the real writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// chiParam is a chi path parameter, with an optional regexp.
var chiParam = regexp.MustCompile(`\{([^}:]+)(:[^}]*)?\}`)

// TestSpecMatchesRoutes fails when a route registered on the router is
// missing from the spec, or a spec operation has no route. Operations marked
// x-planned (another issue is building them) must have no route yet: once it
// lands, the mark has to go.
func TestSpecMatchesRoutes(t *testing.T) {
	srv := newTestServer(t)
	router, ok := srv.Config.Handler.(*specChecked).next.(chi.Routes)
	if !ok {
		t.Fatalf("handlers.New returned %T, not a chi router", srv.Config.Handler.(*specChecked).next)
	}
	routes := map[string]bool{}
	err := chi.Walk(router, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		routes[method+" "+chiParam.ReplaceAllString(route, "{$1}")] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	documented, planned := map[string]bool{}, map[string]bool{}
	for path, item := range mustSpec(t).model.Paths.PathItems.FromOldest() {
		for method, op := range item.GetOperations().FromOldest() {
			key := strings.ToUpper(method) + " " + path
			documented[key] = true
			if op.Extensions != nil {
				if _, ok := op.Extensions.Get(plannedKey); ok {
					planned[key] = true
				}
			}
		}
	}

	var missing, undocumented, landed []string
	for k := range routes {
		if !documented[k] {
			undocumented = append(undocumented, k)
		} else if planned[k] {
			landed = append(landed, k)
		}
	}
	for k := range documented {
		if !routes[k] && !planned[k] {
			missing = append(missing, k)
		}
	}
	for _, c := range []struct {
		what string
		list []string
	}{
		{"routes missing from api/openapi.yaml", undocumented},
		{"spec operations with no route (mark them " + plannedKey + " if another issue is building them)", missing},
		{"routes now built but still marked " + plannedKey + " in api/openapi.yaml", landed},
	} {
		if len(c.list) > 0 {
			slices.Sort(c.list)
			t.Errorf("%s:\n\t%s", c.what, strings.Join(c.list, "\n\t"))
		}
	}
	if len(routes) < 10 {
		t.Errorf("walked only %d routes: %v", len(routes), routes)
	}
}
