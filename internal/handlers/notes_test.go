package handlers_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/teachtrack/api/internal/models"
)

// The round trip a teacher makes, on both stores: upload, list, show,
// download, favourite, delete — and the file goes with the note.
func TestNoteRoundTrip(t *testing.T) {
	onBothStores(t, func(t *testing.T, s *testServer) {
		teacher := createUser(t, s, models.RoleTeacher, nil)
		sub := newSubject(t, s, teacher.caller, "Mathematics", "Grade 7", nil)
		data := pdf(6<<20 + 17) // two parts of an S3 multipart upload
		note := upload(t, s, teacher.caller.cookieOnly(), formFile{name: "Fractions week 3.pdf", data: data},
			"title", "Fractions", "subject_id", fmt.Sprint(sub.ID), "description", "Worksheet", "tags", "worksheet, fractions")
		if note.FileType != "pdf" || note.FileSizeBytes != int64(len(data)) || note.Title != "Fractions" ||
			note.SubjectID == nil || *note.SubjectID != sub.ID || note.FileName != "Fractions week 3.pdf" || note.UserID != teacher.ID {
			t.Fatalf("uploaded note %+v", note)
		}
		if !regexp.MustCompile(`^http://localhost:3000/uploads/notes/[0-9a-f]{32}\.pdf\?exp=\d+&sig=[A-Za-z0-9_-]+$`).MatchString(note.FileURL) {
			t.Fatalf("file_url %q is not a signed /uploads URL", note.FileURL)
		}

		var list []noteJSON
		res := expect(t, s.do(t, teacher.caller, "GET", "/api/v1/notes", nil), http.StatusOK)
		res.decode(t, &list)
		if len(list) != 1 || list[0].ID != note.ID || res.Header.Get("X-Total-Count") != "1" {
			t.Fatalf("list %+v", list)
		}
		expect(t, s.do(t, teacher.caller, "GET", fmt.Sprintf("/api/v1/notes?subject_id=%d&file_type=pdf&q=fraction", sub.ID), nil), http.StatusOK).decode(t, &list)
		if len(list) != 1 {
			t.Fatalf("filtered list has %d notes, want 1", len(list))
		}
		expect(t, s.do(t, teacher.caller, "GET", "/api/v1/notes?is_favorite=true", nil), http.StatusOK).decode(t, &list)
		if len(list) != 0 {
			t.Fatalf("favourites: %d notes, want 0", len(list))
		}

		// The file URL shows the file to anyone holding it (the browser's
		// <img>/<iframe>), no session needed, with ranges.
		got := expect(t, fetch(t, s, list0(t, s, teacher).FileURL), http.StatusOK)
		if !bytes.Equal(got.Body, data) || got.Header.Get("Content-Type") != "application/pdf" ||
			got.Header.Get("Content-Disposition") != "inline" {
			t.Fatalf("file: %d bytes, %q, %q", len(got.Body), got.Header.Get("Content-Type"), got.Header.Get("Content-Disposition"))
		}
		req, _ := http.NewRequest("GET", s.URL+strings.TrimPrefix(note.FileURL, "http://localhost:3000"), nil)
		req.Header.Set("Range", "bytes=0-8")
		if r, err := http.DefaultClient.Do(req); err != nil || r.StatusCode != http.StatusPartialContent {
			t.Fatalf("range request: %v %v", r, err)
		} else {
			r.Body.Close()
		}

		// Download: a redirect to a signed URL that downloads under the name.
		dl := expect(t, s.do(t, teacher.caller.cookieOnly(), "GET", fmt.Sprintf("/api/v1/notes/%d/download", note.ID), nil), http.StatusOK)
		if !bytes.Equal(dl.Body, data) || dl.Header.Get("Content-Disposition") != `attachment; filename="Fractions week 3.pdf"` {
			t.Fatalf("download: %d bytes, %q", len(dl.Body), dl.Header.Get("Content-Disposition"))
		}

		var fav struct {
			IsFavorite bool `json:"is_favorite"`
		}
		expect(t, s.do(t, teacher.caller, "PATCH", fmt.Sprintf("/api/v1/notes/%d/favorite", note.ID), map[string]any{}), http.StatusOK).decode(t, &fav)
		if !fav.IsFavorite {
			t.Fatal("favorite did not turn on")
		}
		expect(t, s.do(t, teacher.caller, "GET", fmt.Sprintf("/api/v1/notes/%d", note.ID), nil), http.StatusOK).decode(t, &note)
		if !note.IsFavorite {
			t.Fatal("GET shows the note not favourite")
		}
		expect(t, s.do(t, teacher.caller, "PATCH", fmt.Sprintf("/api/v1/notes/%d/favorite", note.ID), nil), http.StatusOK).decode(t, &fav)
		if fav.IsFavorite {
			t.Fatal("favorite did not turn off")
		}

		if keys := storedKeys(t, s); len(keys) != 1 || !strings.HasPrefix(keys[0], "notes/") {
			t.Fatalf("the store holds %v, want the one note", keys)
		}
		expect(t, s.do(t, teacher.caller, "DELETE", fmt.Sprintf("/api/v1/notes/%d", note.ID), nil), http.StatusOK)
		expectNothingStored(t, s)
		expect(t, s.do(t, teacher.caller, "GET", fmt.Sprintf("/api/v1/notes/%d", note.ID), nil), http.StatusNotFound)
		expect(t, fetch(t, s, note.FileURL), http.StatusNotFound)
		expect(t, s.do(t, teacher.caller, "DELETE", fmt.Sprintf("/api/v1/notes/%d", note.ID), nil), http.StatusNotFound)
	})
}

