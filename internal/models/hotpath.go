package models

import (
	"database/sql"

	"gorm.io/gorm"
)

// The reads every request or the commonest pages run — the session check, a
// subject by id and its tree, its lessons, the subjects list, the dashboard's
// counts — scan their rows by hand: GORM's reflection-based Scan, its SQL
// builder and their allocations were a third of the API's CPU on
// GET /subjects/{id} (bench/README.md, "Where the time goes"). They still run
// through GORM (Raw(…).Rows() or the builder's Rows()), so the request's
// binding, deadline and statement metrics apply as to any other query. Each
// column list below is checked against its model's GORM schema by
// TestHotPathColumns, so a field added to a model can't be silently missed.

// userColumns are the users columns of User, in userDest's order.
const userColumns = "u.id, u.email, u.password_hash, u.full_name, u.phone, u.school, u.grade_level, u.tsc_number, " +
	"u.role, u.school_id, u.is_active, u.email_verified, u.subscription_type, u.subscription_status, u.created_at, " +
	"u.updated_at, u.subscription_expires_at, u.trial_started_at"

func userDest(u *User) []any {
	return []any{&u.ID, &u.Email, &u.PasswordHash, &u.FullName, &u.Phone, &u.School, &u.GradeLevel, &u.TSCNumber,
		(*string)(&u.Role), &u.SchoolID, &u.IsActive, &u.EmailVerified, &u.SubscriptionType, &u.SubscriptionStatus,
		&u.CreatedAt, &u.UpdatedAt, &u.SubscriptionExpiresAt, &u.TrialStartedAt}
}

// sessionColumns are the sessions columns of SessionUser.Session, in sessionDest's order.
const sessionColumns = "s.id, s.user_id, s.impersonator_id, s.impersonator_session_id, s.created_at, s.renew_until, " +
	"s.expires_at, s.revoked_at"

func sessionDest(s *Session) []any {
	return []any{&s.ID, &s.UserID, &s.ImpersonatorID, &s.ImpersonatorSessionID, &s.CreatedAt, &s.RenewUntil,
		&s.ExpiresAt, &s.RevokedAt}
}

// impersonatorColumns are SessionUser.Impersonator's, in impersonatorDest's order.
const impersonatorColumns = "iu.role, iu.is_active, isn.user_id, isn.revoked_at, isn.expires_at"

func impersonatorDest(i *impersonatorState) []any {
	return []any{&i.Role, &i.IsActive, &i.SessionUserID, &i.SessionRevokedAt, &i.SessionExpiresAt}
}

// subjectColumns are the subjects columns of Subject, in subjectDest's order.
const subjectColumns = "subjects.id, subjects.user_id, subjects.template_id, subjects.subject_name, subjects.grade, " +
	"subjects.curriculum_pdf_url, subjects.total_lessons, subjects.lessons_completed, subjects.progress_percentage, " +
	"subjects.lessons_per_week, subjects.single_lesson_duration, subjects.double_lesson_duration, " +
	"subjects.double_lessons_per_week, subjects.current_strand_id, subjects.current_substrand_id, subjects.created_at, " +
	"subjects.updated_at"

func subjectDest(s *Subject) []any {
	return []any{&s.ID, &s.UserID, &s.TemplateID, &s.SubjectName, &s.Grade, &s.CurriculumPDFURL, &s.TotalLessons,
		&s.LessonsCompleted, &s.ProgressPercentage, &s.LessonsPerWeek, &s.SingleLessonDuration, &s.DoubleLessonDuration,
		&s.DoubleLessonsPerWeek, &s.CurrentStrandID, &s.CurrentSubstrandID, &s.CreatedAt, &s.UpdatedAt}
}

// strandColumns are the strands columns of Strand, in strandDest's order.
const strandColumns = "strands.id, strands.subject_id, strands.strand_code, strands.strand_name, strands.description, " +
	"strands.sequence_order"

func strandDest(s *Strand) []any {
	return []any{&s.ID, &s.SubjectID, &s.StrandCode, &s.StrandName, &s.Description, &s.SequenceOrder}
}

// subStrandColumns are the sub_strands columns of SubStrand, in subStrandDest's order.
const subStrandColumns = "sub_strands.id, sub_strands.strand_id, sub_strands.substrand_code, sub_strands.substrand_name, " +
	"sub_strands.description, sub_strands.lessons_count, sub_strands.learning_outcomes, sub_strands.key_inquiry_questions, " +
	"sub_strands.specific_learning_outcomes, sub_strands.suggested_learning_experiences, sub_strands.core_competencies, " +
	"sub_strands.`values`, sub_strands.pcis, sub_strands.links_to_other_subjects, sub_strands.sequence_order"

func subStrandDest(s *SubStrand) []any {
	return []any{&s.ID, &s.StrandID, &s.SubstrandCode, &s.SubstrandName, &s.Description, &s.LessonsCount,
		&s.LearningOutcomes, &s.KeyInquiryQuestions, &s.SpecificLearningOutcomes, &s.SuggestedLearningExperiences,
		&s.CoreCompetencies, &s.Values, &s.PCIs, &s.LinksToOtherSubjects, &s.SequenceOrder}
}

// lessonRowColumns are the lessons columns of Lesson, in lessonDest's order.
const lessonRowColumns = "lessons.id, lessons.substrand_id, lessons.lesson_number, lessons.lesson_title, " +
	"lessons.description, lessons.duration_minutes, lessons.learning_outcomes, lessons.is_completed, " +
	"lessons.completed_at, lessons.sequence_order"

func lessonDest(l *Lesson) []any {
	return []any{&l.ID, &l.SubstrandID, &l.LessonNumber, &l.LessonTitle, &l.Description, &l.DurationMinutes,
		&l.LearningOutcomes, &l.IsCompleted, &l.CompletedAt, &l.SequenceOrder}
}

// eachRow runs query on db and calls scan for every row it returns.
func eachRow(db *gorm.DB, query string, args []any, scan func(*sql.Rows) error) error {
	return scanRows(db.Raw(query, args...), scan)
}

// scanRows runs the query q was built into and calls scan for every row.
func scanRows(q *gorm.DB, scan func(*sql.Rows) error) error {
	rows, err := q.Rows()
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return translate(rows.Err())
}

// scanOne reads the row query returns (by a unique key) into dest; no row is
// ErrNotFound.
func scanOne(db *gorm.DB, query string, args []any, dest ...any) error {
	found := false
	err := eachRow(db, query, args, func(rows *sql.Rows) error {
		found = true
		return rows.Scan(dest...)
	})
	if err == nil && !found {
		err = translate(gorm.ErrRecordNotFound)
	}
	return err
}
