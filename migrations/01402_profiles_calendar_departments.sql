-- +goose Up
-- A teacher's own profile: the school details an independent teacher prints
-- on their documents (a school-linked teacher's come from school_settings),
-- and their teaching defaults. One row per user, made on first save.
CREATE TABLE teacher_profiles (
    id                             BIGINT UNSIGNED   NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id                        BIGINT UNSIGNED   NOT NULL,
    school_name                    VARCHAR(255)      NULL,
    school_address                 VARCHAR(500)      NULL,
    school_phone                   VARCHAR(50)       NULL,
    school_email                   VARCHAR(255)      NULL,
    school_motto                   VARCHAR(500)      NULL,
    school_logo_url                VARCHAR(500)      NULL,
    school_type                    VARCHAR(100)      NULL,
    principal_name                 VARCHAR(255)      NULL,
    deputy_principal_name          VARCHAR(255)      NULL,
    county                         VARCHAR(100)      NULL,
    sub_county                     VARCHAR(100)      NULL,
    default_lessons_per_week       TINYINT UNSIGNED  NOT NULL DEFAULT 5,
    default_lesson_duration        SMALLINT UNSIGNED NOT NULL DEFAULT 40,
    default_double_lesson_duration SMALLINT UNSIGNED NOT NULL DEFAULT 80,
    default_double_lessons_per_week TINYINT UNSIGNED NOT NULL DEFAULT 0,
    tsc_number                     VARCHAR(50)       NULL,
    registration_number            VARCHAR(50)       NULL,
    subjects_taught                JSON              NOT NULL,
    grade_levels_taught            JSON              NOT NULL,
    years_of_experience            TINYINT UNSIGNED  NULL,
    qualifications                 VARCHAR(1000)     NULL,
    specialization                 VARCHAR(255)      NULL,
    current_academic_year          SMALLINT UNSIGNED NULL,
    default_term_weeks             TINYINT UNSIGNED  NULL,
    grades_offered                 JSON              NOT NULL,
    streams_per_grade              JSON              NOT NULL,
    created_at                     DATETIME(6)       NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at                     DATETIME(6)       NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_teacher_profiles_user (user_id),
    CONSTRAINT fk_teacher_profiles_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A school's calendar of activities (opening day, exams, sports day...),
-- each in one of the school's own terms. school_id is kept beside term_id so
-- every read and write is scoped by the school in one index (the original
-- had no school column and scoped nothing).
CREATE TABLE calendar_activities (
    id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    school_id     BIGINT UNSIGNED NOT NULL,
    term_id       BIGINT UNSIGNED NOT NULL,
    activity_name VARCHAR(255)    NOT NULL,
    activity_date DATE            NOT NULL,
    activity_type VARCHAR(50)     NOT NULL,
    description   TEXT            NULL,
    created_by    BIGINT UNSIGNED NULL,
    created_at    DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at    DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    KEY idx_calendar_activities_school_date (school_id, activity_date),
    KEY idx_calendar_activities_term (term_id),
    CONSTRAINT fk_calendar_activities_school FOREIGN KEY (school_id) REFERENCES schools (id) ON DELETE CASCADE,
    CONSTRAINT fk_calendar_activities_term FOREIGN KEY (term_id) REFERENCES school_terms (id) ON DELETE CASCADE,
    CONSTRAINT fk_calendar_activities_created_by FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A school's departments, each with an optional head (a user of the school).
CREATE TABLE departments (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    school_id   BIGINT UNSIGNED NOT NULL,
    name        VARCHAR(100)    NOT NULL,
    description VARCHAR(1000)   NULL,
    hod_id      BIGINT UNSIGNED NULL,
    created_at  DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at  DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_departments_school_name (school_id, name),
    KEY idx_departments_hod (hod_id),
    CONSTRAINT fk_departments_school FOREIGN KEY (school_id) REFERENCES schools (id) ON DELETE CASCADE,
    CONSTRAINT fk_departments_hod FOREIGN KEY (hod_id) REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE departments;
DROP TABLE calendar_activities;
DROP TABLE teacher_profiles;
