package legacy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/teachtrack/api/internal/models"
)

// noDate stands in for a creation time the original left NULL: a fixed
// instant, so a re-run computes the same row (and a FREE account's trial,
// counted from creation, is over, as it was for any old account).
var noDate = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

func (m *importer) created(r row) time.Time {
	if t, ok := r.t("created_at"); ok {
		return t
	}
	m.adjust("no created_at: dated 2000-01-01")
	return noDate
}

// page is the keyset paging every source query ends with.
func page(from, alias string) string {
	return fmt.Sprintf(" FROM %s WHERE %s.id > ? ORDER BY %s.id LIMIT ?", from, alias, alias)
}

var schoolsTable = &table{
	source: "schools", target: "schools",
	query: "SELECT s.*" + page("schools s", "s"),
	cols:  []string{"name", "subscription_status", "max_teachers", "teacher_counts_by_level", "created_at"},
	mapRow: func(m *importer, r row) ([]any, error) {
		name := strings.TrimSpace(r.s("name"))
		if name == "" {
			return nil, refuse("the school has no name")
		}
		name, _ = clip(name, 255)
		if owner, ok := m.claim("school:" + strings.ToLower(name)); !ok {
			name = fmt.Sprintf("%s (%d)", name, r.id())
			m.adjust("same name as %s (school names are unique here): the id added to its name", owner)
			m.claim("school:" + strings.ToLower(name))
		}
		if admin, ok := r.n("admin_id"); ok {
			m.schoolAdmins[r.id()] = admin
		}
		maxT := r.iOr("max_teachers", 1)
		if maxT < 1 {
			m.adjust("max_teachers %d: 1", maxT)
			maxT = 1
		}
		var counts any
		if !r.null("teacher_counts_by_level") {
			counts = r.j("teacher_counts_by_level", "{}")
		}
		return []any{name, orDefault(r.s("subscription_status"), "INACTIVE"), maxT, counts, m.created(r)}, nil
	},
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// bcryptHash reports whether h is a bcrypt hash Go's bcrypt checks: the
// original's passlib/bcrypt wrote $2b$, which is the same algorithm as $2a$.
func bcryptHash(h string) bool {
	return len(h) == 60 && (strings.HasPrefix(h, "$2a$") || strings.HasPrefix(h, "$2b$") || strings.HasPrefix(h, "$2y$"))
}

func validEmail(e string) bool {
	a, err := mail.ParseAddress(e)
	return err == nil && a.Address == e && len(e) <= 255 && strings.Count(e, "@") == 1
}

var usersTable = &table{
	source: "users", target: "users",
	query: "SELECT u.*" + page("users u", "u"),
	cols: []string{"email", "password_hash", "full_name", "phone", "school", "grade_level", "tsc_number", "role",
		"school_id", "is_active", "email_verified", "subscription_type", "subscription_status", "google_id", "created_at"},
	mapRow: func(m *importer, r row) ([]any, error) {
		email := models.NormalizeEmail(r.s("email"))
		if !validEmail(email) {
			return nil, refuse("invalid e-mail address %q", r.s("email"))
		}
		role := r.s("role")
		isAdmin := r.b("is_admin", false)
		switch {
		case role == "":
			role = string(models.RoleTeacher)
			if !isAdmin {
				m.adjust("no role: TEACHER")
			}
		}
		if isAdmin {
			switch role {
			case "TEACHER", "HOD":
				role = "SUPER_ADMIN"
				m.adjust("legacy is_admin with no admin role: the original let it in as a super admin, so it is SUPER_ADMIN here (review these accounts)")
			case "SCHOOL_ADMIN":
				m.adjust("is_admin with role SCHOOL_ADMIN (set by the original's role change, a bug): stays SCHOOL_ADMIN, not a super admin")
			}
		}
		hash := r.s("password_hash")
		switch {
		case hash == "" && r.null("google_id"):
			m.adjust("no password and no Google account: signs in after a password reset")
		case hash != "" && !bcryptHash(hash):
			hash = ""
			m.adjust("password hash is not bcrypt: cleared, signs in after a password reset or with Google")
		}
		grade, clipped := clip(r.s("grade_level"), 50)
		if clipped {
			m.adjust("grade_level longer than 50 characters: shortened")
		}
		var gradeV any = grade
		if r.null("grade_level") {
			gradeV = nil
		}
		var google any
		if g := strings.TrimSpace(r.s("google_id")); g != "" {
			if owner, ok := m.claim("user-google:" + g); !ok {
				return nil, refuse("same Google account as %s", owner)
			}
			google = g
		}
		if owner, ok := m.claim("user-email:" + email); !ok {
			return nil, refuse("same e-mail address as %s once compared as this project does (case, Unicode form): %s is kept", owner, owner)
		}
		return []any{email, hash, strings.TrimSpace(r.s("full_name")), r.ns("phone"), r.ns("school"), gradeV,
			r.ns("tsc_number"), role, m.nref(r, "school_id", "schools"), r.b("is_active", true),
			r.b("email_verified", false), orDefault(r.s("subscription_type"), "FREE"),
			orDefault(r.s("subscription_status"), "ACTIVE"), google, m.created(r)}, nil
	},
	// A school's admin is a user: set once both are in.
	after: func(ctx context.Context, m *importer) error {
		for school, admin := range m.schoolAdmins {
			s, ok1 := m.ref("schools", school)
			u, ok2 := m.ref("users", admin)
			if !ok1 || !ok2 {
				continue
			}
			if _, err := m.targetExec(ctx, "UPDATE schools SET admin_id = ? WHERE id = ? AND NOT (admin_id <=> ?)", u, s, u); err != nil {
				return err
			}
		}
		return nil
	},
}

var templatesTable = &table{
	source: "curriculum_templates", target: "curriculum_templates",
	query: "SELECT t.*" + page("curriculum_templates t", "t"),
	cols:  []string{"subject", "grade", "education_level", "is_active", "owner_key", "source", "version", "extra", "created_at"},
	mapRow: func(m *importer, r row) ([]any, error) {
		subject, grade := strings.TrimSpace(r.s("subject")), strings.TrimSpace(r.s("grade"))
		if subject == "" || grade == "" {
			return nil, refuse("no subject or grade")
		}
		if owner, ok := m.claim("template:" + strings.ToLower(subject+"|"+grade)); !ok {
			return nil, refuse("same subject and grade as %s", owner)
		}
		return []any{subject, grade, r.s("education_level"), r.b("is_active", true), 0,
			fmt.Sprintf("legacy:curriculum_templates#%d", r.id()), 1, jsonText("{}"), m.created(r)}, nil
	},
	// The catalogue may already hold the template (from the CBC files): the
	// legacy one maps to it and its strands are not copied in again.
	adopt: func(m *importer, r row) (uint64, bool, error) {
		var id uint64
		err := m.o.Target.QueryRow("SELECT id FROM curriculum_templates WHERE owner_key = 0 AND subject = ? AND grade = ?",
			strings.TrimSpace(r.s("subject")), strings.TrimSpace(r.s("grade"))).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, false, nil
		}
		return id, err == nil, err
	},
}

