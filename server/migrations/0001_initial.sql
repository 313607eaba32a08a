-- offduty server schema, version 1. Runs unchanged on SQLite and PostgreSQL: identifiers are
-- TEXT (UUIDs), times are BIGINT microseconds since the Unix epoch (UTC), money is BIGINT cents,
-- flags are BIGINT 0/1, structured values are JSON in TEXT.

CREATE TABLE departments (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    currency TEXT NOT NULL,
    rules_json TEXT NOT NULL,
    pay_json TEXT NOT NULL,
    -- Last change-log sequence; bumped under the row lock, so sequences commit in order.
    change_seq BIGINT NOT NULL DEFAULT 0,
    -- Audit chain head: last sequence and its hash.
    audit_seq BIGINT NOT NULL DEFAULT 0,
    audit_head TEXT NOT NULL,
    created_us BIGINT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    department_id TEXT NOT NULL REFERENCES departments (id),
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    display_name TEXT NOT NULL,
    badge TEXT NOT NULL DEFAULT '',
    rank TEXT NOT NULL DEFAULT 'officer',
    certifications_json TEXT NOT NULL DEFAULT '[]',
    groups_json TEXT NOT NULL DEFAULT '[]',
    seniority BIGINT NOT NULL DEFAULT 0,
    permit_expires_us BIGINT,
    disabled BIGINT NOT NULL DEFAULT 0,
    created_us BIGINT NOT NULL
);
CREATE INDEX users_department_role ON users (department_id, role);

CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    family_id TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    issued_us BIGINT NOT NULL,
    expires_us BIGINT NOT NULL,
    used_us BIGINT,
    revoked_us BIGINT
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    department_id TEXT NOT NULL REFERENCES departments (id),
    public_key TEXT NOT NULL,
    label TEXT NOT NULL,
    last_seq BIGINT NOT NULL DEFAULT 0,
    last_hash TEXT,
    created_us BIGINT NOT NULL,
    revoked_us BIGINT
);
CREATE INDEX devices_user ON devices (user_id);

CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    department_id TEXT NOT NULL REFERENCES departments (id),
    customer_id TEXT REFERENCES users (id),
    title TEXT NOT NULL,
    customer_name TEXT NOT NULL,
    site_name TEXT NOT NULL,
    address TEXT NOT NULL,
    lat DOUBLE PRECISION NOT NULL,
    lon DOUBLE PRECISION NOT NULL,
    geofence_json TEXT NOT NULL,
    starts_us BIGINT NOT NULL,
    ends_us BIGINT NOT NULL,
    slots BIGINT NOT NULL,
    slots_filled BIGINT NOT NULL DEFAULT 0,
    -- Awarded slots whose holder offers them back to the board.
    slots_offered BIGINT NOT NULL DEFAULT 0,
    job_type TEXT NOT NULL,
    rate_cents BIGINT NOT NULL,
    multiplier_bp BIGINT NOT NULL,
    requirements_json TEXT NOT NULL,
    award_rule_json TEXT NOT NULL,
    release_tiers_json TEXT NOT NULL,
    signup_opens_us BIGINT NOT NULL,
    signup_closes_us BIGINT,
    -- Set when a ranked award rule has awarded the slots (signups closed).
    awarded_us BIGINT,
    status TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_us BIGINT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX jobs_department_start ON jobs (department_id, starts_us);
CREATE INDEX jobs_pending_award ON jobs (signup_closes_us, awarded_us);

CREATE TABLE assignments (
    id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL REFERENCES jobs (id),
    department_id TEXT NOT NULL REFERENCES departments (id),
    officer_id TEXT NOT NULL REFERENCES users (id),
    status TEXT NOT NULL,
    -- Change-log sequence of the claim: the server's order of receipt.
    receipt_seq BIGINT NOT NULL,
    -- 1-based place in line while requested or waitlisted.
    position BIGINT,
    -- Set while an awarded officer offers the slot back to the board.
    offered_us BIGINT,
    created_us BIGINT NOT NULL,
    updated_us BIGINT NOT NULL,
    version BIGINT NOT NULL,
    UNIQUE (job_id, officer_id)
);
CREATE INDEX assignments_officer_status ON assignments (officer_id, status);
CREATE INDEX assignments_job_status ON assignments (job_id, status);

CREATE TABLE duty_blocks (
    id TEXT PRIMARY KEY,
    department_id TEXT NOT NULL REFERENCES departments (id),
    officer_id TEXT NOT NULL REFERENCES users (id),
    starts_us BIGINT NOT NULL,
    ends_us BIGINT NOT NULL,
    source TEXT NOT NULL,
    created_us BIGINT NOT NULL
);
CREATE INDEX duty_blocks_officer ON duty_blocks (officer_id, starts_us);

CREATE TABLE clock_events (
    id TEXT PRIMARY KEY,
    department_id TEXT NOT NULL REFERENCES departments (id),
    device_id TEXT NOT NULL REFERENCES devices (id),
    officer_id TEXT NOT NULL REFERENCES users (id),
    job_id TEXT NOT NULL REFERENCES jobs (id),
    timecard_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    device_us BIGINT NOT NULL,
    received_us BIGINT NOT NULL,
    verdict TEXT NOT NULL,
    reasons_json TEXT NOT NULL,
    -- The signed event exactly as received, so anyone can re-verify it later.
    signed_json TEXT NOT NULL,
    UNIQUE (device_id, seq)
);
CREATE INDEX clock_events_timecard ON clock_events (timecard_id);

CREATE TABLE timecards (
    id TEXT PRIMARY KEY,
    assignment_id TEXT NOT NULL UNIQUE REFERENCES assignments (id),
    department_id TEXT NOT NULL REFERENCES departments (id),
    job_id TEXT NOT NULL REFERENCES jobs (id),
    officer_id TEXT NOT NULL REFERENCES users (id),
    clock_in_event TEXT,
    clock_out_event TEXT,
    in_us BIGINT,
    out_us BIGINT,
    worked_minutes BIGINT,
    billable_minutes BIGINT,
    rate_cents BIGINT NOT NULL,
    multiplier_bp BIGINT NOT NULL,
    gross_cents BIGINT,
    status TEXT NOT NULL,
    approved_by TEXT,
    approved_us BIGINT,
    paid_us BIGINT,
    version BIGINT NOT NULL
);
CREATE INDEX timecards_officer ON timecards (officer_id, in_us);
CREATE INDEX timecards_department_status ON timecards (department_id, status);

CREATE TABLE idempotency_keys (
    user_id TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    outcome_json TEXT NOT NULL,
    created_us BIGINT NOT NULL,
    PRIMARY KEY (user_id, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_us);

-- One row per entity changed by the transaction that took sequence `seq`. `audience` is the one
-- user allowed to see the change, or NULL for everyone in the department.
CREATE TABLE change_log (
    department_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    audience TEXT,
    PRIMARY KEY (department_id, seq, entity, entity_id)
);

CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    department_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload_json TEXT NOT NULL,
    created_us BIGINT NOT NULL,
    sent_us BIGINT
);
CREATE INDEX notifications_user ON notifications (user_id, created_us);
CREATE INDEX notifications_unsent ON notifications (sent_us);

-- Append-only, hash-chained per department: hash = SHA-256(prev_hash ‖ canonical entry).
CREATE TABLE audit_log (
    department_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    actor_id TEXT,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    detail_json TEXT NOT NULL,
    at_us BIGINT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (department_id, seq)
);

CREATE TABLE server_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
