-- +goose Up
-- Dashboards and administration (issue 20).

-- The super admin dashboard offers a "Trial" licence for a school.
ALTER TABLE schools
    MODIFY COLUMN subscription_status ENUM('ACTIVE','INACTIVE','PAST_DUE','CANCELLED','TRIAL') NOT NULL DEFAULT 'INACTIVE',
    ADD KEY idx_schools_created (created_at);

-- Analytics read these as index-only scans or short range scans (EXPLAIN of
-- each statement of internal/models/analytics.go and insights.go):
--  * subjects grouped by name and grade, and by grade (top curricula,
--    completion rates, progress by grade) without a temporary table;
--  * subjects created in the last 30 days;
--  * progress rows of the last 30 days (daily active users), and one
--    teacher's recent progress rows (insights).
ALTER TABLE subjects
    ADD KEY idx_subjects_name_grade_progress (subject_name, grade, progress_percentage),
    ADD KEY idx_subjects_grade_progress (grade, progress_percentage),
    ADD KEY idx_subjects_created (created_at);

ALTER TABLE progress_log
    ADD KEY idx_progress_log_created_user (created_at, user_id),
    ADD KEY idx_progress_log_user_created (user_id, created_at, action);

-- +goose Down
ALTER TABLE progress_log DROP KEY idx_progress_log_user_created, DROP KEY idx_progress_log_created_user;
ALTER TABLE subjects DROP KEY idx_subjects_created, DROP KEY idx_subjects_grade_progress, DROP KEY idx_subjects_name_grade_progress;
ALTER TABLE schools DROP KEY idx_schools_created,
    MODIFY COLUMN subscription_status ENUM('ACTIVE','INACTIVE','PAST_DUE','CANCELLED') NOT NULL DEFAULT 'INACTIVE';
