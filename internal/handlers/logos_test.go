package handlers_test

import (
	"bytes"
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/teachtrack/api/internal/models"
)

func TestLogoUploads(t *testing.T) {
	onBothStores(t, func(t *testing.T, s *testServer) {
		school := createSchool(t, s, "Logo School")
		teacher := createUser(t, s, models.RoleTeacher, school)
		admin := createUser(t, s, models.RoleSchoolAdmin, school)
		image := png(30 << 10)

		var prof struct {
			LogoURL string `json:"logo_url"`
		}
		expect(t, s.do(t, teacher.caller.cookieOnly(), "POST", "/api/v1/profile/upload-logo",
			form(t, &formFile{field: "file", name: "crest.png", data: image})), http.StatusCreated).decode(t, &prof)
		if !regexp.MustCompile(`^/uploads/logos/[0-9a-f]{32}\.png$`).MatchString(prof.LogoURL) {
			t.Fatalf("logo_url %q", prof.LogoURL)
		}
		// Public once uploaded: no session, no signature, cached for long.
		got := expect(t, fetch(t, s, prof.LogoURL), http.StatusOK)
		if !bytes.Equal(got.Body, image) || got.Header.Get("Content-Type") != "image/png" ||
			got.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Fatalf("logo: %d bytes, %q, %q", len(got.Body), got.Header.Get("Content-Type"), got.Header.Get("Cache-Control"))
		}
		if res := fetch(t, s, prof.LogoURL); res.Status != http.StatusOK {
			t.Fatalf("HEAD-less second GET: %d", res.Status)
		}
		req, _ := http.NewRequest("HEAD", s.URL+prof.LogoURL, nil)
		if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("HEAD logo: %v %v", res, err)
		}

		var sch struct {
			URL string `json:"url"`
		}
		expect(t, s.do(t, admin.caller, "POST", "/api/v1/admin/upload-logo",
			form(t, &formFile{field: "logo", name: "school.jpg", data: append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, image...)})), http.StatusCreated).decode(t, &sch)
		if !regexp.MustCompile(`^/uploads/logos/[0-9a-f]{32}\.jpg$`).MatchString(sch.URL) {
			t.Fatalf("url %q", sch.URL)
		}
		expect(t, fetch(t, s, sch.URL), http.StatusOK)
		var rows []models.UploadedLogo
		s.primary(t).Order("id").Find(&rows)
		if len(rows) != 2 || *rows[0].UserID != teacher.ID || rows[0].SchoolID != nil || rows[1].SchoolID == nil || *rows[1].SchoolID != *school {
			t.Errorf("uploaded_logos rows %+v", rows)
		}

		before := len(storedKeys(t, s))
		for _, c := range []struct {
			name   string
			who    *testUser
			path   string
			body   rawBody
			status int
		}{
			{"a PDF as a logo", teacher, "/api/v1/profile/upload-logo", form(t, &formFile{field: "file", name: "x.png", data: pdf(1000)}), 415},
			{"an SVG logo", teacher, "/api/v1/profile/upload-logo", form(t, &formFile{field: "file", name: "x.svg", data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)}), 415},
			{"over LOGO_MAX_BYTES", teacher, "/api/v1/profile/upload-logo", form(t, &formFile{field: "file", name: "x.png", data: png(80 << 10)}), 413},
			{"a teacher on the school's logo", teacher, "/api/v1/admin/upload-logo", form(t, &formFile{field: "logo", name: "x.png", data: image}), 403},
			{"no file", admin, "/api/v1/admin/upload-logo", form(t, nil), 422},
			{"an extra field", admin, "/api/v1/admin/upload-logo", form(t, &formFile{field: "logo", name: "x.png", data: image}, "school_id", "1"), 400},
		} {
			res := s.do(t, c.who.caller, "POST", c.path, c.body)
			if res.Status != c.status {
				t.Errorf("%s: %d, want %d; %s", c.name, res.Status, c.status, res.Body)
			}
		}
		if after := len(storedKeys(t, s)); after != before {
			t.Errorf("refused logos left %d objects", after-before)
		}
		expect(t, fetch(t, s, "/uploads/logos/0123456789abcdef0123456789abcdef.png"), http.StatusNotFound)
		expect(t, fetch(t, s, fmt.Sprintf("/uploads/logos/%s", "x.png")), http.StatusNotFound)
	}, "LOGO_MAX_BYTES", "64KiB")
}

// GET /notes runs a fixed number of statements however many notes there are.
func TestNoteListStatements(t *testing.T) {
	s := newTestServer(t)
	teacher := createUser(t, s, models.RoleTeacher, nil)
	count := func() float64 {
		before := s.statements(t)
		expect(t, s.do(t, teacher.caller, "GET", "/api/v1/notes", nil), http.StatusOK)
		return s.statements(t) - before
	}
	upload(t, s, teacher.caller, formFile{name: "a.txt", data: []byte("one\n")}, "title", "One")
	few := count()
	for i := range 12 {
		upload(t, s, teacher.caller, formFile{name: "a.txt", data: []byte("more\n")}, "title", fmt.Sprint("Note ", i))
	}
	if many := count(); many != few {
		t.Fatalf("GET /notes ran %v statements with 13 notes, %v with 1", many, few)
	}
	t.Logf("GET /notes: %v statements", few)
}
