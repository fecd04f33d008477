package handlers

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"gorm.io/gorm"

	"github.com/teachtrack/api/internal/db"
	"github.com/teachtrack/api/internal/models"
)

// timetableAPI serves schedules, their time slots, timetable entries and the
// next lesson. Times are wall-clock "HH:MM" in APP_TIMEZONE, as the
// frontend's pages compare and show them.
type timetableAPI struct {
	*API
	dec *decoder
}

func newTimetableAPI(a *API, dec *decoder) *timetableAPI { return &timetableAPI{API: a, dec: dec} }

func (t *timetableAPI) fail(w http.ResponseWriter, r *http.Request, err error) {
	t.writeError(w, r, db.Translate(err))
}

// scheduleJSON is a schedule as the setup, settings and timetable pages read it.
type scheduleJSON struct {
	ID                       uint64    `json:"id"`
	UserID                   uint64    `json:"user_id"`
	SchoolID                 *uint64   `json:"school_id"`
	ScheduleName             string    `json:"schedule_name"`
	EducationLevel           string    `json:"education_level"`
	SchoolStartTime          string    `json:"school_start_time"`
	SchoolEndTime            string    `json:"school_end_time"`
	SingleLessonDuration     int       `json:"single_lesson_duration"`
	DoubleLessonDuration     int       `json:"double_lesson_duration"`
	FirstBreakDuration       int       `json:"first_break_duration"`
	SecondBreakDuration      int       `json:"second_break_duration"`
	LunchBreakDuration       int       `json:"lunch_break_duration"`
	LessonsBeforeFirstBreak  int       `json:"lessons_before_first_break"`
	LessonsBeforeSecondBreak int       `json:"lessons_before_second_break"`
	LessonsBeforeLunch       int       `json:"lessons_before_lunch"`
	LessonsAfterLunch        int       `json:"lessons_after_lunch"`
	IsActive                 bool      `json:"is_active"`
	CreatedAt                time.Time `json:"created_at"`
	UpdatedAt                time.Time `json:"updated_at"`
}

func toScheduleJSON(s *models.Schedule) scheduleJSON {
	return scheduleJSON{s.ID, s.UserID, s.SchoolID, s.ScheduleName, s.EducationLevel, s.SchoolStartTime, s.SchoolEndTime,
		s.SingleLessonDuration, s.DoubleLessonDuration, s.FirstBreakDuration, s.SecondBreakDuration, s.LunchBreakDuration,
		s.LessonsBeforeFirstBreak, s.LessonsBeforeSecondBreak, s.LessonsBeforeLunch, s.LessonsAfterLunch, s.IsActive, s.CreatedAt, s.UpdatedAt}
}

// scheduleRequest is the body of POST and PUT /timetable/schedules. The pages
// send back the schedule they read, so its read-only fields are accepted and
// ignored.
type scheduleRequest struct {
	ScheduleName             *string `json:"schedule_name" validate:"omitempty,min=1,max=255"`
	EducationLevel           *string `json:"education_level" validate:"omitempty,max=50"`
	SchoolStartTime          *string `json:"school_start_time"`
	SchoolEndTime            *string `json:"school_end_time"`
	SingleLessonDuration     *int    `json:"single_lesson_duration"`
	DoubleLessonDuration     *int    `json:"double_lesson_duration"`
	FirstBreakDuration       *int    `json:"first_break_duration"`
	SecondBreakDuration      *int    `json:"second_break_duration"`
	LunchBreakDuration       *int    `json:"lunch_break_duration"`
	LessonsBeforeFirstBreak  *int    `json:"lessons_before_first_break"`
	LessonsBeforeSecondBreak *int    `json:"lessons_before_second_break"`
	LessonsBeforeLunch       *int    `json:"lessons_before_lunch"`
	LessonsAfterLunch        *int    `json:"lessons_after_lunch"`
	IsActive                 *bool   `json:"is_active"`

	ID        json.RawMessage `json:"id"`
	UserID    json.RawMessage `json:"user_id"`
	SchoolID  json.RawMessage `json:"school_id"`
	CreatedAt json.RawMessage `json:"created_at"`
	UpdatedAt json.RawMessage `json:"updated_at"`
}

