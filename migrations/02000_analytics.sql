-- +goose Up
-- Dashboards and administration (issue 20).

-- The super admin dashboard offers a "Trial" licence for a school.
ALTER TABLE schools
    MODIFY COLUMN subscription_status ENUM('ACTIVE','INACTIVE','PAST_DUE','CANCELLED','TRIAL') NOT NULL DEFAULT 'INACTIVE',
    ADD KEY idx_schools_created (created_at);

-- The school a teacher last left (removed by their school admin or unlinked by
-- a super admin): the super admin's school view lists them as previous
-- teachers.
ALTER TABLE users
    ADD COLUMN previous_school_id BIGINT UNSIGNED NULL,
    ADD KEY idx_users_previous_school (previous_school_id),
    ADD CONSTRAINT fk_users_previous_school FOREIGN KEY (previous_school_id) REFERENCES schools (id) ON DELETE SET NULL;

-- Analytics read these as index-only scans or short range scans (EXPLAIN of
-- each statement of internal/models/analytics.go and insights.go):
--  * subjects grouped by name and grade, and by grade (top curricula,
--    completion rates, progress by grade) without a temporary table;
--  * subjects created in the last 30 days;
--  * progress rows of the last 30 days (daily active users), and one
--    teacher's recent progress rows (insights).
--  * users counted by role and plan (the dashboards' headline counts) from a
--    narrow index instead of the table;
--  * subjects' progress bands and lesson totals from a narrow index;
--  * subjects grouped by teacher (teacher engagement) from an index.
ALTER TABLE subjects
    ADD KEY idx_subjects_name_grade_progress (subject_name, grade, progress_percentage),
    ADD KEY idx_subjects_grade_progress (grade, progress_percentage),
    ADD KEY idx_subjects_created (created_at),
    ADD KEY idx_subjects_progress_totals (progress_percentage, total_lessons, lessons_completed),
    ADD KEY idx_subjects_user_progress (user_id, progress_percentage);

ALTER TABLE users
    ADD KEY idx_users_role_plan (role, subscription_type, is_active);

ALTER TABLE progress_log
    ADD KEY idx_progress_log_created_user (created_at, user_id),
    ADD KEY idx_progress_log_user_created (user_id, created_at, action);

-- +goose Down
ALTER TABLE progress_log DROP KEY idx_progress_log_user_created, DROP KEY idx_progress_log_created_user;
ALTER TABLE users DROP KEY idx_users_role_plan;
ALTER TABLE users DROP FOREIGN KEY fk_users_previous_school;
ALTER TABLE users DROP KEY idx_users_previous_school, DROP COLUMN previous_school_id;
ALTER TABLE subjects DROP KEY idx_subjects_user_progress, DROP KEY idx_subjects_progress_totals, DROP KEY idx_subjects_created, DROP KEY idx_subjects_grade_progress, DROP KEY idx_subjects_name_grade_progress;
ALTER TABLE schools DROP KEY idx_schools_created,
    MODIFY COLUMN subscription_status ENUM('ACTIVE','INACTIVE','PAST_DUE','CANCELLED') NOT NULL DEFAULT 'INACTIVE';
