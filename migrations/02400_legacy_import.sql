-- +goose Up
-- `api import-legacy` (internal/legacy): which row of the original backend's
-- database each imported row came from. A re-run finds a row here, compares
-- the digest of what it would write now with the one recorded, and writes
-- only what is new or changed; the verification pass reads the imported rows
-- back through it. No foreign keys: target rows of many tables are named by
-- (target_table, target_id), and deleting an imported row must not be stopped
-- by its history (a re-run then reports it as gone rather than re-creating it).
CREATE TABLE legacy_ids (
    source_table VARCHAR(64)     CHARACTER SET ascii NOT NULL,
    source_id    BIGINT          NOT NULL,
    target_table VARCHAR(64)     CHARACTER SET ascii NOT NULL,
    target_id    BIGINT UNSIGNED NOT NULL,
    digest       CHAR(64)        CHARACTER SET ascii NOT NULL,
    imported_at  DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at   DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    PRIMARY KEY (source_table, source_id),
    KEY idx_legacy_ids_target (target_table, target_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- An imported note's file stays where the original stored it (a Cloudinary
-- or /uploads URL): the API hands out this address instead of a signed URL
-- of its own store. NULL for every note uploaded to this API.
ALTER TABLE notes ADD COLUMN external_url VARCHAR(500) NULL AFTER storage_key;

-- +goose Down
ALTER TABLE notes DROP COLUMN external_url;
DROP TABLE legacy_ids;
