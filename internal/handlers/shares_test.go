package handlers_test

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/teachtrack/api/internal/models"
)

// shareJSON is a share link as the share dialog reads it.
type shareJSON struct {
	ID            uint64  `json:"id"`
	ShareURL      string  `json:"share_url"`
	ExpiresAt     *string `json:"expires_at"`
	IsActive      bool    `json:"is_active"`
	ViewCount     int     `json:"view_count"`
	AllowDownload bool    `json:"allow_download"`
}

// sharedJSON is what the public share page reads.
type sharedJSON struct {
	Note struct {
		ID       uint64  `json:"id"`
		Title    string  `json:"title"`
		FileType string  `json:"file_type"`
		FileURL  *string `json:"file_url"`
	} `json:"note"`
	AllowDownload bool `json:"allow_download"`
	ViewCount     int  `json:"view_count"`
}

func token(t *testing.T, l shareJSON) string {
	t.Helper()
	m := regexp.MustCompile(`^https://teachtrack\.example/shared/([A-Za-z0-9_-]{43})$`).FindStringSubmatch(l.ShareURL)
	if m == nil {
		t.Fatalf("share_url %q is not FRONTEND_URL/shared/<256-bit token>", l.ShareURL)
	}
	return m[1]
}

func TestShareLinks(t *testing.T) {
	s := newTestServer(t, "FRONTEND_URL", "https://teachtrack.example/", "ROUTING_DEBUG_HEADER", "true")
	owner := createUser(t, s, models.RoleTeacher, nil)
	stranger := createUser(t, s, models.RoleTeacher, nil)
	data := pdf(5000)
	note := upload(t, s, owner.caller, formFile{name: "plan.pdf", data: data}, "title", "Lesson plan")
	path := fmt.Sprintf("/api/v1/notes/%d", note.ID)

	var view shareJSON
	expect(t, s.do(t, owner.caller.cookieOnly(), "POST", path+"/share", map[string]any{"expires_in_days": 7, "allow_download": false}), http.StatusCreated).decode(t, &view)
	if !view.IsActive || view.AllowDownload || view.ExpiresAt == nil || view.ViewCount != 0 {
		t.Fatalf("new link %+v", view)
	}
	tok := token(t, view)

	// Anyone with the link, signed in or not; each view counts, on the
	// primary (the GET is a write).
	var shared sharedJSON
	for i, c := range []caller{anonymous, stranger.caller.cookieOnly(), owner.caller} {
		res := expect(t, s.do(t, c, "GET", "/api/v1/shared/"+tok, nil), http.StatusOK)
		res.decode(t, &shared)
		if shared.ViewCount != i+1 || shared.Note.Title != "Lesson plan" || shared.Note.FileType != "pdf" || shared.Note.FileURL != nil || shared.AllowDownload {
			t.Fatalf("view %d: %+v", i+1, shared)
		}
		if node := res.Header.Get("X-DB-Node"); node != "primary" {
			t.Errorf("GET /shared/{token} ran on %q, want the primary", node)
		}
	}
	// The views were writes of other users (or of nobody): the owner's
	// reads below may go to a replica, so let the replicas have them.
	s.waitReplicas(t)
	// An ordinary GET still reads from a replica.
	if node := s.do(t, owner.caller, "GET", path, nil).Header.Get("X-DB-Node"); node == "primary" {
		t.Logf("note: an ordinary GET ran on the primary (no caught-up replica at that moment)")
	}
	var links []shareJSON
	expect(t, s.do(t, owner.caller, "GET", path+"/shares", nil), http.StatusOK).decode(t, &links)
	if len(links) != 1 || links[0].ViewCount != 3 || !links[0].IsActive {
		t.Fatalf("links %+v", links)
	}
	expect(t, s.do(t, owner.caller, "GET", path, nil), http.StatusOK).decode(t, &note)
	if note.ViewCount != 3 {
		t.Errorf("the note counts %d views, want 3", note.ViewCount)
	}

	// A link that allows downloads hands out a signed file URL that works
	// without a session.
	var dl shareJSON
	expect(t, s.do(t, owner.caller, "POST", path+"/share", map[string]any{"expires_in_days": nil, "allow_download": true}), http.StatusCreated).decode(t, &dl)
	if dl.ExpiresAt != nil {
		t.Errorf("expires_in_days null gave expires_at %v", *dl.ExpiresAt)
	}
	expect(t, s.do(t, anonymous, "GET", "/api/v1/shared/"+token(t, dl), nil), http.StatusOK).decode(t, &shared)
	if shared.Note.FileURL == nil || !shared.AllowDownload || !strings.HasPrefix(*shared.Note.FileURL, "https://teachtrack.example/uploads/notes/") {
		t.Fatalf("download link shows %+v", shared)
	}
	if got := expect(t, fetch(t, s, *shared.Note.FileURL), http.StatusOK); !bytes.Equal(got.Body, data) {
		t.Fatal("the shared file URL served other bytes")
	}

	// Nobody but the owner sees or changes the links.
	expect(t, s.do(t, stranger.caller, "GET", path+"/shares", nil), http.StatusNotFound)
	expect(t, s.do(t, stranger.caller, "POST", path+"/share", map[string]any{}), http.StatusNotFound)
	expect(t, s.do(t, stranger.caller, "DELETE", fmt.Sprintf("/api/v1/shares/%d", view.ID), nil), http.StatusNotFound)
	expect(t, s.do(t, anonymous, "GET", path+"/shares", nil), http.StatusUnauthorized)

	// Revoked: 410 with a sentence, and shown inactive.
	expect(t, s.do(t, owner.caller, "DELETE", fmt.Sprintf("/api/v1/shares/%d", view.ID), nil), http.StatusNoContent)
	expect(t, s.do(t, owner.caller, "DELETE", fmt.Sprintf("/api/v1/shares/%d", view.ID), nil), http.StatusNoContent)
	res := expect(t, s.do(t, anonymous, "GET", "/api/v1/shared/"+tok, nil), http.StatusGone)
	if d := problemDetail(t, res); !strings.Contains(d, "turned off") {
		t.Errorf("revoked: %q", d)
	}
	expect(t, s.do(t, owner.caller, "GET", path+"/shares", nil), http.StatusOK).decode(t, &links)
	if len(links) != 2 || links[1].ID != view.ID || links[1].IsActive || !links[0].IsActive {
		t.Fatalf("after revoke: %+v", links)
	}

	// Expired: 410.
	var exp shareJSON
	expect(t, s.do(t, owner.caller, "POST", path+"/share", map[string]any{"expires_in_days": 1}), http.StatusCreated).decode(t, &exp)
	if err := s.primary(t).Model(&models.NoteShare{}).Where("id = ?", exp.ID).Update("expires_at", time.Now().Add(-time.Minute)).Error; err != nil {
		t.Fatal(err)
	}
	s.waitReplicas(t)
	res = expect(t, s.do(t, anonymous, "GET", "/api/v1/shared/"+token(t, exp), nil), http.StatusGone)
	if d := problemDetail(t, res); !strings.Contains(d, "expired") {
		t.Errorf("expired: %q", d)
	}

	// Unknown and malformed tokens: 404.
	expect(t, s.do(t, anonymous, "GET", "/api/v1/shared/"+strings.Repeat("A", 43), nil), http.StatusNotFound)
	expect(t, s.do(t, anonymous, "GET", "/api/v1/shared/'%20OR%201=1", nil), http.StatusNotFound)

	// Bad requests.
	expect(t, s.do(t, owner.caller, "POST", path+"/share", map[string]any{"expires_in_days": -1}), http.StatusUnprocessableEntity)
	expect(t, s.do(t, owner.caller, "POST", path+"/share", map[string]any{"expires_in_days": "soon"}), http.StatusBadRequest)

	// Deleting the note ends every link (410) and removes the file.
	expect(t, s.do(t, owner.caller, "DELETE", path, nil), http.StatusOK)
	res = expect(t, s.do(t, anonymous, "GET", "/api/v1/shared/"+token(t, dl), nil), http.StatusGone)
	if d := problemDetail(t, res); !strings.Contains(d, "deleted") {
		t.Errorf("note deleted: %q", d)
	}
	expect(t, fetch(t, s, *shared.Note.FileURL), http.StatusNotFound)
	expectNothingStored(t, s)
}

