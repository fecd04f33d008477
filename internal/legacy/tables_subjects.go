package legacy

import (
	"context"
	"fmt"
	"strings"

	"github.com/teachtrack/api/internal/models"
)

// lessonsOf counts a subject's lessons in the source, through its strands.
const lessonsOf = `(SELECT COUNT(*) FROM lessons l JOIN sub_strands ss ON ss.id = l.substrand_id
	JOIN strands st ON st.id = ss.strand_id WHERE st.subject_id = s.id%s)`

var subjectsTable = &table{
	source: "subjects", target: "subjects",
	query: "SELECT s.*, " + fmt.Sprintf(lessonsOf, "") + " AS n_lessons, " +
		fmt.Sprintf(lessonsOf, " AND l.is_completed = 1") + " AS n_done" + page("subjects s", "s"),
	// The counters are not among the columns: they are recounted from the
	// imported lessons (lessons' after), as the API keeps them.
	cols: []string{"user_id", "template_id", "subject_name", "grade", "curriculum_pdf_url", "lessons_per_week",
		"single_lesson_duration", "double_lesson_duration", "double_lessons_per_week", "created_at"},
	mapRow: func(m *importer, r row) ([]any, error) {
		user, err := m.must(r, "user_id", "users")
		if err != nil {
			return nil, err
		}
		name, grade := strings.TrimSpace(r.s("subject_name")), strings.TrimSpace(r.s("grade"))
		if name == "" || grade == "" {
			return nil, refuse("no subject name or grade")
		}
		if owner, ok := m.claim(fmt.Sprintf("subject:%d|%s|%s", r.i("user_id"), strings.ToLower(name), strings.ToLower(grade))); !ok {
			return nil, refuse("the same teacher's subject and grade as %s", owner)
		}
		if r.i("total_lessons") != r.i("n_lessons") || r.i("lessons_completed") != r.i("n_done") {
			m.adjust("stored progress disagreed with its lessons: recounted from the lessons")
		}
		if m.subjectCurrent == nil {
			m.subjectCurrent = map[int64][2]int64{}
		}
		m.subjectCurrent[r.id()] = [2]int64{r.i("current_strand_id"), r.i("current_substrand_id")}
		return []any{user, m.nref(r, "template_id", "curriculum_templates"), name, grade, r.ns("curriculum_pdf_url"),
			m.positive(r, "lessons_per_week", 5), m.positive(r, "single_lesson_duration", 40),
			m.positive(r, "double_lesson_duration", 80), m.count(r, "double_lessons_per_week", 0), m.created(r)}, nil
	},
}

// positive is a column that must be over 0: def when NULL or not.
func (m *importer) positive(r row, c string, def int64) int64 {
	n, ok := r.n(c)
	if !ok {
		return def
	}
	if n < 1 {
		m.adjust("%s %d: %d", c, n, def)
		return def
	}
	return n
}

// count is a column that must not be negative: def when NULL or negative.
func (m *importer) count(r row, c string, def int64) int64 {
	n, ok := r.n(c)
	if !ok {
		return def
	}
	if n < 0 {
		m.adjust("%s %d: %d", c, n, def)
		return def
	}
	return n
}

// ordered reads a row's sequence_order; when every sibling has the same
// one (the original's bulk copy set them all to 0, 6c.4) it is the row's
// rank by creation instead.
func (m *importer) ordered(r row, of string) int64 {
	if r.i("n_siblings") > 1 && r.i("n_orders") == 1 {
		m.adjust("every %s of its parent had the same order (lost by the original's copy): ordered as created", of)
		return r.i("rank_by_id")
	}
	return r.i("sequence_order")
}

// siblings adds the columns ordered reads to a query of table t (alias x)
// whose parent column is parent.
func siblings(t, parent string) string {
	return fmt.Sprintf(`, (SELECT COUNT(DISTINCT y.sequence_order) FROM %[1]s y WHERE y.%[2]s = x.%[2]s) AS n_orders,
	(SELECT COUNT(*) FROM %[1]s y WHERE y.%[2]s = x.%[2]s) AS n_siblings,
	(SELECT COUNT(*) FROM %[1]s y WHERE y.%[2]s = x.%[2]s AND y.id <= x.id) AS rank_by_id`, t, parent)
}

var strandsTable = &table{
	source: "strands", target: "strands",
	query: "SELECT x.*" + siblings("strands", "subject_id") + page("strands x", "x"),
	cols:  []string{"subject_id", "strand_code", "strand_name", "description", "sequence_order"},
	mapRow: func(m *importer, r row) ([]any, error) {
		subject, err := m.must(r, "subject_id", "subjects")
		if err != nil {
			return nil, err
		}
		return []any{subject, r.s("strand_code"), r.s("strand_name"), r.s("description"), m.ordered(r, "strand")}, nil
	},
}

var subStrandsTable = &table{
	source: "sub_strands", target: "sub_strands",
	query: "SELECT x.*" + siblings("sub_strands", "strand_id") + page("sub_strands x", "x"),
	cols: []string{"strand_id", "substrand_code", "substrand_name", "description", "lessons_count", "learning_outcomes",
		"key_inquiry_questions", "specific_learning_outcomes", "suggested_learning_experiences", "core_competencies",
		"values", "pcis", "links_to_other_subjects", "sequence_order"},
	mapRow: func(m *importer, r row) ([]any, error) {
		strand, err := m.must(r, "strand_id", "strands")
		if err != nil {
			return nil, err
		}
		return []any{strand, r.s("substrand_code"), r.s("substrand_name"), r.s("description"), m.count(r, "lessons_count", 0),
			r.s("learning_outcomes"), r.s("key_inquiry_questions"), r.j("specific_learning_outcomes", "[]"),
			r.j("suggested_learning_experiences", "[]"), r.j("core_competencies", "[]"), r.j("values", "[]"),
			r.j("pcis", "[]"), r.j("links_to_other_subjects", "[]"), m.ordered(r, "sub-strand")}, nil
	},
}

