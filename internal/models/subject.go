package models

import (
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Subject is a row of subjects: one teacher's subject for one grade. Its
// counters are kept in step with its lessons by SetLessonCompleted.
type Subject struct {
	ID     uint64 `gorm:"primaryKey" json:"id"`
	UserID uint64 `json:"user_id"`
	// TemplateID is the curriculum template the subject was copied from.
	TemplateID       *uint64 `json:"template_id"`
	SubjectName      string  `json:"subject_name"`
	Grade            string  `json:"grade"`
	CurriculumPDFURL *string `gorm:"column:curriculum_pdf_url" json:"curriculum_pdf_url,omitempty"`
	TotalLessons     int     `json:"total_lessons"`
	LessonsCompleted int     `json:"lessons_completed"`
	// ProgressPercentage is DECIMAL(5,2) in the table; scanned into a float64
	// so it reaches JSON as a number, never as the driver's string.
	ProgressPercentage   float64   `json:"progress_percentage"`
	LessonsPerWeek       int       `json:"lessons_per_week"`
	SingleLessonDuration int       `json:"single_lesson_duration"`
	DoubleLessonDuration int       `json:"double_lesson_duration"`
	DoubleLessonsPerWeek int       `json:"double_lessons_per_week"`
	CurrentStrandID      *uint64   `json:"current_strand_id"`
	CurrentSubstrandID   *uint64   `gorm:"column:current_substrand_id" json:"current_substrand_id"`
	CreatedAt            time.Time `json:"created_at"`
	UpdatedAt            time.Time `json:"updated_at"`

	// Strands is the tree under the subject when it was loaded with it.
	Strands []Strand `gorm:"-" json:"strands,omitempty"`
}

// Scheduling defaults, as the frontend's scheduling page assumes them.
const (
	DefaultLessonsPerWeek       = 5
	DefaultSingleLessonDuration = 40
	DefaultDoubleLessonDuration = 80
)

// Percent is done out of total as a percentage with two decimals, 0 when
// there is nothing to do.
func Percent(done, total int) float64 {
	if total <= 0 {
		return 0
	}
	return math.Round(float64(done)*10000/float64(total)) / 100
}

// Viewer is who looks at subjects: the signed-in user's id, role and school.
type Viewer struct {
	UserID   uint64
	Role     Role
	SchoolID *uint64
}

// OwnedSubject is a subject with its teacher's school, which decides who
// besides the teacher may see it.
type OwnedSubject struct {
	Subject
	OwnerSchoolID *uint64 `json:"-"`
}

// CanRead: the teacher, any SUPER_ADMIN, and a SCHOOL_ADMIN of the teacher's school.
func (s *OwnedSubject) CanRead(v Viewer) bool {
	switch {
	case s.UserID == v.UserID, v.Role == RoleSuperAdmin:
		return true
	case v.Role == RoleSchoolAdmin:
		return v.SchoolID != nil && s.OwnerSchoolID != nil && *v.SchoolID == *s.OwnerSchoolID
	}
	return false
}

// CanWrite: only the teacher changes a subject or its progress; admins read.
func (s *OwnedSubject) CanWrite(v Viewer) bool { return s.UserID == v.UserID }

// CanDelete: the teacher, or a SUPER_ADMIN.
func (s *OwnedSubject) CanDelete(v Viewer) bool {
	return s.UserID == v.UserID || v.Role == RoleSuperAdmin
}

var (
	// ErrNoSuchSubject is what anyone who may not see a subject is told, so
	// ids don't reveal which subjects exist.
	ErrNoSuchSubject = Sentence(ErrNotFound, "There is no such subject.")
	// ErrNoSuchLesson is ErrNoSuchSubject's counterpart for lessons.
	ErrNoSuchLesson = Sentence(ErrNotFound, "There is no such lesson.")
)

// SubjectByID returns subject id with its teacher's school, or ErrNoSuchSubject.
func SubjectByID(db *gorm.DB, id uint64) (*OwnedSubject, error) {
	var s OwnedSubject
	err := scanOne(db, subjectByIDSQL, []any{id}, append(subjectDest(&s.Subject), &s.OwnerSchoolID)...)
	if err != nil {
		return nil, notFound(err, ErrNoSuchSubject)
	}
	return &s, nil
}

var subjectByIDSQL = "SELECT " + subjectColumns + ", users.school_id FROM subjects JOIN users ON users.id = subjects.user_id WHERE subjects.id = ?"

// lockSubject reads subject id FOR UPDATE: every change to a subject's
// lessons and counters happens under this lock, which is what keeps
// concurrent completions from losing an update.
func lockSubject(tx *gorm.DB, id uint64) (*Subject, error) {
	var s Subject
	err := tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).Take(&s, id).Error
	if err := translate(err); err != nil {
		return nil, notFound(err, ErrNoSuchSubject)
	}
	return &s, nil
}

