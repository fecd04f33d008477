package handlers

import (
	"net/http"

	"github.com/teachtrack/api/internal/filetype"
	"github.com/teachtrack/api/internal/models"
)

func logoRules(maxBytes int64) uploadRules {
	return uploadRules{
		folder: folderLogos, maxBytes: maxBytes,
		accept:  func(k filetype.Kind) bool { return k.Image },
		refused: "A logo must be an image: PNG, JPEG, GIF, WebP or BMP.",
	}
}

// uploadLogo stores the form's image as a public logo and records who sent
// it; it returns the logo's URL (relative: the frontend proxies /uploads).
func (n *notesAPI) uploadLogo(w http.ResponseWriter, r *http.Request, schoolID *uint64) (string, error) {
	_, file, err := n.files.readForm(w, r, logoRules(n.cfg.LogoMaxBytes), map[string]int{})
	if err == nil {
		n.rebind(r)
		uid := viewer(r).UserID
		err = models.RecordLogo(reqDB(r), &models.UploadedLogo{UserID: &uid, SchoolID: schoolID, StorageKey: file.key, SizeBytes: file.size})
	}
	if err != nil {
		n.files.discard(r.Context(), file)
		return "", err
	}
	return "/uploads/" + file.key, nil
}

// handleProfileLogo is a teacher's own logo (multipart field "file"); the
// profile page saves the URL with the rest of the profile.
func (n *notesAPI) handleProfileLogo(w http.ResponseWriter, r *http.Request) {
	url, err := n.uploadLogo(w, r, nil)
	if err != nil {
		n.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"message": "Logo uploaded.", "logo_url": url})
}

// handleSchoolLogo is a school's logo (multipart field "logo"), uploaded by
// its admin; the school settings page saves the URL as school_logo_url.
func (n *notesAPI) handleSchoolLogo(w http.ResponseWriter, r *http.Request) {
	url, err := n.uploadLogo(w, r, viewer(r).SchoolID)
	if err != nil {
		n.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"message": "Logo uploaded.", "url": url})
}
