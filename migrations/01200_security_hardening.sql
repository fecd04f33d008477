-- +goose Up
-- E-mail addresses compare byte for byte. The table's utf8mb4_unicode_ci
-- collation made 'victim@exámple.com' equal to 'victim@example.com' in the
-- database while the API's per-email login limit told them apart, and let one
-- address squat on another. The API stores and looks up every address in one
-- normal form (models.NormalizeEmail: trimmed, NFC, lower case), so a binary
-- collation is what equality means.
ALTER TABLE users MODIFY email VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL;

-- Impersonation sessions keep who opened them when that admin is deleted (the
-- foreign key's ON DELETE SET NULL erased it), and name the admin's own
-- session, so ending that session ends the impersonation (checked on every
-- request with the session, see models.ActiveSession).
ALTER TABLE sessions DROP FOREIGN KEY fk_sessions_impersonator;
ALTER TABLE sessions
    ADD COLUMN impersonator_session_id BIGINT UNSIGNED NULL AFTER impersonator_id;

-- The audit trail of impersonations: no foreign keys, so it outlives the
-- deletion of either account and of the session.
CREATE TABLE impersonations (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    session_id   BIGINT UNSIGNED NOT NULL,
    admin_id     BIGINT UNSIGNED NOT NULL,
    admin_email  VARCHAR(255)    NOT NULL,
    target_id    BIGINT UNSIGNED NOT NULL,
    target_email VARCHAR(255)    NOT NULL,
    started_at   DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY idx_impersonations_admin (admin_id, started_at),
    KEY idx_impersonations_target (target_id, started_at),
    KEY idx_impersonations_session (session_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE impersonations;
ALTER TABLE sessions DROP COLUMN impersonator_session_id;
UPDATE sessions s LEFT JOIN users u ON u.id = s.impersonator_id SET s.impersonator_id = NULL WHERE u.id IS NULL;
ALTER TABLE sessions ADD CONSTRAINT fk_sessions_impersonator FOREIGN KEY (impersonator_id) REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE users MODIFY email VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL;
