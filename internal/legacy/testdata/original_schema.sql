-- The original TeachTrack backend's schema (FastAPI + SQLAlchemy), written
-- for these tests from its backend/models.py table by table, as SQLAlchemy's
-- create_all would make it on MySQL: Integer ids, TIMESTAMP columns, ENUMs for
-- its Python enums, JSON columns. Run with FOREIGN_KEY_CHECKS=0 (users and
-- schools refer to each other).
-- Emails compare byte for byte here (utf8mb4_bin): the original's database
-- collation decided, and with a binary one 'Jane@x' and 'jane@x' were two
-- accounts, which the importer must sort out.

CREATE TABLE schools (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(255) NOT NULL,
    admin_id INT NULL,
    subscription_status ENUM('ACTIVE','INACTIVE','PAST_DUE','CANCELLED') NULL,
    max_teachers INT NULL,
    teacher_counts_by_level JSON NULL,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    KEY ix_schools_id (id),
    FOREIGN KEY (admin_id) REFERENCES users (id) ON DELETE SET NULL
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE departments (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    school_id INT NOT NULL,
    name VARCHAR(100) NOT NULL,
    description TEXT NULL,
    hod_id INT NULL,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (school_id) REFERENCES schools (id) ON DELETE CASCADE,
    FOREIGN KEY (hod_id) REFERENCES users (id) ON DELETE SET NULL
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE payments (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id INT NOT NULL,
    amount DECIMAL(10,2) NOT NULL,
    phone_number VARCHAR(20) NOT NULL,
    transaction_code VARCHAR(50) NULL UNIQUE,
    checkout_request_id VARCHAR(100) NOT NULL UNIQUE,
    merchant_request_id VARCHAR(100) NULL,
    status ENUM('PENDING','COMPLETED','FAILED','CANCELLED') NULL,
    description VARCHAR(255) NULL,
    reference VARCHAR(100) NULL,
    result_desc VARCHAR(255) NULL,
    mpesa_metadata JSON NULL,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE curriculum_templates (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    subject VARCHAR(100) NOT NULL,
    grade VARCHAR(20) NOT NULL,
    education_level VARCHAR(50) NULL,
    is_active BOOL NULL,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE template_strands (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    curriculum_template_id INT NOT NULL,
    strand_number VARCHAR(10) NOT NULL,
    strand_name VARCHAR(200) NOT NULL,
    sequence_order INT NULL,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (curriculum_template_id) REFERENCES curriculum_templates (id) ON DELETE CASCADE
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE template_substrands (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    strand_id INT NOT NULL,
    substrand_number VARCHAR(10) NOT NULL,
    substrand_name VARCHAR(200) NOT NULL,
    number_of_lessons INT NOT NULL,
    specific_learning_outcomes JSON NULL,
    suggested_learning_experiences JSON NULL,
    key_inquiry_questions JSON NULL,
    core_competencies JSON NULL,
    `values` JSON NULL,
    pcis JSON NULL,
    links_to_other_subjects JSON NULL,
    default_textbook_name VARCHAR(255) NULL,
    default_learner_book_pages VARCHAR(100) NULL,
    default_teacher_guide_pages VARCHAR(100) NULL,
    sequence_order INT NULL,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (strand_id) REFERENCES template_strands (id) ON DELETE CASCADE
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE users (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    email VARCHAR(255) COLLATE utf8mb4_bin NOT NULL,
    password_hash VARCHAR(255) NULL,
    full_name VARCHAR(255) NOT NULL,
    phone VARCHAR(20) NULL,
    school VARCHAR(255) NULL,
    grade_level VARCHAR(255) NULL,
    tsc_number VARCHAR(50) NULL,
    email_verified BOOL NULL,
    verification_token VARCHAR(255) NULL,
    password_reset_token VARCHAR(255) NULL,
    password_reset_expires TIMESTAMP NULL,
    google_id VARCHAR(255) NULL,
    auth_provider VARCHAR(50) NULL,
    is_admin BOOL NULL,
    is_active BOOL NULL,
    role ENUM('SUPER_ADMIN','SCHOOL_ADMIN','TEACHER','HOD') NULL,
    school_id INT NULL,
    previous_school_id INT NULL,
    subscription_type ENUM('FREE','SCHOOL_SPONSORED','INDIVIDUAL_BASIC','INDIVIDUAL_PREMIUM') NULL,
    subscription_status ENUM('ACTIVE','INACTIVE','PAST_DUE','CANCELLED') NULL,
    default_lesson_duration INT NULL,
    default_double_lesson_duration INT NULL,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE KEY ix_users_email (email),
    UNIQUE KEY ix_users_google_id (google_id),
    KEY ix_users_verification_token (verification_token),
    KEY ix_users_password_reset_token (password_reset_token),
    FOREIGN KEY (school_id) REFERENCES schools (id) ON DELETE SET NULL,
    FOREIGN KEY (previous_school_id) REFERENCES schools (id) ON DELETE SET NULL
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE subjects (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id INT NOT NULL,
    template_id INT NULL,
    subject_name VARCHAR(255) NOT NULL,
    grade VARCHAR(10) NOT NULL,
    curriculum_pdf_url VARCHAR(500) NULL,
    current_strand_id INT NULL,
    current_substrand_id INT NULL,
    total_lessons INT NULL,
    lessons_completed INT NULL,
    progress_percentage DECIMAL(5,2) NULL,
    lessons_per_week INT NULL,
    single_lesson_duration INT NULL,
    double_lesson_duration INT NULL,
    double_lessons_per_week INT NULL,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    FOREIGN KEY (template_id) REFERENCES curriculum_templates (id) ON DELETE SET NULL
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE strands (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    subject_id INT NOT NULL,
    strand_code VARCHAR(50) NOT NULL,
    strand_name VARCHAR(255) NOT NULL,
    description TEXT NULL,
    sequence_order INT NOT NULL,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (subject_id) REFERENCES subjects (id) ON DELETE CASCADE
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE sub_strands (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    strand_id INT NOT NULL,
    substrand_code VARCHAR(50) NOT NULL,
    substrand_name VARCHAR(255) NOT NULL,
    description TEXT NULL,
    lessons_count INT NULL,
    learning_outcomes TEXT NULL,
    key_inquiry_questions TEXT NULL,
    specific_learning_outcomes JSON NULL,
    suggested_learning_experiences JSON NULL,
    core_competencies JSON NULL,
    `values` JSON NULL,
    pcis JSON NULL,
    links_to_other_subjects JSON NULL,
    sequence_order INT NOT NULL,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (strand_id) REFERENCES strands (id) ON DELETE CASCADE
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE lessons (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    substrand_id INT NOT NULL,
    lesson_number INT NOT NULL,
    lesson_title VARCHAR(255) NULL,
    description TEXT NULL,
    duration_minutes INT NULL,
    learning_outcomes TEXT NULL,
    is_completed BOOL NULL,
    completed_at TIMESTAMP NULL,
    sequence_order INT NOT NULL,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (substrand_id) REFERENCES sub_strands (id) ON DELETE CASCADE
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE progress_log (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id INT NOT NULL,
    subject_id INT NOT NULL,
    lesson_id INT NOT NULL,
    action VARCHAR(50) NOT NULL,
    notes TEXT NULL,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    FOREIGN KEY (subject_id) REFERENCES subjects (id) ON DELETE CASCADE,
    FOREIGN KEY (lesson_id) REFERENCES lessons (id) ON DELETE CASCADE
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE terms (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id INT NOT NULL,
    term_number INT NOT NULL,
    term_name VARCHAR(100) NOT NULL,
    academic_year VARCHAR(20) NOT NULL,
    start_date TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    end_date TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    teaching_weeks INT NOT NULL,
    is_current BOOL NULL,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE notes (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id INT NOT NULL,
    subject_id INT NULL,
    strand_id INT NULL,
    substrand_id INT NULL,
    lesson_id INT NULL,
    title VARCHAR(255) NOT NULL,
    file_type VARCHAR(50) NULL,
    file_url VARCHAR(500) NOT NULL,
    file_size_bytes BIGINT NULL,
    thumbnail_url VARCHAR(500) NULL,
    tags TEXT NULL,
    description TEXT NULL,
    is_favorite BOOL NULL,
    view_count INT NULL,
    last_viewed_at TIMESTAMP NULL,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    FOREIGN KEY (subject_id) REFERENCES subjects (id) ON DELETE SET NULL,
    FOREIGN KEY (strand_id) REFERENCES strands (id) ON DELETE SET NULL,
    FOREIGN KEY (substrand_id) REFERENCES sub_strands (id) ON DELETE SET NULL,
    FOREIGN KEY (lesson_id) REFERENCES lessons (id) ON DELETE SET NULL
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE note_annotations (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    note_id INT NOT NULL,
    user_id INT NOT NULL,
    page_number INT NULL,
    drawing_data JSON NOT NULL,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (note_id) REFERENCES notes (id) ON DELETE CASCADE,
    FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE presentation_sessions (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    note_id INT NOT NULL,
    user_id INT NOT NULL,
    duration_seconds INT NULL,
    started_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    ended_at TIMESTAMP NULL,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (note_id) REFERENCES notes (id) ON DELETE CASCADE,
    FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE speaker_notes (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    note_id INT NOT NULL,
    user_id INT NOT NULL,
    page_number INT NULL,
    notes TEXT NULL,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (note_id) REFERENCES notes (id) ON DELETE CASCADE,
    FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE shared_presentations (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    note_id INT NOT NULL,
    user_id INT NOT NULL,
    share_token VARCHAR(64) NOT NULL,
    expires_at TIMESTAMP NULL,
    is_active BOOL NULL,
    view_count INT NULL,
    allow_download BOOL NULL,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE KEY ix_shared_presentations_share_token (share_token),
    FOREIGN KEY (note_id) REFERENCES notes (id) ON DELETE CASCADE,
    FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE school_schedules (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id INT NULL,
    school_id INT NULL,
    schedule_name VARCHAR(100) NOT NULL,
    education_level VARCHAR(50) NULL,
    school_start_time VARCHAR(10) NOT NULL,
    single_lesson_duration INT NOT NULL,
    double_lesson_duration INT NOT NULL,
    first_break_duration INT NULL,
    second_break_duration INT NULL,
    lunch_break_duration INT NULL,
    lessons_before_first_break INT NULL,
    lessons_before_second_break INT NULL,
    lessons_before_lunch INT NULL,
    lessons_after_lunch INT NULL,
    school_end_time VARCHAR(10) NOT NULL,
    is_active BOOL NULL,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    FOREIGN KEY (school_id) REFERENCES schools (id) ON DELETE CASCADE
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE time_slots (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    schedule_id INT NOT NULL,
    slot_number INT NOT NULL,
    start_time VARCHAR(10) NOT NULL,
    end_time VARCHAR(10) NOT NULL,
    slot_type VARCHAR(20) NOT NULL,
    label VARCHAR(100) NULL,
    sequence_order INT NOT NULL,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (schedule_id) REFERENCES school_schedules (id) ON DELETE CASCADE
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE timetable_entries (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id INT NOT NULL,
    schedule_id INT NOT NULL,
    time_slot_id INT NOT NULL,
    subject_id INT NOT NULL,
    day_of_week INT NOT NULL,
    strand_id INT NULL,
    substrand_id INT NULL,
    lesson_id INT NULL,
    room_number VARCHAR(50) NULL,
    grade_section VARCHAR(50) NULL,
    notes TEXT NULL,
    is_double_lesson BOOL NULL,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    FOREIGN KEY (schedule_id) REFERENCES school_schedules (id) ON DELETE CASCADE,
    FOREIGN KEY (time_slot_id) REFERENCES time_slots (id) ON DELETE CASCADE,
    FOREIGN KEY (subject_id) REFERENCES subjects (id) ON DELETE CASCADE,
    FOREIGN KEY (strand_id) REFERENCES strands (id) ON DELETE SET NULL,
    FOREIGN KEY (substrand_id) REFERENCES sub_strands (id) ON DELETE SET NULL,
    FOREIGN KEY (lesson_id) REFERENCES lessons (id) ON DELETE SET NULL
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE school_settings (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    school_id INT NULL,
    school_name VARCHAR(255) NOT NULL,
    school_email VARCHAR(255) NOT NULL,
    school_phone VARCHAR(50) NULL,
    school_address TEXT NULL,
    school_type VARCHAR(50) NULL,
    school_motto VARCHAR(500) NULL,
    school_logo_url VARCHAR(500) NULL,
    principal_name VARCHAR(255) NULL,
    deputy_principal_name VARCHAR(255) NULL,
    county VARCHAR(100) NULL,
    sub_county VARCHAR(100) NULL,
    established_year INT NULL,
    grades_offered JSON NULL,
    streams_per_grade JSON NULL,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (school_id) REFERENCES schools (id) ON DELETE CASCADE
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE school_terms (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    school_settings_id INT NULL,
    term_number INT NOT NULL,
    year INT NOT NULL,
    start_date VARCHAR(50) NOT NULL,
    end_date VARCHAR(50) NOT NULL,
    mid_term_break_start VARCHAR(50) NULL,
    mid_term_break_end VARCHAR(50) NULL,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (school_settings_id) REFERENCES school_settings (id) ON DELETE CASCADE
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE system_terms (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    term_number INT NOT NULL,
    term_name VARCHAR(100) NOT NULL,
    year INT NOT NULL,
    start_date TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    end_date TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    teaching_weeks INT NOT NULL,
    mid_term_break_start TIMESTAMP NULL,
    mid_term_break_end TIMESTAMP NULL,
    is_current BOOL NULL,
    created_by INT NULL,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE KEY idx_system_term_year_number (year, term_number),
    FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE SET NULL
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE user_term_adjustments (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    system_term_id INT NOT NULL,
    school_id INT NULL,
    user_id INT NULL,
    adjusted_start_date TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    adjusted_end_date TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    adjusted_teaching_weeks INT NULL,
    adjustment_reason VARCHAR(255) NULL,
    is_active BOOL NULL,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE KEY idx_adjustment_school_term (school_id, system_term_id),
    UNIQUE KEY idx_adjustment_user_term (user_id, system_term_id),
    FOREIGN KEY (system_term_id) REFERENCES system_terms (id) ON DELETE CASCADE,
    FOREIGN KEY (school_id) REFERENCES schools (id) ON DELETE CASCADE,
    FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE calendar_activities (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    school_settings_id INT NULL,
    term_id INT NOT NULL,
    activity_name VARCHAR(255) NOT NULL,
    activity_date VARCHAR(50) NOT NULL,
    activity_type VARCHAR(100) NOT NULL,
    description TEXT NULL,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (school_settings_id) REFERENCES school_settings (id) ON DELETE CASCADE,
    FOREIGN KEY (term_id) REFERENCES school_terms (id) ON DELETE CASCADE
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE lesson_configurations (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    school_id INT NOT NULL,
    subject_name VARCHAR(255) NOT NULL,
    grade VARCHAR(50) NOT NULL,
    education_level VARCHAR(100) NULL,
    lessons_per_week INT NULL,
    double_lessons_per_week INT NULL,
    single_lesson_duration INT NULL,
    double_lesson_duration INT NULL,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE KEY ix_lesson_config_school_subject_grade (school_id, subject_name, grade),
    FOREIGN KEY (school_id) REFERENCES schools (id) ON DELETE CASCADE
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE teacher_lesson_configs (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id INT NOT NULL,
    subject_name VARCHAR(255) NOT NULL,
    grade VARCHAR(50) NOT NULL,
    lessons_per_week INT NULL,
    double_lessons_per_week INT NULL,
    single_lesson_duration INT NULL,
    double_lesson_duration INT NULL,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE KEY ix_teacher_lesson_config_user_subject_grade (user_id, subject_name, grade),
    FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE system_announcements (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    title VARCHAR(255) NOT NULL,
    message TEXT NOT NULL,
    type VARCHAR(50) NULL,
    is_active BOOL NULL,
    expires_at TIMESTAMP NULL,
    created_by INT NULL,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE SET NULL
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE system_settings (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    `key` VARCHAR(100) NOT NULL UNIQUE,
    value JSON NOT NULL,
    updated_by INT NULL,
    updated_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (updated_by) REFERENCES users (id) ON DELETE SET NULL
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE schemes_of_work (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id INT NOT NULL,
    subject_id INT NOT NULL,
    teacher_name VARCHAR(255) NOT NULL,
    school VARCHAR(255) NOT NULL,
    term VARCHAR(50) NOT NULL,
    year INT NOT NULL,
    subject VARCHAR(100) NOT NULL,
    grade VARCHAR(20) NOT NULL,
    stream VARCHAR(50) NULL,
    roll VARCHAR(50) NULL,
    lesson_duration_minutes INT NULL,
    total_weeks INT NOT NULL,
    total_lessons INT NOT NULL,
    status VARCHAR(20) NULL,
    is_archived BOOL NULL,
    share_token VARCHAR(64) NULL UNIQUE,
    is_public BOOL NULL,
    notes TEXT NULL,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    FOREIGN KEY (subject_id) REFERENCES subjects (id) ON DELETE CASCADE
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE scheme_weeks (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    scheme_id INT NOT NULL,
    week_number INT NOT NULL,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (scheme_id) REFERENCES schemes_of_work (id) ON DELETE CASCADE
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE scheme_lessons (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    week_id INT NOT NULL,
    lesson_number INT NOT NULL,
    strand VARCHAR(255) NOT NULL,
    sub_strand VARCHAR(255) NOT NULL,
    specific_learning_outcomes TEXT NOT NULL,
    key_inquiry_questions TEXT NULL,
    learning_experiences TEXT NOT NULL,
    learning_resources TEXT NULL,
    textbook_name VARCHAR(500) NULL,
    textbook_teacher_guide_pages VARCHAR(100) NULL,
    textbook_learner_book_pages VARCHAR(100) NULL,
    assessment_methods TEXT NULL,
    reflection TEXT NULL,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (week_id) REFERENCES scheme_weeks (id) ON DELETE CASCADE
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE lesson_plans (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id INT NOT NULL,
    subject_id INT NOT NULL,
    scheme_lesson_id INT NULL,
    learning_area VARCHAR(255) NOT NULL,
    grade VARCHAR(20) NOT NULL,
    date VARCHAR(50) NULL,
    time VARCHAR(50) NULL,
    roll VARCHAR(50) NULL,
    lesson_duration_minutes INT NULL,
    strand_theme_topic VARCHAR(255) NOT NULL,
    sub_strand_sub_theme_sub_topic VARCHAR(255) NOT NULL,
    specific_learning_outcomes TEXT NOT NULL,
    key_inquiry_questions TEXT NULL,
    core_competences TEXT NULL,
    values_to_be_developed TEXT NULL,
    pcis_to_be_addressed TEXT NULL,
    learning_resources TEXT NULL,
    introduction TEXT NULL,
    development TEXT NULL,
    conclusion TEXT NULL,
    summary TEXT NULL,
    reflection_self_evaluation TEXT NULL,
    status VARCHAR(20) NULL,
    is_archived BOOL NULL,
    share_token VARCHAR(64) NULL UNIQUE,
    is_public BOOL NULL,
    notes TEXT NULL,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    FOREIGN KEY (subject_id) REFERENCES subjects (id) ON DELETE CASCADE,
    FOREIGN KEY (scheme_lesson_id) REFERENCES scheme_lessons (id) ON DELETE SET NULL
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE records_of_work (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id INT NOT NULL,
    subject_id INT NOT NULL,
    school_name VARCHAR(255) NULL,
    teacher_name VARCHAR(255) NULL,
    learning_area VARCHAR(255) NULL,
    grade VARCHAR(50) NULL,
    term VARCHAR(50) NULL,
    year INT NULL,
    is_archived BOOL NULL,
    share_token VARCHAR(64) NULL UNIQUE,
    is_public BOOL NULL,
    notes TEXT NULL,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    FOREIGN KEY (subject_id) REFERENCES subjects (id) ON DELETE CASCADE
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE record_of_work_entries (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    record_id INT NOT NULL,
    week_number INT NOT NULL,
    strand VARCHAR(255) NULL,
    topic VARCHAR(255) NULL,
    learning_outcome_a TEXT NULL,
    learning_outcome_b TEXT NULL,
    learning_outcome_c TEXT NULL,
    learning_outcome_d TEXT NULL,
    reflection TEXT NULL,
    signature VARCHAR(100) NULL,
    date_taught TIMESTAMP NULL,
    status VARCHAR(20) NULL,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (record_id) REFERENCES records_of_work (id) ON DELETE CASCADE
) DEFAULT CHARSET=utf8mb4;

CREATE TABLE teacher_profiles (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id INT NOT NULL UNIQUE,
    school_name VARCHAR(255) NULL,
    school_logo_url VARCHAR(500) NULL,
    school_address TEXT NULL,
    school_phone VARCHAR(50) NULL,
    school_email VARCHAR(255) NULL,
    school_motto VARCHAR(500) NULL,
    principal_name VARCHAR(255) NULL,
    deputy_principal_name VARCHAR(255) NULL,
    county VARCHAR(100) NULL,
    sub_county VARCHAR(100) NULL,
    school_type VARCHAR(50) NULL,
    default_lessons_per_week INT NULL,
    default_lesson_duration INT NULL,
    default_double_lesson_duration INT NULL,
    default_double_lessons_per_week INT NULL,
    tsc_number VARCHAR(50) NULL,
    registration_number VARCHAR(50) NULL,
    subjects_taught JSON NULL,
    grade_levels_taught JSON NULL,
    years_of_experience INT NULL,
    qualifications TEXT NULL,
    specialization VARCHAR(255) NULL,
    current_academic_year VARCHAR(20) NULL,
    default_term_weeks INT NULL,
    grades_offered JSON NULL,
    streams_per_grade JSON NULL,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) DEFAULT CHARSET=utf8mb4;
