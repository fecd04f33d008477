package legacytest

import (
	"fmt"
	"sort"
	"strings"
)

// fixture collects rows as SQL literals, one INSERT per table and column list.
type fixture struct {
	hash  string
	ids   map[string]int
	stmts map[string][]string // "table (cols)" → value tuples
}

// raw is an SQL expression written as is.
type raw string

func lit(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case raw:
		return string(x)
	case bool:
		if x {
			return "1"
		}
		return "0"
	case int:
		return fmt.Sprint(x)
	case string:
		return "'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(x) + "'"
	}
	panic(fmt.Sprintf("lit %T", v))
}

// add inserts a row with an explicit id (0: the table's next) and returns it.
func (f *fixture) add(table, cols string, id int, vals ...any) int {
	if id == 0 {
		f.ids[table]++
		id = f.ids[table]
	} else if id > f.ids[table] && id < 900 {
		f.ids[table] = id
	}
	parts := []string{fmt.Sprint(id)}
	for _, v := range vals {
		parts = append(parts, lit(v))
	}
	key := table + " (id, " + cols + ")"
	f.stmts[key] = append(f.stmts[key], "("+strings.Join(parts, ", ")+")")
	return id
}

func (f *fixture) statements() []string {
	keys := make([]string, 0, len(f.stmts))
	for k := range f.stmts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		rows := f.stmts[k]
		for start := 0; start < len(rows); start += 500 {
			out = append(out, "INSERT INTO "+k+" VALUES "+strings.Join(rows[start:min(start+500, len(rows))], ",\n"))
		}
	}
	return out
}

const userCols = "email, password_hash, full_name, role, is_admin, school_id, google_id, auth_provider, is_active, email_verified, subscription_type, subscription_status, grade_level, verification_token, created_at"

func (f *fixture) user(id int, email string, hash any, role any, isAdmin bool, school any, google any, active bool, created string) int {
	provider := "local"
	if google != nil {
		provider = "google"
	}
	return f.add("users", userCols, id, email, hash, "User "+email, role, isAdmin, school, google, provider, active, true,
		"FREE", "ACTIVE", "Grade 7", "plain-verification-token-"+fmt.Sprint(id), created)
}

// subject adds a subject with strands × subs × lessons lessons, the first
// done of them completed (with a progress_log row each), and returns its id
// and its lesson ids. sameOrder gives every strand sequence_order 0.
func (f *fixture) subject(user int, name, grade string, template any, strands, subs, lessons, done int, sameOrder bool, stored [3]any) (int, []int) {
	id := f.add("subjects", "user_id, template_id, subject_name, grade, total_lessons, lessons_completed, progress_percentage, lessons_per_week, single_lesson_duration, double_lesson_duration, double_lessons_per_week, current_strand_id, current_substrand_id, created_at",
		0, user, template, name, grade, stored[0], stored[1], stored[2], 5, 40, 80, 1, nil, nil, "2025-01-10 08:00:00")
	var ids []int
	n := 0
	for s := 1; s <= strands; s++ {
		order := s
		if sameOrder {
			order = 0
		}
		st := f.add("strands", "subject_id, strand_code, strand_name, description, sequence_order", 0, id,
			fmt.Sprintf("%d.0", s), fmt.Sprintf("%s strand %d", name, s), nil, order)
		for b := 1; b <= subs; b++ {
			ss := f.add("sub_strands", "strand_id, substrand_code, substrand_name, lessons_count, key_inquiry_questions, specific_learning_outcomes, core_competencies, `values`, sequence_order",
				0, st, fmt.Sprintf("%d.%d", s, b), fmt.Sprintf("%s sub-strand %d.%d", name, s, b), lessons,
				"Why?", `["a) outcome one", "b) outcome two"]`, `["Communication"]`, nil, b)
			for l := 1; l <= lessons; l++ {
				n++
				completed := n <= done
				var at any
				if completed {
					at = fmt.Sprintf("2025-02-%02d 09:00:00", 1+n%27)
				}
				lid := f.add("lessons", "substrand_id, lesson_number, lesson_title, description, duration_minutes, is_completed, completed_at, sequence_order",
					0, ss, l, fmt.Sprintf("Lesson %d.%d.%d", s, b, l), "Do things", 40, completed, at, l)
				ids = append(ids, lid)
				if completed {
					f.add("progress_log", "user_id, subject_id, lesson_id, action, notes, created_at", 0, user, id, lid, "COMPLETED", nil, at)
				}
			}
		}
	}
	return id, ids
}

