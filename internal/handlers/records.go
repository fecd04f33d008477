package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/teachtrack/api/internal/models"
	"github.com/teachtrack/api/internal/pdf"
)

// record loads the record of work {id} if the caller may read it (404
// otherwise) and, with write, change it (403 for a school admin).
func (d *documentsAPI) record(r *http.Request, write bool) (*models.OwnedRecord, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	rec, err := models.RecordByID(reqDB(r), id)
	switch {
	case err != nil:
		return nil, err
	case !rec.CanRead(viewer(r)):
		return nil, models.ErrNoSuchRecord
	case write && !rec.CanWrite(viewer(r)):
		return nil, errDocumentReadOnly
	}
	return rec, nil
}

// recordJSON is a record of work as the frontend reads it.
type recordJSON struct {
	*models.Record
	IsPublic bool    `json:"is_public"`
	ShareURL *string `json:"share_url"`
	// Entries is set on single-record answers, [] when there are none.
	Entries *[]models.RecordEntry `json:"entries,omitempty"`
}

func (d *documentsAPI) recordJSON(rec *models.Record) recordJSON {
	out := recordJSON{Record: rec, IsPublic: rec.ShareToken != nil}
	if rec.ShareToken != nil {
		u := d.shareURL("records-of-work", *rec.ShareToken)
		out.ShareURL = &u
	}
	return out
}

func (d *documentsAPI) handleRecordList(w http.ResponseWriter, r *http.Request) {
	archived, err := archivedQuery(r)
	var list []models.Record
	if err == nil {
		list, err = models.ListRecords(reqDB(r), viewer(r), archived)
	}
	if err != nil {
		d.fail(w, r, err)
		return
	}
	out := make([]recordJSON, len(list))
	for i := range list {
		out[i] = d.recordJSON(&list[i])
	}
	writeJSON(w, http.StatusOK, out)
}

func (d *documentsAPI) showRecord(w http.ResponseWriter, r *http.Request, rec *models.Record, status int) {
	if err := models.LoadEntries(reqDB(r), rec); err != nil {
		d.fail(w, r, err)
		return
	}
	if status == http.StatusCreated {
		w.Header().Set("Location", fmt.Sprintf("/api/v1/records-of-work/%d", rec.ID))
	}
	out := d.recordJSON(rec)
	out.Entries = &rec.Entries
	writeJSON(w, status, out)
}

func (d *documentsAPI) handleRecordGet(w http.ResponseWriter, r *http.Request) {
	rec, err := d.record(r, false)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	d.showRecord(w, r, &rec.Record, http.StatusOK)
}

func (d *documentsAPI) handleRecordDelete(w http.ResponseWriter, r *http.Request) {
	rec, err := d.record(r, true)
	if err == nil {
		err = models.DeleteRecord(reqDB(r), rec.ID)
	}
	if err != nil {
		d.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, messageJSON{"Record deleted."})
}

func (d *documentsAPI) handleRecordArchive(archived bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rec, err := d.record(r, true)
		if err == nil {
			err = models.SetArchived(reqDB(r), "records_of_work", rec.ID, archived)
		}
		if err != nil {
			d.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, archiveMessage(archived))
	}
}

func (d *documentsAPI) handleRecordShare(w http.ResponseWriter, r *http.Request) {
	rec, err := d.record(r, true)
	token := ""
	if err == nil {
		token, err = models.Share(reqDB(r), "records_of_work", rec.ID)
	}
	if err != nil {
		d.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, shareJSON{ShareURL: d.shareURL("records-of-work", token), ShareToken: token, IsPublic: true})
}

