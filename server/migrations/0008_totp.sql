-- TOTP two-factor sign-in for coordinators (auth::totp, services::two_factor, decision 038).

-- Whether every coordinator of the department must sign in with a second factor: one who has
-- none is sent to enrolment before any other console page, and the API refuses their login.
ALTER TABLE departments ADD COLUMN require_totp BIGINT NOT NULL DEFAULT 0;

-- One authenticator per user. The secret is sealed (XChaCha20-Poly1305 under a key derived from
-- the server's token key, the user id authenticated), never stored plain. It takes effect at
-- confirmed_us; until then it is an enrolment in progress. last_step is the last 30-second step
-- whose code was accepted: a code of that step or an earlier one is refused (no replay).
CREATE TABLE user_totp (
    user_id TEXT PRIMARY KEY REFERENCES users (id),
    secret_sealed TEXT NOT NULL,
    created_us BIGINT NOT NULL,
    confirmed_us BIGINT,
    last_step BIGINT NOT NULL DEFAULT 0
);

-- Single-use recovery codes, shown once at enrolment; only a SHA-256 bound to the user is kept.
CREATE TABLE totp_recovery_codes (
    code_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_us BIGINT NOT NULL,
    used_us BIGINT
);
CREATE INDEX totp_recovery_codes_user ON totp_recovery_codes (user_id);

-- A console sign-in between the password and the second factor: the browser holds a random id
-- in a cookie, the database its SHA-256. It ends at expires_us (5 minutes), once used (done_us)
-- or when locked after too many wrong codes (locked_us).
CREATE TABLE console_second_factor (
    id_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    department_id TEXT NOT NULL REFERENCES departments (id),
    session_epoch BIGINT NOT NULL,
    created_us BIGINT NOT NULL,
    expires_us BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    locked_us BIGINT,
    done_us BIGINT
);
CREATE INDEX console_second_factor_user ON console_second_factor (user_id);
