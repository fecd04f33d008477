package legacy

import (
	"fmt"
	"strings"
)

// A school's departments: the head (HOD) must be a user of the same school
// here (the original never checked), so a head who is another school's user,
// or who isn't imported, is dropped and the department kept without one.
var departmentsTable = &table{
	source: "departments", target: "departments",
	query: "SELECT d.*, h.school_id AS hod_school" + page("departments d LEFT JOIN users h ON h.id = d.hod_id", "d"),
	cols:  []string{"school_id", "name", "description", "hod_id", "created_at"},
	mapRow: func(m *importer, r row) ([]any, error) {
		school, err := m.must(r, "school_id", "schools")
		if err != nil {
			return nil, err
		}
		name := strings.TrimSpace(r.s("name"))
		if name == "" {
			return nil, refuse("the department has no name")
		}
		name, _ = clip(name, 100)
		if o, ok := m.claim(fmt.Sprintf("department:%d|%s", r.i("school_id"), strings.ToLower(name))); !ok {
			return nil, refuse("the school already has a department named %q: %s", name, o)
		}
		var description any
		if d := strings.TrimSpace(r.s("description")); d != "" {
			d, clipped := clip(d, 1000)
			if clipped {
				m.adjust("description longer than 1000 characters: shortened")
			}
			description = d
		}
		var hod any
		if h, ok := r.n("hod_id"); ok {
			target, imported := m.ref("users", h)
			switch {
			case !imported:
				m.adjust("its head of department is not imported (a missing or refused user): no head")
			case r.null("hod_school") || r.i("hod_school") != r.i("school_id"):
				m.adjust("its head of department is not a user of the department's school: no head")
			default:
				hod = target
			}
		}
		return []any{school, name, description, hod, m.created(r)}, nil
	},
}

// A school's calendar activities: each in one of the school's terms, and the
// school is the term's (the original also kept a settings row per activity,
// which may name another school: the term decides, as it does here).
var calendarActivitiesTable = &table{
	source: "calendar_activities", target: "calendar_activities",
	query: "SELECT a.*, ts.school_id AS term_school, own.school_id AS own_school" +
		page(`calendar_activities a LEFT JOIN school_terms t ON t.id = a.term_id
		LEFT JOIN school_settings ts ON ts.id = t.school_settings_id
		LEFT JOIN school_settings own ON own.id = a.school_settings_id`, "a"),
	cols: []string{"school_id", "term_id", "activity_name", "activity_date", "activity_type", "description", "created_at"},
	mapRow: func(m *importer, r row) ([]any, error) {
		term, err := m.must(r, "term_id", "school_terms")
		if err != nil {
			return nil, err
		}
		// An imported term's school is imported (school_terms needs it).
		school, ok := m.ref("schools", r.i("term_school"))
		if !ok {
			return nil, refuse("orphan: its term's school is not imported")
		}
		if !r.null("own_school") && r.i("own_school") != r.i("term_school") {
			m.adjust("its settings row names another school than its term does: filed under the term's school")
		}
		name := strings.TrimSpace(r.s("activity_name"))
		if name == "" {
			return nil, refuse("the activity has no name")
		}
		name, _ = clip(name, 255)
		date, isDate := dateOf(r.s("activity_date"))
		if !isDate {
			return nil, refuse("activity date %q is not a date", r.s("activity_date"))
		}
		kind := strings.TrimSpace(r.s("activity_type"))
		if kind == "" {
			kind = "Other"
			m.adjust("no activity type: Other (as the API files one without)")
		}
		if k, clipped := clip(kind, 50); clipped {
			kind = strings.TrimSpace(k)
			m.adjust("activity_type longer than 50 characters: shortened")
		}
		return []any{school, term, name, day(date), kind, r.ns("description"), m.created(r)}, nil
	},
}
