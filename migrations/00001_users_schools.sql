-- +goose Up
CREATE TABLE schools (
    id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name       VARCHAR(255)    NOT NULL,
    created_at DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_schools_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE users (
    id                  BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    email               VARCHAR(255)    NOT NULL,
    password_hash       VARCHAR(255)    NOT NULL,
    full_name           VARCHAR(255)    NOT NULL DEFAULT '',
    phone               VARCHAR(50)     NULL,
    school              VARCHAR(255)    NULL,
    grade_level         VARCHAR(50)     NULL,
    tsc_number          VARCHAR(50)     NULL,
    role                ENUM('TEACHER','HOD','SCHOOL_ADMIN','SUPER_ADMIN') NOT NULL DEFAULT 'TEACHER',
    school_id           BIGINT UNSIGNED NULL,
    is_active           BOOLEAN         NOT NULL DEFAULT TRUE,
    email_verified      BOOLEAN         NOT NULL DEFAULT FALSE,
    subscription_type   ENUM('FREE','INDIVIDUAL_BASIC','INDIVIDUAL_PREMIUM','SCHOOL_SPONSORED') NOT NULL DEFAULT 'FREE',
    subscription_status ENUM('ACTIVE','INACTIVE','PAST_DUE','CANCELLED') NOT NULL DEFAULT 'ACTIVE',
    created_at          DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at          DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_users_email (email),
    KEY idx_users_school_created (school_id, created_at),
    KEY idx_users_created (created_at),
    CONSTRAINT fk_users_school FOREIGN KEY (school_id) REFERENCES schools (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE users;
DROP TABLE schools;