func (f *fixture) build(scale int) {
	f.ids, f.stmts = map[string]int{}, map[string][]string{}
	const sch = "name, admin_id, subscription_status, max_teachers, teacher_counts_by_level, created_at"
	f.add("schools", sch, 1, "Sunrise Academy", 2, "ACTIVE", 10, `{"Upper Primary": 3}`, "2024-12-01 08:00:00")
	f.add("schools", sch, 2, "Hillside School", nil, "INACTIVE", 1, nil, "2024-12-02 08:00:00")
	f.add("schools", sch, 3, "sunrise academy", nil, nil, 1, nil, "2024-12-03 08:00:00") // same name, other case
	f.add("schools", sch, 4, "Lakeview School", nil, "ACTIVE", 0, nil, "2024-12-04 08:00:00")

	h := f.hash
	f.user(1, "admin@example.com", h, "SUPER_ADMIN", true, nil, nil, true, "2024-11-01 08:00:00")
	f.user(2, SchoolAdminEmail, h, "SCHOOL_ADMIN", true, 1, nil, true, "2024-11-02 08:00:00")
	jane := f.user(3, "Jane.Teacher@Example.com", h, "TEACHER", false, 1, nil, true, "2024-11-03 08:00:00")
	dup := f.user(4, "jane.teacher@example.com", h, "TEACHER", false, 1, nil, true, "2024-11-04 08:00:00")
	f.user(5, GoogleEmail, nil, "TEACHER", false, nil, GoogleSub, true, "2024-11-05 08:00:00")
	f.user(6, LegacyAdmin, h, "TEACHER", true, nil, nil, true, "2024-11-06 08:00:00")
	f.user(7, "not-an-email", h, "TEACHER", false, nil, nil, true, "2024-11-07 08:00:00")
	f.user(8, BannedEmail, h, "TEACHER", false, 2, nil, false, "2024-11-08 08:00:00")
	f.user(9, "norole@example.com", h, nil, false, nil, nil, true, "2024-11-09 08:00:00")
	f.user(10, "pbkdf2@example.com", "pbkdf2:sha256:260000$salt$0123456789abcdef", "TEACHER", false, nil, nil, true, "2024-11-10 08:00:00")
	f.user(11, "orphan.school@example.com", h, "TEACHER", false, 99, nil, true, "2024-11-11 08:00:00")
	f.add("users", "email, password_hash, full_name, grade_level, created_at", 12, "long.grade@example.com", h, "Long Grade",
		strings.Repeat("Grade 7 East ", 6), "2024-11-12 08:00:00")

	const tpl = "subject, grade, education_level, is_active, created_at"
	f.add("curriculum_templates", tpl, 1, "Mathematics", "Grade 7", "Junior Secondary", true, "2024-10-01 08:00:00")
	f.add("curriculum_templates", tpl, 2, "Science", "Grade 8", "Junior Secondary", true, "2024-10-01 08:00:00")
	f.add("curriculum_templates", tpl, 3, "mathematics", "grade 7", "Junior Secondary", true, "2024-10-02 08:00:00")
	const ts = "curriculum_template_id, strand_number, strand_name, sequence_order, created_at"
	const tss = "strand_id, substrand_number, substrand_name, number_of_lessons, specific_learning_outcomes, key_inquiry_questions, `values`, default_textbook_name, sequence_order"
	for tID, strands := range map[int]int{1: 2, 2: 1} {
		for s := 1; s <= strands; s++ {
			st := f.add("template_strands", ts, 0, tID, fmt.Sprintf("%d.0", s), fmt.Sprintf("Strand %d", s), s, "2024-10-01 08:00:00")
			for b := 1; b <= 2; b++ {
				f.add("template_substrands", tss, 0, st, fmt.Sprintf("%d.%d", s, b), fmt.Sprintf("Sub-strand %d.%d", s, b),
					3, `["outcome"]`, `["question?"]`, nil, "Spotlight Maths", b)
			}
		}
	}
	f.add("template_strands", ts, 900, 99, "9.0", "Orphan strand", 1, "2024-10-01 08:00:00")
	f.add("template_substrands", tss, 900, 0, "1.1", "Zero lessons", -2, nil, nil, nil, nil, 1)

	math, mathLessons := f.subject(jane, "Mathematics", "Grade 7", 1, 3, 2, 3, MathDone, false, [3]any{MathLessons, MathDone, "38.89"})
	f.add("progress_log", "user_id, subject_id, lesson_id, action, notes, created_at", 0, jane, math, 1, "completed", "lower case", "2025-02-01 10:00:00")
	f.add("progress_log", "user_id, subject_id, lesson_id, action, notes, created_at", 0, jane, math, 1, "viewed", nil, "2025-02-01 10:01:00")
	english, _ := f.subject(jane, "English", "Grade 7", nil, 3, 1, 2, 1, true, [3]any{0, 0, "0.00"})
	f.add("lessons", "substrand_id, lesson_number, lesson_title, is_completed, sequence_order", 0, f.ids["sub_strands"], -1, "Negative", false, 9)
	f.add("lessons", "substrand_id, lesson_number, lesson_title, is_completed, sequence_order", 0, 99999, 1, "Orphan lesson", true, 1)
	f.subject(dup, "History", "Grade 7", nil, 1, 1, 2, 1, false, [3]any{2, 1, "50.00"})
	f.subject(999, "Orphan", "Grade 7", nil, 1, 1, 1, 0, false, [3]any{1, 0, "0.00"})
	f.subject(jane, "mathematics", "grade 7", nil, 1, 1, 1, 0, false, [3]any{1, 0, "0.00"})
	f.work(jane, dup, math, english, mathLessons)

	for i := 0; i < 20*scale; i++ {
		u := f.user(1000+i, fmt.Sprintf("teacher%03d@example.com", i), h, "TEACHER", false, 1+i%2, nil, true, "2024-11-20 08:00:00")
		f.subject(u, "Kiswahili", "Grade 6", nil, 2, 2, 3, i%5, false, [3]any{12, i % 5, nil})
		f.subject(u, "Science", "Grade 8", 2, 2, 2, 3, i%7, false, [3]any{12, i % 7, nil})
	}
}
