-- +goose Up
-- The school year. System terms are the national calendar (SUPER_ADMIN); a
-- school's own terms override the system term of the same year and number for
-- that school's users (models.ResolveTerm / models.CurrentTerm are the one
-- place that decides which applies). Dates are calendar dates in APP_TIMEZONE.
CREATE TABLE system_terms (
    id                   BIGINT UNSIGNED  NOT NULL AUTO_INCREMENT PRIMARY KEY,
    term_number          TINYINT UNSIGNED NOT NULL,
    term_name            VARCHAR(100)     NOT NULL,
    year                 SMALLINT UNSIGNED NOT NULL,
    start_date           DATE             NOT NULL,
    end_date             DATE             NOT NULL,
    teaching_weeks       SMALLINT UNSIGNED NOT NULL,
    mid_term_break_start DATE             NULL,
    mid_term_break_end   DATE             NULL,
    is_current           BOOLEAN          NOT NULL DEFAULT FALSE,
    created_by           BIGINT UNSIGNED  NULL,
    created_at           DATETIME(6)      NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at           DATETIME(6)      NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_system_terms_year_term (year, term_number),
    KEY idx_system_terms_end (end_date),
    CONSTRAINT fk_system_terms_created_by FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT ck_system_terms_number CHECK (term_number BETWEEN 1 AND 3),
    CONSTRAINT ck_system_terms_dates CHECK (end_date >= start_date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A school's own term dates, keyed by the school itself (the original keyed
-- them by a settings row and lost the school on the way).
CREATE TABLE school_terms (
    id                   BIGINT UNSIGNED  NOT NULL AUTO_INCREMENT PRIMARY KEY,
    school_id            BIGINT UNSIGNED  NOT NULL,
    term_number          TINYINT UNSIGNED NOT NULL,
    term_name            VARCHAR(100)     NOT NULL,
    year                 SMALLINT UNSIGNED NOT NULL,
    start_date           DATE             NOT NULL,
    end_date             DATE             NOT NULL,
    teaching_weeks       SMALLINT UNSIGNED NOT NULL,
    mid_term_break_start DATE             NULL,
    mid_term_break_end   DATE             NULL,
    created_at           DATETIME(6)      NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at           DATETIME(6)      NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_school_terms_school_year_term (school_id, year, term_number),
    KEY idx_school_terms_school_end (school_id, end_date),
    CONSTRAINT fk_school_terms_school FOREIGN KEY (school_id) REFERENCES schools (id) ON DELETE CASCADE,
    CONSTRAINT ck_school_terms_number CHECK (term_number BETWEEN 1 AND 3),
    CONSTRAINT ck_school_terms_dates CHECK (end_date >= start_date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One settings row per school (the original allowed any number).
-- grades_offered is a JSON array of grade names; streams_per_grade a JSON
-- object from grade name to its streams, as the admin page sends them.
CREATE TABLE school_settings (
    id                    BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    school_id             BIGINT UNSIGNED NOT NULL,
    school_name           VARCHAR(255)    NOT NULL,
    school_email          VARCHAR(255)    NOT NULL,
    school_phone          VARCHAR(50)     NULL,
    school_address        VARCHAR(500)    NULL,
    school_type           VARCHAR(100)    NULL,
    school_motto          VARCHAR(500)    NULL,
    school_logo_url       VARCHAR(500)    NULL,
    principal_name        VARCHAR(255)    NULL,
    deputy_principal_name VARCHAR(255)    NULL,
    county                VARCHAR(100)    NULL,
    sub_county            VARCHAR(100)    NULL,
    established_year      SMALLINT UNSIGNED NULL,
    grades_offered        JSON            NOT NULL,
    streams_per_grade     JSON            NOT NULL,
    created_at            DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at            DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_school_settings_school (school_id),
    CONSTRAINT fk_school_settings_school FOREIGN KEY (school_id) REFERENCES schools (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE school_settings;
DROP TABLE school_terms;
DROP TABLE system_terms;
