-- +goose Up
-- The curriculum catalogue: templates → strands → sub-strands, as imported
-- from the CBC JSON files (`api curriculum import`, CURRICULUM_DIR) or edited
-- by a SUPER_ADMIN. A template with an owner is a teacher's private upload.
-- `extra` keeps every field of a file the columns don't (links to other
-- subjects, PCIs under other names, topics, rubrics, the 3-level files'
-- parent sub-strands), so nothing in a file is dropped.
CREATE TABLE curriculum_templates (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    subject         VARCHAR(150)    NOT NULL,
    grade           VARCHAR(20)     NOT NULL,
    education_level VARCHAR(50)     NOT NULL,
    is_active       BOOLEAN         NOT NULL DEFAULT TRUE,
    owner_id        BIGINT UNSIGNED NULL,
    -- owner_id or 0, written by the API: one catalogue (0) and one private
    -- shelf per uploader, a subject and grade once on each (a NULL in a
    -- unique key would not count; a generated column can't sit on a
    -- cascading foreign key in MySQL).
    owner_key       BIGINT UNSIGNED NOT NULL DEFAULT 0,
    -- The file it was imported from (relative path) and that file's SHA-256:
    -- an unchanged file is skipped, a changed one replaces the tree and bumps
    -- version.
    source          VARCHAR(500)    NULL,
    source_hash     CHAR(64)        CHARACTER SET ascii NULL,
    version         INT UNSIGNED    NOT NULL DEFAULT 1,
    extra           JSON            NOT NULL,
    created_at      DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at      DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_curriculum_templates_owner_subject_grade (owner_key, subject, grade),
    KEY idx_curriculum_templates_grade (grade, is_active),
    KEY idx_curriculum_templates_source (source(191)),
    KEY idx_curriculum_templates_owner (owner_id),
    CONSTRAINT fk_curriculum_templates_owner FOREIGN KEY (owner_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE template_strands (
    id                     BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    curriculum_template_id BIGINT UNSIGNED NOT NULL,
    strand_number          VARCHAR(20)     NOT NULL,
    strand_name            VARCHAR(255)    NOT NULL,
    sequence_order         INT             NOT NULL DEFAULT 0,
    extra                  JSON            NOT NULL,
    created_at             DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY idx_template_strands_template_seq (curriculum_template_id, sequence_order),
    CONSTRAINT fk_template_strands_template FOREIGN KEY (curriculum_template_id) REFERENCES curriculum_templates (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE template_substrands (
    id                             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    strand_id                      BIGINT UNSIGNED NOT NULL,
    substrand_number               VARCHAR(20)     NOT NULL,
    substrand_name                 VARCHAR(255)    NOT NULL,
    number_of_lessons              INT UNSIGNED    NOT NULL DEFAULT 1,
    specific_learning_outcomes     JSON            NOT NULL,
    suggested_learning_experiences JSON            NOT NULL,
    key_inquiry_questions          JSON            NOT NULL,
    core_competencies              JSON            NOT NULL,
    `values`                       JSON            NOT NULL,
    pcis                           JSON            NOT NULL,
    links_to_other_subjects        JSON            NOT NULL,
    extra                          JSON            NOT NULL,
    sequence_order                 INT             NOT NULL DEFAULT 0,
    KEY idx_template_substrands_strand_seq (strand_id, sequence_order),
    CONSTRAINT fk_template_substrands_strand FOREIGN KEY (strand_id) REFERENCES template_strands (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A teacher's subject remembers the template it was copied from; deleting a
-- template (which the API never does: it deactivates) leaves the copy.
ALTER TABLE subjects
    ADD COLUMN template_id BIGINT UNSIGNED NULL AFTER user_id,
    ADD KEY idx_subjects_template (template_id),
    ADD CONSTRAINT fk_subjects_template FOREIGN KEY (template_id) REFERENCES curriculum_templates (id) ON DELETE SET NULL;

-- Lessons per week by subject and grade, set by an admin for their school
-- (school_id) or, for an admin without one, for themselves (user_id).
CREATE TABLE lesson_configurations (
    id                      BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    school_id               BIGINT UNSIGNED NULL,
    user_id                 BIGINT UNSIGNED NULL,
    -- 's<school_id>' or 'u<user_id>', written by the API (see curriculum_templates).
    owner_key               VARCHAR(30)     CHARACTER SET ascii NOT NULL,
    subject_name            VARCHAR(255)    NOT NULL,
    grade                   VARCHAR(20)     NOT NULL,
    lessons_per_week        INT UNSIGNED    NOT NULL DEFAULT 5,
    double_lessons_per_week INT UNSIGNED    NOT NULL DEFAULT 0,
    single_lesson_duration  INT UNSIGNED    NOT NULL DEFAULT 40,
    double_lesson_duration  INT UNSIGNED    NOT NULL DEFAULT 80,
    created_at              DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at              DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_lesson_configurations_owner (owner_key, subject_name, grade),
    KEY idx_lesson_configurations_school (school_id),
    KEY idx_lesson_configurations_user (user_id),
    CONSTRAINT fk_lesson_configurations_school FOREIGN KEY (school_id) REFERENCES schools (id) ON DELETE CASCADE,
    CONSTRAINT fk_lesson_configurations_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE lesson_configurations;
ALTER TABLE subjects DROP FOREIGN KEY fk_subjects_template, DROP KEY idx_subjects_template, DROP COLUMN template_id;
DROP TABLE template_substrands;
DROP TABLE template_strands;
DROP TABLE curriculum_templates;
