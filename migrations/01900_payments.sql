-- +goose Up
-- Payments and plans (issue 19).

-- A paid plan runs until subscription_expires_at; after it the user is on the
-- free tier (models.User.ApplyExpiry). NULL: no end (free, school-sponsored,
-- or a plan granted before periods existed).
ALTER TABLE users ADD COLUMN subscription_expires_at DATETIME(6) NULL AFTER subscription_status;

-- The prices a super admin sets (GET/PUT /admin/pricing-config): one row per
-- billing period, naming the plan a payment for it grants. The amount of an
-- STK push is read from here, never from the client.
CREATE TABLE plan_prices (
    period         ENUM('TERMLY','YEARLY') NOT NULL PRIMARY KEY,
    plan           ENUM('INDIVIDUAL_BASIC','INDIVIDUAL_PREMIUM') NOT NULL,
    label          VARCHAR(80)     NOT NULL,
    price_kes      INT UNSIGNED    NOT NULL,
    duration_label VARCHAR(20)     NOT NULL,
    currency       VARCHAR(10)     NOT NULL DEFAULT 'KES',
    updated_by     BIGINT UNSIGNED NULL,
    updated_at     DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    CONSTRAINT fk_plan_prices_updated_by FOREIGN KEY (updated_by) REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO plan_prices (period, plan, label, price_kes, duration_label, currency) VALUES
    ('TERMLY', 'INDIVIDUAL_BASIC',   'Termly Pass',  350,  '/term', 'KES'),
    ('YEARLY', 'INDIVIDUAL_PREMIUM', 'Yearly Saver', 1000, '/year', 'KES');

-- One STK push and how it ended. A payment is settled (PENDING → another
-- status) once, under SELECT … FOR UPDATE, and only on Daraja's own answer to
-- an STK query. Payments are money records: they outlive their user
-- (user_id SET NULL), and the amount is what was asked of M-Pesa.
CREATE TABLE payments (
    id                  BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id             BIGINT UNSIGNED NULL,
    period              ENUM('TERMLY','YEARLY') NOT NULL,
    plan                ENUM('INDIVIDUAL_BASIC','INDIVIDUAL_PREMIUM') NOT NULL,
    amount              INT UNSIGNED    NOT NULL,
    currency            VARCHAR(10)     NOT NULL,
    phone_number        VARCHAR(20)     NOT NULL,
    checkout_request_id VARCHAR(100)    NOT NULL,
    merchant_request_id VARCHAR(100)    NULL,
    status              ENUM('PENDING','COMPLETED','FAILED','CANCELLED') NOT NULL DEFAULT 'PENDING',
    result_code         INT             NULL,
    result_desc         VARCHAR(255)    NULL,
    transaction_code    VARCHAR(50)     NULL,
    mpesa_metadata      JSON            NULL,
    description         VARCHAR(255)    NOT NULL,
    settled_at          DATETIME(6)     NULL,
    created_at          DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at          DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_payments_checkout (checkout_request_id),
    UNIQUE KEY uq_payments_transaction_code (transaction_code),
    KEY idx_payments_user_created (user_id, created_at),
    KEY idx_payments_created (created_at),
    KEY idx_payments_status_created (status, created_at),
    KEY idx_payments_status_settled (status, settled_at),
    CONSTRAINT fk_payments_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every change of a user's plan: by a payment (payment_id, unique: a payment
-- grants once), by a super admin (actor_id), or by the user's own downgrade.
CREATE TABLE subscription_changes (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id         BIGINT UNSIGNED NOT NULL,
    actor_id        BIGINT UNSIGNED NULL,
    payment_id      BIGINT UNSIGNED NULL,
    source          ENUM('PAYMENT','ADMIN_UPGRADE','ADMIN_SET','DOWNGRADE') NOT NULL,
    from_type       ENUM('FREE','INDIVIDUAL_BASIC','INDIVIDUAL_PREMIUM','SCHOOL_SPONSORED') NOT NULL,
    to_type         ENUM('FREE','INDIVIDUAL_BASIC','INDIVIDUAL_PREMIUM','SCHOOL_SPONSORED') NOT NULL,
    to_status       ENUM('ACTIVE','INACTIVE','PAST_DUE','CANCELLED') NOT NULL,
    from_expires_at DATETIME(6)     NULL,
    to_expires_at   DATETIME(6)     NULL,
    created_at      DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_subscription_changes_payment (payment_id),
    KEY idx_subscription_changes_user_created (user_id, created_at),
    CONSTRAINT fk_subscription_changes_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT fk_subscription_changes_actor FOREIGN KEY (actor_id) REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT fk_subscription_changes_payment FOREIGN KEY (payment_id) REFERENCES payments (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE subscription_changes;
DROP TABLE payments;
DROP TABLE plan_prices;
ALTER TABLE users DROP COLUMN subscription_expires_at;
