package handlers_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/teachtrack/api/internal/handlers"
	"github.com/teachtrack/api/internal/models"
)

type scheduleBody struct {
	ID                      uint64  `json:"id"`
	UserID                  uint64  `json:"user_id"`
	SchoolID                *uint64 `json:"school_id"`
	ScheduleName            string  `json:"schedule_name"`
	EducationLevel          string  `json:"education_level"`
	SchoolStartTime         string  `json:"school_start_time"`
	LessonsBeforeFirstBreak int     `json:"lessons_before_first_break"`
	IsActive                bool    `json:"is_active"`
}

type slotBody struct {
	ID         uint64 `json:"id"`
	ScheduleID uint64 `json:"schedule_id"`
	SlotNumber int    `json:"slot_number"`
	StartTime  string `json:"start_time"`
	EndTime    string `json:"end_time"`
	SlotType   string `json:"slot_type"`
	Label      string `json:"label"`
}

type entryBody struct {
	ID             uint64 `json:"id"`
	TimeSlotID     uint64 `json:"time_slot_id"`
	SubjectID      uint64 `json:"subject_id"`
	DayOfWeek      int    `json:"day_of_week"`
	IsDoubleLesson bool   `json:"is_double_lesson"`
}

// setupConfig is what the setup page sends on first save.
func setupConfig(level string) map[string]any {
	return map[string]any{
		"schedule_name": level + " Schedule", "education_level": level, "school_start_time": "08:00",
		"single_lesson_duration": 40, "double_lesson_duration": 80, "lessons_before_first_break": 2,
		"first_break_duration": 15, "lessons_before_second_break": 2, "second_break_duration": 30,
		"lessons_before_lunch": 2, "lunch_break_duration": 60, "lessons_after_lunch": 2, "school_end_time": "16:00",
	}
}

func slots(t *testing.T, s *testServer, c caller, level string) []slotBody {
	t.Helper()
	var out []slotBody
	expect(t, s.do(t, c, "GET", "/api/v1/timetable/time-slots?education_level="+level, nil), http.StatusOK).decode(t, &out)
	return out
}

func lessonSlots(all []slotBody) []slotBody {
	var out []slotBody
	for _, sl := range all {
		if sl.SlotType == models.SlotLesson {
			out = append(out, sl)
		}
	}
	return out
}

