package handlers_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"testing"

	"github.com/teachtrack/api/internal/storage"
	"github.com/teachtrack/api/internal/storage/s3test"
)

// onBothStores runs fn against a server storing files in a local directory
// and against one storing them in a real S3-compatible server (versitygw on
// 127.0.0.1, see s3test). env adds to both servers' environment.
func onBothStores(t *testing.T, fn func(t *testing.T, s *testServer), env ...string) {
	t.Run("local", func(t *testing.T) { fn(t, newTestServer(t, env...)) })
	t.Run("s3", func(t *testing.T) {
		gw := s3test.Start(t)
		s := newTestServer(t, append(gw.Env(), env...)...)
		if _, ok := s.Store.(*storage.S3); !ok {
			t.Fatalf("STORAGE=s3 gave a %T", s.Store)
		}
		fn(t, s)
	})
}

// storedKeys lists every object (and any temporary file) in s's store.
func storedKeys(t *testing.T, s *testServer) []string {
	t.Helper()
	l, ok := s.Store.(interface {
		Keys(context.Context, string) ([]string, error)
	})
	if !ok {
		t.Fatalf("%T can't list its keys", s.Store)
	}
	keys, err := l.Keys(context.Background(), "")
	if err != nil {
		t.Fatalf("listing the store: %v", err)
	}
	return keys
}

// expectNothingStored fails unless s holds no note rows, no objects and (on
// S3) no unfinished multipart uploads.
func expectNothingStored(t *testing.T, s *testServer) {
	t.Helper()
	var rows int64
	if err := s.primary(t).Table("notes").Count(&rows).Error; err != nil {
		t.Fatal(err)
	}
	if rows != 0 {
		t.Errorf("%d note rows left behind", rows)
	}
	if keys := storedKeys(t, s); len(keys) != 0 {
		t.Errorf("objects left behind: %v", keys)
	}
	if s3, ok := s.Store.(*storage.S3); ok {
		if n, err := s3.PendingUploads(context.Background()); err != nil || n != 0 {
			t.Errorf("%d unfinished multipart uploads left behind (%v)", n, err)
		}
	}
}

// formFile is a file part of a multipart form.
type formFile struct {
	field, name, contentType string
	data                     []byte
}

// form is a multipart body as a browser sends it: the file first, then the
// fields in the given order (name, value pairs).
func form(t *testing.T, file *formFile, fields ...string) rawBody {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	if file != nil {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, file.field, file.name))
		ct := file.contentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		h.Set("Content-Type", ct)
		p, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		p.Write(file.data)
	}
	for i := 0; i+1 < len(fields); i += 2 {
		w.WriteField(fields[i], fields[i+1])
	}
	w.Close()
	return rawBody{ContentType: w.FormDataContentType(), Data: b.String()}
}

// pdf is a small PDF-looking file of about n bytes (the magic is what counts).
func pdf(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	copy(b, "%PDF-1.7\n")
	copy(b[len(b)-6:], "%%EOF\n")
	return b
}

// png is a file that starts as a PNG does.
func png(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	copy(b, "\x89PNG\r\n\x1a\n")
	return b
}

// noteJSON is the part of a note the tests look at.
type noteJSON struct {
	ID            uint64  `json:"id"`
	UserID        uint64  `json:"user_id"`
	SubjectID     *uint64 `json:"subject_id"`
	Title         string  `json:"title"`
	Description   *string `json:"description"`
	Tags          *string `json:"tags"`
	FileType      string  `json:"file_type"`
	FileName      string  `json:"file_name"`
	FileSizeBytes int64   `json:"file_size_bytes"`
	FileURL       string  `json:"file_url"`
	IsFavorite    bool    `json:"is_favorite"`
	ViewCount     int     `json:"view_count"`
}

// upload posts a note form as c and returns the note.
func upload(t *testing.T, s *testServer, c caller, file formFile, fields ...string) noteJSON {
	t.Helper()
	if file.field == "" {
		file.field = "file"
	}
	var body struct {
		Note noteJSON `json:"note"`
	}
	expect(t, s.do(t, c, "POST", "/api/v1/notes/upload", form(t, &file, fields...)), http.StatusCreated).decode(t, &body)
	return body.Note
}

// fetch GETs a URL the API handed out, without a session and without
// following redirects. File URLs are on FRONTEND_URL, whose /uploads proxy
// forwards the path and query to the API unchanged: so does fetch.
func fetch(t *testing.T, s *testServer, path string) *response {
	t.Helper()
	if u, err := url.Parse(path); err == nil && u.IsAbs() {
		path = u.RequestURI()
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(s.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &response{Status: res.StatusCode, Header: res.Header, Body: data}
}

// problemDetail is a problem response's detail sentence.
func problemDetail(t *testing.T, r *response) string {
	t.Helper()
	var p problem
	r.decode(t, &p)
	if !strings.HasSuffix(p.Detail, ".") {
		t.Errorf("detail %q is not a sentence", p.Detail)
	}
	return p.Detail
}

// inProgress counts what the store holds of uploads: objects, temporary
// files (local) and unfinished multipart uploads (S3).
func inProgress(t *testing.T, s *testServer) int {
	t.Helper()
	n := len(storedKeys(t, s))
	if s3, ok := s.Store.(*storage.S3); ok {
		p, err := s3.PendingUploads(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		n += p
	}
	return n
}
