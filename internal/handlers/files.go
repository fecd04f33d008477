package handlers

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/go-chi/chi/v5"

	"github.com/teachtrack/api/internal/filetype"
	"github.com/teachtrack/api/internal/storage"
)

// Folders of the object store, each its own kind of access.
const (
	folderNotes = "notes" // private: served only with a signature the API made
	folderLogos = "logos" // public once uploaded
)

// filesAPI stores uploads and serves them back under /uploads: logos to
// anyone, notes' files only through URLs the API signed for a reader it
// had checked, valid for SIGNED_URL_TTL.
type filesAPI struct {
	*API
	urlKey []byte
}

func newFilesAPI(a *API) *filesAPI {
	// A key of its own, derived from the JWT secret, so that a file URL's
	// signature can never pass for anything else the secret signs.
	m := hmac.New(sha256.New, []byte(a.cfg.JWTSecret))
	m.Write([]byte("teachtrack signed file URLs v1"))
	return &filesAPI{API: a, urlKey: m.Sum(nil)}
}

func (f *filesAPI) signature(key, exp, dl string) string {
	m := hmac.New(sha256.New, f.urlKey)
	fmt.Fprintf(m, "%s\n%s\n%s", key, exp, dl)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// signedURL is the path at which the object key can be read until
// SIGNED_URL_TTL from now. download, when set, is the file name it is
// downloaded as (Content-Disposition: attachment); else it is shown inline
// where the kind allows. The path is relative: the frontend reaches the API
// through its own /uploads proxy, and API clients through the API's host.
func (f *filesAPI) signedURL(key, download string, now time.Time) string {
	exp := strconv.FormatInt(now.Add(f.cfg.SignedURLTTL).Unix(), 10)
	q := url.Values{"exp": {exp}, "sig": {f.signature(key, exp, download)}}
	if download != "" {
		q.Set("dl", download)
	}
	return "/uploads/" + key + "?" + q.Encode()
}

// handleUploadsFile serves GET and HEAD /uploads/{folder}/{name}: the path
// after /uploads/ is the object's key.
func (f *filesAPI) handleUploadsFile(w http.ResponseWriter, r *http.Request) {
	key := chi.URLParam(r, "folder") + "/" + chi.URLParam(r, "name")
	kind, ok := filetype.ByExt(key[strings.LastIndexByte(key, '.')+1:])
	noSuchFile := errorf(http.StatusNotFound, "There is no such file.")
	if !storage.ValidKey(key) || !ok {
		f.writeError(w, r, noSuchFile)
		return
	}
	disposition := "inline"
	switch chi.URLParam(r, "folder") {
	case folderLogos:
		if !kind.Image {
			f.writeError(w, r, noSuchFile)
			return
		}
		// Keys are random and never reused, so a logo never changes.
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	case folderNotes:
		q := r.URL.Query()
		exp, dl := q.Get("exp"), q.Get("dl")
		// A wrong signature is told nothing more than a wrong key: 404.
		if !hmac.Equal([]byte(q.Get("sig")), []byte(f.signature(key, exp, dl))) {
			f.writeError(w, r, noSuchFile)
			return
		}
		until, err := strconv.ParseInt(exp, 10, 64)
		if err != nil || time.Now().Unix() > until {
			f.writeError(w, r, errorf(http.StatusGone, "This file link has expired. Open the note again to get a fresh one."))
			return
		}
		w.Header().Set("Cache-Control", "private, max-age="+strconv.FormatInt(max(until-time.Now().Unix(), 0), 10))
		if dl != "" || !kind.Inline {
			disposition = attachment(dl, kind)
		}
	default:
		f.writeError(w, r, noSuchFile)
		return
	}
	obj, err := f.store.Get(r.Context(), key)
	if errors.Is(err, storage.ErrNotFound) {
		f.writeError(w, r, noSuchFile)
		return
	} else if err != nil {
		f.writeError(w, r, fmt.Errorf("reading %s from storage: %w", key, err))
		return
	}
	defer obj.Close()
	// A large file to a slow reader may take longer than the server's
	// WriteTimeout, which is sized for JSON answers.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(f.cfg.UploadTimeout))
	h := w.Header()
	h.Set("Content-Type", kind.ContentType)
	h.Set("Content-Disposition", disposition)
	if kind.Ext != "pdf" {
		// Whatever a file holds, it runs nothing in our origin (browsers'
		// PDF viewers refuse to work sandboxed, and run no page script).
		h.Set("Content-Security-Policy", "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'")
	}
	http.ServeContent(w, r, "", obj.ModTime(), obj)
}

// attachment is a Content-Disposition that downloads the file as name: in
// plain ASCII quoted, which every browser and the frontend's own parser
// (filename="…") read alike.
func attachment(name string, kind filetype.Kind) string {
	name = safeFileName(name, kind)
	return `attachment; filename="` + name + `"`
}

// safeFileName keeps the client's file name for a download, reduced to
// characters that are harmless in a header and in any file system: no path,
// no quotes, no control characters; it ends with the kind's extension.
func safeFileName(name string, kind filetype.Kind) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	var b strings.Builder
	for _, c := range name {
		switch {
		case c < 128 && (unicode.IsLetter(c) || unicode.IsDigit(c)), strings.ContainsRune(" -_.()", c):
			b.WriteRune(c)
		default:
			b.WriteByte('_')
		}
	}
	base := strings.Trim(b.String(), " .")
	if i := strings.LastIndexByte(base, '.'); i >= 0 {
		base = base[:i]
	}
	base = strings.Trim(base, " .")
	if base == "" {
		base = "file"
	}
	if len(base) > 100 {
		base = base[:100]
	}
	return base + "." + kind.Ext
}

