-- Department administration (decision 017) and timecard review (decision 019).

-- Bumped whenever a user's sessions must end at once (disabled, password reset, role changed):
-- access tokens carry the epoch they were issued at and are refused once it moved on.
ALTER TABLE users ADD COLUMN session_epoch BIGINT NOT NULL DEFAULT 0;
-- The day the officer's seniority counts from (YYYY-MM-DD), when the roster gives one;
-- `seniority` (1 = most senior) is then derived from it.
ALTER TABLE users ADD COLUMN seniority_date TEXT;
CREATE INDEX users_department_badge ON users (department_id, badge);

-- One-time tokens to set a password (a new account, or one a coordinator reset). Stored as
-- SHA-256, single use.
CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_us BIGINT NOT NULL,
    expires_us BIGINT NOT NULL,
    used_us BIGINT
);
CREATE INDEX password_resets_user ON password_resets (user_id);

-- Why a coordinator rejected a timecard (the officer sees it), and who did, when.
ALTER TABLE timecards ADD COLUMN rejection_reason TEXT;
ALTER TABLE timecards ADD COLUMN rejected_by TEXT;
ALTER TABLE timecards ADD COLUMN rejected_us BIGINT;
