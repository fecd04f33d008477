package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/teachtrack/api/internal/models"
)

type entryJSON struct {
	ID               uint64  `json:"id"`
	RecordID         uint64  `json:"record_id"`
	WeekNumber       int     `json:"week_number"`
	Strand           string  `json:"strand"`
	Topic            string  `json:"topic"`
	LearningOutcomeA string  `json:"learning_outcome_a"`
	Reflection       string  `json:"reflection"`
	Signature        string  `json:"signature"`
	DateTaught       *string `json:"date_taught"`
	Status           string  `json:"status"`
}

type recordJSON struct {
	ID           uint64      `json:"id"`
	UserID       uint64      `json:"user_id"`
	SchemeID     *uint64     `json:"scheme_id"`
	SchoolName   string      `json:"school_name"`
	TeacherName  string      `json:"teacher_name"`
	LearningArea string      `json:"learning_area"`
	Grade        string      `json:"grade"`
	Term         string      `json:"term"`
	Year         int         `json:"year"`
	IsArchived   bool        `json:"is_archived"`
	Entries      []entryJSON `json:"entries"`
}

func TestRecordOfWorkFromSchemeAndMarkTaught(t *testing.T) {
	s := newTestServer(t)
	school := createSchool(t, s, "A")
	teacher := createPaidUser(t, s, models.RoleTeacher, school)
	other := createPaidUser(t, s, models.RoleTeacher, school)
	admin := createPaidUser(t, s, models.RoleSchoolAdmin, school)
	subject, rows := grade4Maths(t, s, teacher.caller)
	sc := generate(t, s, teacher.caller, subject, 4, nil)

	// Before the record exists, mark-taught says what to do.
	lesson := sc.Weeks[2].Lessons[3]
	res := expect(t, s.do(t, teacher.caller, "POST", urlf("/api/v1/records-of-work/mark-taught/%d", lesson.ID), nil), 404)
	var p problem
	res.decode(t, &p)
	if !strings.Contains(p.Detail, "create it from the scheme first") {
		t.Errorf("detail %q", p.Detail)
	}

	var rec recordJSON
	expect(t, s.do(t, teacher.cookieOnly(), "POST", urlf("/api/v1/records-of-work/create-from-scheme/%d", sc.ID), map[string]any{}), 201).decode(t, &rec)
	if rec.SchemeID == nil || *rec.SchemeID != sc.ID || rec.LearningArea != "Mathematics" || rec.Grade != "Grade 4" || rec.Term != "Term 2" ||
		rec.Year != 2026 || rec.SchoolName != "Moi Avenue Primary" || rec.TeacherName != "Wanjiru Kamau" || len(rec.Entries) != 4 {
		t.Fatalf("record %+v", rec)
	}
	// One entry per week: its distinct strands, sub-strands and outcomes.
	first := len(rows) * 13 / 36
	for w, e := range rec.Entries {
		if e.WeekNumber != w+1 || e.Status != "pending" || e.DateTaught != nil {
			t.Errorf("entry %d: %+v", w+1, e)
		}
		var strands, topics []string
		for i := first + 5*w; i < first+5*w+5; i++ {
			if len(topics) == 0 || topics[len(topics)-1] != rows[i].SubStrand {
				topics = append(topics, rows[i].SubStrand)
			}
			if len(strands) == 0 || strands[len(strands)-1] != rows[i].Strand {
				strands = append(strands, rows[i].Strand)
			}
		}
		if e.Topic != strings.Join(topics, "; ") || e.Strand != strings.Join(strands, "; ") || !strings.HasPrefix(e.LearningOutcomeA, "By the end of") {
			t.Errorf("entry %d: strand %q topic %q, want %q / %q", w+1, e.Strand, e.Topic, strings.Join(strands, "; "), strings.Join(topics, "; "))
		}
	}
	// Creating again answers the same record.
	var again recordJSON
	expect(t, s.do(t, teacher.caller, "POST", urlf("/api/v1/records-of-work/create-from-scheme/%d", sc.ID), nil), 200).decode(t, &again)
	if again.ID != rec.ID {
		t.Errorf("a second record %d for the scheme (first %d)", again.ID, rec.ID)
	}

	// Mark-taught finds the week's entry, idempotently.
	var e1, e2 entryJSON
	expect(t, s.do(t, teacher.caller, "POST", urlf("/api/v1/records-of-work/mark-taught/%d", lesson.ID), nil), 200).decode(t, &e1)
	expect(t, s.do(t, teacher.caller, "POST", urlf("/api/v1/records-of-work/mark-taught/%d", lesson.ID), nil), 200).decode(t, &e2)
	if e1.ID != rec.Entries[2].ID || e1.Status != "taught" || e1.DateTaught == nil || e2.ID != e1.ID || *e2.DateTaught != *e1.DateTaught {
		t.Errorf("mark-taught: first %+v, then %+v", e1, e2)
	}
	// A week the record lacks (the scheme grew after the record was made)
	// gets its entry on the first mark.
	var doc map[string]any
	expect(t, s.do(t, teacher.caller, "GET", urlf("/api/v1/schemes/%d", sc.ID), nil), 200).decode(t, &doc)
	doc["weeks"] = append(doc["weeks"].([]any), map[string]any{"week_number": 5, "lessons": []any{map[string]any{"strand": "Revision", "sub_strand": "Review"}}})
	var grown schemeJSON
	expect(t, s.do(t, teacher.caller, "PUT", urlf("/api/v1/schemes/%d", sc.ID), doc), 200).decode(t, &grown)
	var e5 entryJSON
	expect(t, s.do(t, teacher.caller, "POST", urlf("/api/v1/records-of-work/mark-taught/%d", grown.Weeks[4].Lessons[0].ID), nil), 200).decode(t, &e5)
	if e5.WeekNumber != 5 || e5.Topic != "Review" || e5.Status != "taught" {
		t.Errorf("new week's entry %+v", e5)
	}
	var read recordJSON
	expect(t, s.do(t, teacher.caller, "GET", urlf("/api/v1/records-of-work/%d", rec.ID), nil), 200).decode(t, &read)
	if len(read.Entries) != 5 || read.Entries[2].Status != "taught" || read.Entries[0].Status != "pending" {
		t.Errorf("record after marking: %+v", read.Entries)
	}

	// Entry edits: the owner only (the original let anyone edit any entry).
	entry := urlf("/api/v1/records-of-work/%d/entries/%d", rec.ID, rec.Entries[0].ID)
	var edited entryJSON
	expect(t, s.do(t, teacher.cookieOnly(), "PUT", entry, map[string]any{"reflection": "Went well <3"}), 200).decode(t, &edited)
	expect(t, s.do(t, teacher.caller, "PUT", entry, map[string]any{"signature": "W.K."}), 200).decode(t, &edited)
	if edited.Reflection != "Went well <3" || edited.Signature != "W.K." {
		t.Errorf("edited entry %+v", edited)
	}
	expect(t, s.do(t, teacher.caller, "PUT", entry, map[string]any{"date_taught": "2026-05-04", "status": "taught"}), 200).decode(t, &edited)
	if edited.DateTaught == nil || !strings.HasPrefix(*edited.DateTaught, "2026-05-04") {
		t.Errorf("date_taught %v", edited.DateTaught)
	}
	expect(t, s.do(t, teacher.caller, "PUT", entry, map[string]any{"status": "done"}), 422)
	expect(t, s.do(t, teacher.caller, "PUT", entry, map[string]any{"date_taught": "yesterday"}), 422)
	expect(t, s.do(t, other.caller, "PUT", entry, map[string]any{"reflection": "hacked"}), 404)
	expect(t, s.do(t, admin.caller, "PUT", entry, map[string]any{"reflection": "hacked"}), 403)
	// An entry of another record through this record's path: 404.
	otherSubject, _ := grade4Maths(t, s, other.caller)
	otherScheme := generate(t, s, other.caller, otherSubject, 1, nil)
	var otherRec recordJSON
	expect(t, s.do(t, other.caller, "POST", urlf("/api/v1/records-of-work/create-from-scheme/%d", otherScheme.ID), nil), 201).decode(t, &otherRec)
	expect(t, s.do(t, teacher.caller, "PUT", urlf("/api/v1/records-of-work/%d/entries/%d", rec.ID, otherRec.Entries[0].ID), map[string]any{"reflection": "x"}), 404)
	expect(t, s.do(t, other.caller, "PUT", urlf("/api/v1/records-of-work/%d/entries/%d", otherRec.ID, otherRec.Entries[0].ID), map[string]any{"reflection": "mine"}), 200)
	expect(t, s.do(t, teacher.caller, "GET", urlf("/api/v1/records-of-work/%d", rec.ID), nil), 200).decode(t, &read)
	if read.Entries[0].Reflection != "Went well <3" {
		t.Errorf("the entry changed to %q", read.Entries[0].Reflection)
	}

	// The school admin reads their teachers' records, the others don't.
	var list []recordJSON
	expect(t, s.do(t, admin.caller, "GET", "/api/v1/records-of-work", nil), 200).decode(t, &list)
	if len(list) != 2 || list[0].Entries != nil {
		t.Errorf("the admin lists %+v", list)
	}
	expect(t, s.do(t, admin.caller, "GET", urlf("/api/v1/records-of-work/%d", rec.ID), nil), 200)
	expect(t, s.do(t, other.caller, "GET", urlf("/api/v1/records-of-work/%d", rec.ID), nil), 404)
	expect(t, s.do(t, other.caller, "DELETE", urlf("/api/v1/records-of-work/%d", rec.ID), nil), 404)
	expect(t, s.do(t, admin.caller, "DELETE", urlf("/api/v1/records-of-work/%d", rec.ID), nil), 403)
}