// SubjectSort is an order GET /subjects accepts.
type SubjectSort string

// The orders of the subjects list; the default is newest first.
const (
	SortName     SubjectSort = "subject_name"
	SortNewest   SubjectSort = "-created_at"
	SortProgress SubjectSort = "progress_percentage"
)

var subjectOrders = map[SubjectSort]string{
	SortName:     "subjects.subject_name, subjects.grade, subjects.id",
	SortNewest:   "subjects.created_at DESC, subjects.id DESC",
	SortProgress: "subjects.progress_percentage, subjects.id",
}

// ValidSort reports whether s is one of the list's orders.
func (s SubjectSort) Valid() bool { _, ok := subjectOrders[s]; return ok }

// SubjectFilter selects subjects for a list.
type SubjectFilter struct {
	UserID   uint64  // the teacher's own subjects…
	SchoolID *uint64 // …or, when set, every subject of this school's teachers
	Grade    string
	Query    string // substring of the subject name
	Sort     SubjectSort
	Page     int // from 1
	PerPage  int
}

func (f SubjectFilter) apply(db *gorm.DB) *gorm.DB {
	q := db.Model(&Subject{})
	if f.SchoolID != nil {
		q = q.Where("subjects.user_id IN (SELECT id FROM users WHERE school_id = ?)", *f.SchoolID)
	} else {
		q = q.Where("subjects.user_id = ?", f.UserID)
	}
	if f.Grade != "" {
		q = q.Where("subjects.grade = ?", f.Grade)
	}
	if f.Query != "" {
		q = q.Where("subjects.subject_name LIKE ?", "%"+escapeLike(f.Query)+"%")
	}
	return q
}

// ListSubjects returns one page of the subjects f selects (without their
// trees) and how many it selects in all.
func ListSubjects(db *gorm.DB, f SubjectFilter) ([]Subject, int64, error) {
	var total int64
	if err := translate(f.apply(db).Count(&total).Error); err != nil {
		return nil, 0, err
	}
	subjects, err := SubjectsPage(db, f)
	return subjects, total, err
}

// SubjectsPage is ListSubjects' page alone, for callers that don't show the
// total (one statement fewer).
func SubjectsPage(db *gorm.DB, f SubjectFilter) ([]Subject, error) {
	order, ok := subjectOrders[f.Sort]
	if !ok {
		order = subjectOrders[SortNewest]
	}
	subjects := []Subject{}
	q := f.apply(db).Select(subjectColumns).Order(order).Offset((f.Page - 1) * f.PerPage).Limit(f.PerPage)
	err := scanRows(q, func(rows *sql.Rows) error {
		var s Subject
		if err := rows.Scan(subjectDest(&s)...); err != nil {
			return err
		}
		subjects = append(subjects, s)
		return nil
	})
	return subjects, err
}

var errSubjectTaken = Sentence(ErrConflict, "You already have a subject with this name for this grade.")

// CreateSubject inserts s and the tree in s.Strands in one transaction, so a
// failure leaves nothing behind. The teacher's row is locked first so two
// concurrent creates can't both slip under maxSubjects. total_lessons is the
// number of lessons in the tree.
func CreateSubject(db *gorm.DB, s *Subject, maxSubjects int) error {
	return db.Transaction(func(tx *gorm.DB) error {
		return createSubjectTx(tx, s, func(_ *gorm.DB, _ *User, n int64) error {
			if n >= int64(maxSubjects) {
				return tooManySubjects(n)
			}
			return nil
		})
	})
}

// CreateSubjectForPlan is CreateSubject bounded by the teacher's plan
// (LimitsFor, read under the teacher's row lock) and by ceiling, the
// operator's MAX_SUBJECTS_PER_USER.
func CreateSubjectForPlan(db *gorm.DB, s *Subject, ceiling int, now time.Time) error {
	return db.Transaction(func(tx *gorm.DB) error {
		return createSubjectTx(tx, s, SubjectAllowed(ceiling, now))
	})
}

