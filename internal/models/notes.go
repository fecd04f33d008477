package models

import (
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Note is a row of notes: one uploaded file and what the teacher said about
// it. FileURL is not stored: the API signs a short-lived URL per response.
type Note struct {
	ID          uint64  `gorm:"primaryKey" json:"id"`
	UserID      uint64  `json:"user_id"`
	SubjectID   *uint64 `json:"subject_id"`
	StrandID    *uint64 `json:"strand_id"`
	SubstrandID *uint64 `gorm:"column:substrand_id" json:"substrand_id"`
	LessonID    *uint64 `json:"lesson_id"`
	Title       string  `json:"title"`
	Description *string `json:"description"`
	Tags        *string `json:"tags"`
	FileType    string  `json:"file_type"`
	ContentType string  `json:"-"`
	StorageKey  string  `json:"-"`
	// ExternalURL is where a note imported from the original backend keeps
	// its file (api import-legacy): handed out instead of a signed URL.
	ExternalURL      *string    `json:"-"`
	OriginalFilename string     `json:"file_name"`
	FileSizeBytes    int64      `json:"file_size_bytes"`
	IsFavorite       bool       `json:"is_favorite"`
	ViewCount        int        `json:"view_count"`
	LastViewedAt     *time.Time `json:"last_viewed_at"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`

	FileURL      string  `gorm:"-" json:"file_url"`
	ThumbnailURL *string `gorm:"-" json:"thumbnail_url"`
}

// OwnedNote is a note with its teacher's school, which decides who besides
// the teacher may read it.
type OwnedNote struct {
	Note
	OwnerSchoolID *uint64 `json:"-"`
}

// CanRead: the teacher, any SUPER_ADMIN, and a SCHOOL_ADMIN of the teacher's
// school. Only the teacher changes, shares or deletes a note.
func (n *OwnedNote) CanRead(v Viewer) bool {
	switch {
	case n.UserID == v.UserID, v.Role == RoleSuperAdmin:
		return true
	case v.Role == RoleSchoolAdmin:
		return v.SchoolID != nil && n.OwnerSchoolID != nil && *v.SchoolID == *n.OwnerSchoolID
	}
	return false
}

var (
	// ErrNoSuchNote is what anyone who may not see a note is told, so ids
	// reveal nothing.
	ErrNoSuchNote = Sentence(ErrNotFound, "There is no such note.")
	// ErrNoSuchShare is ErrNoSuchNote's counterpart for share links.
	ErrNoSuchShare = Sentence(ErrNotFound, "There is no such share link.")
	// ErrGone is a share link that existed and no longer works (HTTP 410).
	ErrGone = errors.New("gone")
)

// NoteLinks are the curriculum places a note may be filed under.
type NoteLinks struct {
	SubjectID, StrandID, SubstrandID, LessonID *uint64
}

// checkLinks checks in one statement that every link given names a place in
// one of the teacher's own subjects.
func checkLinks(db *gorm.DB, userID uint64, l NoteLinks) error {
	if l.SubjectID == nil && l.StrandID == nil && l.SubstrandID == nil && l.LessonID == nil {
		return nil
	}
	var r struct{ Subject, Strand, Substrand, Lesson bool }
	err := db.Raw(`SELECT
	  (? IS NULL OR EXISTS (SELECT 1 FROM subjects s WHERE s.id = ? AND s.user_id = ?)) AS subject,
	  (? IS NULL OR EXISTS (SELECT 1 FROM strands st JOIN subjects s ON s.id = st.subject_id WHERE st.id = ? AND s.user_id = ?)) AS strand,
	  (? IS NULL OR EXISTS (SELECT 1 FROM sub_strands ss JOIN strands st ON st.id = ss.strand_id JOIN subjects s ON s.id = st.subject_id
	                        WHERE ss.id = ? AND s.user_id = ?)) AS substrand,
	  (? IS NULL OR EXISTS (SELECT 1 FROM lessons l JOIN sub_strands ss ON ss.id = l.substrand_id JOIN strands st ON st.id = ss.strand_id
	                        JOIN subjects s ON s.id = st.subject_id WHERE l.id = ? AND s.user_id = ?)) AS lesson`,
		l.SubjectID, l.SubjectID, userID, l.StrandID, l.StrandID, userID,
		l.SubstrandID, l.SubstrandID, userID, l.LessonID, l.LessonID, userID).Scan(&r).Error
	if err != nil {
		return err
	}
	switch {
	case !r.Subject:
		return Invalid("subject_id", "names none of your subjects")
	case !r.Strand:
		return Invalid("strand_id", "names no strand of your subjects")
	case !r.Substrand:
		return Invalid("substrand_id", "names no sub-strand of your subjects")
	case !r.Lesson:
		return Invalid("lesson_id", "names no lesson of your subjects")
	}
	return nil
}

// CreateNote checks n's links and inserts it.
func CreateNote(db *gorm.DB, n *Note) error {
	if err := checkLinks(db, n.UserID, NoteLinks{n.SubjectID, n.StrandID, n.SubstrandID, n.LessonID}); err != nil {
		return err
	}
	return translate(db.Create(n).Error)
}

// NoteByID returns note id with its teacher's school, or ErrNoSuchNote.
func NoteByID(db *gorm.DB, id uint64) (*OwnedNote, error) {
	var n OwnedNote
	err := db.Table("notes").Select("notes.*, users.school_id AS owner_school_id").
		Joins("JOIN users ON users.id = notes.user_id").Where("notes.id = ?", id).Take(&n).Error
	if err := translate(err); err != nil {
		return nil, notFound(err, ErrNoSuchNote)
	}
	return &n, nil
}

// NoteFilter selects one teacher's notes for a list.
type NoteFilter struct {
	UserID uint64
	NoteLinks
	Favorite *bool
	FileType string
	Query    string // substring of the title, description or tags
	Page     int    // from 1
	PerPage  int
}

func (f NoteFilter) apply(db *gorm.DB) *gorm.DB {
	q := db.Model(&Note{}).Where("user_id = ?", f.UserID)
	for _, c := range []struct {
		col string
		v   *uint64
	}{{"subject_id", f.SubjectID}, {"strand_id", f.StrandID}, {"substrand_id", f.SubstrandID}, {"lesson_id", f.LessonID}} {
		if c.v != nil {
			q = q.Where(c.col+" = ?", *c.v)
		}
	}
	if f.Favorite != nil {
		q = q.Where("is_favorite = ?", *f.Favorite)
	}
	if f.FileType != "" {
		q = q.Where("file_type = ?", f.FileType)
	}
	if f.Query != "" {
		like := "%" + escapeLike(f.Query) + "%"
		q = q.Where("(title LIKE ? OR description LIKE ? OR tags LIKE ?)", like, like, like)
	}
	return q
}

// ListNotes returns one page of the notes f selects, newest first, and how
// many it selects in all: two statements whatever the count.
func ListNotes(db *gorm.DB, f NoteFilter) ([]Note, int64, error) {
	var total int64
	if err := translate(f.apply(db).Count(&total).Error); err != nil {
		return nil, 0, err
	}
	notes := []Note{}
	err := f.apply(db).Order("created_at DESC, id DESC").Offset((f.Page - 1) * f.PerPage).Limit(f.PerPage).Find(&notes).Error
	return notes, total, translate(err)
}

// ToggleFavorite flips the favourite mark of the teacher's note id and
// returns its new value.
func ToggleFavorite(db *gorm.DB, id, userID uint64) (bool, error) {
	var fav bool
	err := db.Transaction(func(tx *gorm.DB) error {
		var n Note
		err := tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).Select("id", "is_favorite").
			Where("id = ? AND user_id = ?", id, userID).Take(&n).Error
		if err := translate(err); err != nil {
			return notFound(err, ErrNoSuchNote)
		}
		fav = !n.IsFavorite
		return tx.Model(&Note{}).Where("id = ?", id).Update("is_favorite", fav).Error
	})
	return fav, err
}