// newSchedule is a schedule with the defaults of the original backend and
// the setup page.
func newSchedule() models.Schedule {
	return models.Schedule{IsActive: true, ScheduleTimes: models.ScheduleTimes{
		SchoolStartTime: "08:00", SchoolEndTime: "16:00", SingleLessonDuration: 40, DoubleLessonDuration: 80,
		FirstBreakDuration: 10, SecondBreakDuration: 30, LunchBreakDuration: 60,
		LessonsBeforeFirstBreak: 2, LessonsBeforeSecondBreak: 2, LessonsBeforeLunch: 2, LessonsAfterLunch: 2,
	}}
}

// apply copies the fields present onto s.
func (q *scheduleRequest) apply(s *models.Schedule) {
	setStr := func(to *string, from *string) {
		if from != nil {
			*to = *from
		}
	}
	setInt := func(to *int, from *int) {
		if from != nil {
			*to = *from
		}
	}
	setStr(&s.ScheduleName, q.ScheduleName)
	setStr(&s.EducationLevel, q.EducationLevel)
	setStr(&s.SchoolStartTime, q.SchoolStartTime)
	setStr(&s.SchoolEndTime, q.SchoolEndTime)
	setInt(&s.SingleLessonDuration, q.SingleLessonDuration)
	setInt(&s.DoubleLessonDuration, q.DoubleLessonDuration)
	setInt(&s.FirstBreakDuration, q.FirstBreakDuration)
	setInt(&s.SecondBreakDuration, q.SecondBreakDuration)
	setInt(&s.LunchBreakDuration, q.LunchBreakDuration)
	setInt(&s.LessonsBeforeFirstBreak, q.LessonsBeforeFirstBreak)
	setInt(&s.LessonsBeforeSecondBreak, q.LessonsBeforeSecondBreak)
	setInt(&s.LessonsBeforeLunch, q.LessonsBeforeLunch)
	setInt(&s.LessonsAfterLunch, q.LessonsAfterLunch)
	if q.IsActive != nil {
		s.IsActive = *q.IsActive
	}
}

// handleScheduleCreate saves the caller's schedule for its education level:
// a school admin's is their school's, anyone else's their own. Saving a
// level that already has one updates it (200) rather than adding a second.
func (t *timetableAPI) handleScheduleCreate(w http.ResponseWriter, r *http.Request) {
	var req scheduleRequest
	if err := t.dec.decode(w, r, &req); err != nil {
		t.fail(w, r, err)
		return
	}
	if err := required(present{"schedule_name", req.ScheduleName != nil}, present{"school_start_time", req.SchoolStartTime != nil}); err != nil {
		t.fail(w, r, err)
		return
	}
	v := viewer(r)
	s := newSchedule()
	s.Scope, s.SchoolID = models.ScheduleOwner(v)
	s.UserID = v.UserID
	req.apply(&s)
	var created bool
	err := reqDB(r).Transaction(func(tx *gorm.DB) error {
		var err error
		created, err = models.SaveSchedule(tx, &s)
		return err
	})
	if err != nil {
		t.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, toScheduleJSON(&s))
}

// present is whether a required field was sent.
type present struct {
	field string
	ok    bool
}

// required is a ValidationError naming every field not sent, or nil.
func required(fields ...present) error {
	var missing []models.FieldError
	for _, f := range fields {
		if !f.ok {
			missing = append(missing, models.FieldError{Field: f.field, Message: "is required"})
		}
	}
	if len(missing) > 0 {
		return &models.ValidationError{Fields: missing}
	}
	return nil
}

