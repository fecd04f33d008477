-- +goose Up
-- A teacher's subject and its curriculum tree: subject → strands → sub-strands
-- → lessons. Deleting a subject (or its teacher) takes the whole tree with it.
-- total_lessons and lessons_completed are counters kept in step with the
-- lessons under the subject lock (see models.SetLessonCompleted), so lists
-- and dashboards never count lessons row by row.
-- Text columns are NOT NULL without a default (TEXT and JSON defaults differ
-- between MariaDB and MySQL): the API always writes every column.
CREATE TABLE subjects (
    id                      BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id                 BIGINT UNSIGNED NOT NULL,
    subject_name            VARCHAR(255)    NOT NULL,
    grade                   VARCHAR(10)     NOT NULL,
    curriculum_pdf_url      VARCHAR(500)    NULL,
    total_lessons           INT UNSIGNED    NOT NULL DEFAULT 0,
    lessons_completed       INT UNSIGNED    NOT NULL DEFAULT 0,
    progress_percentage     DECIMAL(5,2)    NOT NULL DEFAULT 0.00,
    lessons_per_week        INT UNSIGNED    NOT NULL DEFAULT 5,
    single_lesson_duration  INT UNSIGNED    NOT NULL DEFAULT 40,
    double_lesson_duration  INT UNSIGNED    NOT NULL DEFAULT 80,
    double_lessons_per_week INT UNSIGNED    NOT NULL DEFAULT 0,
    -- No foreign keys on the "current" pointers: a SET NULL from strands back
    -- into subjects would make InnoDB refuse the cascade of a subject delete.
    current_strand_id       BIGINT UNSIGNED NULL,
    current_substrand_id    BIGINT UNSIGNED NULL,
    created_at              DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at              DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_subjects_user_name_grade (user_id, subject_name, grade),
    KEY idx_subjects_user_created (user_id, created_at),
    CONSTRAINT fk_subjects_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE strands (
    id             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    subject_id     BIGINT UNSIGNED NOT NULL,
    strand_code    VARCHAR(50)     NOT NULL,
    strand_name    VARCHAR(255)    NOT NULL,
    description    TEXT            NOT NULL,
    sequence_order INT             NOT NULL DEFAULT 0,
    KEY idx_strands_subject_seq (subject_id, sequence_order),
    CONSTRAINT fk_strands_subject FOREIGN KEY (subject_id) REFERENCES subjects (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE sub_strands (
    id                             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    strand_id                      BIGINT UNSIGNED NOT NULL,
    substrand_code                 VARCHAR(50)     NOT NULL,
    substrand_name                 VARCHAR(255)    NOT NULL,
    description                    TEXT            NOT NULL,
    lessons_count                  INT UNSIGNED    NOT NULL DEFAULT 0,
    learning_outcomes              TEXT            NOT NULL,
    key_inquiry_questions          TEXT            NOT NULL,
    specific_learning_outcomes     JSON            NOT NULL,
    suggested_learning_experiences JSON            NOT NULL,
    core_competencies              JSON            NOT NULL,
    `values`                       JSON            NOT NULL,
    pcis                           JSON            NOT NULL,
    links_to_other_subjects        JSON            NOT NULL,
    sequence_order                 INT             NOT NULL DEFAULT 0,
    KEY idx_sub_strands_strand_seq (strand_id, sequence_order),
    CONSTRAINT fk_sub_strands_strand FOREIGN KEY (strand_id) REFERENCES strands (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE lessons (
    id                BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    substrand_id      BIGINT UNSIGNED NOT NULL,
    lesson_number     INT UNSIGNED    NOT NULL,
    lesson_title      VARCHAR(500)    NOT NULL,
    description       TEXT            NOT NULL,
    duration_minutes  INT UNSIGNED    NOT NULL DEFAULT 40,
    learning_outcomes TEXT            NOT NULL,
    is_completed      BOOLEAN         NOT NULL DEFAULT FALSE,
    completed_at      DATETIME(6)     NULL,
    sequence_order    INT             NOT NULL DEFAULT 0,
    KEY idx_lessons_substrand_seq (substrand_id, sequence_order),
    CONSTRAINT fk_lessons_sub_strand FOREIGN KEY (substrand_id) REFERENCES sub_strands (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE progress_log (
    id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id    BIGINT UNSIGNED NOT NULL,
    subject_id BIGINT UNSIGNED NOT NULL,
    lesson_id  BIGINT UNSIGNED NULL,
    action     ENUM('COMPLETED','UNCOMPLETED','RESET') NOT NULL,
    notes      TEXT            NULL,
    created_at DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY idx_progress_log_user_subject (user_id, subject_id),
    KEY idx_progress_log_created (created_at),
    CONSTRAINT fk_progress_log_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT fk_progress_log_subject FOREIGN KEY (subject_id) REFERENCES subjects (id) ON DELETE CASCADE,
    CONSTRAINT fk_progress_log_lesson FOREIGN KEY (lesson_id) REFERENCES lessons (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE progress_log;
DROP TABLE lessons;
DROP TABLE sub_strands;
DROP TABLE strands;
DROP TABLE subjects;