var templateStrandsTable = &table{
	source: "template_strands", target: "template_strands",
	query: "SELECT s.*" + page("template_strands s", "s"),
	cols:  []string{"curriculum_template_id", "strand_number", "strand_name", "sequence_order", "extra", "created_at"},
	mapRow: func(m *importer, r row) ([]any, error) {
		tpl, err := m.must(r, "curriculum_template_id", "curriculum_templates")
		if err != nil {
			return nil, err
		}
		return []any{tpl, r.s("strand_number"), r.s("strand_name"), r.i("sequence_order"), jsonText("{}"), m.created(r)}, nil
	},
}

var templateSubstrandsTable = &table{
	source: "template_substrands", target: "template_substrands",
	query: "SELECT s.*" + page("template_substrands s", "s"),
	cols: []string{"strand_id", "substrand_number", "substrand_name", "number_of_lessons", "specific_learning_outcomes",
		"suggested_learning_experiences", "key_inquiry_questions", "core_competencies", "values", "pcis",
		"links_to_other_subjects", "extra", "sequence_order"},
	mapRow: func(m *importer, r row) ([]any, error) {
		strand, err := m.must(r, "strand_id", "template_strands")
		if err != nil {
			return nil, err
		}
		n := r.iOr("number_of_lessons", 1)
		if n < 1 {
			m.adjust("number_of_lessons %d: 1", n)
			n = 1
		}
		// The textbook defaults have no column here: kept in extra.
		extra := map[string]string{}
		for _, c := range []string{"default_textbook_name", "default_learner_book_pages", "default_teacher_guide_pages"} {
			if !r.null(c) {
				extra[c] = r.s(c)
			}
		}
		return []any{strand, r.s("substrand_number"), r.s("substrand_name"), n, r.j("specific_learning_outcomes", "[]"),
			r.j("suggested_learning_experiences", "[]"), r.j("key_inquiry_questions", "[]"), r.j("core_competencies", "[]"),
			r.j("values", "[]"), r.j("pcis", "[]"), r.j("links_to_other_subjects", "[]"), jsonOf(extra), r.i("sequence_order")}, nil
	},
}
