package handlers

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"regexp"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/teachtrack/api/internal/models"
)

// maxShareDays bounds a share link's lifetime; 0 or null means it never expires.
const maxShareDays = 3650

// shareLink is a share link as the frontend's share dialog reads it.
type shareLink struct {
	models.NoteShare
	ShareURL string `json:"share_url"`
	IsActive bool   `json:"is_active"`
}

func (n *notesAPI) link(s models.NoteShare, now time.Time) shareLink {
	return shareLink{NoteShare: s, ShareURL: n.cfg.FrontendURL + "/shared/" + s.Token, IsActive: s.Active(now)}
}

type shareRequest struct {
	ExpiresInDays *int `json:"expires_in_days" validate:"omitempty,min=0,max=3650"`
	AllowDownload bool `json:"allow_download"`
}

// newShareToken is 32 random bytes (256 bits), base64url: unguessable, and
// safe in a URL path.
func newShareToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

var tokenPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

func (n *notesAPI) handleShareCreate(w http.ResponseWriter, r *http.Request) {
	var req shareRequest
	err := n.dec.decodeOptional(w, r, &req)
	var note *models.OwnedNote
	if err == nil {
		note, err = n.note(r, true)
	}
	s := models.NoteShare{UserID: viewer(r).UserID, AllowDownload: req.AllowDownload}
	if err == nil {
		s.NoteID = &note.ID
		s.Token, err = newShareToken()
	}
	now := time.Now().UTC()
	if err == nil {
		if d := req.ExpiresInDays; d != nil && *d > 0 {
			exp := now.AddDate(0, 0, *d)
			s.ExpiresAt = &exp
		}
		err = models.CreateShare(reqDB(r), &s)
	}
	if err != nil {
		n.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, n.link(s, now))
}

func (n *notesAPI) handleShareList(w http.ResponseWriter, r *http.Request) {
	note, err := n.note(r, true)
	var shares []models.NoteShare
	if err == nil {
		shares, err = models.SharesOf(reqDB(r), note.ID)
	}
	if err != nil {
		n.fail(w, r, err)
		return
	}
	now := time.Now()
	out := make([]shareLink, len(shares))
	for i, s := range shares {
		out[i] = n.link(s, now)
	}
	writeJSON(w, http.StatusOK, out)
}

// handleShareRevoke turns a link off for good; the row stays, so the owner's
// list shows it inactive and the link answers 410.
func (n *notesAPI) handleShareRevoke(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = models.RevokeShare(reqDB(r), id, viewer(r).UserID)
	}
	if err != nil {
		n.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// sharedNote is what the public share page reads.
type sharedNote struct {
	Note struct {
		ID            uint64  `json:"id"`
		Title         string  `json:"title"`
		FileType      string  `json:"file_type"`
		FileSizeBytes int64   `json:"file_size_bytes"`
		FileURL       *string `json:"file_url"`
		ThumbnailURL  *string `json:"thumbnail_url"`
	} `json:"note"`
	AllowDownload bool       `json:"allow_download"`
	ViewCount     int        `json:"view_count"`
	ExpiresAt     *time.Time `json:"expires_at"`
}

// handleSharedView is GET /shared/{token}: anyone with the link, signed in
// or not. Each view is counted, so the route is a write (asWrite). The file
// URL is given only when the owner allowed downloads.
func (n *notesAPI) handleSharedView(w http.ResponseWriter, r *http.Request) {
	token := chi.URLParam(r, "token")
	if !tokenPattern.MatchString(token) {
		n.fail(w, r, models.ErrNoSuchShare)
		return
	}
	now := time.Now()
	sh, err := models.ViewShare(reqDB(r), token, now)
	if err != nil {
		n.fail(w, r, err)
		return
	}
	var out sharedNote
	out.Note.ID, out.Note.Title, out.Note.FileType, out.Note.FileSizeBytes = sh.Note.ID, sh.Note.Title, sh.Note.FileType, sh.Note.FileSizeBytes
	out.AllowDownload, out.ViewCount, out.ExpiresAt = sh.Share.AllowDownload, sh.Share.ViewCount, sh.Share.ExpiresAt
	if sh.Share.AllowDownload {
		u := n.fileURL(&sh.Note, "", now)
		out.Note.FileURL = &u
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, out)
}