func TestScheduleSaveRegeneratesSlots(t *testing.T) {
	s := newTestServer(t)
	teacher := createUser(t, s, models.RoleTeacher, nil)

	// No schedule yet: the setup page's check is a 404, the slots [].
	expect(t, s.do(t, teacher.caller, "GET", "/api/v1/timetable/schedules/active?education_level=Junior%20Secondary", nil), http.StatusNotFound)
	if got := slots(t, s, teacher.caller, "Junior%20Secondary"); len(got) != 0 {
		t.Fatalf("slots before any schedule: %v", got)
	}

	var sched scheduleBody
	expect(t, s.do(t, teacher.caller, "POST", "/api/v1/timetable/schedules", setupConfig("Junior Secondary")), http.StatusCreated).decode(t, &sched)
	got := slots(t, s, teacher.caller, "Junior%20Secondary")
	want := []struct{ start, end, typ, label string }{
		{"08:00", "08:40", "lesson", "Lesson 1"}, {"08:40", "09:20", "lesson", "Lesson 2"}, {"09:20", "09:35", "break", "First Break"},
		{"09:35", "10:15", "lesson", "Lesson 3"}, {"10:15", "10:55", "lesson", "Lesson 4"}, {"10:55", "11:25", "break", "Second Break"},
		{"11:25", "12:05", "lesson", "Lesson 5"}, {"12:05", "12:45", "lesson", "Lesson 6"}, {"12:45", "13:45", "lunch", "Lunch Break"},
		{"13:45", "14:25", "lesson", "Lesson 7"}, {"14:25", "15:05", "lesson", "Lesson 8"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d slots, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if g := got[i]; g.StartTime != w.start || g.EndTime != w.end || g.SlotType != w.typ || g.Label != w.label || g.ScheduleID != sched.ID {
			t.Errorf("slot %d: %+v, want %+v", i, g, w)
		}
	}

	// A lesson in lesson 3 on Monday, then the setup page saves the schedule
	// again with a third lesson before the first break (PUT with what it read).
	sub := newSubject(t, s, teacher.caller, "Mathematics", "Grade 7", nil)
	l3 := lessonSlots(got)[2]
	var entry entryBody
	expect(t, s.do(t, teacher.caller, "POST", "/api/v1/timetable/entries", map[string]any{"subject_id": sub.ID, "time_slot_id": l3.ID, "day_of_week": 1}), http.StatusCreated).decode(t, &entry)

	var read map[string]any
	expect(t, s.do(t, teacher.caller, "GET", "/api/v1/timetable/schedules/active?education_level=Junior%20Secondary", nil), http.StatusOK).decode(t, &read)
	read["lessons_before_first_break"] = 3
	read["first_break_duration"] = 0
	expect(t, s.do(t, teacher.caller, "PUT", fmt.Sprintf("/api/v1/timetable/schedules/%d", sched.ID), read), http.StatusOK)
	got = slots(t, s, teacher.caller, "Junior%20Secondary")
	lessons := lessonSlots(got)
	if len(lessons) != 9 || len(got) != 11 {
		t.Fatalf("after adding a lesson and dropping the first break: %d lessons in %d slots: %+v", len(lessons), len(got), got)
	}
	// Lesson 3 kept its id (and the Monday entry in it), now at 09:20.
	if lessons[2].ID != l3.ID || lessons[2].StartTime != "09:20" {
		t.Errorf("lesson 3 after regeneration: %+v, want id %d at 09:20", lessons[2], l3.ID)
	}
	var entries []entryBody
	expect(t, s.do(t, teacher.caller, "GET", "/api/v1/timetable/entries", nil), http.StatusOK).decode(t, &entries)
	if len(entries) != 1 || entries[0].TimeSlotID != l3.ID {
		t.Errorf("entries after regeneration: %+v", entries)
	}

	// The profile page always POSTs: the same level updates, never duplicates.
	again := setupConfig("Junior Secondary")
	again["school_start_time"] = "07:30"
	var second scheduleBody
	expect(t, s.do(t, teacher.caller, "POST", "/api/v1/timetable/schedules", again), http.StatusOK).decode(t, &second)
	if second.ID != sched.ID || second.SchoolStartTime != "07:30" {
		t.Errorf("second POST: %+v, want schedule %d updated", second, sched.ID)
	}
	var n int64
	s.primary(t).Table("school_schedules").Count(&n)
	if n != 1 {
		t.Errorf("%d schedules after saving twice, want 1", n)
	}
	if got := slots(t, s, teacher.caller, "Junior%20Secondary"); got[0].StartTime != "07:30" || len(got) != 11 {
		t.Errorf("slots after the second POST: %+v", got)
	}
	// Fewer lessons: the slots that went took their entries with them.
	fewer := setupConfig("Junior Secondary")
	fewer["lessons_before_first_break"], fewer["lessons_before_second_break"] = 1, 0
	expect(t, s.do(t, teacher.caller, "POST", "/api/v1/timetable/schedules", fewer), http.StatusOK)
	if got := lessonSlots(slots(t, s, teacher.caller, "Junior%20Secondary")); len(got) != 5 {
		t.Errorf("%d lessons, want 5", len(got))
	}

	// A day that doesn't fit before school_end_time, bad times: 422, nothing changed.
	for name, body := range map[string]map[string]any{
		"ends after school_end_time": {"school_end_time": "12:00"},
		"bad start time":             {"school_start_time": "8am"},
		"no lessons":                 {"lessons_before_first_break": 0, "lessons_before_second_break": 0, "lessons_before_lunch": 0, "lessons_after_lunch": 0},
		"end before start":           {"school_start_time": "17:00", "school_end_time": "16:00"},
	} {
		res := s.do(t, teacher.caller, "PUT", fmt.Sprintf("/api/v1/timetable/schedules/%d", sched.ID), body)
		checkProblem(t, res, http.StatusUnprocessableEntity, "")
		_ = name
	}
	if got := slots(t, s, teacher.caller, "Junior%20Secondary"); got[0].StartTime != "08:00" || len(lessonSlots(got)) != 5 {
		t.Errorf("slots changed by refused updates: %+v", got)
	}
	// POST without its required fields.
	checkProblem(t, s.do(t, teacher.caller, "POST", "/api/v1/timetable/schedules", map[string]any{"education_level": "x"}), http.StatusUnprocessableEntity, "schedule_name")
}

func TestScheduleScope(t *testing.T) {
	s := newTestServer(t)
	school, other := createSchool(t, s, "Alpha"), createSchool(t, s, "Beta")
	admin := createUser(t, s, models.RoleSchoolAdmin, school)
	teacher := createUser(t, s, models.RoleTeacher, school)
	outsider := createUser(t, s, models.RoleTeacher, other)
	loner := createUser(t, s, models.RoleTeacher, nil)

	// The admin's schedule is the school's: its teachers read it.
	var schoolSched scheduleBody
	expect(t, s.do(t, admin.caller, "POST", "/api/v1/timetable/schedules", setupConfig("Upper Primary")), http.StatusCreated).decode(t, &schoolSched)
	if schoolSched.SchoolID == nil || *schoolSched.SchoolID != *school {
		t.Fatalf("admin's schedule: %+v", schoolSched)
	}
	var got scheduleBody
	expect(t, s.do(t, teacher.caller, "GET", "/api/v1/timetable/schedules/active?education_level=Upper%20Primary", nil), http.StatusOK).decode(t, &got)
	if got.ID != schoolSched.ID {
		t.Errorf("teacher's active schedule %d, want the school's %d", got.ID, schoolSched.ID)
	}
	// Not another school's teachers, nor a teacher without a school.
	for _, c := range []*testUser{outsider, loner} {
		expect(t, s.do(t, c.caller, "GET", "/api/v1/timetable/schedules/active?education_level=Upper%20Primary", nil), http.StatusNotFound)
		if sl := slots(t, s, c.caller, "Upper%20Primary"); len(sl) != 0 {
			t.Errorf("%s sees another school's slots: %v", c.Email, sl)
		}
		checkProblem(t, s.do(t, c.caller, "PUT", fmt.Sprintf("/api/v1/timetable/schedules/%d", schoolSched.ID), map[string]any{"schedule_name": "Mine"}), http.StatusNotFound, "")
	}
	// The school's teacher may read it but not change it.
	checkProblem(t, s.do(t, teacher.caller, "PUT", fmt.Sprintf("/api/v1/timetable/schedules/%d", schoolSched.ID), map[string]any{"schedule_name": "Mine"}), http.StatusForbidden, "")

	// A teacher's own schedule for the level wins over the school's for them only.
	var own scheduleBody
	mine := setupConfig("Upper Primary")
	mine["school_start_time"] = "07:00"
	expect(t, s.do(t, teacher.caller, "POST", "/api/v1/timetable/schedules", mine), http.StatusCreated).decode(t, &own)
	expect(t, s.do(t, teacher.caller, "GET", "/api/v1/timetable/schedules/active?education_level=Upper%20Primary", nil), http.StatusOK).decode(t, &got)
	if got.ID != own.ID || own.SchoolID != nil {
		t.Errorf("teacher's active schedule %+v, want their own %d", got, own.ID)
	}
	expect(t, s.do(t, admin.caller, "GET", "/api/v1/timetable/schedules/active?education_level=Upper%20Primary", nil), http.StatusOK).decode(t, &got)
	if got.ID != schoolSched.ID {
		t.Errorf("admin's active schedule %d, want the school's", got.ID)
	}
	// Deactivated: the school's applies again.
	expect(t, s.do(t, teacher.caller, "PUT", fmt.Sprintf("/api/v1/timetable/schedules/%d", own.ID), map[string]any{"is_active": false}), http.StatusOK)
	expect(t, s.do(t, teacher.caller, "GET", "/api/v1/timetable/schedules/active?education_level=Upper%20Primary", nil), http.StatusOK).decode(t, &got)
	if got.ID != schoolSched.ID {
		t.Errorf("after deactivating their own: %d, want the school's %d", got.ID, schoolSched.ID)
	}
	// Another level has none; no level: the most recent that applies.
	expect(t, s.do(t, teacher.caller, "GET", "/api/v1/timetable/schedules/active?education_level=Pre-Primary", nil), http.StatusNotFound)
	expect(t, s.do(t, teacher.caller, "GET", "/api/v1/timetable/schedules/active", nil), http.StatusOK)
	// Malformed ids.
	checkProblem(t, s.do(t, teacher.caller, "PUT", "/api/v1/timetable/schedules/abc", map[string]any{}), http.StatusBadRequest, "")
}

func TestTimetableEntries(t *testing.T) {
	s := newTestServer(t)
	teacher := createUser(t, s, models.RoleTeacher, nil)
	other := createUser(t, s, models.RoleTeacher, nil)
	expect(t, s.do(t, teacher.caller, "POST", "/api/v1/timetable/schedules", setupConfig("Junior Secondary")), http.StatusCreated)
	expect(t, s.do(t, other.caller, "POST", "/api/v1/timetable/schedules", setupConfig("Junior Secondary")), http.StatusCreated)
	all := slots(t, s, teacher.caller, "Junior%20Secondary")
	lessons := lessonSlots(all)
	otherSlots := lessonSlots(slots(t, s, other.caller, "Junior%20Secondary"))
	maths := newSubject(t, s, teacher.caller, "Mathematics", "Grade 7", tree(1, 1, 2))
	english := newSubject(t, s, teacher.caller, "English", "Grade 7", nil)
	theirs := newSubject(t, s, other.caller, "Science", "Grade 7", nil)

	post := func(body map[string]any) *response {
		return s.do(t, teacher.caller, "POST", "/api/v1/timetable/entries", body)
	}
	var e1, e2 entryBody
	expect(t, post(map[string]any{"subject_id": maths.ID, "time_slot_id": lessons[0].ID, "day_of_week": 1, "room_number": "12", "grade_section": "Grade 7 East", "notes": "", "is_double_lesson": false}), http.StatusCreated).decode(t, &e1)
	expect(t, post(map[string]any{"subject_id": english.ID, "time_slot_id": lessons[2].ID, "day_of_week": 3}), http.StatusCreated).decode(t, &e2)

	// Another's subject or slot, a break, a missing field, a bad day.
	checkProblem(t, post(map[string]any{"subject_id": theirs.ID, "time_slot_id": lessons[1].ID, "day_of_week": 1}), http.StatusNotFound, "")
	checkProblem(t, post(map[string]any{"subject_id": maths.ID, "time_slot_id": otherSlots[1].ID, "day_of_week": 1}), http.StatusNotFound, "")
	checkProblem(t, post(map[string]any{"subject_id": maths.ID, "time_slot_id": all[2].ID, "day_of_week": 1}), http.StatusUnprocessableEntity, "time_slot_id")
	checkProblem(t, post(map[string]any{"subject_id": maths.ID, "day_of_week": 1}), http.StatusUnprocessableEntity, "time_slot_id")
	checkProblem(t, post(map[string]any{"subject_id": maths.ID, "time_slot_id": lessons[1].ID, "day_of_week": 8}), http.StatusUnprocessableEntity, "day_of_week")
	// A taken slot: 409.
	checkProblem(t, post(map[string]any{"subject_id": english.ID, "time_slot_id": lessons[0].ID, "day_of_week": 1}), http.StatusConflict, "")
	// A double lesson needs the next slot to be a lesson (lesson 2 is followed by a break) and free.
	checkProblem(t, post(map[string]any{"subject_id": maths.ID, "time_slot_id": lessons[1].ID, "day_of_week": 2, "is_double_lesson": true}), http.StatusUnprocessableEntity, "is_double_lesson")
	var double entryBody
	expect(t, post(map[string]any{"subject_id": maths.ID, "time_slot_id": lessons[0].ID, "day_of_week": 2, "is_double_lesson": true}), http.StatusCreated).decode(t, &double)
	checkProblem(t, post(map[string]any{"subject_id": english.ID, "time_slot_id": lessons[1].ID, "day_of_week": 2}), http.StatusConflict, "")
	// The other teacher may use the same slot numbers in their own schedule, not touch these entries.
	checkProblem(t, s.do(t, other.caller, "PUT", fmt.Sprintf("/api/v1/timetable/entries/%d", e1.ID), map[string]any{"day_of_week": 2}), http.StatusNotFound, "")
	checkProblem(t, s.do(t, other.caller, "DELETE", fmt.Sprintf("/api/v1/timetable/entries/%d", e1.ID), nil), http.StatusNotFound, "")

	// Drag and drop: the timetable page's PUT, then the dashboard's (the whole entry back).
	var moved entryBody
	expect(t, s.do(t, teacher.caller, "PUT", fmt.Sprintf("/api/v1/timetable/entries/%d", e1.ID), map[string]any{
		"subject_id": maths.ID, "time_slot_id": lessons[3].ID, "day_of_week": 4, "room_number": "12", "grade_section": "Grade 7 East", "notes": nil, "is_double_lesson": false}), http.StatusOK).decode(t, &moved)
	if moved.TimeSlotID != lessons[3].ID || moved.DayOfWeek != 4 {
		t.Errorf("moved entry: %+v", moved)
	}
	var whole map[string]any
	expect(t, s.do(t, teacher.caller, "GET", "/api/v1/timetable/entries?day_of_week=4", nil), http.StatusOK)
	res := expect(t, s.do(t, teacher.caller, "GET", "/api/v1/timetable/entries", nil), http.StatusOK)
	var list []map[string]any
	res.decode(t, &list)
	for _, e := range list {
		if uint64(e["id"].(float64)) == e1.ID {
			whole = e
		}
	}
	whole["day_of_week"] = 5
	expect(t, s.do(t, teacher.caller, "PUT", fmt.Sprintf("/api/v1/timetable/entries/%d", e1.ID), whole), http.StatusOK)
	// Moving onto a taken slot: 409, and the entry stays.
	checkProblem(t, s.do(t, teacher.caller, "PUT", fmt.Sprintf("/api/v1/timetable/entries/%d", e2.ID), map[string]any{"time_slot_id": lessons[3].ID, "day_of_week": 5}), http.StatusConflict, "")

	var day []entryBody
	expect(t, s.do(t, teacher.caller, "GET", "/api/v1/timetable/entries?day_of_week=5", nil), http.StatusOK).decode(t, &day)
	if len(day) != 1 || day[0].ID != e1.ID {
		t.Errorf("Friday's entries: %+v", day)
	}
	checkProblem(t, s.do(t, teacher.caller, "GET", "/api/v1/timetable/entries?day_of_week=9", nil), http.StatusUnprocessableEntity, "day_of_week")
	expect(t, s.do(t, teacher.caller, "DELETE", fmt.Sprintf("/api/v1/timetable/entries/%d", e2.ID), nil), http.StatusOK)
	expect(t, s.do(t, teacher.caller, "DELETE", fmt.Sprintf("/api/v1/timetable/entries/%d", e2.ID), nil), http.StatusNotFound)

	// The entry list runs the same statements for 2 entries as for 12.
	count := func() float64 {
		before := s.statements(t)
		expect(t, s.do(t, teacher.caller, "GET", "/api/v1/timetable/entries", nil), http.StatusOK)
		expect(t, s.do(t, teacher.caller, "GET", "/api/v1/timetable/time-slots", nil), http.StatusOK)
		expect(t, s.do(t, teacher.caller, "GET", "/api/v1/timetable/entries/next", nil), http.StatusOK)
		return s.statements(t) - before
	}
	few := count()
	for d := 1; d <= 5; d++ {
		expect(t, post(map[string]any{"subject_id": english.ID, "time_slot_id": lessons[4].ID, "day_of_week": d}), http.StatusCreated)
		expect(t, post(map[string]any{"subject_id": english.ID, "time_slot_id": lessons[6].ID, "day_of_week": d}), http.StatusCreated)
	}
	if many := count(); many != few || few == 0 {
		t.Errorf("statements: %v with 2 entries, %v with 12", few, many)
	}
}

// nairobi is APP_TIMEZONE's default; the tests' "now" is set in it.
var nairobi = func() *time.Location {
	l, err := time.LoadLocation("Africa/Nairobi")
	if err != nil {
		panic(err)
	}
	return l
}()

type nextBody struct {
	HasNextLesson bool      `json:"has_next_lesson"`
	IsToday       bool      `json:"is_today"`
	DayOfWeek     int       `json:"day_of_week"`
	DayName       string    `json:"day_name"`
	StartsAt      time.Time `json:"starts_at"`
	EndsAt        time.Time `json:"ends_at"`
	TimeSlot      slotBody  `json:"time_slot"`
	Subject       struct {
		SubjectName string `json:"subject_name"`
	} `json:"subject"`
	GradeSection *string `json:"grade_section"`
	Entry        struct {
		ID       uint64   `json:"id"`
		TimeSlot slotBody `json:"time_slot"`
		Subject  struct {
			SubjectName string `json:"subject_name"`
		} `json:"subject"`
	} `json:"entry"`
}

func TestNextLesson(t *testing.T) {
	var now atomic.Pointer[time.Time]
	set := func(s string) {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, nairobi)
		if err != nil {
			t.Fatal(err)
		}
		// The clock gives UTC, as the real one may: the API reads it in APP_TIMEZONE.
		tm = tm.UTC()
		now.Store(&tm)
	}
	set("2026-03-02 07:00") // a Monday
	s := newClockServer(t, slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn})), func() time.Time { return *now.Load() })
	teacher := createUser(t, s, models.RoleTeacher, nil)

	// No entries: 204, no body.
	res := expect(t, s.do(t, teacher.caller, "GET", "/api/v1/timetable/entries/next", nil), http.StatusNoContent)
	if len(res.Body) != 0 {
		t.Errorf("none: body %q", res.Body)
	}

	expect(t, s.do(t, teacher.caller, "POST", "/api/v1/timetable/schedules", setupConfig("Junior Secondary")), http.StatusCreated)
	lessons := lessonSlots(slots(t, s, teacher.caller, "Junior%20Secondary"))
	maths := newSubject(t, s, teacher.caller, "Mathematics", "Grade 7", nil)
	english := newSubject(t, s, teacher.caller, "English", "Grade 7", nil)
	add := func(sub uint64, slot, day int, double bool) {
		expect(t, s.do(t, teacher.caller, "POST", "/api/v1/timetable/entries", map[string]any{
			"subject_id": sub, "time_slot_id": lessons[slot].ID, "day_of_week": day, "grade_section": "7 East", "is_double_lesson": double}), http.StatusCreated)
	}
	add(maths.ID, 1, 1, false)   // Monday lesson 2, 08:40
	add(english.ID, 2, 1, true)  // Monday lessons 3-4 (after the first break), 09:35-10:55
	add(english.ID, 7, 3, false) // Wednesday lesson 8, 14:25
	add(maths.ID, 0, 5, false)   // Friday lesson 1, 08:00

	for _, tt := range []struct {
		name, now      string
		subject, day   string
		start, startAt string
		end            string
		today          bool
	}{
		{"before school on Monday", "2026-03-02 07:00", "Mathematics", "Monday", "08:40", "2026-03-02T08:40:00+03:00", "09:20", true},
		{"during lesson 2: the next one after the break", "2026-03-02 08:45", "English", "Monday", "09:35", "2026-03-02T09:35:00+03:00", "10:55", true},
		{"during the first break", "2026-03-02 09:25", "English", "Monday", "09:35", "2026-03-02T09:35:00+03:00", "10:55", true},
		{"at the very start of a lesson it has begun", "2026-03-02 09:35", "English", "Wednesday", "14:25", "2026-03-04T14:25:00+03:00", "15:05", false},
		{"after Monday's lessons: Wednesday", "2026-03-02 16:00", "English", "Wednesday", "14:25", "2026-03-04T14:25:00+03:00", "15:05", false},
		{"Thursday: Friday's first lesson", "2026-03-05 10:00", "Mathematics", "Friday", "08:00", "2026-03-06T08:00:00+03:00", "08:40", false},
		{"Friday after school: Monday next week", "2026-03-06 15:00", "Mathematics", "Monday", "08:40", "2026-03-09T08:40:00+03:00", "09:20", false},
		{"Sunday night: Monday", "2026-03-08 23:00", "Mathematics", "Monday", "08:40", "2026-03-09T08:40:00+03:00", "09:20", false},
		// 05:30 UTC on Monday is 08:30 in Nairobi: lesson 1 is under way, lesson 2 next.
		{"now is read in APP_TIMEZONE", "2026-03-02 08:30", "Mathematics", "Monday", "08:40", "2026-03-02T08:40:00+03:00", "09:20", true},
	} {
		set(tt.now)
		var got nextBody
		expect(t, s.do(t, teacher.caller, "GET", "/api/v1/timetable/entries/next", nil), http.StatusOK).decode(t, &got)
		wantAt, _ := time.Parse(time.RFC3339, tt.startAt)
		if !got.HasNextLesson || got.Subject.SubjectName != tt.subject || got.DayName != tt.day || got.TimeSlot.StartTime != tt.start ||
			!got.StartsAt.Equal(wantAt) || got.TimeSlot.EndTime != tt.end || got.IsToday != tt.today {
			t.Errorf("%s: got %s on %s at %s-%s (%s, today %v), want %s on %s at %s-%s (%s)", tt.name, got.Subject.SubjectName, got.DayName,
				got.TimeSlot.StartTime, got.TimeSlot.EndTime, got.StartsAt.Format(time.RFC3339), got.IsToday, tt.subject, tt.day, tt.start, tt.end, tt.startAt)
		}
		// The navbar's view of the same lesson.
		if got.Entry.TimeSlot.StartTime != tt.start || got.Entry.Subject.SubjectName != tt.subject || got.Entry.ID == 0 || got.Entry.TimeSlot.Label == "" {
			t.Errorf("%s: entry %+v", tt.name, got.Entry)
		}
		if got.GradeSection == nil || *got.GradeSection != "7 East" {
			t.Errorf("%s: grade_section %v", tt.name, got.GradeSection)
		}
	}
	// Another teacher's lessons are never theirs.
	other := createUser(t, s, models.RoleTeacher, nil)
	expect(t, s.do(t, other.caller, "GET", "/api/v1/timetable/entries/next", nil), http.StatusNoContent)
}

// newClockServer is newLoggingServer whose API reads the time from now.
func newClockServer(t *testing.T, log *slog.Logger, now func() time.Time) *testServer {
	t.Helper()
	return newServerWith(t, log, func(d *handlers.Deps, _ string) { d.Now = now })
}
