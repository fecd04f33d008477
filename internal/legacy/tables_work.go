package legacy

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

var termDigit = regexp.MustCompile(`[1-3]`)

// shareToken notes a document's share link that is not carried over: the
// original's share endpoints were stubs, so its tokens never opened anything.
func (m *importer) shareToken(r row) {
	if !r.null("share_token") || r.b("is_public", false) {
		m.adjust("share link or public flag not carried over (the original's sharing was a stub): share it again")
	}
}

// oneOf is a lower-cased enum value, def (noted) when it is none of allowed.
func (m *importer) oneOf(r row, c, def string, allowed ...string) string {
	v := strings.ToLower(strings.TrimSpace(r.s(c)))
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	if !r.null(c) {
		m.adjust("%s %q is none of %s: %s", c, r.s(c), strings.Join(allowed, ", "), def)
	}
	return def
}

func (m *importer) year(r row, c string) (int64, error) {
	y := r.i(c)
	if r.null(c) {
		t := m.created(r)
		m.adjust("no %s: the year it was made", c)
		return int64(t.Year()), nil
	}
	if y < 1900 || y > 2100 {
		return 0, refuse("%s %d is not a year", c, y)
	}
	return y, nil
}

var schemesTable = &table{
	source: "schemes_of_work", target: "schemes_of_work",
	query: "SELECT s.*" + page("schemes_of_work s", "s"),
	cols: []string{"user_id", "subject_id", "teacher_name", "school", "term", "term_number", "year", "subject", "grade",
		"stream", "roll", "lesson_duration_minutes", "lessons_per_week", "total_weeks", "total_lessons", "status",
		"is_archived", "notes", "created_at"},
	mapRow: func(m *importer, r row) ([]any, error) {
		user, err := m.must(r, "user_id", "users")
		if err != nil {
			return nil, err
		}
		year, err := m.year(r, "year")
		if err != nil {
			return nil, err
		}
		term := r.s("term")
		var n int64
		if d := termDigit.FindString(term); d != "" {
			n, _ = strconv.ParseInt(d, 10, 64)
		}
		weeks, lessons := m.count(r, "total_weeks", 0), m.count(r, "total_lessons", 0)
		perWeek := int64(5)
		if weeks > 0 && lessons > 0 {
			perWeek = max(1, int64(math.Round(float64(lessons)/float64(weeks))))
		}
		var duration any
		if d, ok := r.n("lesson_duration_minutes"); ok && d > 0 {
			duration = d
		}
		m.shareToken(r)
		return []any{user, m.nref(r, "subject_id", "subjects"), r.s("teacher_name"), r.s("school"), term, n, year,
			r.s("subject"), r.s("grade"), r.s("stream"), r.s("roll"), duration, perWeek, weeks, lessons,
			m.oneOf(r, "status", "active", "draft", "active", "completed"), r.b("is_archived", false), r.s("notes"), m.created(r)}, nil
	},
}

var schemeWeeksTable = &table{
	source: "scheme_weeks", target: "scheme_weeks",
	query: "SELECT w.*" + page("scheme_weeks w", "w"),
	cols:  []string{"scheme_id", "week_number", "created_at"},
	mapRow: func(m *importer, r row) ([]any, error) {
		scheme, err := m.must(r, "scheme_id", "schemes_of_work")
		if err != nil {
			return nil, err
		}
		n := r.i("week_number")
		if n < 1 {
			return nil, refuse("week number %d", n)
		}
		if o, ok := m.claim(fmt.Sprintf("week:%d|%d", r.i("scheme_id"), n)); !ok {
			return nil, refuse("the scheme's week %d is already %s", n, o)
		}
		return []any{scheme, n, m.created(r)}, nil
	},
}

var schemeLessonsTable = &table{
	source: "scheme_lessons", target: "scheme_lessons",
	query: "SELECT l.*, w.scheme_id AS week_scheme" + page("scheme_lessons l LEFT JOIN scheme_weeks w ON w.id = l.week_id", "l"),
	cols: []string{"scheme_id", "week_id", "lesson_number", "kind", "strand", "sub_strand", "specific_learning_outcomes",
		"key_inquiry_questions", "learning_experiences", "learning_resources", "textbook_name", "textbook_teacher_guide_pages",
		"textbook_learner_book_pages", "assessment_methods", "reflection", "core_competencies", "values", "pcis", "links", "created_at"},
	mapRow: func(m *importer, r row) ([]any, error) {
		week, err := m.must(r, "week_id", "scheme_weeks")
		if err != nil {
			return nil, err
		}
		scheme, err := m.must(r, "week_scheme", "schemes_of_work")
		if err != nil {
			return nil, err
		}
		n := r.i("lesson_number")
		if n < 0 {
			return nil, refuse("lesson number %d", n)
		}
		book, clipped := clip(r.s("textbook_name"), 255)
		if clipped {
			m.adjust("textbook_name longer than 255 characters: shortened")
		}
		return []any{scheme, week, n, "lesson", r.s("strand"), r.s("sub_strand"), r.s("specific_learning_outcomes"),
			r.s("key_inquiry_questions"), r.s("learning_experiences"), r.s("learning_resources"), book,
			r.s("textbook_teacher_guide_pages"), r.s("textbook_learner_book_pages"), r.s("assessment_methods"),
			r.s("reflection"), "", "", "", "", m.created(r)}, nil
	},
}