func TestRecordOfWorkArchiveShareDelete(t *testing.T) {
	s := newTestServer(t)
	teacher := createPaidUser(t, s, models.RoleTeacher, nil)
	subject, _ := grade4Maths(t, s, teacher.caller)
	sc1 := generate(t, s, teacher.caller, subject, 2, nil)
	sc2 := generate(t, s, teacher.caller, subject, 2, nil)
	var r1, r2 recordJSON
	expect(t, s.do(t, teacher.caller, "POST", urlf("/api/v1/records-of-work/create-from-scheme/%d", sc1.ID), nil), 201).decode(t, &r1)
	expect(t, s.do(t, teacher.caller, "POST", urlf("/api/v1/records-of-work/create-from-scheme/%d", sc2.ID), nil), 201).decode(t, &r2)
	expect(t, s.do(t, teacher.caller, "POST", urlf("/api/v1/records-of-work/%d/archive", r1.ID), map[string]any{}), 200)
	ids := func(q string) []uint64 {
		var list []recordJSON
		expect(t, s.do(t, teacher.caller, "GET", "/api/v1/records-of-work"+q, nil), 200).decode(t, &list)
		var out []uint64
		for _, r := range list {
			out = append(out, r.ID)
		}
		return out
	}
	if got := ids(""); len(got) != 1 || got[0] != r2.ID {
		t.Errorf("default list %v", got)
	}
	if got := ids("?archived=true"); len(got) != 1 || got[0] != r1.ID {
		t.Errorf("archived list %v", got)
	}
	expect(t, s.do(t, teacher.caller, "POST", urlf("/api/v1/records-of-work/%d/unarchive", r1.ID), nil), 200)
	if got := ids(""); len(got) != 2 {
		t.Errorf("after unarchive %v", got)
	}

	var share struct {
		ShareURL string `json:"share_url"`
	}
	expect(t, s.do(t, teacher.caller, "POST", urlf("/api/v1/records-of-work/%d/share", r2.ID), nil), 200).decode(t, &share)
	// FRONTEND_URL (default http://localhost:3000) leads the link; its path is the API's.
	shared, err := url.Parse(share.ShareURL)
	if err != nil || !strings.HasPrefix(shared.Path, "/api/v1/shared/records-of-work/") {
		t.Fatalf("share_url %q", share.ShareURL)
	}
	res := expect(t, s.do(t, anonymous, "GET", shared.Path, nil), 200)
	if text := pdfText(t, res.Body); !strings.Contains(text, "RECORD OF WORK COVERED") || !strings.Contains(text, "Moi Avenue Primary") {
		t.Errorf("shared record PDF: %.300s", text)
	}
	expect(t, s.do(t, teacher.caller, "DELETE", urlf("/api/v1/records-of-work/%d", r2.ID), nil), 200)
	expect(t, s.do(t, anonymous, "GET", shared.Path, nil), http.StatusNotFound)
	expect(t, s.do(t, teacher.caller, "GET", urlf("/api/v1/records-of-work/%d", r2.ID), nil), 404)
	// Deleting a scheme keeps its record (the record says what was taught).
	expect(t, s.do(t, teacher.caller, "DELETE", urlf("/api/v1/schemes/%d", sc1.ID), nil), 200)
	var kept recordJSON
	expect(t, s.do(t, teacher.caller, "GET", urlf("/api/v1/records-of-work/%d", r1.ID), nil), 200).decode(t, &kept)
	if kept.SchemeID != nil || len(kept.Entries) != 2 {
		t.Errorf("record after its scheme was deleted: %+v", kept)
	}
}