// list0 is the caller's newest note, as the list shows it.
func list0(t *testing.T, s *testServer, u *testUser) noteJSON {
	t.Helper()
	var list []noteJSON
	expect(t, s.do(t, u.caller, "GET", "/api/v1/notes", nil), http.StatusOK).decode(t, &list)
	if len(list) == 0 {
		t.Fatal("no notes")
	}
	return list[0]
}

// What is refused leaves nothing behind: no row, no object.
func TestNoteUploadRefused(t *testing.T) {
	onBothStores(t, func(t *testing.T, s *testServer) {
		teacher := createUser(t, s, models.RoleTeacher, nil)
		other := createUser(t, s, models.RoleTeacher, nil)
		othersSubject := newSubject(t, s, other.caller, "English", "Grade 4", nil)
		elf := append([]byte("\x7fELF\x02\x01\x01\x00"), make([]byte, 2000)...)
		html := []byte("<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>")
		mp4 := append([]byte("\x00\x00\x00\x18ftypmp42"), make([]byte, 100)...)
		svg := []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)
		for _, c := range []struct {
			name   string
			body   rawBody
			status int
		}{
			{"an executable named .pdf, sent as application/pdf", form(t, &formFile{field: "file", name: "notes.pdf", contentType: "application/pdf", data: elf}, "title", "x"), 415},
			{"HTML named .txt", form(t, &formFile{field: "file", name: "notes.txt", contentType: "text/plain", data: html}, "title", "x"), 415},
			{"SVG", form(t, &formFile{field: "file", name: "logo.svg", data: svg}, "title", "x"), 415},
			{"a video", form(t, &formFile{field: "file", name: "lesson.mp4", data: mp4}, "title", "x"), 415},
			{"over UPLOAD_MAX_BYTES", form(t, &formFile{field: "file", name: "big.pdf", data: pdf(200 << 10)}, "title", "x"), 413},
			{"an empty file", form(t, &formFile{field: "file", name: "empty.pdf"}, "title", "x"), 422},
			{"no title", form(t, &formFile{field: "file", name: "a.pdf", data: pdf(1000)}), 422},
			{"a blank title", form(t, &formFile{field: "file", name: "a.pdf", data: pdf(1000)}, "title", "  "), 422},
			{"no file", form(t, nil, "title", "x"), 422},
			{"another teacher's subject", form(t, &formFile{field: "file", name: "a.pdf", data: pdf(1000)}, "title", "x", "subject_id", fmt.Sprint(othersSubject.ID)), 422},
			{"a malformed subject id", form(t, &formFile{field: "file", name: "a.pdf", data: pdf(1000)}, "title", "x", "subject_id", "1; DROP TABLE notes"), 422},
			{"a field the form doesn't take", form(t, &formFile{field: "file", name: "a.pdf", data: pdf(1000)}, "title", "x", "user_id", fmt.Sprint(other.ID)), 400},
			{"JSON instead of a form", rawBody{ContentType: "application/json", Data: `{"title":"x"}`}, 415},
			{"a truncated form", rawBody{ContentType: "multipart/form-data; boundary=XYZ", Data: "--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.4 abc"}, 400},
		} {
			res := s.do(t, teacher.caller, "POST", "/api/v1/notes/upload", c.body)
			if res.Status != c.status {
				t.Errorf("%s: status %d, want %d; %s", c.name, res.Status, c.status, res.Body)
				continue
			}
			detail := problemDetail(t, res)
			t.Logf("%s: %d %s", c.name, res.Status, detail)
			expectNothingStored(t, s)
		}
	}, "UPLOAD_MAX_BYTES", "100KiB")
}