// DeleteNote deletes the teacher's note id and ends its share links (they
// answer 410 from now on); it returns the note's storage key, for the caller
// to remove the file once the row is gone.
func DeleteNote(db *gorm.DB, id, userID uint64) (string, error) {
	var key string
	err := db.Transaction(func(tx *gorm.DB) error {
		var n Note
		err := tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).Select("id", "storage_key").
			Where("id = ? AND user_id = ?", id, userID).Take(&n).Error
		if err := translate(err); err != nil {
			return notFound(err, ErrNoSuchNote)
		}
		key = n.StorageKey
		if err := tx.Model(&NoteShare{}).Where("note_id = ? AND revoked_at IS NULL", id).Update("revoked_at", time.Now().UTC()).Error; err != nil {
			return err
		}
		return tx.Delete(&Note{}, id).Error
	})
	return key, translate(err)
}

// NoteShare is a row of note_shares: one public link to a note.
type NoteShare struct {
	ID            uint64     `gorm:"primaryKey" json:"id"`
	NoteID        *uint64    `json:"note_id"`
	UserID        uint64     `json:"-"`
	Token         string     `json:"-"`
	AllowDownload bool       `json:"allow_download"`
	ExpiresAt     *time.Time `json:"expires_at"`
	RevokedAt     *time.Time `json:"-"`
	ViewCount     int        `json:"view_count"`
	CreatedAt     time.Time  `json:"created_at"`
}

