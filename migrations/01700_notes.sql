-- +goose Up
-- A teacher's uploaded note. The file itself is in object storage under
-- storage_key (random, made by the API); the client's file name is kept only
-- as original_filename, for downloads, and never reaches a path or a key.
-- file_type is the extension the frontend shows (pdf, docx, jpg…), decided
-- from the file's bytes; content_type is what it is served as.
CREATE TABLE notes (
    id                BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id           BIGINT UNSIGNED NOT NULL,
    subject_id        BIGINT UNSIGNED NULL,
    strand_id         BIGINT UNSIGNED NULL,
    substrand_id      BIGINT UNSIGNED NULL,
    lesson_id         BIGINT UNSIGNED NULL,
    title             VARCHAR(255)    NOT NULL,
    description       TEXT            NULL,
    tags              VARCHAR(500)    NULL,
    file_type         VARCHAR(10)     CHARACTER SET ascii NOT NULL,
    content_type      VARCHAR(100)    CHARACTER SET ascii NOT NULL,
    storage_key       VARCHAR(64)     CHARACTER SET ascii NOT NULL,
    original_filename VARCHAR(255)    NOT NULL,
    file_size_bytes   BIGINT UNSIGNED NOT NULL,
    is_favorite       BOOLEAN         NOT NULL DEFAULT FALSE,
    view_count        INT UNSIGNED    NOT NULL DEFAULT 0,
    last_viewed_at    DATETIME(6)     NULL,
    created_at        DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at        DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_notes_storage_key (storage_key),
    KEY idx_notes_user_created (user_id, created_at),
    KEY idx_notes_user_subject (user_id, subject_id, created_at),
    KEY idx_notes_subject (subject_id),
    KEY idx_notes_strand (strand_id),
    KEY idx_notes_substrand (substrand_id),
    KEY idx_notes_lesson (lesson_id),
    CONSTRAINT fk_notes_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT fk_notes_subject FOREIGN KEY (subject_id) REFERENCES subjects (id) ON DELETE SET NULL,
    CONSTRAINT fk_notes_strand FOREIGN KEY (strand_id) REFERENCES strands (id) ON DELETE SET NULL,
    CONSTRAINT fk_notes_substrand FOREIGN KEY (substrand_id) REFERENCES sub_strands (id) ON DELETE SET NULL,
    CONSTRAINT fk_notes_lesson FOREIGN KEY (lesson_id) REFERENCES lessons (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A public link to a note. The token (32 random bytes, base64url) is the
-- whole secret; it is kept in the clear because the owner's list of links
-- shows each link's URL again. Deleting the note keeps the row with
-- note_id NULL, so the link answers "gone" (410) rather than "never was".
CREATE TABLE note_shares (
    id             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    note_id        BIGINT UNSIGNED NULL,
    user_id        BIGINT UNSIGNED NOT NULL,
    token          CHAR(43)        CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    allow_download BOOLEAN         NOT NULL DEFAULT FALSE,
    expires_at     DATETIME(6)     NULL,
    revoked_at     DATETIME(6)     NULL,
    view_count     INT UNSIGNED    NOT NULL DEFAULT 0,
    created_at     DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_note_shares_token (token),
    KEY idx_note_shares_note_created (note_id, created_at),
    KEY idx_note_shares_user (user_id),
    CONSTRAINT fk_note_shares_note FOREIGN KEY (note_id) REFERENCES notes (id) ON DELETE SET NULL,
    CONSTRAINT fk_note_shares_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every logo uploaded (teachers' profile logos, schools' logos): who sent
-- it, for tracing and for clearing unused ones later. Logos are public.
CREATE TABLE uploaded_logos (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id     BIGINT UNSIGNED NULL,
    school_id   BIGINT UNSIGNED NULL,
    storage_key VARCHAR(64)     CHARACTER SET ascii NOT NULL,
    size_bytes  BIGINT UNSIGNED NOT NULL,
    created_at  DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_uploaded_logos_key (storage_key),
    KEY idx_uploaded_logos_user (user_id),
    KEY idx_uploaded_logos_school (school_id),
    CONSTRAINT fk_uploaded_logos_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT fk_uploaded_logos_school FOREIGN KEY (school_id) REFERENCES schools (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE uploaded_logos;
DROP TABLE note_shares;
DROP TABLE notes;