// TestRecordFromSchemePlanLimit: making a record of work from a scheme is
// generating a document, so an ended trial gets 403 and no record; the
// record made while the plan allowed it is still answered afterwards.
func TestRecordFromSchemePlanLimit(t *testing.T) {
	s := newTestServer(t)
	trial := createUser(t, s, models.RoleTeacher, nil)
	subject, _ := grade4Maths(t, s, trial.caller)
	var sc schemeJSON
	expect(t, s.do(t, trial.caller, "POST", "/api/v1/schemes/generate", map[string]any{"subject_id": subject, "teacher_name": "Wanjiru Kamau",
		"school": "Moi Avenue Primary", "term": "Term 2", "year": 2026, "total_weeks": 1, "lessons_per_week": 5}), http.StatusCreated).decode(t, &sc)
	records := func() int64 {
		var n int64
		if err := s.primary(t).Model(&models.Record{}).Where("user_id = ?", trial.ID).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	path := urlf("/api/v1/records-of-work/create-from-scheme/%d", sc.ID)

	setPlan(t, s, trial.ID, models.PlanFree, time.Now().Add(-60*24*time.Hour))
	res := s.do(t, trial.caller, "POST", path, nil)
	checkProblem(t, res, http.StatusForbidden, "")
	var p problem
	res.decode(t, &p)
	if want := "Generating documents is not included in your Free plan now."; !strings.HasPrefix(p.Detail, want) {
		t.Errorf("detail %q, want it to start %q", p.Detail, want)
	}
	if n := records(); n != 0 {
		t.Fatalf("a refused record of work wrote %d records", n)
	}

	setPlan(t, s, trial.ID, models.PlanFree, time.Now())
	var rec recordJSON
	expect(t, s.do(t, trial.caller, "POST", path, nil), http.StatusCreated).decode(t, &rec)

	setPlan(t, s, trial.ID, models.PlanFree, time.Now().Add(-60*24*time.Hour))
	var again recordJSON
	expect(t, s.do(t, trial.caller, "POST", path, nil), http.StatusOK).decode(t, &again)
	if again.ID != rec.ID || records() != 1 {
		t.Errorf("after the trial: record %d and %d records, want the existing %d alone", again.ID, records(), rec.ID)
	}
}
