package handlers

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"github.com/teachtrack/api/internal/models"
)

// Fuzz targets for everything that reads client input before a handler acts
// on it: the JSON body decoder (into every request type), the admin list's
// query parameters and path ids. `go test` runs their seed corpora; `make
// fuzz` runs each for FUZZTIME. The property is the API's promise: any input
// is either accepted or refused with a 4xx sentence, never a panic or a 5xx.

// requestTypes are the bodies the API decodes, one per endpoint.
var requestTypes = []struct {
	name     string
	new      func() any
	optional bool // decodeOptional (an absent body is fine)
}{
	{"register", func() any { return &registerRequest{} }, false},
	{"login", func() any { return &loginRequest{} }, false},
	{"refresh", func() any { return &refreshRequest{} }, false},
	{"logout", func() any { return &logoutRequest{} }, true},
	{"me update", func() any { return &meUpdateRequest{} }, false},
	{"change password", func() any { return &changePasswordRequest{} }, false},
	{"admin create", func() any { return &adminCreateRequest{} }, false},
	{"admin update", func() any { return &adminUpdateRequest{} }, false},
	{"role", func() any { return &roleRequest{} }, false},
	{"subscription", func() any { return &subscriptionRequest{} }, false},
	{"bulk delete", func() any { return &bulkDeleteRequest{} }, false},
	{"bulk ban", func() any { return &bulkBanRequest{} }, false},
	{"school create", func() any { return &schoolCreateRequest{} }, false},
	{"subject create", func() any { return &subjectCreateRequest{} }, false},
	{"subject update", func() any { return &subjectUpdateRequest{} }, false},
	{"scheduling put", func() any { return &schedulingPut{} }, false},
	{"lesson complete", func() any { return &emptyBody{} }, true},
	{"reset progress", func() any { return &resetProgressRequest{} }, true},
}

// statusOf is the status writeError would answer err with (0 for nil).
func statusOf(err error) int {
	var he *httpError
	var ve *models.ValidationError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &he):
		return he.status
	case errors.As(err, &ve):
		return http.StatusUnprocessableEntity
	}
	return http.StatusInternalServerError
}

func FuzzDecode(f *testing.F) {
	seeds := []string{
		`{"email":"a@example.com","password":"password-1","full_name":"A","phone":"","school":"","grade_level":"3","tsc_number":"","role":"TEACHER"}`,
		`{"email":"a@example.com","password":"x","captcha_id":null,"captcha_answer":""}`,
		`{"refresh_token":"abc"}`,
		`{"full_name":"New","phone":"0700"}`,
		`{"current_password":"password-1","new_password":"password-2"}`,
		`{"role":"HOD"}`, `{"is_admin":true}`, `{"role":null,"is_admin":null}`,
		`{"subscription_type":"FREE","subscription_status":"ACTIVE"}`,
		`{"user_ids":[1,2,3],"action":"ban"}`, `{"user_ids":[-1]}`, `{"user_ids":[18446744073709551616]}`,
		`{"name":"School"}`, `{"school_id":0}`, `{"email_verified":"yes"}`,
		``, ` `, `null`, `[]`, `{}`, `{}{}`, `{"a":1}`, `{"email":`, "{\"full_name\":\"\xff\"}",
		`{"full_name":"\ud800"}`, strings.Repeat("[", 10001), `{"password":"` + strings.Repeat("x", 73) + `"}`,
	}
	contentTypes := []string{"application/json", "application/json; charset=utf-8", "application/problem+json", "", "text/plain", "application/json; ;"}
	for i, s := range seeds {
		f.Add(uint8(i), contentTypes[i%len(contentTypes)], []byte(s))
	}
	d := newDecoder()
	f.Fuzz(func(t *testing.T, kind uint8, contentType string, body []byte) {
		rt := requestTypes[int(kind)%len(requestTypes)]
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(body)))
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		dst := rt.new()
		var err error
		if rt.optional {
			err = d.decodeOptional(httptest.NewRecorder(), r, dst)
		} else {
			err = d.decode(httptest.NewRecorder(), r, dst)
		}
		switch st := statusOf(err); {
		case st == 0:
			if len(body) > 0 && !utf8.Valid(body) {
				t.Errorf("%s: accepted a body that is not UTF-8: %q", rt.name, body)
			}
		case st < 400 || st > 499:
			t.Errorf("%s: %q (%q) → %d %v, want a 4xx", rt.name, body, contentType, st, err)
		case st == http.StatusUnprocessableEntity:
		default:
			if msg := err.Error(); !strings.HasSuffix(msg, ".") || !utf8.ValidString(msg) {
				t.Errorf("%s: detail %q is not a sentence", rt.name, msg)
			}
		}
	})
}

func FuzzUserListQuery(f *testing.F) {
	for _, q := range []string{
		"", "page=1&limit=20", "page=2&limit=100&search=ann&role=TEACHER", "role=all", "role=school_admin",
		"page=0", "page=-1", "limit=1e3", "page=18446744073709551616", "search=%FF", "search=%27%20OR%201%3D1",
		"role=ROOT", "page=1&page=2", "search=%00", "limit=%20", "%zz", "search=" + strings.Repeat("a", 1000),
	} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, rawQuery string) {
		r := &http.Request{URL: &url.URL{RawQuery: rawQuery}}
		filter, err := userFilter(r)
		if err == nil {
			filter.Page, err = queryInt(r, "page", 1)
		}
		if err == nil {
			filter.Limit, err = queryInt(r, "limit", defaultPageSize)
		}
		if st := statusOf(err); st != 0 && st != http.StatusUnprocessableEntity && st != http.StatusBadRequest {
			t.Fatalf("%q → %d %v, want 400 or 422", rawQuery, st, err)
		}
		if err != nil {
			return
		}
		if filter.Page < 1 || filter.Limit < 1 {
			t.Errorf("%q → page %d limit %d, want both at least 1", rawQuery, filter.Page, filter.Limit)
		}
		if !utf8.ValidString(filter.Search) || filter.Search != strings.TrimSpace(filter.Search) {
			t.Errorf("%q → search %q, want trimmed UTF-8", rawQuery, filter.Search)
		}
		switch filter.Role {
		case "", models.RoleTeacher, models.RoleHOD, models.RoleSchoolAdmin, models.RoleSuperAdmin:
		default:
			t.Errorf("%q → role %q, want a known role or none", rawQuery, filter.Role)
		}
	})
}

func FuzzPathID(f *testing.F) {
	for _, s := range []string{"1", "42", "0", "-1", "+1", "9223372036854775807", "9223372036854775808", "18446744073709551616", "1e3", "0x10", " 1", "abc", "", "٣"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		rctx := chi.NewRouteContext()
		rctx.URLParams.Add("id", raw)
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r = r.WithContext(context.WithValue(r.Context(), chi.RouteCtxKey, rctx))
		id, err := pathID(r)
		if err != nil {
			if st := statusOf(err); st != http.StatusBadRequest {
				t.Fatalf("%q → %d, want 400", raw, st)
			}
			return
		}
		if id == 0 || strings.TrimLeft(raw, "0123456789") != "" {
			t.Errorf("%q accepted as id %d", raw, id)
		}
	})
}
