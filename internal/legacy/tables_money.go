package legacy

import (
	"encoding/base64"
	"fmt"
	"math"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/teachtrack/api/internal/filetype"
)

// noteKind is the kind of an imported note's file: from its URL's
// extension, else from the original's file_type (often a MIME type, 6c.15).
func noteKind(fileURL, fileType string) (filetype.Kind, bool) {
	u, err := url.Parse(fileURL)
	if err == nil {
		ext := strings.ToLower(strings.TrimPrefix(path.Ext(u.Path), "."))
		if k, ok := filetype.ByExt(ext); ok {
			return k, true
		}
		if ext == "jpeg" {
			return filetype.ByExt("jpg")
		}
	}
	ft := strings.ToLower(strings.TrimSpace(fileType))
	if k, ok := filetype.ByExt(strings.TrimPrefix(ft, ".")); ok {
		return k, true
	}
	for _, ext := range []string{"pdf", "png", "jpg", "gif", "webp", "bmp", "txt", "docx", "xlsx", "pptx", "doc", "xls", "ppt"} {
		if k, _ := filetype.ByExt(ext); ft != "" && strings.HasPrefix(k.ContentType, ft) {
			return k, true
		}
	}
	return filetype.Kind{}, false
}

var notesTable = &table{
	source: "notes", target: "notes",
	query: "SELECT n.*" + page("notes n", "n"),
	cols: []string{"user_id", "subject_id", "strand_id", "substrand_id", "lesson_id", "title", "description", "tags",
		"file_type", "content_type", "storage_key", "external_url", "original_filename", "file_size_bytes", "is_favorite",
		"view_count", "last_viewed_at", "created_at"},
	mapRow: func(m *importer, r row) ([]any, error) {
		user, err := m.must(r, "user_id", "users")
		if err != nil {
			return nil, err
		}
		fileURL := strings.TrimSpace(r.s("file_url"))
		u, perr := url.Parse(fileURL)
		if perr != nil || len(fileURL) > 500 || !(u.Scheme == "https" || u.Scheme == "http" || (u.Scheme == "" && strings.HasPrefix(fileURL, "/"))) {
			return nil, refuse("file URL %q is not an address", fileURL)
		}
		if u.Scheme == "" {
			m.adjust("file URL is relative to the original backend (its /uploads): kept as it is, serve those files at the same path")
		}
		kind, ok := noteKind(fileURL, r.s("file_type"))
		ext, ctype := kind.Ext, kind.ContentType
		if !ok {
			ext, ctype = "file", "application/octet-stream"
			m.adjust("file type %q unknown: served as a download", r.s("file_type"))
		}
		name, _ := url.PathUnescape(path.Base(u.Path))
		if name == "" || name == "." || name == "/" {
			name = r.s("title")
		}
		name, _ = clip(name, 255)
		tags, clipped := clip(r.s("tags"), 500)
		if clipped {
			m.adjust("tags longer than 500 characters: shortened")
		}
		var tagsV any = tags
		if r.null("tags") {
			tagsV = nil
		}
		return []any{user, m.nref(r, "subject_id", "subjects"), m.nref(r, "strand_id", "strands"),
			m.nref(r, "substrand_id", "sub_strands"), m.nref(r, "lesson_id", "lessons"), r.s("title"), r.ns("description"),
			tagsV, ext, ctype, fmt.Sprintf("legacy/note-%d", r.id()), fileURL, name, m.count(r, "file_size_bytes", 0),
			r.b("is_favorite", false), m.count(r, "view_count", 0), r.nt("last_viewed_at"), m.created(r)}, nil
	},
}

var shareTokenForm = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

var noteSharesTable = &table{
	source: "shared_presentations", target: "note_shares",
	query: "SELECT s.*" + page("shared_presentations s", "s"),
	cols:  []string{"note_id", "user_id", "token", "allow_download", "expires_at", "revoked_at", "view_count", "created_at"},
	mapRow: func(m *importer, r row) ([]any, error) {
		note, err := m.must(r, "note_id", "notes")
		if err != nil {
			return nil, err
		}
		user, err := m.must(r, "user_id", "users")
		if err != nil {
			return nil, err
		}
		tok := r.s("share_token")
		if _, derr := base64.RawURLEncoding.DecodeString(tok); !shareTokenForm.MatchString(tok) || derr != nil {
			return nil, refuse("its link's token is not 32 random bytes (base64url) as links are here: share the note again")
		}
		var revoked any
		if !r.b("is_active", true) {
			revoked = r.nt("updated_at")
			if revoked == nil {
				revoked = m.created(r)
			}
		}
		return []any{note, user, tok, r.b("allow_download", false), r.nt("expires_at"), revoked,
			m.count(r, "view_count", 0), m.created(r)}, nil
	},
}

// planOf is the plan and billing period a payment was for: the original
// kept the plan in reference, and its description named the pass.
func planOf(reference, description string) (plan, period string, ok bool) {
	switch strings.ToUpper(strings.TrimSpace(reference)) {
	case "INDIVIDUAL_BASIC":
		return "INDIVIDUAL_BASIC", "TERMLY", true
	case "INDIVIDUAL_PREMIUM":
		return "INDIVIDUAL_PREMIUM", "YEARLY", true
	}
	d := strings.ToLower(description + " " + reference)
	switch {
	case strings.Contains(d, "term"):
		return "INDIVIDUAL_BASIC", "TERMLY", true
	case strings.Contains(d, "year") || strings.Contains(d, "annual"):
		return "INDIVIDUAL_PREMIUM", "YEARLY", true
	}
	return "", "", false
}

var paymentsTable = &table{
	source: "payments", target: "payments",
	query: "SELECT p.*" + page("payments p", "p"),
	cols: []string{"user_id", "period", "plan", "amount", "currency", "phone_number", "checkout_request_id",
		"merchant_request_id", "status", "result_desc", "transaction_code", "mpesa_metadata", "description", "settled_at", "created_at"},
	mapRow: func(m *importer, r row) ([]any, error) {
		plan, period, ok := planOf(r.s("reference"), r.s("description"))
		if !ok {
			return nil, refuse("neither its reference %q nor its description %q says which plan it paid for", r.s("reference"), r.s("description"))
		}
		amount, err := strconv.ParseFloat(r.s("amount"), 64)
		if err != nil || amount <= 0 {
			return nil, refuse("amount %q is not a positive sum", r.s("amount"))
		}
		if amount != math.Round(amount) {
			m.adjust("amount %s has cents: rounded to whole shillings", r.s("amount"))
		}
		if strings.TrimSpace(r.s("checkout_request_id")) == "" {
			return nil, refuse("no checkout_request_id")
		}
		status := orDefault(r.s("status"), "PENDING")
		var settled any
		if status != "PENDING" {
			settled = r.nt("updated_at")
		}
		var meta any
		if !r.null("mpesa_metadata") {
			meta = r.j("mpesa_metadata", "{}")
		}
		// A payment is a money record: it stays when its user is not imported.
		return []any{m.nref(r, "user_id", "users"), period, plan, int64(math.Round(amount)), "KES", r.s("phone_number"),
			r.s("checkout_request_id"), r.ns("merchant_request_id"), status, r.ns("result_desc"),
			r.ns("transaction_code"), meta, r.s("description"), settled, m.created(r)}, nil
	},
}