// Active reports whether the link works at now: not revoked, not expired,
// its note not deleted.
func (s *NoteShare) Active(now time.Time) bool {
	return s.RevokedAt == nil && s.NoteID != nil && (s.ExpiresAt == nil || now.Before(*s.ExpiresAt))
}

// CreateShare inserts a link to note (which the caller has checked is theirs).
func CreateShare(db *gorm.DB, s *NoteShare) error { return translate(db.Create(s).Error) }

// SharesOf lists the links of note id, newest first (one statement).
func SharesOf(db *gorm.DB, noteID uint64) ([]NoteShare, error) {
	shares := []NoteShare{}
	err := db.Where("note_id = ?", noteID).Order("created_at DESC, id DESC").Find(&shares).Error
	return shares, translate(err)
}

// RevokeShare turns off the teacher's link id; revoking twice is harmless.
func RevokeShare(db *gorm.DB, id, userID uint64) error {
	res := db.Model(&NoteShare{}).Where("id = ? AND user_id = ?", id, userID).
		Update("revoked_at", gorm.Expr("COALESCE(revoked_at, ?)", time.Now().UTC()))
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		// Either no such link, or MariaDB counted an unchanged row as not
		// affected: tell them apart.
		var n int64
		if err := db.Model(&NoteShare{}).Where("id = ? AND user_id = ?", id, userID).Count(&n).Error; err != nil {
			return translate(err)
		}
		if n == 0 {
			return ErrNoSuchShare
		}
	}
	return nil
}

// SharedNote is what a share link shows: the link and its note.
type SharedNote struct {
	Share NoteShare
	Note  Note
}

// ViewShare opens the link with token: it counts the view on the link and on
// its note and returns both. A revoked or expired link, or one whose note was
// deleted, is ErrGone with a sentence; an unknown token ErrNoSuchShare.
func ViewShare(db *gorm.DB, token string, now time.Time) (*SharedNote, error) {
	var out SharedNote
	err := db.Transaction(func(tx *gorm.DB) error {
		err := tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).Where("token = ?", token).Take(&out.Share).Error
		if err := translate(err); err != nil {
			return notFound(err, ErrNoSuchShare)
		}
		s := &out.Share
		switch {
		case s.NoteID == nil:
			return Sentence(ErrGone, "The shared note was deleted by its owner.")
		case s.RevokedAt != nil:
			return Sentence(ErrGone, "This share link was turned off by its owner.")
		case s.ExpiresAt != nil && !now.Before(*s.ExpiresAt):
			return Sentence(ErrGone, fmt.Sprintf("This share link expired on %s.", s.ExpiresAt.UTC().Format("2 January 2006 at 15:04 UTC")))
		}
		if err := tx.Model(&NoteShare{}).Where("id = ?", s.ID).Update("view_count", gorm.Expr("view_count + 1")).Error; err != nil {
			return err
		}
		s.ViewCount++
		if err := tx.Model(&Note{}).Where("id = ?", *s.NoteID).
			UpdateColumns(map[string]any{"view_count": gorm.Expr("view_count + 1"), "last_viewed_at": now.UTC()}).Error; err != nil {
			return err
		}
		return tx.Take(&out.Note, *s.NoteID).Error
	})
	if err != nil {
		return nil, translate(err)
	}
	return &out, nil
}

// UploadedLogo is a row of uploaded_logos.
type UploadedLogo struct {
	ID         uint64 `gorm:"primaryKey"`
	UserID     *uint64
	SchoolID   *uint64
	StorageKey string
	SizeBytes  int64
	CreatedAt  time.Time
}

// RecordLogo inserts l.
func RecordLogo(db *gorm.DB, l *UploadedLogo) error { return translate(db.Create(l).Error) }