// Another user's note is 404 everywhere; a school admin reads their own
// school's teachers' notes (as they read their subjects) and no one else's.
func TestNoteAccess(t *testing.T) {
	s := newTestServer(t)
	school, otherSchool := createSchool(t, s, "Kilimani Primary"), createSchool(t, s, "Moi Avenue")
	owner := createUser(t, s, models.RoleTeacher, school)
	stranger := createUser(t, s, models.RoleTeacher, school)
	admin := createUser(t, s, models.RoleSchoolAdmin, school)
	otherAdmin := createUser(t, s, models.RoleSchoolAdmin, otherSchool)
	note := upload(t, s, owner.caller, formFile{name: "a.pdf", data: pdf(2000)}, "title", "Mine")
	p := fmt.Sprintf("/api/v1/notes/%d", note.ID)
	for _, c := range []struct{ method, path string }{
		{"GET", p}, {"GET", p + "/download"}, {"DELETE", p}, {"PATCH", p + "/favorite"},
		{"POST", p + "/share"}, {"GET", p + "/shares"},
	} {
		for _, u := range []*testUser{stranger, otherAdmin} {
			res := s.do(t, u.caller, c.method, c.path, nil)
			if res.Status != http.StatusNotFound {
				t.Errorf("%s %s by %s: %d, want 404", c.method, c.path, u.Role, res.Status)
			}
		}
		if res := s.do(t, anonymous, c.method, c.path, nil); res.Status != http.StatusUnauthorized {
			t.Errorf("%s %s without a session: %d, want 401", c.method, c.path, res.Status)
		}
	}
	var list []noteJSON
	expect(t, s.do(t, stranger.caller, "GET", "/api/v1/notes", nil), http.StatusOK).decode(t, &list)
	if len(list) != 0 {
		t.Errorf("another teacher lists %d notes", len(list))
	}
	// The school's admin reads and downloads, but changes nothing.
	expect(t, s.do(t, admin.caller, "GET", p, nil), http.StatusOK)
	expect(t, s.do(t, admin.caller, "GET", p+"/download", nil), http.StatusOK)
	expect(t, s.do(t, admin.caller, "DELETE", p, nil), http.StatusNotFound)
	expect(t, s.do(t, admin.caller, "POST", p+"/share", nil), http.StatusNotFound)

	// A file URL can't be guessed or altered.
	u := list0(t, s, owner).FileURL
	expect(t, fetch(t, s, u), http.StatusOK)
	for _, bad := range []string{
		regexp.MustCompile(`sig=[^&]+`).ReplaceAllString(u, "sig=AAAA"),
		regexp.MustCompile(`exp=\d+`).ReplaceAllString(u, "exp=99999999999"),
		strings.Split(u, "?")[0],
		u + "&dl=evil.exe",
		"/uploads/notes/../../etc/passwd",
		"/uploads/other/0123456789abcdef0123456789abcdef.pdf",
	} {
		if res := fetch(t, s, bad); res.Status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", bad, res.Status)
		}
	}
	expect(t, s.do(t, owner.caller, "GET", "/api/v1/notes/0", nil), http.StatusBadRequest)
	expect(t, s.do(t, owner.caller, "GET", "/api/v1/notes/abc", nil), http.StatusBadRequest)
}