func (t *timetableAPI) handleScheduleUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		t.fail(w, r, err)
		return
	}
	var req scheduleRequest
	if err := t.dec.decode(w, r, &req); err != nil {
		t.fail(w, r, err)
		return
	}
	var s *models.Schedule
	err = reqDB(r).Transaction(func(tx *gorm.DB) error {
		var err error
		if s, err = models.ScheduleForWrite(tx, viewer(r), id); err != nil {
			return err
		}
		req.apply(s)
		_, err = models.SaveSchedule(tx, s)
		return err
	})
	if err != nil {
		t.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toScheduleJSON(s))
}

func (t *timetableAPI) handleScheduleActive(w http.ResponseWriter, r *http.Request) {
	s, err := models.ActiveSchedule(reqDB(r), viewer(r), r.URL.Query().Get("education_level"))
	if err != nil {
		t.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toScheduleJSON(s))
}

// timeSlotJSON is a slot as the timetable, dashboard and lesson-plan pages read it.
type timeSlotJSON struct {
	ID            uint64 `json:"id"`
	ScheduleID    uint64 `json:"schedule_id"`
	SlotNumber    int    `json:"slot_number"`
	StartTime     string `json:"start_time"`
	EndTime       string `json:"end_time"`
	SlotType      string `json:"slot_type"`
	Label         string `json:"label"`
	SequenceOrder int    `json:"sequence_order"`
}