// SubjectAllowed is the check createSubjectTx runs for a plan-bounded create:
// nil when owner, who has n subjects, may add one more.
func SubjectAllowed(ceiling int, now time.Time) func(tx *gorm.DB, owner *User, n int64) error {
	return func(_ *gorm.DB, owner *User, n int64) error {
		l := LimitsFor(owner, now)
		limit := l.SubjectCap(ceiling)
		switch {
		case n < int64(limit):
			return nil
		case limit == l.MaxSubjects:
			return l.SubjectLimitError(n)
		}
		return tooManySubjects(n)
	}
}

func tooManySubjects(n int64) error {
	return Sentence(ErrForbidden, fmt.Sprintf("You already have %d subjects, the most an account can have. Delete one to add another.", n))
}

// createSubjectTx inserts s and its tree inside tx after locking the
// teacher's row and asking allowed whether they may add a subject to the n
// they have. The lock serialises a teacher's creates, so the count can't be
// raced past.
func createSubjectTx(tx *gorm.DB, s *Subject, allowed func(tx *gorm.DB, owner *User, n int64) error) error {
	var owner User
	if err := translate(tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).Take(&owner, s.UserID).Error); err != nil {
		return notFound(err, errUserNotFound)
	}
	var n int64
	if err := translate(tx.Model(&Subject{}).Where("user_id = ?", s.UserID).Count(&n).Error); err != nil {
		return err
	}
	if err := allowed(tx, &owner, n); err != nil {
		return err
	}
	s.TotalLessons, s.LessonsCompleted, s.ProgressPercentage = 0, 0, 0
	for _, st := range s.Strands {
		for _, ss := range st.SubStrands {
			s.TotalLessons += len(ss.Lessons)
		}
	}
	if err := translate(tx.Omit("created_at", "updated_at").Create(s).Error); err != nil {
		if errors.Is(err, ErrConflict) {
			return fmt.Errorf("%w: %w", errSubjectTaken, err)
		}
		return err
	}
	if err := insertTree(tx, s); err != nil {
		return err
	}
	// created_at and updated_at are the database's own (DATETIME(6) defaults).
	return translate(tx.Select("created_at", "updated_at").Take(s, s.ID).Error)
}

// UpdateSubject sets columns of subject id. A name and grade the teacher
// already has is ErrConflict.
func UpdateSubject(db *gorm.DB, id uint64, changes map[string]any) error {
	if len(changes) == 0 {
		return nil
	}
	err := translate(db.Model(&Subject{}).Where("id = ?", id).Updates(changes).Error)
	if errors.Is(err, ErrConflict) {
		return fmt.Errorf("%w: %w", errSubjectTaken, err)
	}
	return err
}

// DeleteSubject removes subject id; its tree and log go with it (ON DELETE CASCADE).
func DeleteSubject(db *gorm.DB, id uint64) error {
	res := db.Delete(&Subject{}, id)
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return ErrNoSuchSubject
	}
	return nil
}

// CountSubjects returns how many subjects user id has.
func CountSubjects(db *gorm.DB, userID uint64) (int64, error) {
	var n int64
	err := translate(db.Model(&Subject{}).Where("user_id = ?", userID).Count(&n).Error)
	return n, err
}

// SubjectSummary is a subject as the admin users list shows it.
type SubjectSummary struct {
	ID                 uint64  `json:"id"`
	UserID             uint64  `json:"-"`
	SubjectName        string  `json:"subject_name"`
	Grade              string  `json:"grade"`
	TotalLessons       int     `json:"total_lessons"`
	LessonsCompleted   int     `json:"lessons_completed"`
	ProgressPercentage float64 `json:"progress_percentage"`
}

// SubjectSummaries returns the subjects of each of userIDs in one query,
// keyed by user id; every user id has an entry, empty when they have none.
func SubjectSummaries(db *gorm.DB, userIDs []uint64) (map[uint64][]SubjectSummary, error) {
	out := make(map[uint64][]SubjectSummary, len(userIDs))
	for _, id := range userIDs {
		out[id] = []SubjectSummary{}
	}
	if len(userIDs) == 0 {
		return out, nil
	}
	var rows []SubjectSummary
	err := db.Model(&Subject{}).
		Select("id, user_id, subject_name, grade, total_lessons, lessons_completed, progress_percentage").
		Where("user_id IN ?", userIDs).Order("user_id, subject_name, grade, id").Scan(&rows).Error
	if err := translate(err); err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.UserID] = append(out[r.UserID], r)
	}
	return out, nil
}
