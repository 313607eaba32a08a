-- Web console sessions (server/src/console/session.rs, decision 035). The browser holds a random
-- id in a cookie; only its SHA-256 is stored, so a copy of this table signs nobody in. A session
-- ends when revoked (sign-out, or auth::sessions::end_sessions: disabled, password reset, role
-- change), when idle too long (last_seen_us) or at expires_us, whichever comes first; the
-- user's session epoch is checked on every request as for an access token.
CREATE TABLE console_sessions (
    id_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    department_id TEXT NOT NULL REFERENCES departments (id),
    role TEXT NOT NULL,
    session_epoch BIGINT NOT NULL,
    created_us BIGINT NOT NULL,
    last_seen_us BIGINT NOT NULL,
    expires_us BIGINT NOT NULL,
    revoked_us BIGINT
);
CREATE INDEX console_sessions_user ON console_sessions (user_id);