func (d *documentsAPI) handleRecordUnshare(w http.ResponseWriter, r *http.Request) {
	rec, err := d.record(r, true)
	if err == nil {
		err = models.Unshare(reqDB(r), "records_of_work", rec.ID)
	}
	if err != nil {
		d.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleRecordFromScheme makes the caller's record of work for scheme {id}
// (one entry per week), or answers the one they already have (200). Making
// one is generating a document: a plan without generation (an ended trial)
// gets 403 for a new record, and still its existing one.
func (d *documentsAPI) handleRecordFromScheme(w http.ResponseWriter, r *http.Request) {
	s, err := d.scheme(r, true)
	if err == nil {
		err = models.LoadWeeks(reqDB(r), &s.Scheme)
	}
	var rec *models.Record
	created := false
	if err == nil {
		rec, created, err = models.RecordFromScheme(reqDB(r), &s.Scheme, viewer(r).UserID, d.allow(r, models.FeatureGenerate))
	}
	if err != nil {
		d.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	d.showRecord(w, r, rec, status)
}

// handleMarkTaught marks scheme lesson {id}'s week taught in the caller's
// record of work for that scheme.
func (d *documentsAPI) handleMarkTaught(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var l *models.TaughtLesson
	if err == nil {
		l, err = models.TaughtLessonByID(reqDB(r), id)
	}
	v := viewer(r)
	switch {
	case err != nil:
	case !models.DocumentReadable(v, l.OwnerID, l.OwnerSchoolID):
		err = models.ErrNoSuchSchemeLesson
	case l.OwnerID != v.UserID:
		err = errDocumentReadOnly
	}
	var e *models.RecordEntry
	if err == nil {
		e, err = models.MarkTaught(reqDB(r), l, v.UserID, now())
	}
	if err != nil {
		d.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, e)
}

// entryUpdateRequest is PUT …/entries/{entry_id}: any of the entry's fields
// (the frontend sends one at a time).
type entryUpdateRequest struct {
	Strand           *string `json:"strand" validate:"omitempty,max=65535"`
	Topic            *string `json:"topic" validate:"omitempty,max=65535"`
	LearningOutcomeA *string `json:"learning_outcome_a" validate:"omitempty,max=65535"`
	LearningOutcomeB *string `json:"learning_outcome_b" validate:"omitempty,max=65535"`
	LearningOutcomeC *string `json:"learning_outcome_c" validate:"omitempty,max=65535"`
	LearningOutcomeD *string `json:"learning_outcome_d" validate:"omitempty,max=65535"`
	Reflection       *string `json:"reflection" validate:"omitempty,max=65535"`
	Signature        *string `json:"signature" validate:"omitempty,max=255"`
	Status           *string `json:"status" validate:"omitempty,oneof=pending taught postponed"`
	// DateTaught: "" clears it; else a date (YYYY-MM-DD) or an RFC 3339 time.
	DateTaught *string `json:"date_taught"`
}

func (req entryUpdateRequest) changes() (map[string]any, error) {
	c := map[string]any{}
	for col, v := range map[string]*string{"strand": req.Strand, "topic": req.Topic,
		"learning_outcome_a": req.LearningOutcomeA, "learning_outcome_b": req.LearningOutcomeB,
		"learning_outcome_c": req.LearningOutcomeC, "learning_outcome_d": req.LearningOutcomeD,
		"reflection": req.Reflection, "signature": req.Signature, "status": req.Status} {
		if v != nil {
			c[col] = *v
		}
	}
	if req.DateTaught != nil {
		s := strings.TrimSpace(*req.DateTaught)
		switch t, err := time.Parse(time.DateOnly, s); {
		case s == "":
			c["date_taught"] = nil
		case err == nil:
			c["date_taught"] = t
		default:
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return nil, models.Invalid("date_taught", "must be a date (YYYY-MM-DD) or a time (RFC 3339)")
			}
			c["date_taught"] = t.UTC()
		}
	}
	return c, nil
}

func (d *documentsAPI) handleEntryUpdate(w http.ResponseWriter, r *http.Request) {
	var req entryUpdateRequest
	err := d.dec.decode(w, r, &req)
	var rec *models.OwnedRecord
	if err == nil {
		rec, err = d.record(r, true)
	}
	var entryID uint64
	if err == nil {
		entryID, err = strconv.ParseUint(chi.URLParam(r, "entry_id"), 10, 64)
		if err != nil || entryID == 0 {
			err = errorf(http.StatusBadRequest, "The entry id in the path must be a positive whole number.")
		}
	}
	var e *models.RecordEntry
	if err == nil {
		e, err = models.EntryOf(reqDB(r), rec.ID, entryID)
	}
	var changes map[string]any
	if err == nil {
		changes, err = req.changes()
	}
	if err == nil {
		err = models.UpdateEntry(reqDB(r), e, changes)
	}
	if err == nil {
		e, err = models.EntryOf(reqDB(r), rec.ID, entryID)
	}
	if err != nil {
		d.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, e)
}

// writeRecordPDF renders rec (with its entries) and sends it.
func (d *documentsAPI) writeRecordPDF(w http.ResponseWriter, r *http.Request, rec *models.Record, disposition string) {
	doc := pdf.Record{School: rec.SchoolName, Teacher: rec.TeacherName, LearningArea: rec.LearningArea, Grade: rec.Grade,
		Term: rec.Term, Year: rec.Year, Created: rec.UpdatedAt}
	for _, e := range rec.Entries {
		outcomes := strings.Join(nonBlank(e.LearningOutcomeA, e.LearningOutcomeB, e.LearningOutcomeC, e.LearningOutcomeD), "\n")
		doc.Entries = append(doc.Entries, pdf.RecordEntry{Week: e.WeekNumber, Strand: e.Strand, Topic: e.Topic, Outcomes: outcomes,
			Reflection: e.Reflection, Signature: e.Signature, Status: e.Status, Taught: e.DateTaught})
	}
	body, err := pdf.RenderRecord(doc)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	writePDF(w, body, disposition, fileName(fmt.Sprintf("record_of_work_%d_%s_%s_%s_%d", rec.ID, rec.LearningArea, rec.Grade, rec.Term, rec.Year)))
}

func nonBlank(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}

// Shared views: a document's share link opens it without a session, as a
// PDF shown in the browser, until the owner unshares or deletes it. The token
// is the only key; these routes answer nothing else.

func (d *documentsAPI) handleSharedScheme(w http.ResponseWriter, r *http.Request) {
	s, err := models.SchemeByShareToken(reqDB(r), chi.URLParam(r, "token"))
	if err == nil {
		err = models.LoadWeeks(reqDB(r), s)
	}
	if err != nil {
		d.fail(w, r, sharedNotFound(err))
		return
	}
	d.writeSchemePDF(w, r, s, "inline")
}

func (d *documentsAPI) handleSharedRecord(w http.ResponseWriter, r *http.Request) {
	rec, err := models.RecordByShareToken(reqDB(r), chi.URLParam(r, "token"))
	if err == nil {
		err = models.LoadEntries(reqDB(r), rec)
	}
	if err != nil {
		d.fail(w, r, sharedNotFound(err))
		return
	}
	d.writeRecordPDF(w, r, rec, "inline")
}

var errNoSuchShare = models.Sentence(models.ErrNotFound, "This share link does not exist or is no longer shared.")

func sharedNotFound(err error) error {
	if errors.Is(err, models.ErrNotFound) {
		return errNoSuchShare
	}
	return err
}
