package legacy

import (
	"fmt"
	"strings"
)

// The original saved a new schedule on every save and read the oldest
// (6c.10); here a school or teacher has one per education level. Of
// several, the one most timetable entries use is kept (then the newest).
const scheduleWinner = `(SELECT s2.id FROM school_schedules s2
	WHERE COALESCE(s2.education_level, '') = COALESCE(s.education_level, '')
	AND ((s.school_id IS NOT NULL AND s2.school_id = s.school_id) OR (s.school_id IS NULL AND s2.school_id IS NULL AND s2.user_id = s.user_id))
	ORDER BY (SELECT COUNT(*) FROM timetable_entries e WHERE e.schedule_id = s2.id) DESC, s2.id DESC LIMIT 1)`

var schedulesTable = &table{
	source: "school_schedules", target: "school_schedules",
	query: "SELECT s.*, " + scheduleWinner + " AS winner" + page("school_schedules s", "s"),
	cols: []string{"scope", "user_id", "school_id", "schedule_name", "education_level", "school_start_time", "school_end_time",
		"single_lesson_duration", "double_lesson_duration", "first_break_duration", "second_break_duration",
		"lunch_break_duration", "lessons_before_first_break", "lessons_before_second_break", "lessons_before_lunch",
		"lessons_after_lunch", "is_active", "created_at"},
	mapRow: func(m *importer, r row) ([]any, error) {
		if w := r.i("winner"); w != r.id() {
			return nil, refuse("another schedule of the same owner and education level (#%d) is kept: one per level here", w)
		}
		var scope string
		var school any
		owner := r.i("user_id")
		if !r.null("school_id") {
			s, err := m.must(r, "school_id", "schools")
			if err != nil {
				return nil, err
			}
			scope, school = fmt.Sprintf("school:%d", s), s
			if r.null("user_id") {
				// A school-wide schedule belongs to whoever made it: the school's admin.
				admin, ok := m.schoolAdmins[r.i("school_id")]
				if !ok {
					return nil, refuse("a school-wide schedule of a school without an admin: nobody to own it")
				}
				owner = admin
				m.adjust("school-wide schedule without a user: owned by the school's admin")
			}
		} else if r.null("user_id") {
			return nil, refuse("neither a school nor a teacher owns it")
		}
		user, ok := m.ref("users", owner)
		if !ok {
			return nil, refuse("orphan: its user #%d is not imported (missing or refused)", owner)
		}
		if scope == "" {
			scope = fmt.Sprintf("user:%d", user)
		}
		start, ok1 := clockText(r.s("school_start_time"))
		end, ok2 := clockText(r.s("school_end_time"))
		if !ok1 || !ok2 {
			return nil, refuse("times %q to %q are not HH:MM", r.s("school_start_time"), r.s("school_end_time"))
		}
		return []any{scope, user, school, r.s("schedule_name"), r.s("education_level"), start, end,
			m.positive(r, "single_lesson_duration", 40), m.positive(r, "double_lesson_duration", 80),
			m.count(r, "first_break_duration", 10), m.count(r, "second_break_duration", 30), m.count(r, "lunch_break_duration", 60),
			m.count(r, "lessons_before_first_break", 2), m.count(r, "lessons_before_second_break", 2),
			m.count(r, "lessons_before_lunch", 2), m.count(r, "lessons_after_lunch", 2), r.b("is_active", true), m.created(r)}, nil
	},
}

// slotKeys: a slot's key here is its kind and its rank among its kind
// ("L3", "B1", "LUNCH"), as the API names the slots it generates.
var slotPrefix = map[string]string{"lesson": "L", "break": "B", "lunch": "LUNCH"}

var timeSlotsTable = &table{
	source: "time_slots", target: "time_slots",
	query: `SELECT x.*, (SELECT COUNT(*) FROM time_slots y WHERE y.schedule_id = x.schedule_id AND y.slot_type = x.slot_type
		AND (y.sequence_order < x.sequence_order OR (y.sequence_order = x.sequence_order AND y.id <= x.id))) AS type_rank` +
		page("time_slots x", "x"),
	cols: []string{"schedule_id", "slot_key", "slot_number", "start_time", "end_time", "slot_type", "label", "sequence_order"},
	mapRow: func(m *importer, r row) ([]any, error) {
		schedule, err := m.must(r, "schedule_id", "school_schedules")
		if err != nil {
			return nil, err
		}
		kind := strings.ToLower(strings.TrimSpace(r.s("slot_type")))
		prefix, ok := slotPrefix[kind]
		if !ok {
			return nil, refuse("slot type %q is none of lesson, break, lunch", r.s("slot_type"))
		}
		key := fmt.Sprintf("%s%d", prefix, r.i("type_rank"))
		if key == "LUNCH1" {
			key = "LUNCH"
		}
		start, ok1 := clockText(r.s("start_time"))
		end, ok2 := clockText(r.s("end_time"))
		if !ok1 || !ok2 {
			return nil, refuse("times %q to %q are not HH:MM", r.s("start_time"), r.s("end_time"))
		}
		n, seq := r.i("slot_number"), r.i("sequence_order")
		if n < 0 || n > 255 || seq < 0 || seq > 255 {
			return nil, refuse("slot number %d or order %d out of range", n, seq)
		}
		if o, ok := m.claim(fmt.Sprintf("slot:%d|%s", r.i("schedule_id"), key)); !ok {
			return nil, refuse("same slot as %s", o)
		}
		label, clipped := clip(r.s("label"), 50)
		if clipped {
			m.adjust("label longer than 50 characters: shortened")
		}
		return []any{schedule, key, n, start, end, kind, label, seq}, nil
	},
}

var timetableEntriesTable = &table{
	source: "timetable_entries", target: "timetable_entries",
	query: "SELECT e.*" + page("timetable_entries e", "e"),
	cols: []string{"user_id", "schedule_id", "time_slot_id", "subject_id", "day_of_week", "strand_id", "substrand_id",
		"lesson_id", "room_number", "grade_section", "notes", "is_double_lesson", "created_at"},
	mapRow: func(m *importer, r row) ([]any, error) {
		ids := make([]any, 0, 4)
		for _, c := range [][2]string{{"user_id", "users"}, {"schedule_id", "school_schedules"}, {"time_slot_id", "time_slots"}, {"subject_id", "subjects"}} {
			id, err := m.must(r, c[0], c[1])
			if err != nil {
				return nil, err
			}
			ids = append(ids, id)
		}
		d := r.i("day_of_week")
		if d < 1 || d > 7 {
			return nil, refuse("day_of_week %d is not 1 (Monday) to 7", d)
		}
		if o, ok := m.claim(fmt.Sprintf("entry:%d|%d|%d", r.i("user_id"), d, r.i("time_slot_id"))); !ok {
			return nil, refuse("the teacher already has %s in that slot that day", o)
		}
		return append(ids, d, m.nref(r, "strand_id", "strands"), m.nref(r, "substrand_id", "sub_strands"),
			m.nref(r, "lesson_id", "lessons"), r.ns("room_number"), r.ns("grade_section"), r.ns("notes"),
			r.b("is_double_lesson", false), m.created(r)), nil
	},
}
