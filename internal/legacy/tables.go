package legacy

import (
	"context"
	"fmt"
)

// tables is the import's order: every table after the ones it points to.
var tables = []*table{
	schoolsTable, usersTable,
	templatesTable, templateStrandsTable, templateSubstrandsTable,
	subjectsTable, strandsTable, subStrandsTable, lessonsTable, progressLogTable,
	schoolLessonConfigsTable, teacherLessonConfigsTable,
	systemTermsTable, schoolSettingsTable, schoolTermsTable, termAdjustmentsTable, calendarActivitiesTable, departmentsTable,
	schedulesTable, timeSlotsTable, timetableEntriesTable,
	schemesTable, schemeWeeksTable, schemeLessonsTable, lessonPlansTable, recordsTable, recordEntriesTable,
	notesTable, noteSharesTable, paymentsTable,
}

// notModelledTables are the original's tables this project has no place for.
var notModelledTables = []NotModelled{
	{Table: "terms", Why: "the original's per-teacher legacy terms: dates come from system and school terms here"},
	{Table: "teacher_profiles", Why: "independent teachers' letterhead and defaults: no profile table here"},
	{Table: "system_settings", Why: "settings are configuration (environment) and plan_prices here; set prices with PUT /admin/pricing-config"},
	{Table: "system_announcements", Why: "announcements are not served (the frontend never called them)"},
	{Table: "note_annotations", Why: "the presentation feature is not built (unused by the frontend)"},
	{Table: "presentation_sessions", Why: "the presentation feature is not built (unused by the frontend)"},
	{Table: "speaker_notes", Why: "the presentation feature is not built (unused by the frontend)"},
}

// alwaysLeftOut are the columns left out of imported tables, and why.
var alwaysLeftOut = []string{
	"users.verification_token, password_reset_token, password_reset_expires: never carried over (plaintext tokens); users verify and reset anew",
	"users.auth_provider: a linked account is one with google_id; users.previous_school_id, default_lesson_duration, default_double_lesson_duration: no columns here",
	"users.is_admin: mapped into role (see the changes above)",
	"paid plans carry no end date (the original had none): set one with PUT /admin/users/{id}/subscription where needed",
}

func (m *importer) notModelled(ctx context.Context) error {
	for _, n := range notModelledTables {
		if !m.present[n.Table] {
			continue
		}
		if err := m.src.QueryRowContext(ctx, fmt.Sprintf("SELECT COUNT(*) FROM `%s`", n.Table)).Scan(&n.Rows); err != nil {
			return err
		}
		m.report.NotModelled = append(m.report.NotModelled, n)
	}
	return nil
}
