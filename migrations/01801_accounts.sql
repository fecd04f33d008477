-- +goose Up
-- Single-use links mailed to a user: e-mail verification (24 h), password
-- reset (1 h) and school invitations (7 days, they set the first password).
-- Only the token's SHA-256 is stored. password_stamp is a digest of the
-- user's password hash when the token was made: a token whose stamp no longer
-- matches died with the password it was issued under.
CREATE TABLE account_tokens (
    id             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id        BIGINT UNSIGNED NOT NULL,
    purpose        ENUM('VERIFY_EMAIL','RESET_PASSWORD','INVITE') NOT NULL,
    token_hash     CHAR(64)        CHARACTER SET ascii NOT NULL,
    password_stamp CHAR(64)        CHARACTER SET ascii NOT NULL,
    created_at     DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    expires_at     DATETIME(6)     NOT NULL,
    used_at        DATETIME(6)     NULL,
    UNIQUE KEY uq_account_tokens_hash (token_hash),
    KEY idx_account_tokens_user (user_id, purpose),
    CONSTRAINT fk_account_tokens_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Login captchas: the id the client holds is random; only its SHA-256 is the
-- key, and the answer never leaves the server. Each is deleted when tried.
CREATE TABLE captchas (
    id_hash    CHAR(64)     CHARACTER SET ascii NOT NULL PRIMARY KEY,
    answer     VARCHAR(16)  NOT NULL,
    expires_at DATETIME(6)  NOT NULL,
    KEY idx_captchas_expires (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- google_id: the Google account (ID token "sub") linked to the user.
-- own_subscription_*: the user's own plan, kept while a school sponsors them
-- and restored when they leave it.
ALTER TABLE users
    ADD COLUMN google_id VARCHAR(255) CHARACTER SET ascii NULL,
    ADD COLUMN own_subscription_type ENUM('FREE','INDIVIDUAL_BASIC','INDIVIDUAL_PREMIUM','SCHOOL_SPONSORED') NULL,
    ADD COLUMN own_subscription_status ENUM('ACTIVE','INACTIVE','PAST_DUE','CANCELLED') NULL,
    ADD UNIQUE KEY uq_users_google_id (google_id);

-- A school's own administrator and its licence: max_teachers is enforced when
-- teachers are added, under a lock on the school's row.
ALTER TABLE schools
    ADD COLUMN admin_id BIGINT UNSIGNED NULL,
    ADD COLUMN subscription_status ENUM('ACTIVE','INACTIVE','PAST_DUE','CANCELLED') NOT NULL DEFAULT 'INACTIVE',
    ADD COLUMN max_teachers INT UNSIGNED NOT NULL DEFAULT 1,
    ADD COLUMN teacher_counts_by_level JSON NULL,
    ADD CONSTRAINT fk_schools_admin FOREIGN KEY (admin_id) REFERENCES users (id) ON DELETE SET NULL;

-- +goose Down
ALTER TABLE schools DROP FOREIGN KEY fk_schools_admin;
ALTER TABLE schools DROP COLUMN admin_id, DROP COLUMN subscription_status, DROP COLUMN max_teachers, DROP COLUMN teacher_counts_by_level;
ALTER TABLE users DROP KEY uq_users_google_id, DROP COLUMN google_id, DROP COLUMN own_subscription_type, DROP COLUMN own_subscription_status;
DROP TABLE captchas;
DROP TABLE account_tokens;