// handleTimeSlots lists the slots of the schedule that applies to the caller
// for ?education_level, in the day's order; none applies: [].
func (t *timetableAPI) handleTimeSlots(w http.ResponseWriter, r *http.Request) {
	out := []timeSlotJSON{}
	s, err := models.ActiveSchedule(reqDB(r), viewer(r), r.URL.Query().Get("education_level"))
	if err == nil {
		var slots []models.TimeSlot
		if slots, err = models.ScheduleSlots(reqDB(r), s.ID); err == nil {
			for _, sl := range slots {
				out = append(out, timeSlotJSON{sl.ID, sl.ScheduleID, sl.SlotNumber, sl.StartTime, sl.EndTime, sl.SlotType, sl.Label, sl.SequenceOrder})
			}
		}
	}
	if err != nil && !isNotFound(err) {
		t.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func isNotFound(err error) bool { return errors.Is(err, models.ErrNotFound) }

// entryJSON is a timetable entry as the timetable and dashboard pages read it.
type entryJSON struct {
	ID             uint64    `json:"id"`
	UserID         uint64    `json:"user_id"`
	ScheduleID     uint64    `json:"schedule_id"`
	TimeSlotID     uint64    `json:"time_slot_id"`
	SubjectID      uint64    `json:"subject_id"`
	DayOfWeek      int       `json:"day_of_week"`
	StrandID       *uint64   `json:"strand_id"`
	SubstrandID    *uint64   `json:"substrand_id"`
	LessonID       *uint64   `json:"lesson_id"`
	RoomNumber     *string   `json:"room_number"`
	GradeSection   *string   `json:"grade_section"`
	Notes          *string   `json:"notes"`
	IsDoubleLesson bool      `json:"is_double_lesson"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

func toEntryJSON(e *models.Entry) entryJSON {
	return entryJSON{e.ID, e.UserID, e.ScheduleID, e.TimeSlotID, e.SubjectID, e.DayOfWeek, e.StrandID, e.SubstrandID, e.LessonID,
		e.RoomNumber, e.GradeSection, e.Notes, e.IsDoubleLesson, e.CreatedAt, e.UpdatedAt}
}

// handleEntryList lists the caller's own entries (?day_of_week,
// ?education_level). A school admin's too: the page is one teacher's week.
func (t *timetableAPI) handleEntryList(w http.ResponseWriter, r *http.Request) {
	f := models.EntryFilter{UserID: viewer(r).UserID, EducationLevel: r.URL.Query().Get("education_level")}
	var err error
	if f.DayOfWeek, err = queryInt(r, "day_of_week", 0); err == nil && (f.DayOfWeek < 0 || f.DayOfWeek > 7) {
		err = models.Invalid("day_of_week", "must be from 1 (Monday) to 7 (Sunday)")
	}
	if err != nil {
		t.fail(w, r, err)
		return
	}
	entries, err := models.ListEntries(reqDB(r), f)
	if err != nil {
		t.fail(w, r, err)
		return
	}
	out := make([]entryJSON, len(entries))
	for i := range entries {
		out[i] = toEntryJSON(&entries[i])
	}
	writeJSON(w, http.StatusOK, out)
}

// entryRequest is the body of POST and PUT /timetable/entries; the dashboard
// sends back a whole entry, so its read-only fields are accepted and ignored.
type entryRequest struct {
	SubjectID      *uint64 `json:"subject_id" validate:"omitempty,min=1"`
	DayOfWeek      *int    `json:"day_of_week"`
	TimeSlotID     *uint64 `json:"time_slot_id" validate:"omitempty,min=1"`
	StrandID       *uint64 `json:"strand_id"`
	SubstrandID    *uint64 `json:"substrand_id"`
	LessonID       *uint64 `json:"lesson_id"`
	RoomNumber     *string `json:"room_number" validate:"omitempty,max=50"`
	GradeSection   *string `json:"grade_section" validate:"omitempty,max=100"`
	Notes          *string `json:"notes" validate:"omitempty,max=65535"`
	IsDoubleLesson *bool   `json:"is_double_lesson"`

	ID         json.RawMessage `json:"id"`
	UserID     json.RawMessage `json:"user_id"`
	ScheduleID json.RawMessage `json:"schedule_id"`
	CreatedAt  json.RawMessage `json:"created_at"`
	UpdatedAt  json.RawMessage `json:"updated_at"`
}

// apply copies the fields present onto e; blank texts are absent, and a zero
// curriculum id (the pages' "none") is none.
func (q *entryRequest) apply(e *models.Entry) {
	if q.SubjectID != nil {
		e.SubjectID = *q.SubjectID
	}
	if q.DayOfWeek != nil {
		e.DayOfWeek = *q.DayOfWeek
	}
	if q.TimeSlotID != nil {
		e.TimeSlotID = *q.TimeSlotID
	}
	ref := func(to **uint64, from *uint64) {
		if from != nil {
			*to = from
			if *from == 0 {
				*to = nil
			}
		}
	}
	ref(&e.StrandID, q.StrandID)
	ref(&e.SubstrandID, q.SubstrandID)
	ref(&e.LessonID, q.LessonID)
	text := func(to **string, from *string) {
		if from != nil {
			*to = blankToNil(from)
		}
	}
	text(&e.RoomNumber, q.RoomNumber)
	text(&e.GradeSection, q.GradeSection)
	text(&e.Notes, q.Notes)
	if q.IsDoubleLesson != nil {
		e.IsDoubleLesson = *q.IsDoubleLesson
	}
}

func (t *timetableAPI) handleEntryCreate(w http.ResponseWriter, r *http.Request) {
	var req entryRequest
	if err := t.dec.decode(w, r, &req); err != nil {
		t.fail(w, r, err)
		return
	}
	if err := required(present{"subject_id", req.SubjectID != nil}, present{"day_of_week", req.DayOfWeek != nil},
		present{"time_slot_id", req.TimeSlotID != nil}); err != nil {
		t.fail(w, r, err)
		return
	}
	var e models.Entry
	req.apply(&e)
	if err := reqDB(r).Transaction(func(tx *gorm.DB) error { return models.SaveEntry(tx, viewer(r), &e) }); err != nil {
		t.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toEntryJSON(&e))
}

func (t *timetableAPI) handleEntryUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		t.fail(w, r, err)
		return
	}
	var req entryRequest
	if err := t.dec.decode(w, r, &req); err != nil {
		t.fail(w, r, err)
		return
	}
	v := viewer(r)
	var e *models.Entry
	err = reqDB(r).Transaction(func(tx *gorm.DB) error {
		var err error
		if e, err = models.EntryByID(tx, v.UserID, id); err != nil {
			return err
		}
		req.apply(e)
		return models.SaveEntry(tx, v, e)
	})
	if err != nil {
		t.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toEntryJSON(e))
}

func (t *timetableAPI) handleEntryDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = models.DeleteEntry(reqDB(r), viewer(r).UserID, id)
	}
	if err != nil {
		t.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"message": "Entry deleted"})
}

// nextSlotJSON and nextSubjectJSON are the parts of the next lesson both the
// navbar and the dashboard read.
type nextSlotJSON struct {
	ID         uint64 `json:"id"`
	StartTime  string `json:"start_time"`
	EndTime    string `json:"end_time"`
	Label      string `json:"label"`
	SlotType   string `json:"slot_type"`
	SlotNumber int    `json:"slot_number"`
}

type nextSubjectJSON struct {
	ID          uint64 `json:"id"`
	SubjectName string `json:"subject_name"`
	Grade       string `json:"grade"`
}

// nextEntryJSON is an entry with its slot and subject: the navbar reads
// entry.time_slot.start_time, entry.time_slot.label, entry.subject.subject_name.
type nextEntryJSON struct {
	entryJSON
	TimeSlot nextSlotJSON    `json:"time_slot"`
	Subject  nextSubjectJSON `json:"subject"`
}

// nextLessonJSON answers both call sites: the navbar reads has_next_lesson
// and entry; the dashboard reads day_name, time_slot, subject, grade_section
// and room_number at the top level.
type nextLessonJSON struct {
	HasNextLesson bool            `json:"has_next_lesson"`
	IsToday       bool            `json:"is_today"`
	DayOfWeek     int             `json:"day_of_week"`
	DayName       string          `json:"day_name"`
	StartsAt      time.Time       `json:"starts_at"`
	EndsAt        time.Time       `json:"ends_at"`
	TimeSlot      nextSlotJSON    `json:"time_slot"`
	Subject       nextSubjectJSON `json:"subject"`
	RoomNumber    *string         `json:"room_number"`
	GradeSection  *string         `json:"grade_section"`
	IsDouble      bool            `json:"is_double_lesson"`
	Entry         nextEntryJSON   `json:"entry"`
}

// handleEntryNext answers the caller's next lesson from now (APP_TIMEZONE).
// With none it answers 204 and no body: the dashboard shows its card for any
// JSON value that is truthy (so an object saying "none" would draw an empty
// card), and the navbar treats an unreadable body as no lesson.
func (t *timetableAPI) handleEntryNext(w http.ResponseWriter, r *http.Request) {
	entries, err := models.EntriesWithSlots(reqDB(r), viewer(r).UserID)
	if err != nil {
		t.fail(w, r, err)
		return
	}
	now := t.now().In(t.cfg.TimeZone)
	e, startsAt, ok := models.NextLesson(entries, now)
	if !ok {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	end := e.SlotEndTime
	if e.IsDoubleLesson && e.DoubleEndTime != "" {
		end = e.DoubleEndTime
	}
	startMin, _ := models.ParseClock(e.SlotStartTime)
	endMin, _ := models.ParseClock(end)
	slot := nextSlotJSON{e.TimeSlotID, e.SlotStartTime, end, e.SlotLabel, e.SlotType, e.SlotNumber}
	subject := nextSubjectJSON{e.SubjectID, e.SubjectName, e.Grade}
	y, m, d := now.Date()
	writeJSON(w, http.StatusOK, nextLessonJSON{
		HasNextLesson: true, IsToday: startsAt.Year() == y && startsAt.Month() == m && startsAt.Day() == d,
		DayOfWeek: e.DayOfWeek, DayName: models.DayName(e.DayOfWeek),
		StartsAt: startsAt, EndsAt: startsAt.Add(time.Duration(endMin-startMin) * time.Minute),
		TimeSlot: slot, Subject: subject, RoomNumber: e.RoomNumber, GradeSection: e.GradeSection, IsDouble: e.IsDoubleLesson,
		Entry: nextEntryJSON{toEntryJSON(&e.Entry), slot, subject},
	})
}
