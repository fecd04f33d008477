package handlers

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/teachtrack/api/internal/db"
	"github.com/teachtrack/api/internal/filetype"
	"github.com/teachtrack/api/internal/models"
)

// Paging of GET /notes: the frontend asks for no page and filters the list
// itself, so a page holds up to 500 notes.
const (
	defaultNotesPerPage = 500
	maxNotesPerPage     = 500
)

// formOverhead is what a note upload's form may add to its file: the other
// fields and the multipart boundaries.
const formOverhead = 1 << 20

// maxFieldBytes bounds one text field of an upload form.
const maxFieldBytes = 64 << 10

// notesAPI serves notes, their files and share links, and logo uploads.
type notesAPI struct {
	*API
	dec   *decoder
	files *filesAPI
}

func newNotesAPI(a *API, dec *decoder, files *filesAPI) *notesAPI {
	return &notesAPI{API: a, dec: dec, files: files}
}

func (n *notesAPI) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, models.ErrGone) {
		err = errorf(http.StatusGone, userSentence(err, "This link no longer works."))
	}
	n.writeError(w, r, db.Translate(err))
}

// withURL fills the note's file_url: a short-lived signed URL that shows it.
// It is absolute, on FRONTEND_URL, whose /uploads proxy forwards to us: the
// browser's <img>/<iframe>/download links then stay on the frontend's origin,
// and an outside viewer (the Office preview the frontend embeds) can fetch it.
func (n *notesAPI) withURL(note *models.Note, now time.Time) *models.Note {
	note.FileURL = n.fileURL(note, "", now)
	return note
}

// fileURL is the address of a note's file: a signed URL of our store, or,
// for a note imported from the original backend, where its file stayed.
func (n *notesAPI) fileURL(note *models.Note, download string, now time.Time) string {
	if note.ExternalURL != nil {
		return *note.ExternalURL
	}
	u := n.files.signedURL(note.StorageKey, download, now)
	if download == "" {
		u = n.cfg.FrontendURL + u
	}
	return u
}

// note loads the note {id} if the caller may read it (write false) or change
// it (write true); anyone else is told it doesn't exist (404).
func (n *notesAPI) note(r *http.Request, write bool) (*models.OwnedNote, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	note, err := models.NoteByID(reqDB(r), id)
	if err != nil {
		return nil, err
	}
	v := viewer(r)
	if !note.CanRead(v) || write && note.UserID != v.UserID {
		return nil, models.ErrNoSuchNote
	}
	return note, nil
}

// queryID reads an optional id filter from the query string.
func queryID(r *http.Request, name string) (*uint64, error) {
	v := strings.TrimSpace(r.URL.Query().Get(name))
	if v == "" {
		return nil, nil
	}
	id, err := strconv.ParseUint(v, 10, 63)
	if err != nil || id == 0 {
		return nil, models.Invalid(name, "must be a positive whole number")
	}
	return &id, nil
}

func (n *notesAPI) handleNoteList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := models.NoteFilter{UserID: viewer(r).UserID, Query: strings.TrimSpace(q.Get("q")),
		FileType: strings.ToLower(strings.TrimSpace(q.Get("file_type")))}
	var err error
	for _, p := range []struct {
		name string
		dst  **uint64
	}{{"subject_id", &f.SubjectID}, {"strand_id", &f.StrandID}, {"substrand_id", &f.SubstrandID}, {"lesson_id", &f.LessonID}} {
		if err == nil {
			*p.dst, err = queryID(r, p.name)
		}
	}
	if v := q.Get("is_favorite"); err == nil && v != "" {
		b, perr := strconv.ParseBool(v)
		if perr != nil {
			err = models.Invalid("is_favorite", "must be true or false")
		}
		f.Favorite = &b
	}
	if err == nil {
		f.Page, err = queryInt(r, "page", 1)
	}
	if err == nil {
		f.PerPage, err = queryInt(r, "per_page", defaultNotesPerPage)
	}
	if err != nil {
		n.fail(w, r, err)
		return
	}
	f.PerPage = min(f.PerPage, maxNotesPerPage)
	notes, total, err := models.ListNotes(reqDB(r), f)
	if err != nil {
		n.fail(w, r, err)
		return
	}
	now := time.Now()
	for i := range notes {
		n.withURL(&notes[i], now)
	}
	writePage(w, r, f.Page, f.PerPage, total, notes)
}

func (n *notesAPI) handleNoteGet(w http.ResponseWriter, r *http.Request) {
	note, err := n.note(r, false)
	if err != nil {
		n.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, n.withURL(&note.Note, time.Now()))
}

// handleNoteDownload answers with a redirect to a short-lived signed URL of
// the file, downloaded under its original name. The bytes then stream from
// /uploads without a database connection held (and without the read path's
// response buffering); the frontend's proxy follows the redirect itself.
func (n *notesAPI) handleNoteDownload(w http.ResponseWriter, r *http.Request) {
	note, err := n.note(r, false)
	if err != nil {
		n.fail(w, r, err)
		return
	}
	kind, _ := filetype.ByExt(note.FileType)
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, n.fileURL(&note.Note, safeFileName(note.OriginalFilename, kind), time.Now()), http.StatusFound)
}

func (n *notesAPI) handleNoteDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		n.fail(w, r, err)
		return
	}
	key, err := models.DeleteNote(reqDB(r), id, viewer(r).UserID)
	if err != nil {
		n.fail(w, r, err)
		return
	}
	// The row is gone first, so no reader can reach a missing file; a file
	// that can't be removed now is logged as an orphan.
	n.files.discard(r.Context(), &stored{key: key})
	writeJSON(w, http.StatusOK, map[string]string{"message": "Note deleted."})
}