// Upload errors, sentences a person understands.
var (
	errNotMultipart = errorf(http.StatusUnsupportedMediaType, "Send the file as multipart/form-data, the way a browser form uploads files.")
	errInterrupted  = errorf(http.StatusBadRequest, "The upload was interrupted before the whole file arrived. Please try again.")
	errEmptyFile    = errorf(http.StatusUnprocessableEntity, "The file is empty.")
)

func errTooLarge(limit int64) error {
	return errorf(http.StatusRequestEntityTooLarge, fmt.Sprintf("The file is larger than the %s allowed.", humanBytes(limit)))
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// stored is a file put in the store by an upload that has not finished:
// until keep is called, discard removes it.
type stored struct {
	key  string
	kind filetype.Kind
	size int64
	name string // the client's file name, metadata only
}

// uploadRules say what one upload endpoint accepts.
type uploadRules struct {
	folder   string
	maxBytes int64
	accept   func(filetype.Kind) bool
	refused  string // the 415 sentence
}

// put streams one multipart file part into the store under a new random
// key: it sniffs the kind from the first bytes, refuses what rules don't
// accept (415) before storing anything, and counts the bytes as they pass,
// failing at the limit (413). Memory stays at the sniff buffer plus the
// store's own part buffer, whatever the size. On error nothing is stored.
func (f *filesAPI) put(ctx context.Context, part io.Reader, name string, rules uploadRules) (*stored, error) {
	br := bufio.NewReaderSize(part, filetype.SniffLen)
	head, err := br.Peek(filetype.SniffLen)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, uploadReadError(err, rules.maxBytes)
	}
	if len(head) == 0 {
		return nil, errEmptyFile
	}
	kind, ok := filetype.Detect(head, name)
	if !ok || !rules.accept(kind) {
		return nil, errorf(http.StatusUnsupportedMediaType, rules.refused)
	}
	var rnd [16]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return nil, err
	}
	s := &stored{key: rules.folder + "/" + hex.EncodeToString(rnd[:]) + "." + kind.Ext, kind: kind, name: name}
	lr := &limitReader{r: br, left: rules.maxBytes}
	s.size, err = f.store.Put(ctx, s.key, lr, kind.ContentType)
	if err != nil {
		// The store leaves nothing on a failed Put; deleting again costs one
		// request and covers a store that failed after writing.
		f.discard(ctx, s)
		if lr.over {
			return nil, errTooLarge(rules.maxBytes)
		}
		return nil, uploadReadError(err, rules.maxBytes)
	}
	return s, nil
}

// uploadReadError is what a failed read of an upload's body means for the
// client: over the request's byte limit (413), or cut off.
func uploadReadError(err error, limit int64) error {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return errTooLarge(limit)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF), isNetError(err):
		return fmt.Errorf("%w (%w)", errInterrupted, err)
	}
	return err
}

func isNetError(err error) bool {
	var ne interface{ Timeout() bool }
	return errors.As(err, &ne) || strings.Contains(err.Error(), "connection reset") || strings.Contains(err.Error(), "broken pipe")
}

// discard removes an upload's object, on a context of its own: it runs when
// the request failed, often because its client went away.
func (f *filesAPI) discard(ctx context.Context, s *stored) {
	if s == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := f.store.Delete(ctx, s.key); err != nil {
		f.log.LogAttrs(ctx, slog.LevelError, "could not remove the file of a failed upload; it is an orphan now",
			slog.String("key", s.key), slog.String("error", err.Error()))
	}
}

// limitReader fails once more than left bytes pass, remembering why.
type limitReader struct {
	r    io.Reader
	left int64
	over bool
}

var errOverLimit = errors.New("upload over its size limit")

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left < 0 {
		l.over = true
		return 0, errOverLimit
	}
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		l.over = true
		return n, errOverLimit
	}
	return n, err
}

// uploadDeadlines gives a request's body UPLOAD_TIMEOUT to arrive instead of
// the server's ReadTimeout, which is sized for JSON bodies. A writer that
// can't set deadlines (a test's recorder) keeps the server's.
func (f *filesAPI) uploadDeadlines(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	until := time.Now().Add(f.cfg.UploadTimeout)
	_ = rc.SetReadDeadline(until)
	_ = rc.SetWriteDeadline(until.Add(30 * time.Second))
}
