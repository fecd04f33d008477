-- +goose Up
-- A teacher's lesson plans, written from scratch or made from a scheme-of-work
-- lesson. scheme_lesson_id is unique so that a scheme lesson has at most one
-- plan (generate-lesson-plans skips lessons that already have one); its
-- foreign key to scheme_lessons comes in 01601, once that table exists.
-- date, time and roll are the teacher's own text, as the frontend's free-text
-- inputs send them (generated plans write ISO dates).
-- Text columns are NOT NULL without a default (TEXT defaults differ between
-- MariaDB and MySQL): the API always writes every column.
CREATE TABLE lesson_plans (
    id                             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id                        BIGINT UNSIGNED NOT NULL,
    subject_id                     BIGINT UNSIGNED NULL,
    scheme_lesson_id               BIGINT UNSIGNED NULL,
    learning_area                  VARCHAR(255)    NOT NULL,
    grade                          VARCHAR(50)     NOT NULL,
    `date`                         VARCHAR(50)     NULL,
    `time`                         VARCHAR(50)     NOT NULL,
    roll                           VARCHAR(50)     NOT NULL,
    lesson_duration_minutes        INT UNSIGNED    NULL,
    strand_theme_topic             VARCHAR(255)    NOT NULL,
    sub_strand_sub_theme_sub_topic VARCHAR(255)    NOT NULL,
    specific_learning_outcomes     TEXT            NOT NULL,
    key_inquiry_questions          TEXT            NOT NULL,
    core_competences               TEXT            NOT NULL,
    values_to_be_developed         TEXT            NOT NULL,
    pcis_to_be_addressed           TEXT            NOT NULL,
    learning_resources             TEXT            NOT NULL,
    introduction                   TEXT            NOT NULL,
    development                    TEXT            NOT NULL,
    conclusion                     TEXT            NOT NULL,
    summary                        TEXT            NOT NULL,
    reflection_self_evaluation     TEXT            NOT NULL,
    status                         ENUM('pending','taught','postponed') NOT NULL DEFAULT 'pending',
    is_archived                    BOOLEAN         NOT NULL DEFAULT FALSE,
    -- 32 random bytes, hex: the capability behind a share link.
    share_token                    CHAR(64)        NULL,
    is_public                      BOOLEAN         NOT NULL DEFAULT FALSE,
    notes                          TEXT            NOT NULL,
    created_at                     DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at                     DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_lesson_plans_scheme_lesson (scheme_lesson_id),
    UNIQUE KEY uq_lesson_plans_share_token (share_token),
    -- The list: one teacher's plans, archived or not, newest first.
    KEY idx_lesson_plans_user_archived_created (user_id, is_archived, created_at),
    KEY idx_lesson_plans_subject (subject_id),
    CONSTRAINT fk_lesson_plans_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    -- A plan outlives the subject it was written for.
    CONSTRAINT fk_lesson_plans_subject FOREIGN KEY (subject_id) REFERENCES subjects (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE lesson_plans;