// A file too large is refused from its Content-Length before a byte is
// read, and, sent chunked (no length), as soon as the limit passes.
func TestNoteUploadTooLarge(t *testing.T) {
	s := newTestServer(t, "UPLOAD_MAX_BYTES", "1MiB")
	teacher := createUser(t, s, models.RoleTeacher, nil)
	body := form(t, &formFile{field: "file", name: "big.pdf", data: pdf(3 << 20)}, "title", "Big")
	for _, chunked := range []bool{false, true} {
		req, _ := http.NewRequest("POST", s.URL+"/api/v1/notes/upload", strings.NewReader(body.Data))
		if chunked {
			// An unknown length: the client sends the body chunked.
			req.ContentLength, req.GetBody = 0, nil
			req.Body = io.NopCloser(struct{ io.Reader }{strings.NewReader(body.Data)})
		}
		req.Header.Set("Content-Type", body.ContentType)
		req.Header.Set("Authorization", "Bearer "+teacher.Token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("chunked %v: %v", chunked, err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("chunked %v: status %d, want 413", chunked, res.StatusCode)
		}
	}
	expectNothingStored(t, s)
}

// A file name is metadata: one that walks up the tree is stored under a
// random key inside the store, and downloads under a harmless name.
func TestNoteFileNameIsOnlyMetadata(t *testing.T) {
	dir := t.TempDir()
	s := newTestServer(t, "STORAGE_DIR", dir)
	teacher := createUser(t, s, models.RoleTeacher, nil)
	before, _ := os.ReadFile("/etc/passwd")
	for _, name := range []string{"../../etc/passwd", `..\..\windows\win.ini`, "a\"b\r\nX-Evil: 1.txt", "/etc/passwd"} {
		text := []byte("root:x:0:0:not really:/root:/bin/sh\n")
		note := upload(t, s, teacher.caller, formFile{name: name, data: text}, "title", "Harmless")
		if note.FileType != "txt" || strings.ContainsAny(note.FileName, "/\\") {
			t.Errorf("%q: file_type %q, file_name %q", name, note.FileType, note.FileName)
		}
		dl := expect(t, s.do(t, teacher.caller, "GET", fmt.Sprintf("/api/v1/notes/%d/download", note.ID), nil), http.StatusOK)
		cd := dl.Header.Get("Content-Disposition")
		if !regexp.MustCompile(`^attachment; filename="[A-Za-z0-9 ._()-]+\.txt"$`).MatchString(cd) || !bytes.Equal(dl.Body, text) {
			t.Errorf("%q: downloads as %q", name, cd)
		}
		if dl.Header.Get("X-Evil") != "" {
			t.Errorf("%q: a header was injected", name)
		}
	}
	after, _ := os.ReadFile("/etc/passwd")
	if !bytes.Equal(before, after) {
		t.Fatal("/etc/passwd changed")
	}
	// Everything the uploads wrote is under the store's directory, by random key.
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if !regexp.MustCompile(`^notes/[0-9a-f]{32}\.txt$`).MatchString(filepath.ToSlash(rel)) {
			t.Errorf("stored file %s", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