var lessonPlansTable = &table{
	source: "lesson_plans", target: "lesson_plans",
	query: "SELECT p.*" + page("lesson_plans p", "p"),
	cols: []string{"user_id", "subject_id", "scheme_lesson_id", "learning_area", "grade", "date", "time", "roll",
		"lesson_duration_minutes", "strand_theme_topic", "sub_strand_sub_theme_sub_topic", "specific_learning_outcomes",
		"key_inquiry_questions", "core_competences", "values_to_be_developed", "pcis_to_be_addressed", "learning_resources",
		"introduction", "development", "conclusion", "summary", "reflection_self_evaluation", "status", "is_archived",
		"is_public", "notes", "created_at"},
	mapRow: func(m *importer, r row) ([]any, error) {
		user, err := m.must(r, "user_id", "users")
		if err != nil {
			return nil, err
		}
		sl := m.nref(r, "scheme_lesson_id", "scheme_lessons")
		if sl != nil {
			if o, ok := m.claim(fmt.Sprintf("plan-of:%d", r.i("scheme_lesson_id"))); !ok {
				m.adjust("its scheme lesson already has a plan (%s): imported as a plan of its own", o)
				sl = nil
			}
		}
		var duration any
		if d, ok := r.n("lesson_duration_minutes"); ok && d > 0 {
			duration = d
		}
		if !r.null("share_token") {
			m.adjust("share link not carried over (the original's sharing was a stub): share it again")
		}
		return []any{user, m.nref(r, "subject_id", "subjects"), sl, r.s("learning_area"), r.s("grade"), r.ns("date"),
			r.s("time"), r.s("roll"), duration, r.s("strand_theme_topic"), r.s("sub_strand_sub_theme_sub_topic"),
			r.s("specific_learning_outcomes"), r.s("key_inquiry_questions"), r.s("core_competences"),
			r.s("values_to_be_developed"), r.s("pcis_to_be_addressed"), r.s("learning_resources"), r.s("introduction"),
			r.s("development"), r.s("conclusion"), r.s("summary"), r.s("reflection_self_evaluation"),
			m.oneOf(r, "status", "pending", "pending", "taught", "postponed"), r.b("is_archived", false),
			r.b("is_public", false), r.s("notes"), m.created(r)}, nil
	},
}

var recordsTable = &table{
	source: "records_of_work", target: "records_of_work",
	query: "SELECT w.*" + page("records_of_work w", "w"),
	cols: []string{"user_id", "subject_id", "school_name", "teacher_name", "learning_area", "grade", "term", "year",
		"is_archived", "notes", "created_at"},
	mapRow: func(m *importer, r row) ([]any, error) {
		user, err := m.must(r, "user_id", "users")
		if err != nil {
			return nil, err
		}
		year, err := m.year(r, "year")
		if err != nil {
			return nil, err
		}
		m.shareToken(r)
		return []any{user, m.nref(r, "subject_id", "subjects"), r.s("school_name"), r.s("teacher_name"),
			r.s("learning_area"), r.s("grade"), r.s("term"), year, r.b("is_archived", false), r.s("notes"), m.created(r)}, nil
	},
}

var recordEntriesTable = &table{
	source: "record_of_work_entries", target: "record_of_work_entries",
	query: "SELECT e.*" + page("record_of_work_entries e", "e"),
	cols: []string{"record_id", "week_number", "strand", "topic", "learning_outcome_a", "learning_outcome_b",
		"learning_outcome_c", "learning_outcome_d", "reflection", "signature", "date_taught", "status", "created_at"},
	mapRow: func(m *importer, r row) ([]any, error) {
		record, err := m.must(r, "record_id", "records_of_work")
		if err != nil {
			return nil, err
		}
		n := r.i("week_number")
		if n < 1 {
			return nil, refuse("week number %d", n)
		}
		if o, ok := m.claim(fmt.Sprintf("record-week:%d|%d", r.i("record_id"), n)); !ok {
			return nil, refuse("the record's week %d is already %s", n, o)
		}
		return []any{record, n, r.s("strand"), r.s("topic"), r.s("learning_outcome_a"), r.s("learning_outcome_b"),
			r.s("learning_outcome_c"), r.s("learning_outcome_d"), r.s("reflection"), r.s("signature"),
			r.nt("date_taught"), m.oneOf(r, "status", "pending", "pending", "taught"), m.created(r)}, nil
	},
}
