-- +goose Up
-- The start of a FREE account's 30-day trial (models.LimitsFor). NULL means
-- the account's creation, so existing and newly registered users need no
-- backfill; an admin can restart a trial by setting it.
ALTER TABLE users ADD COLUMN trial_started_at DATETIME(6) NULL AFTER subscription_status;

-- +goose Down
ALTER TABLE users DROP COLUMN trial_started_at;
