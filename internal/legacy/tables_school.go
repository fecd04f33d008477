package legacy

import (
	"fmt"
	"strings"
	"time"

	"github.com/teachtrack/api/internal/models"
)

var lessonConfigCols = []string{"school_id", "user_id", "owner_key", "subject_name", "grade", "lessons_per_week",
	"double_lessons_per_week", "single_lesson_duration", "double_lesson_duration"}

// lessonConfig maps both of the original's tables of lessons per week (a
// school's and an independent teacher's) into the one table here.
func lessonConfig(owner, table, prefix string) func(m *importer, r row) ([]any, error) {
	return func(m *importer, r row) ([]any, error) {
		id, err := m.must(r, owner, table)
		if err != nil {
			return nil, err
		}
		var school, user any
		if table == "schools" {
			school = id
		} else {
			user = id
		}
		name, grade := strings.TrimSpace(r.s("subject_name")), strings.TrimSpace(r.s("grade"))
		if name == "" || grade == "" {
			return nil, refuse("no subject name or grade")
		}
		if o, ok := m.claim(fmt.Sprintf("lesson-config:%s%d|%s|%s", prefix, r.i(owner), strings.ToLower(name), strings.ToLower(grade))); !ok {
			return nil, refuse("same subject and grade as %s", o)
		}
		return []any{school, user, fmt.Sprintf("%s%d", prefix, id), name, grade, m.positive(r, "lessons_per_week", 5),
			m.count(r, "double_lessons_per_week", 0), m.positive(r, "single_lesson_duration", 40),
			m.positive(r, "double_lesson_duration", 80)}, nil
	}
}

var schoolLessonConfigsTable = &table{
	source: "lesson_configurations", target: "lesson_configurations",
	query: "SELECT c.*" + page("lesson_configurations c", "c"), cols: lessonConfigCols,
	mapRow: lessonConfig("school_id", "schools", "s"),
}

var teacherLessonConfigsTable = &table{
	source: "teacher_lesson_configs", target: "lesson_configurations",
	query: "SELECT c.*" + page("teacher_lesson_configs c", "c"), cols: lessonConfigCols,
	mapRow: lessonConfig("user_id", "users", "u"),
}

// termDates checks a term's dates and returns them with its teaching weeks
// (weeks given, else computed as the API computes them).
func (m *importer) termDates(start, end, breakStart, breakEnd time.Time, hasBreak bool, weeks int64) ([]any, error) {
	if end.Before(start) {
		return nil, refuse("ends (%s) before it starts (%s)", day(end), day(start))
	}
	var bs, be any
	var bsp, bep *time.Time
	if hasBreak {
		if breakEnd.Before(breakStart) {
			m.adjust("mid-term break ends before it starts: dropped")
		} else {
			bs, be, bsp, bep = day(breakStart), day(breakEnd), &breakStart, &breakEnd
		}
	}
	if weeks < 1 || weeks > 53 {
		weeks = int64(models.TeachingWeeks(start, end, bsp, bep))
	}
	return []any{day(start), day(end), weeks, bs, be}, nil
}

func termNumber(m *importer, r row, col string) (int64, error) {
	n := r.i(col)
	if n < 1 || n > 3 {
		return 0, refuse("term number %d is not 1, 2 or 3", n)
	}
	return n, nil
}

var systemTermsTable = &table{
	source: "system_terms", target: "system_terms",
	query: "SELECT t.*" + page("system_terms t", "t"),
	cols: []string{"term_number", "term_name", "year", "start_date", "end_date", "teaching_weeks", "mid_term_break_start",
		"mid_term_break_end", "is_current", "created_by", "created_at"},
	mapRow: func(m *importer, r row) ([]any, error) {
		n, err := termNumber(m, r, "term_number")
		if err != nil {
			return nil, err
		}
		start, ok1 := r.t("start_date")
		end, ok2 := r.t("end_date")
		if !ok1 || !ok2 {
			return nil, refuse("no start or end date")
		}
		bs, ok3 := r.t("mid_term_break_start")
		be, ok4 := r.t("mid_term_break_end")
		dates, err := m.termDates(start, end, bs, be, ok3 && ok4, r.i("teaching_weeks"))
		if err != nil {
			return nil, err
		}
		name := orDefault(strings.TrimSpace(r.s("term_name")), fmt.Sprintf("Term %d", n))
		return append([]any{n, name, r.i("year")}, append(dates, r.b("is_current", false),
			m.nref(r, "created_by", "users"), m.created(r))...), nil
	},
}

