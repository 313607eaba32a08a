-- offduty-core cache, version 1. Times are INTEGER microseconds since the Unix epoch (UTC).

-- Small facts about this installation: server URL, who is signed in, sync cursor, device
-- chain head, department rules, profile, preferences.
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The department's jobs as last synced (the whole wire object in `json`, plus the columns the
-- board filters on).
CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    starts_us INTEGER NOT NULL,
    ends_us INTEGER NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    hourly_cents INTEGER NOT NULL,
    job_type TEXT NOT NULL,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    json TEXT NOT NULL
);
CREATE INDEX jobs_starts ON jobs (starts_us);

-- The officer's own standing on jobs, as the server last said.
CREATE TABLE assignments (
    id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    json TEXT NOT NULL
);
CREATE INDEX assignments_job ON assignments (job_id);

CREATE TABLE timecards (
    id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    json TEXT NOT NULL
);
CREATE INDEX timecards_job ON timecards (job_id);

-- Imported on-duty shifts (hour caps, rest).
CREATE TABLE duty_blocks (
    starts_us INTEGER NOT NULL,
    ends_us INTEGER NOT NULL
);

-- The action queue. A row is written, with the action's local effects, before the caller is
-- told "done"; it leaves only when the server's outcome is stored in `outcomes`.
CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    job_id TEXT NOT NULL,
    envelope_json TEXT NOT NULL,
    created_us INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_us INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    wedged_reason TEXT
);
CREATE INDEX outbox_job ON outbox (job_id);

-- What the server decided for each action (kept for the officer to read).
CREATE TABLE outcomes (
    idempotency_key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    job_id TEXT NOT NULL,
    outcome_json TEXT NOT NULL,
    decided_us INTEGER NOT NULL
);

-- Clock events made on this device, with the core's own verdict and, once synced, the
-- server's.
CREATE TABLE punches (
    event_id TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL,
    job_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    device_us INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    signed_json TEXT NOT NULL,
    local_verdict TEXT NOT NULL,
    local_reasons_json TEXT NOT NULL,
    server_verdict TEXT,
    server_reasons_json TEXT
);
CREATE INDEX punches_job ON punches (job_id);
