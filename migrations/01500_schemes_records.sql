-- +goose Up
-- Schemes of work (scheme → weeks → lessons) and records of work (record →
-- one entry per week). A teacher's documents go with the teacher (CASCADE);
-- the subject or scheme they were made from may go without them (SET NULL):
-- a scheme handed to the head teacher outlives the subject it came from.
-- share_token: NULL when not shared, else an unguessable 256-bit token
-- (base64url, 43 characters) that opens the document without a session.
-- Text columns are NOT NULL without a default (TEXT defaults differ between
-- MariaDB and MySQL): the API always writes every column.
CREATE TABLE schemes_of_work (
    id                      BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id                 BIGINT UNSIGNED NOT NULL,
    subject_id              BIGINT UNSIGNED NULL,
    teacher_name            VARCHAR(255)    NOT NULL,
    school                  VARCHAR(255)    NOT NULL,
    term                    VARCHAR(50)     NOT NULL,
    term_number             TINYINT UNSIGNED NOT NULL DEFAULT 0,
    year                    SMALLINT UNSIGNED NOT NULL,
    subject                 VARCHAR(255)    NOT NULL,
    grade                   VARCHAR(50)     NOT NULL,
    stream                  VARCHAR(100)    NOT NULL,
    roll                    VARCHAR(50)     NOT NULL,
    lesson_duration_minutes INT UNSIGNED    NULL,
    lessons_per_week        INT UNSIGNED    NOT NULL DEFAULT 5,
    total_weeks             INT UNSIGNED    NOT NULL DEFAULT 0,
    total_lessons           INT UNSIGNED    NOT NULL DEFAULT 0,
    status                  ENUM('draft','active','completed') NOT NULL DEFAULT 'active',
    is_archived             BOOLEAN         NOT NULL DEFAULT FALSE,
    share_token             VARCHAR(64)     NULL,
    notes                   TEXT            NOT NULL,
    created_at              DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at              DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_schemes_share_token (share_token),
    KEY idx_schemes_user_archived_created (user_id, is_archived, created_at),
    CONSTRAINT fk_schemes_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT fk_schemes_subject FOREIGN KEY (subject_id) REFERENCES subjects (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE scheme_weeks (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    scheme_id   BIGINT UNSIGNED NOT NULL,
    week_number INT UNSIGNED    NOT NULL,
    start_date  DATE            NULL,
    end_date    DATE            NULL,
    created_at  DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_scheme_weeks_number (scheme_id, week_number),
    CONSTRAINT fk_scheme_weeks_scheme FOREIGN KEY (scheme_id) REFERENCES schemes_of_work (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- kind: lesson (curriculum), or one of the rows generation adds that teach no
-- curriculum: opening, assessment, closing, break, revision.
-- sub_strand_id: the subject's sub-strand the lesson came from (lesson plans
-- read its competences and values), NULL for hand-written or filler rows.
CREATE TABLE scheme_lessons (
    id                           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    scheme_id                    BIGINT UNSIGNED NOT NULL,
    week_id                      BIGINT UNSIGNED NOT NULL,
    lesson_number                INT UNSIGNED    NOT NULL,
    kind                         VARCHAR(20)     NOT NULL DEFAULT 'lesson',
    sub_strand_id                BIGINT UNSIGNED NULL,
    strand                       VARCHAR(500)    NOT NULL,
    sub_strand                   VARCHAR(500)    NOT NULL,
    specific_learning_outcomes   TEXT            NOT NULL,
    key_inquiry_questions        TEXT            NOT NULL,
    learning_experiences         TEXT            NOT NULL,
    learning_resources           TEXT            NOT NULL,
    textbook_name                VARCHAR(255)    NOT NULL,
    textbook_teacher_guide_pages VARCHAR(100)    NOT NULL,
    textbook_learner_book_pages  VARCHAR(100)    NOT NULL,
    assessment_methods           TEXT            NOT NULL,
    reflection                   TEXT            NOT NULL,
    core_competencies            TEXT            NOT NULL,
    `values`                     TEXT            NOT NULL,
    pcis                         TEXT            NOT NULL,
    links                        TEXT            NOT NULL,
    created_at                   DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at                   DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    KEY idx_scheme_lessons_scheme_week (scheme_id, week_id, lesson_number),
    CONSTRAINT fk_scheme_lessons_scheme FOREIGN KEY (scheme_id) REFERENCES schemes_of_work (id) ON DELETE CASCADE,
    CONSTRAINT fk_scheme_lessons_week FOREIGN KEY (week_id) REFERENCES scheme_weeks (id) ON DELETE CASCADE,
    CONSTRAINT fk_scheme_lessons_sub_strand FOREIGN KEY (sub_strand_id) REFERENCES sub_strands (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE records_of_work (
    id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id       BIGINT UNSIGNED NOT NULL,
    scheme_id     BIGINT UNSIGNED NULL,
    subject_id    BIGINT UNSIGNED NULL,
    school_name   VARCHAR(255)    NOT NULL,
    teacher_name  VARCHAR(255)    NOT NULL,
    learning_area VARCHAR(255)    NOT NULL,
    grade         VARCHAR(50)     NOT NULL,
    term          VARCHAR(50)     NOT NULL,
    year          SMALLINT UNSIGNED NOT NULL,
    is_archived   BOOLEAN         NOT NULL DEFAULT FALSE,
    share_token   VARCHAR(64)     NULL,
    notes         TEXT            NOT NULL,
    created_at    DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at    DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_records_share_token (share_token),
    KEY idx_records_user_archived_created (user_id, is_archived, created_at),
    KEY idx_records_user_scheme (user_id, scheme_id),
    CONSTRAINT fk_records_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT fk_records_scheme FOREIGN KEY (scheme_id) REFERENCES schemes_of_work (id) ON DELETE SET NULL,
    CONSTRAINT fk_records_subject FOREIGN KEY (subject_id) REFERENCES subjects (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One entry per week of the record (the unique key is what makes mark-taught
-- idempotent under concurrent clicks).
CREATE TABLE record_of_work_entries (
    id                 BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    record_id          BIGINT UNSIGNED NOT NULL,
    week_number        INT UNSIGNED    NOT NULL,
    strand             TEXT            NOT NULL,
    topic              TEXT            NOT NULL,
    learning_outcome_a TEXT            NOT NULL,
    learning_outcome_b TEXT            NOT NULL,
    learning_outcome_c TEXT            NOT NULL,
    learning_outcome_d TEXT            NOT NULL,
    reflection         TEXT            NOT NULL,
    signature          VARCHAR(255)    NOT NULL,
    date_taught        DATETIME(6)     NULL,
    status             VARCHAR(20)     NOT NULL DEFAULT 'pending',
    created_at         DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at         DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_record_entries_week (record_id, week_number),
    CONSTRAINT fk_record_entries_record FOREIGN KEY (record_id) REFERENCES records_of_work (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE record_of_work_entries;
DROP TABLE records_of_work;
DROP TABLE scheme_lessons;
DROP TABLE scheme_weeks;
DROP TABLE schemes_of_work;
