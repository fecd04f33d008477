package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/teachtrack/api/api"
)

func TestDocs(t *testing.T) {
	s := newTestServer(t)
	for _, tc := range []struct {
		path, wantType, wantIn string
		want                   int
	}{
		{"/docs", "text/html; charset=utf-8", `<div id="swagger-ui">`, http.StatusOK},
		{"/docs/init.js", "text/javascript; charset=utf-8", `url: "/openapi.yaml"`, http.StatusOK},
		{"/docs/swagger-ui-bundle.js", "text/javascript; charset=utf-8", "SwaggerUIBundle", http.StatusOK},
		{"/docs/swagger-ui.css", "text/css; charset=utf-8", ".swagger-ui", http.StatusOK},
		{"/docs/favicon-32x32.png", "image/png", "PNG", http.StatusOK},
		{"/docs/LICENSE", "application/problem+json", "no such file", http.StatusNotFound},
		{"/docs/swagger-ui.css.map", "application/problem+json", "no such file", http.StatusNotFound},
		{"/docs/", "application/problem+json", "no such endpoint", http.StatusNotFound},
		{"/openapi.yaml", "application/yaml; charset=utf-8", "openapi: 3.1.0", http.StatusOK},
	} {
		t.Run(tc.path, func(t *testing.T) {
			res := expect(t, s.do(t, anonymous, "GET", tc.path, nil), tc.want)
			if got := res.Header.Get("Content-Type"); got != tc.wantType {
				t.Errorf("Content-Type %q, want %q", got, tc.wantType)
			}
			if !strings.Contains(string(res.Body), tc.wantIn) {
				t.Errorf("body lacks %q", tc.wantIn)
			}
		})
	}
	res := s.do(t, anonymous, "GET", "/openapi.yaml", nil)
	if diff := cmp.Diff(string(api.Spec()), string(res.Body)); diff != "" {
		t.Errorf("/openapi.yaml is not api/openapi.yaml (-want +got):\n%s", diff)
	}
}

func TestDocsDisabled(t *testing.T) {
	s := newTestServer(t, "DOCS_ENABLED", "false")
	for _, path := range []string{"/docs", "/docs/swagger-ui-bundle.js", "/openapi.yaml"} {
		t.Run(path, func(t *testing.T) {
			expect(t, s.do(t, anonymous, "GET", path, nil), http.StatusNotFound)
		})
	}
}