// An upload cut off mid-way — after the store has started keeping it —
// leaves no row, no object and no unfinished multipart upload. The request
// goes to the router without the spec checker, which would read the whole
// body before the handler saw a byte.
func TestNoteUploadInterrupted(t *testing.T) {
	onBothStores(t, func(t *testing.T, s *testServer) {
		teacher := createUser(t, s, models.RoleTeacher, nil)
		raw := httptest.NewServer(s.Config.Handler.(*specChecked).next)
		t.Cleanup(raw.Close)

		conn, err := net.Dial("tcp", raw.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		const boundary = "cutcutcut"
		head := "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.pdf\"\r\n" +
			"Content-Type: application/pdf\r\n\r\n"
		fmt.Fprintf(conn, "POST /api/v1/notes/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"+
			"Content-Type: multipart/form-data; boundary=%s\r\nContent-Length: %d\r\n\r\n%s",
			teacher.Token, boundary, 15<<20, head)
		w := bufio.NewWriter(conn)
		w.Write(pdf(12 << 20)) // of a promised 15 MiB: two S3 parts go out
		w.Flush()
		// Wait until the store holds the upload in progress, then cut.
		waitFor(t, "the upload in progress in the store", func() bool { return inProgress(t, s) > 0 })
		conn.Close()
		waitFor(t, "the upload request to end", func() bool { return uploadsEnded(t, s) >= 1 })
		expectNothingStored(t, s)
	})
}

// uploadsEnded is how many POST /notes/upload requests have finished, from
// the API's own request metrics.
func uploadsEnded(t *testing.T, s *testServer) float64 {
	t.Helper()
	res := expect(t, s.do(t, anonymous, "GET", "/metrics", nil), http.StatusOK)
	n := 0.0
	for _, line := range strings.Split(string(res.Body), "\n") {
		if strings.HasPrefix(line, "http_request_duration_seconds_count{") && strings.Contains(line, `route="/api/v1/notes/upload"`) {
			v, _ := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
			n += v
		}
	}
	return n
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 60s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