var lessonsTable = &table{
	source: "lessons", target: "lessons",
	query: "SELECT l.*" + page("lessons l", "l"),
	cols: []string{"substrand_id", "lesson_number", "lesson_title", "description", "duration_minutes", "learning_outcomes",
		"is_completed", "completed_at", "sequence_order"},
	mapRow: func(m *importer, r row) ([]any, error) {
		sub, err := m.must(r, "substrand_id", "sub_strands")
		if err != nil {
			return nil, err
		}
		n := r.i("lesson_number")
		if n < 1 {
			return nil, refuse("lesson_number %d is not a lesson number", n)
		}
		title := r.s("lesson_title")
		if strings.TrimSpace(title) == "" {
			title = fmt.Sprintf("Lesson %d", n)
		}
		done := r.b("is_completed", false)
		completedAt := r.nt("completed_at")
		if !done && completedAt != nil {
			m.adjust("not completed but with a completed_at: the date dropped")
			completedAt = nil
		}
		return []any{sub, n, title, r.s("description"), m.positive(r, "duration_minutes", 40), r.s("learning_outcomes"),
			done, completedAt, r.i("sequence_order")}, nil
	},
	after: recountSubjects,
}

// recountSubjects sets every imported subject's counters from its imported
// lessons (with models.Percent, as the API does), and its current strand
// and sub-strand, which the original pointed at by id: a transaction per
// 500 subjects, writing only the subjects that differ.
func recountSubjects(ctx context.Context, m *importer) error {
	type subject struct {
		src, target int64
	}
	var all []subject
	for src, t := range m.ids["subjects"] {
		all = append(all, subject{src, int64(t)})
	}
	for start := 0; start < len(all); start += 500 {
		chunk := all[start:min(start+500, len(all))]
		args := make([]any, len(chunk))
		for i, s := range chunk {
			args[i] = s.target
		}
		got := map[int64][2]int{}
		rows, err := m.o.Target.QueryContext(ctx, `SELECT st.subject_id, COUNT(*), COALESCE(SUM(l.is_completed), 0)
			FROM strands st JOIN sub_strands ss ON ss.strand_id = st.id JOIN lessons l ON l.substrand_id = ss.id
			WHERE st.subject_id IN (?`+strings.Repeat(",?", len(chunk)-1)+`) GROUP BY st.subject_id`, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			var c [2]int
			if err := rows.Scan(&id, &c[0], &c[1]); err != nil {
				rows.Close()
				return err
			}
			got[id] = c
		}
		rows.Close()
		tx, err := m.o.Target.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		for _, s := range chunk {
			c := got[s.target]
			p := models.Percent(c[1], c[0])
			var strand, sub any
			cur := m.subjectCurrent[s.src]
			if t, ok := m.ref("strands", cur[0]); ok {
				strand = t
			}
			if t, ok := m.ref("sub_strands", cur[1]); ok {
				sub = t
			}
			if _, err := tx.ExecContext(ctx, `UPDATE subjects SET total_lessons = ?, lessons_completed = ?, progress_percentage = ?,
				current_strand_id = ?, current_substrand_id = ? WHERE id = ? AND NOT (total_lessons = ? AND lessons_completed = ?
				AND progress_percentage = ? AND current_strand_id <=> ? AND current_substrand_id <=> ?)`,
				c[0], c[1], p, strand, sub, s.target, c[0], c[1], p, strand, sub); err != nil {
				tx.Rollback() //nolint:errcheck // the error returned says why
				return err
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		if err := m.waitLag(ctx); err != nil {
			return err
		}
	}
	return nil
}

// progressActions maps the original's free-text actions to this project's.
var progressActions = map[string]string{"COMPLETED": "COMPLETED", "COMPLETE": "COMPLETED", "DONE": "COMPLETED",
	"UNCOMPLETED": "UNCOMPLETED", "INCOMPLETE": "UNCOMPLETED", "UNDONE": "UNCOMPLETED", "RESET": "RESET"}

var progressLogTable = &table{
	source: "progress_log", target: "progress_log",
	query: "SELECT p.*" + page("progress_log p", "p"),
	cols:  []string{"user_id", "subject_id", "lesson_id", "action", "notes", "created_at"},
	mapRow: func(m *importer, r row) ([]any, error) {
		user, err := m.must(r, "user_id", "users")
		if err != nil {
			return nil, err
		}
		subject, err := m.must(r, "subject_id", "subjects")
		if err != nil {
			return nil, err
		}
		action, ok := progressActions[strings.ToUpper(strings.TrimSpace(r.s("action")))]
		if !ok {
			return nil, refuse("action %q is none of COMPLETED, UNCOMPLETED, RESET", r.s("action"))
		}
		return []any{user, subject, m.nref(r, "lesson_id", "lessons"), action, r.ns("notes"), m.created(r)}, nil
	},
}