var schoolSettingsTable = &table{
	source: "school_settings", target: "school_settings",
	query: "SELECT s.*, (SELECT s2.id FROM school_settings s2 WHERE s2.school_id = s.school_id ORDER BY s2.updated_at DESC, s2.id DESC LIMIT 1) AS newest" +
		page("school_settings s", "s"),
	cols: []string{"school_id", "school_name", "school_email", "school_phone", "school_address", "school_type", "school_motto",
		"school_logo_url", "principal_name", "deputy_principal_name", "county", "sub_county", "established_year",
		"grades_offered", "streams_per_grade"},
	mapRow: func(m *importer, r row) ([]any, error) {
		if r.null("school_id") {
			return nil, refuse("the settings row names no school (the original allowed it)")
		}
		school, err := m.must(r, "school_id", "schools")
		if err != nil {
			return nil, err
		}
		if newest := r.i("newest"); newest != r.id() {
			return nil, refuse("school #%d has a newer settings row (#%d), kept: one per school here", r.i("school_id"), newest)
		}
		addr, clipped := clip(r.s("school_address"), 500)
		if clipped {
			m.adjust("school_address longer than 500 characters: shortened")
		}
		var address any = addr
		if r.null("school_address") {
			address = nil
		}
		var year any
		if y, ok := r.n("established_year"); ok {
			if y >= 1800 && y <= 2100 {
				year = y
			} else {
				m.adjust("established_year %d: left empty", y)
			}
		}
		return []any{school, r.s("school_name"), r.s("school_email"), r.ns("school_phone"), address, r.ns("school_type"),
			r.ns("school_motto"), r.ns("school_logo_url"), r.ns("principal_name"), r.ns("deputy_principal_name"),
			r.ns("county"), r.ns("sub_county"), year, r.j("grades_offered", "[]"), r.j("streams_per_grade", "{}")}, nil
	},
}

var schoolTermCols = []string{"school_id", "term_number", "term_name", "year", "start_date", "end_date", "teaching_weeks",
	"mid_term_break_start", "mid_term_break_end"}

// The original keyed a school's terms by a settings row (and lost the
// school on the way, 6c.12): here they are the school's, through that row.
var schoolTermsTable = &table{
	source: "school_terms", target: "school_terms",
	query: "SELECT t.*, ss.school_id AS settings_school" + page("school_terms t LEFT JOIN school_settings ss ON ss.id = t.school_settings_id", "t"),
	cols:  schoolTermCols,
	mapRow: func(m *importer, r row) ([]any, error) {
		if r.null("settings_school") {
			return nil, refuse("its settings row (#%d) names no school: the original lost which school these dates are for", r.i("school_settings_id"))
		}
		school, err := m.must(r, "settings_school", "schools")
		if err != nil {
			return nil, err
		}
		n, err := termNumber(m, r, "term_number")
		if err != nil {
			return nil, err
		}
		start, ok1 := dateOf(r.s("start_date"))
		end, ok2 := dateOf(r.s("end_date"))
		if !ok1 || !ok2 {
			return nil, refuse("dates %q to %q are not dates", r.s("start_date"), r.s("end_date"))
		}
		bs, ok3 := dateOf(r.s("mid_term_break_start"))
		be, ok4 := dateOf(r.s("mid_term_break_end"))
		dates, err := m.termDates(start, end, bs, be, ok3 && ok4, 0)
		if err != nil {
			return nil, err
		}
		if o, ok := m.claim(fmt.Sprintf("school-term:%d|%d|%d", r.i("settings_school"), r.i("year"), n)); !ok {
			return nil, refuse("the school's term %d of %d is already %s", n, r.i("year"), o)
		}
		return append([]any{school, n, fmt.Sprintf("Term %d", n), r.i("year")}, dates...), nil
	},
}

// A school's adjustment of a system term is the school's own dates for that
// term here; a teacher's own adjustment has no place (teachers follow their
// school's terms or the system's).
var termAdjustmentsTable = &table{
	source: "user_term_adjustments", target: "school_terms",
	query: "SELECT a.*, st.term_number, st.year" +
		page("user_term_adjustments a LEFT JOIN system_terms st ON st.id = a.system_term_id", "a"),
	cols: schoolTermCols,
	mapRow: func(m *importer, r row) ([]any, error) {
		if r.null("school_id") {
			return nil, skip("a teacher's own term dates: not modelled (teachers follow their school's or the system's terms)")
		}
		if !r.b("is_active", true) {
			return nil, skip("inactive adjustments")
		}
		school, err := m.must(r, "school_id", "schools")
		if err != nil {
			return nil, err
		}
		if r.null("term_number") {
			return nil, refuse("orphan: its system term #%d does not exist", r.i("system_term_id"))
		}
		n, err := termNumber(m, r, "term_number")
		if err != nil {
			return nil, err
		}
		start, ok1 := r.t("adjusted_start_date")
		end, ok2 := r.t("adjusted_end_date")
		if !ok1 || !ok2 {
			return nil, refuse("no start or end date")
		}
		dates, err := m.termDates(start, end, time.Time{}, time.Time{}, false, r.i("adjusted_teaching_weeks"))
		if err != nil {
			return nil, err
		}
		if o, ok := m.claim(fmt.Sprintf("school-term:%d|%d|%d", r.i("school_id"), r.i("year"), n)); !ok {
			return nil, refuse("the school's term %d of %d is already %s", n, r.i("year"), o)
		}
		m.adjust("a school's adjustment of a system term: the school's own term dates here")
		return append([]any{school, n, fmt.Sprintf("Term %d", n), r.i("year")}, dates...), nil
	},
}