func (n *notesAPI) handleNoteFavorite(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		n.fail(w, r, err)
		return
	}
	fav, err := models.ToggleFavorite(reqDB(r), id, viewer(r).UserID)
	if err != nil {
		n.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"is_favorite": fav})
}

// noteForm is the text of an upload form, checked after the file arrived
// (browsers send the fields in the page's order, the file first).
type noteForm struct {
	fields map[string]string
}

var noteFormFields = map[string]int{"title": 255, "description": 65535, "tags": 500,
	"subject_id": 0, "strand_id": 0, "substrand_id": 0, "lesson_id": 0}

func (f noteForm) note(userID uint64) (*models.Note, error) {
	note := &models.Note{UserID: userID, Title: strings.TrimSpace(f.fields["title"])}
	if note.Title == "" {
		return nil, models.Invalid("title", "is required")
	}
	for name, max := range noteFormFields {
		if v := f.fields[name]; max > 0 && utf8.RuneCountInString(v) > max {
			return nil, models.Invalid(name, fmt.Sprintf("must be at most %d characters", max))
		}
	}
	for _, o := range []struct {
		name string
		dst  **string
	}{{"description", &note.Description}, {"tags", &note.Tags}} {
		if v := strings.TrimSpace(f.fields[o.name]); v != "" {
			*o.dst = &v
		}
	}
	for _, o := range []struct {
		name string
		dst  **uint64
	}{{"subject_id", &note.SubjectID}, {"strand_id", &note.StrandID}, {"substrand_id", &note.SubstrandID}, {"lesson_id", &note.LessonID}} {
		v := strings.TrimSpace(f.fields[o.name])
		if v == "" || v == "null" || v == "undefined" {
			continue
		}
		id, err := strconv.ParseUint(v, 10, 63)
		if err != nil || id == 0 {
			return nil, models.Invalid(o.name, "must be a positive whole number")
		}
		*o.dst = &id
	}
	return note, nil
}

var noteRules = uploadRules{
	folder: folderNotes,
	accept: func(filetype.Kind) bool { return true },
	refused: "This kind of file can't be uploaded as a note. Upload a PDF, a Word, Excel or PowerPoint document, " +
		"an image (PNG, JPEG, GIF, WebP, BMP) or plain text.",
}

// handleNoteUpload takes a multipart form (file, title and optional
// description, tags and curriculum ids) and streams the file to storage as
// it arrives. It is all-or-nothing: any failure, the client going away
// included, leaves neither a row nor an object.
func (n *notesAPI) handleNoteUpload(w http.ResponseWriter, r *http.Request) {
	rules := noteRules
	rules.maxBytes = n.cfg.UploadMaxBytes
	form, file, err := n.files.readForm(w, r, rules, noteFormFields)
	var note *models.Note
	if err == nil {
		note, err = form.note(viewer(r).UserID)
	}
	if err == nil {
		note.FileType, note.ContentType, note.StorageKey = file.kind.Ext, file.kind.ContentType, file.key
		note.OriginalFilename, note.FileSizeBytes = displayName(file.name), file.size
		// The body may have taken minutes: the statements get a fresh
		// write timeout of their own.
		n.rebind(r)
		err = models.CreateNote(reqDB(r), note)
	}
	if err != nil {
		n.files.discard(r.Context(), file)
		n.fail(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/notes/%d", note.ID))
	writeJSON(w, http.StatusCreated, map[string]any{"message": "Note uploaded.", "note": n.withURL(note, time.Now())})
}

// displayName is the client's file name as kept for display: its last path
// element, without control characters, at most 255 characters.
func displayName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, name)
	return clip(strings.TrimSpace(name), 255)
}

// clip shortens s to at most n characters.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// readForm reads a multipart upload form part by part: the one "file" part
// goes to storage through put as it streams in, the text fields (those of
// known, each at most 64 KiB) are kept. A file that was stored is returned
// even with an error, for the caller to discard.
func (f *filesAPI) readForm(w http.ResponseWriter, r *http.Request, rules uploadRules, known map[string]int) (noteForm, *stored, error) {
	form := noteForm{fields: map[string]string{}}
	limit := rules.maxBytes + formOverhead
	if r.ContentLength > limit {
		// Refused before a byte is read: the client learns at once.
		return form, nil, errTooLarge(rules.maxBytes)
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "multipart/form-data" {
		return form, nil, errNotMultipart
	}
	f.uploadDeadlines(w)
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	mr, err := r.MultipartReader()
	if err != nil {
		return form, nil, errNotMultipart
	}
	var file *stored
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return form, file, uploadReadError(err, rules.maxBytes)
		}
		name := part.FormName()
		switch {
		case name == "file" || name == "logo": // the school logo form names its file "logo"
			if file != nil {
				return form, file, errorf(http.StatusBadRequest, "Send one file per upload.")
			}
			file, err = f.put(r.Context(), part, part.FileName(), rules)
			if err != nil {
				return form, nil, err
			}
		default:
			if _, ok := known[name]; !ok {
				return form, file, errorf(http.StatusBadRequest, fmt.Sprintf("The form has a field %q this upload doesn't take.", clip(name, 50)))
			}
			v, err := io.ReadAll(io.LimitReader(part, maxFieldBytes+1))
			if err != nil {
				return form, file, uploadReadError(err, rules.maxBytes)
			}
			if len(v) > maxFieldBytes || !utf8.Valid(v) {
				return form, file, models.Invalid(name, "must be text of at most 64 KiB")
			}
			form.fields[name] = string(v)
		}
		part.Close()
	}
	if file == nil {
		return form, nil, models.Invalid("file", "is required: choose a file to upload")
	}
	return form, file, nil
}
