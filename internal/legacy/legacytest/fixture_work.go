package legacytest

import "strings"

// Token43 is a share token of the form links have here (kept by the import).
const Token43 = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ"

// The teacher's documents the import keeps (what the API lists for her).
const (
	TeacherSchemes, TeacherPlans, TeacherRecords, TeacherEntries, TeacherNotes = 1, 4, 2, 2, 3
)

// Sunrise Academy's admin, and the departments and calendar activities the
// import keeps for the school (what the admin's API lists).
const (
	SchoolAdminEmail                    = "head@sunrise.example.com"
	SchoolDepartments, SchoolActivities = 3, 3
	// TeacherName is the teacher's full name (the head of Mathematics).
	TeacherName = "User Jane.Teacher@Example.com"
)

// work adds the teacher's (jane's) schemes, plans, records, timetable and
// notes, the terms, settings, departments and calendars of the schools,
// payments, the tables this project doesn't model, and an oddity of each kind.
func (f *fixture) work(jane, dup, math, english int, mathLessons []int) {
	const lc = "school_id, subject_name, grade, education_level, lessons_per_week, double_lessons_per_week, single_lesson_duration, double_lesson_duration"
	f.add("lesson_configurations", lc, 1, 1, "Mathematics", "Grade 7", "Junior Secondary", 5, 1, 40, 80)
	f.add("lesson_configurations", lc, 2, 99, "Mathematics", "Grade 7", nil, 5, 1, 40, 80)
	f.add("teacher_lesson_configs", "user_id, subject_name, grade, lessons_per_week, double_lessons_per_week, single_lesson_duration, double_lesson_duration",
		1, jane, "English", "Grade 7", 0, 0, 35, 70)

	const st = "term_number, term_name, year, start_date, end_date, teaching_weeks, mid_term_break_start, mid_term_break_end, is_current, created_by"
	f.add("system_terms", st, 1, 1, "Term 1", 2025, "2025-01-06 00:00:00", "2025-04-04 00:00:00", 12, "2025-02-24 00:00:00", "2025-02-28 00:00:00", false, 1)
	f.add("system_terms", st, 2, 2, "Term 2", 2025, "2025-04-28 00:00:00", "2025-08-01 00:00:00", 13, nil, nil, false, 1)
	f.add("system_terms", st, 3, 3, "Term 3", 2025, "2025-08-25 00:00:00", "2025-10-24 00:00:00", 9, nil, nil, true, 999)
	f.add("system_terms", st, 4, 4, "Term 4", 2026, "2026-01-05 00:00:00", "2026-03-27 00:00:00", 12, nil, nil, false, nil)
	f.add("system_terms", st, 5, 1, "Term 1", 2026, "2026-04-01 00:00:00", "2026-01-05 00:00:00", 12, nil, nil, false, nil)

	const ss = "school_id, school_name, school_email, school_address, established_year, grades_offered, streams_per_grade, updated_at"
	f.add("school_settings", ss, 1, 1, "Sunrise (old)", "old@sunrise.example.com", nil, 1999, `["Grade 7"]`, `{"Grade 7": ["East"]}`, "2025-01-01 08:00:00")
	f.add("school_settings", ss, 2, 1, "Sunrise Academy", "office@sunrise.example.com", strings.Repeat("Long road ", 60), 20245, `["Grade 7","Grade 8"]`, `{"Grade 7": ["East","West"]}`, "2025-03-01 08:00:00")
	f.add("school_settings", ss, 3, nil, "Nobody's", "x@example.com", nil, nil, nil, nil, "2025-01-01 08:00:00")
	f.add("school_settings", ss, 4, 2, "Hillside School", "office@hillside.example.com", "Hill Rd", 1985, nil, nil, "2025-01-01 08:00:00")
	const sct = "school_settings_id, term_number, year, start_date, end_date, mid_term_break_start, mid_term_break_end"
	f.add("school_terms", sct, 1, 2, 1, 2025, "2025-01-07", "2025-04-04", "2025-02-24", "2025-02-28")
	f.add("school_terms", sct, 2, 1, 2, 2025, "2025-04-29", "2025-08-01", nil, nil)
	f.add("school_terms", sct, 3, 3, 1, 2025, "2025-01-08", "2025-04-04", nil, nil)
	f.add("school_terms", sct, 4, 4, 3, 2025, "2025-13-45", "2025-10-24", nil, nil)
	f.add("school_terms", sct, 5, 2, 1, 2025, "2025-01-09", "2025-04-04", nil, nil)
	const uta = "system_term_id, school_id, user_id, adjusted_start_date, adjusted_end_date, adjusted_teaching_weeks, adjustment_reason, is_active"
	f.add("user_term_adjustments", uta, 1, 1, 2, nil, "2025-01-08 00:00:00", "2025-04-04 00:00:00", nil, "County calendar", true)
	f.add("user_term_adjustments", uta, 2, 2, nil, jane, "2025-04-29 00:00:00", "2025-08-01 00:00:00", 13, "Mine", true)
	f.add("user_term_adjustments", uta, 3, 1, 1, nil, "2025-01-09 00:00:00", "2025-04-04 00:00:00", nil, "Clash", true)
	// Calendar activities: Sunrise's three, and the original's oddities (a
	// term that doesn't exist, a term refused above, a date that isn't one).
	const ca = "school_settings_id, term_id, activity_name, activity_date, activity_type, description"
	f.add("calendar_activities", ca, 1, 2, 1, "Opening day", "2025-01-07", "Opening Day", nil)
	f.add("calendar_activities", ca, 2, nil, 99, "Lost term", "2025-01-08", "Other", nil)
	f.add("calendar_activities", ca, 3, 3, 3, "Nobody's term", "2025-01-09", "Other", nil)
	f.add("calendar_activities", ca, 4, 2, 2, "Sports day", "2025-13-01", "Sports", nil)
	f.add("calendar_activities", ca, 5, 4, 2, "End of term exams", "2025-07-21", strings.Repeat("Exam Week ", 8), "All grades")
	f.add("calendar_activities", ca, 6, 2, 1, "Half term", "2025-02-24", "", nil)
	// Departments: Sunrise's three (one headed by another school's teacher,
	// one by a user who doesn't exist), a duplicate name, a missing school.
	const dp = "school_id, name, description, hod_id"
	f.add("departments", dp, 1, 1, "Mathematics", nil, jane)
	f.add("departments", dp, 2, 1, "Sciences", "Physics, chemistry, biology", 1001)
	f.add("departments", dp, 3, 1, "Humanities", nil, 998)
	f.add("departments", dp, 4, 1, "mathematics", nil, nil)
	f.add("departments", dp, 5, 99, "Orphans", nil, nil)
	f.add("departments", dp, 6, 2, "Sciences", strings.Repeat("Long text ", 120), nil)
	f.add("terms", "user_id, term_number, term_name, academic_year, start_date, end_date, teaching_weeks, is_current", 1, jane, 1, "Term 1", "2025", "2025-01-06 00:00:00", "2025-04-04 00:00:00", 12, true)
	f.add("teacher_profiles", "user_id, school_name, tsc_number", 1, jane, "Sunrise Academy", "TSC-1")
	f.add("system_settings", "`key`, value", 1, "pricing", `{"termly": 350}`)
	f.add("system_announcements", "title, message", 1, "Welcome", "Hello")

	const sch = "user_id, school_id, schedule_name, education_level, school_start_time, single_lesson_duration, double_lesson_duration, first_break_duration, second_break_duration, lunch_break_duration, lessons_before_first_break, lessons_before_second_break, lessons_before_lunch, lessons_after_lunch, school_end_time, is_active"
	f.add("school_schedules", sch, 1, jane, nil, "Mine", "Junior Secondary", "8:00", 40, 80, 10, 30, 60, 2, 2, 2, 2, "16:00", true)
	f.add("school_schedules", sch, 2, jane, nil, "Mine (older save)", "Junior Secondary", "08:00", 40, 80, 10, 30, 60, 2, 2, 2, 2, "16:00", true)
	f.add("school_schedules", sch, 3, nil, 1, "Sunrise", "Upper Primary", "07:50", 35, 70, 10, 30, 60, 2, 2, 2, 2, "15:30", true)
	f.add("school_schedules", sch, 4, 1000, nil, "Broken", "Junior Secondary", "25:00", 40, 80, 10, 30, 60, 2, 2, 2, 2, "16:00", true)
	const ts = "schedule_id, slot_number, start_time, end_time, slot_type, label, sequence_order"
	f.add("time_slots", ts, 1, 1, 1, "08:00", "08:40", "lesson", "Lesson 1", 1)
	f.add("time_slots", ts, 2, 1, 2, "08:40", "09:20", "lesson", "Lesson 2", 2)
	f.add("time_slots", ts, 3, 1, 3, "09:20", "09:30", "break", "Break", 3)
	f.add("time_slots", ts, 4, 1, 4, "09:30", "10:10", "lesson", "Lesson 3", 4)
	f.add("time_slots", ts, 5, 1, 5, "12:30", "13:30", "Lunch", "Lunch", 5)
	f.add("time_slots", ts, 6, 1, 6, "13:30", "13:40", "recess", "Recess", 6)
	f.add("time_slots", ts, 7, 3, 1, "07:50", "08:25", "lesson", "Lesson 1", 1)
	const te = "user_id, schedule_id, time_slot_id, subject_id, day_of_week, strand_id, lesson_id, room_number, grade_section, is_double_lesson"
	f.add("timetable_entries", te, 1, jane, 1, 1, math, 1, 1, mathLessons[0], "Room 4", "Grade 7 East", false)
	f.add("timetable_entries", te, 2, jane, 1, 2, english, 2, nil, nil, nil, "Grade 7 West", false)
	f.add("timetable_entries", te, 3, jane, 1, 4, math, 0, nil, nil, nil, nil, false)
	f.add("timetable_entries", te, 4, jane, 1, 1, english, 1, nil, nil, nil, nil, false)

	const sw = "user_id, subject_id, teacher_name, school, term, year, subject, grade, stream, total_weeks, total_lessons, status, share_token, is_public"
	f.add("schemes_of_work", sw, 1, jane, math, "Jane", "Sunrise Academy", "Term 1", 2025, "Mathematics", "Grade 7", "East", 2, 3, "Active", "plain-share-token", true)
	f.add("schemes_of_work", sw, 2, jane, english, "Jane", "Sunrise Academy", "Term 1", 0, "English", "Grade 7", nil, 1, 1, "active", nil, false)
	f.add("schemes_of_work", sw, 3, dup, 3, "Dup", "Sunrise Academy", "Term 1", 2025, "History", "Grade 7", nil, 1, 1, "active", nil, false)
	f.add("scheme_weeks", "scheme_id, week_number", 1, 1, 1)
	f.add("scheme_weeks", "scheme_id, week_number", 2, 1, 2)
	f.add("scheme_weeks", "scheme_id, week_number", 3, 1, 2)
	const sl = "week_id, lesson_number, strand, sub_strand, specific_learning_outcomes, learning_experiences, textbook_name"
	f.add("scheme_lessons", sl, 1, 1, 1, "Numbers", "Whole numbers", "Read numbers", "Discuss", strings.Repeat("Spotlight ", 30))
	f.add("scheme_lessons", sl, 2, 1, 2, "Numbers", "Whole numbers", "Write numbers", "Practise", "Spotlight")
	f.add("scheme_lessons", sl, 3, 2, 1, "Numbers", "Fractions", "Compare", "Group work", nil)
	f.add("scheme_lessons", sl, 4, 999, 1, "Orphan", "Orphan", "x", "y", nil)
	const lp = "user_id, subject_id, scheme_lesson_id, learning_area, grade, date, time, strand_theme_topic, sub_strand_sub_theme_sub_topic, specific_learning_outcomes, status, share_token"
	f.add("lesson_plans", lp, 1, jane, math, 1, "Mathematics", "Grade 7", "2025-01-07", "08:00", "Numbers", "Whole numbers", "Read", "taught", nil)
	f.add("lesson_plans", lp, 2, jane, math, 1, "Mathematics", "Grade 7", nil, nil, "Numbers", "Whole numbers", "Read again", "pending", "tok")
	f.add("lesson_plans", lp, 3, jane, math, 3, "Mathematics", "Grade 7", nil, nil, "Numbers", "Fractions", "Compare", "done", nil)
	f.add("lesson_plans", lp, 4, jane, 4, nil, "Orphan subject", "Grade 7", nil, nil, "x", "y", "z", nil, nil)
	const rw = "user_id, subject_id, school_name, teacher_name, learning_area, grade, term, year"
	f.add("records_of_work", rw, 1, jane, math, "Sunrise Academy", "Jane", "Mathematics", "Grade 7", "Term 1", 2025)
	f.add("records_of_work", rw, 2, jane, english, nil, nil, "English", "Grade 7", "Term 1", nil)
	const re = "record_id, week_number, strand, topic, learning_outcome_a, signature, date_taught, status"
	f.add("record_of_work_entries", re, 1, 1, 1, "Numbers", "Whole numbers", "Read", "JT", "2025-01-10 10:00:00", "taught")
	f.add("record_of_work_entries", re, 2, 1, 2, "Numbers", "Fractions", nil, nil, nil, "pending")
	f.add("record_of_work_entries", re, 3, 1, 2, "Numbers", "Again", nil, nil, nil, "pending")
	f.add("record_of_work_entries", re, 4, 2, 1, "Reading", "Vowels", nil, nil, nil, "finished")

	const nt = "user_id, subject_id, strand_id, lesson_id, title, file_type, file_url, file_size_bytes, tags, is_favorite, view_count"
	f.add("notes", nt, 1, jane, math, 1, mathLessons[0], "Fractions worksheet", "application/pdf", "https://res.cloudinary.com/tt/raw/upload/v1/notes/fractions.pdf", 1234, "maths,fractions", true, 3)
	f.add("notes", nt, 2, jane, english, nil, nil, "Reading list", "docx", "/uploads/notes/reading%20list.docx", nil, nil, false, 0)
	f.add("notes", nt, 3, jane, nil, nil, nil, "Chart", "image/png", "https://res.cloudinary.com/tt/image/upload/v1/chart", nil, nil, false, 0)
	f.add("notes", nt, 4, jane, nil, nil, nil, "Broken", "pdf", "not a url", nil, nil, false, 0)
	f.add("notes", nt, 5, 999, nil, nil, nil, "Orphan", "pdf", "https://example.com/x.pdf", nil, nil, false, 0)
	const sp = "note_id, user_id, share_token, is_active, view_count, allow_download"
	f.add("shared_presentations", sp, 1, 1, jane, Token43, true, 2, true)
	f.add("shared_presentations", sp, 2, 1, jane, "short", true, 0, false)
	f.add("note_annotations", "note_id, user_id, drawing_data", 1, 1, jane, `[]`)

	const pay = "user_id, amount, phone_number, transaction_code, checkout_request_id, status, description, reference, result_desc, mpesa_metadata, updated_at"
	f.add("payments", pay, 1, jane, "350.00", "254700000001", "QWE123", "ws_CO_1", "COMPLETED", "Termly Pass Subscription", "INDIVIDUAL_BASIC", "The service request is processed successfully.", `{"Amount": 350}`, "2025-01-05 10:00:00")
	f.add("payments", pay, 2, jane, "1000.00", "254700000001", nil, "ws_CO_2", "PENDING", "Yearly Saver Subscription", nil, nil, nil, "2025-01-06 10:00:00")
	f.add("payments", pay, 3, jane, "50.00", "254700000001", nil, "ws_CO_3", "FAILED", "Gift", "??", nil, nil, "2025-01-07 10:00:00")
	f.add("payments", pay, 4, jane, "0.00", "254700000001", nil, "ws_CO_4", "FAILED", "Termly Pass", "INDIVIDUAL_BASIC", nil, nil, "2025-01-08 10:00:00")
	f.add("payments", pay, 5, dup, "99.50", "254700000002", "QWE124", "ws_CO_5", "COMPLETED", "Termly Pass", "INDIVIDUAL_BASIC", nil, nil, "2025-01-09 10:00:00")
}
