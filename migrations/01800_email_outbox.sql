-- +goose Up
-- The mail outbox: a message is inserted in the same transaction as the change
-- it announces, so it exists only if that change committed, and a background
-- worker (internal/mail) delivers it with retries. A row waits in PENDING
-- until next_attempt_at; claiming it pushes next_attempt_at one lease ahead
-- under a lease_token, so one worker of several sends it. Delivered or given
-- up, its bodies are blanked: links carry single-use tokens that should not
-- stay in the database in clear.
CREATE TABLE email_outbox (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    to_address      VARCHAR(320)    NOT NULL,
    subject         VARCHAR(500)    NOT NULL,
    body_text       MEDIUMTEXT      NOT NULL,
    body_html       MEDIUMTEXT      NULL,
    state           ENUM('PENDING','SENT','FAILED') NOT NULL DEFAULT 'PENDING',
    attempts        INT UNSIGNED    NOT NULL DEFAULT 0,
    next_attempt_at DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    lease_token     CHAR(32)        CHARACTER SET ascii NULL,
    last_error      VARCHAR(1000)   NULL,
    created_at      DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    sent_at         DATETIME(6)     NULL,
    KEY idx_email_outbox_due (state, next_attempt_at),
    KEY idx_email_outbox_lease (lease_token)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE email_outbox;
